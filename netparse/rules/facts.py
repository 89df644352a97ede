"""What rules read: one listing's sockets, grouped the ways several rules need them.

A rule never parses text; it reads :class:`Facts`, which is built from records only. The few
judgements several rules share live here so they agree: which sockets are TCP/IP, which ports
listen, which side of a connection a socket is on, and the ephemeral port range to assume.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, NamedTuple

from ..clock import time_key
from ..counters import RULE_COUNTERS, RULE_SETTINGS, NetCounter, NetSetting, counter_values, setting_number, setting_values
from ..model import Family, Snapshot, Socket
from ..states import TcpState

#: Addresses a listener uses to accept on every interface.
WILDCARDS = frozenset({"0.0.0.0", "::", "*", "::ffff:0.0.0.0"})

#: Default ephemeral (dynamic) port ranges, inclusive. Linux: net.ipv4.ip_local_port_range
#: "32768 60999" (Documentation/networking/ip-sysctl.rst). Windows (Vista and later):
#: 49152-65535, the IANA dynamic range (Microsoft "TCP/IP port exhaustion" troubleshooting).
EPHEMERAL_RANGES: dict[str, tuple[int, int]] = {"linux": (32768, 60999), "windows": (49152, 65535)}

_INET = (Family.INET, Family.INET6)

#: Grammar names that read Windows output (for the default ephemeral range and timers).
_WINDOWS_HINTS = ("win", "powershell", "reactos")


def has_owner(s: Socket) -> bool:
    """True when the record names its process. PID 0 is what Windows prints for sockets no
    process owns (TIME_WAIT rows of netstat -ano), so it does not count."""
    return bool(s.process) or (s.pid is not None and s.pid != 0)


def parse_port_range(text: str) -> tuple[int, int] | str:
    """``"linux"``/``"windows"``/``"auto"`` stay names; ``"1024-65535"`` becomes (1024, 65535).
    Raises ValueError for anything else."""
    value = text.strip().lower()
    if value == "auto" or value in EPHEMERAL_RANGES:
        return value
    low, sep, high = value.replace("–", "-").partition("-")
    if not sep or not low.strip().isdecimal() or not high.strip().isdecimal():
        raise ValueError(f"expected 'auto', 'linux', 'windows' or LOW-HIGH such as 32768-60999, got {text!r}")
    lo, hi = int(low), int(high)
    if not 1 <= lo <= hi <= 65535:
        raise ValueError(f"port range {text!r} must satisfy 1 <= LOW <= HIGH <= 65535")
    return lo, hi


class Facts:
    """A read-only view of one listing. ``format`` is the grammar name (``ss``, ``linux-netstat``,
    a Windows grammar ...) when known; it only chooses the default ephemeral range.
    ``counters``/``settings``: the snapshot's kernel counters and sysctls, when it has any
    (``counters`` name -> value, ``settings`` name -> :class:`~netparse.counters.NetSetting`)."""

    def __init__(
        self, sockets: Iterable[Socket], format: str | None = None,
        counters: Iterable[NetCounter] | None = None, settings: Iterable[NetSetting] | None = None,
        root: bool | None = None,
    ) -> None:
        self.sockets: list[Socket] = list(sockets)
        self.format = format
        self.counters: dict[str, int] = counter_values(counters)
        self.settings: dict[str, NetSetting] = setting_values(settings)
        #: True when the listing was read by root (live mode knows its uid), False when it was
        #: not, None when unknown (a listing from a file)
        self.root = root
        self.inet = [s for s in self.sockets if s.family in _INET or (s.family is None and s.proto in ("tcp", "udp"))]
        self.tcp = [s for s in self.inet if s.proto == "tcp"]
        self._by_state: dict[TcpState, list[Socket]] = defaultdict(list)
        for s in self.tcp:
            self._by_state[s.state].append(s)
        self.listeners = self._by_state.get(TcpState.LISTEN, [])
        #: TCP sockets whose state the layout does not print (FreeBSD -T/-x, ss with a state
        #: filter), split by what the row shows: no peer (a listener, or a socket only bound) or a
        #: peer (a connection). Rules about listeners or connections read these too.
        self.unprinted_unconnected: list[Socket] = []
        self.unprinted_connected: list[Socket] = []
        for s in self.tcp:
            if s.state_printed is False:
                peerless = s.remote_port is None and (s.remote_address or "*") in WILDCARDS
                (self.unprinted_unconnected if peerless else self.unprinted_connected).append(s)
        self.listen_ports = {s.local_port for s in self.listeners if s.local_port is not None}
        #: True when the input had a process column that named at least one owner.
        self.has_owners = any(has_owner(s) for s in self.inet)
        self.platform = "windows" if format and any(h in format.lower() for h in _WINDOWS_HINTS) else "linux"

    @classmethod
    def of(cls, snapshot: Snapshot, root: bool | None = None) -> "Facts":
        """The facts of a snapshot: its sockets, format, counters and settings."""
        return cls(snapshot.sockets, snapshot.format, snapshot.counters, snapshot.settings, root)

    def setting(self, name: str, index: int = 0) -> int | None:
        """A sysctl's ``index``-th number when the input carries it (``net.core.somaxconn``)."""
        return setting_number(self.settings, name, index)

    def sysctl_port_range(self) -> tuple[int, int] | None:
        """net.ipv4.ip_local_port_range from the input, when it is there and sane."""
        low, high = self.setting("net.ipv4.ip_local_port_range", 0), self.setting("net.ipv4.ip_local_port_range", 1)
        if low is None or high is None or not 1 <= low <= high <= 65535:
            return None
        return low, high

    def in_state(self, state: TcpState) -> list[Socket]:
        """TCP sockets in ``state``, in input order."""
        return self._by_state.get(state, [])

    def ephemeral_range(self, setting: str = "auto") -> tuple[int, int]:
        """The ephemeral range a setting names (``auto`` follows the input's platform)."""
        value = parse_port_range(setting)
        if value == "auto":
            return self.sysctl_port_range() or EPHEMERAL_RANGES[self.platform]
        if isinstance(value, str):
            return EPHEMERAL_RANGES[value]
        return value

    def is_server_side(self, s: Socket) -> bool:
        """True when the socket's local port is a service port: a port that listens in this
        listing, or a port outside the ephemeral range talking to a remote port inside the
        range common to every platform's default (32768-65535), which is how accepted
        connections look when their listener is not in the listing (``ss state close-wait``,
        a listener already closed). With no listener in the listing at all, any local port
        outside the ephemeral range counts."""
        if s.local_port is None:
            return False
        if s.local_port in self.listen_ports:
            return True
        low, high = self.ephemeral_range()
        if low <= s.local_port <= high:
            return False
        if not self.listen_ports:
            return True
        return s.remote_port is not None and s.remote_port >= 32768

    def listener(self, port: int | None) -> Socket | None:
        """The first LISTEN socket on ``port`` (any address)."""
        for s in self.listeners:
            if s.local_port == port:
                return s
        return None

    def listen_queue(self, s: Socket) -> tuple[int, int] | None:
        """(connections waiting to be accepted, backlog) of a LISTEN socket, when the input says.

        * BSD/macOS ``netstat -L`` prints qlen/maxqlen; a grammar may put them in fields named
          ``qlen``/``maxqlen`` or in ``extra`` under those keys: both are read.
        * ``ss`` (and Linux inet_diag: live mode's ``netlink`` format) reports a listener's accept queue as Recv-Q and its backlog
          as Send-Q. net-tools netstat prints Send-Q 0 for listeners (no backlog shown), so a zero
          backlog means unknown. Other platforms' Send-Q on LISTEN rows is a buffer count, not
          a backlog, so Send-Q is only read for ``ss`` input (or records with no format).
        """
        if s.state is not TcpState.LISTEN and not (
            s.state_printed is False and s.remote_port is None and (s.remote_address or "*") in WILDCARDS
        ):
            return None
        extra = s.extra or {}
        qlen = getattr(s, "qlen", None)
        maxqlen = getattr(s, "maxqlen", None)
        if qlen is None and maxqlen is None:
            qlen, maxqlen = extra.get("qlen"), extra.get("maxqlen")
        if qlen is not None and maxqlen is not None:
            try:
                return int(qlen), int(maxqlen)
            except ValueError:
                return None
        if self.format not in (None, "ss", "netlink") or not s.send_q or s.recv_q is None:
            return None
        return s.recv_q, s.send_q


# ---------------------------------------------------------------------------- time series
# What trend rules read (NP016 ...): a few numbers per snapshot of a log, so a week of
# snapshots costs kilobytes, not the sockets themselves.

#: Socket line numbers a point keeps per group, for a finding's evidence.
POINT_EVIDENCE = 5

#: Counters a point keeps (what the counter rules read), and settings.
POINT_COUNTERS = RULE_COUNTERS
POINT_SETTINGS = RULE_SETTINGS


class Listener(NamedTuple):
    """Who owns a TCP listener (key: proto, local address, local port)."""

    process: str | None = None
    pid: int | None = None


@dataclass(eq=False)
class SnapshotPoint:
    """Aggregates of one snapshot: counts per state, CLOSE_WAIT per service (``('port', local
    port, None)`` on the server side, ``('remote', address, port)`` on the client side, as NP001
    groups), and the TCP listeners, plus a few socket line numbers for evidence
    (``*_lines``; a :class:`SeriesBuilder` drops those of all but the newest point)."""

    index: int = 0
    timestamp: datetime | None = None
    host: str | None = None
    source: str | None = None
    total: int = 0
    states: dict[TcpState, int] = field(default_factory=dict)
    close_wait: dict[tuple, int] = field(default_factory=dict)
    close_wait_owner: dict[tuple, tuple[str | None, int | None]] = field(default_factory=dict)
    close_wait_lines: dict[tuple, list[int]] = field(default_factory=dict)
    time_wait_lines: list[int] = field(default_factory=list)
    listeners: dict[tuple[str, str | None, int | None], Listener] = field(default_factory=dict)
    listener_lines: dict[tuple[str, str | None, int | None], list[int]] = field(default_factory=dict)
    #: the snapshot's counters that counter rules read (:data:`POINT_COUNTERS`), when it has any
    counters: dict[str, int] = field(default_factory=dict)
    #: a few settings (:data:`POINT_SETTINGS`) when the snapshot carries them
    settings: dict[str, int] = field(default_factory=dict)
    #: per TCP listener (key as ``listeners``): (connections waiting, backlog or None when the
    #: input does not show it), for listeners with connections waiting
    listen_queues: dict[tuple[str, str | None, int | None], tuple[int, int | None]] = field(default_factory=dict)
    #: UDP sockets with data waiting: (local address, port) -> (Recv-Q, process, pid, line), fullest first
    udp_queues: dict[tuple[str | None, int | None], tuple[int, str | None, int | None, int]] = field(default_factory=dict)
    #: a few lines of sockets in the states an orphan is in (FIN_WAIT_1, CLOSING, LAST_ACK)
    orphan_lines: list[int] = field(default_factory=list)
    #: SYN_RECEIVED sockets per (local port, remote address), most first (a few)
    syn_recv_peers: dict[tuple[int | None, str | None], int] = field(default_factory=dict)

    @classmethod
    def from_facts(
        cls, facts: Facts, index: int = 0, timestamp: datetime | None = None, host: str | None = None,
        source: str | None = None,
    ) -> "SnapshotPoint":
        point = cls(index=index, timestamp=timestamp, host=host, source=source, total=len(facts.sockets))
        states: Counter[TcpState] = Counter(s.state for s in facts.tcp)
        point.states = dict(states)
        for s in facts.in_state(TcpState.CLOSE_WAIT):
            key = ("port", s.local_port, None) if facts.is_server_side(s) else ("remote", s.remote_address, s.remote_port)
            point.close_wait[key] = point.close_wait.get(key, 0) + 1
            lines = point.close_wait_lines.setdefault(key, [])
            if len(lines) < POINT_EVIDENCE:
                lines.append(s.line)
            owner = (s.process, s.pid) if has_owner(s) else (None, None)
            if point.close_wait_owner.setdefault(key, owner) != owner:
                point.close_wait_owner[key] = (None, None)  # several owners: name none
        point.time_wait_lines = [s.line for s in facts.in_state(TcpState.TIME_WAIT)[:POINT_EVIDENCE]]
        for s in facts.listeners:
            key = (s.proto, s.local_address, s.local_port)
            if key not in point.listeners:
                point.listeners[key] = Listener(s.process, s.pid)
                point.listener_lines[key] = [s.line]
            queue = facts.listen_queue(s)
            if queue is None and s.recv_q:
                queue = (s.recv_q, None)  # netstat, /proc/net/tcp: the accept queue, no backlog
            if queue is not None and queue[0] > 0:
                point.listen_queues[key] = queue
        if facts.counters:
            point.counters = {k: v for k, v in facts.counters.items() if k in POINT_COUNTERS}
        for name in POINT_SETTINGS:
            value = facts.setting(name)
            if value is not None:
                point.settings[name] = value
        udp = sorted((s for s in facts.inet if s.proto == "udp" and s.recv_q), key=lambda s: -(s.recv_q or 0))
        for s in udp[:POINT_EVIDENCE]:
            point.udp_queues.setdefault((s.local_address, s.local_port), (s.recv_q or 0, s.process, s.pid, s.line))
        peers = Counter((s.local_port, s.remote_address) for s in facts.in_state(TcpState.SYN_RECEIVED))
        point.syn_recv_peers = dict(peers.most_common(POINT_EVIDENCE))
        closing = (TcpState.FIN_WAIT_1, TcpState.CLOSING, TcpState.LAST_ACK)
        point.orphan_lines = [s.line for state in closing for s in facts.in_state(state)[:POINT_EVIDENCE]][:POINT_EVIDENCE]
        return point

    def count(self, state: TcpState) -> int:
        return self.states.get(state, 0)


class Series:
    """The snapshots of one host, oldest first: what trend rules read. ``points`` come in the
    order given (a log's order) unless every point has a timestamp, then in time order.
    ``listener_lines``: for each listener, line numbers in the newest snapshot that shows it."""

    def __init__(self, points: Iterable[SnapshotPoint], listener_lines: dict | None = None) -> None:
        items = list(points)
        if items and all(p.timestamp is not None for p in items):
            items.sort(key=lambda p: time_key(p.timestamp))  # type: ignore[arg-type]
        self.points: list[SnapshotPoint] = items
        if listener_lines is None:
            listener_lines = {}
            for point in items:
                listener_lines.update(point.listener_lines)
        self.listener_lines = listener_lines

    def __len__(self) -> int:
        return len(self.points)

    @property
    def latest(self) -> SnapshotPoint | None:
        return self.points[-1] if self.points else None


class SeriesBuilder:
    """Builds a :class:`Series` one snapshot at a time, keeping memory per snapshot small (a
    week of snapshots a minute is 10,000 points): equal keys and owners are shared, a listener
    table equal to the previous snapshot's is shared, and evidence line numbers are kept only
    for the newest point (and, per listener, for the newest snapshot showing it)."""

    def __init__(self) -> None:
        self.points: list[SnapshotPoint] = []
        self.listener_lines: dict[tuple, list[int]] = {}
        self._seen_at: dict[tuple, datetime | None] = {}
        self._shared: dict[object, object] = {}
        self._newest: SnapshotPoint | None = None

    def _same(self, value):
        return self._shared.setdefault(value, value)

    def add(self, facts: Facts, index: int = 0, timestamp: datetime | None = None, host: str | None = None,
            source: str | None = None) -> SnapshotPoint:
        point = SnapshotPoint.from_facts(facts, index, timestamp, host, source)
        same = self._same
        point.close_wait = {same(k): v for k, v in point.close_wait.items()}
        point.close_wait_owner = {same(k): same(v) for k, v in point.close_wait_owner.items()}
        point.close_wait_lines = {same(k): v for k, v in point.close_wait_lines.items()}
        listeners = {same(k): same(v) for k, v in point.listeners.items()}
        previous = self.points[-1] if self.points else None
        point.listeners = previous.listeners if previous is not None and previous.listeners == listeners else listeners
        for key, lines in point.listener_lines.items():
            seen = self._seen_at.get(key, timestamp)
            if key not in self._seen_at or supersedes(timestamp, seen):
                self.listener_lines[same(key)] = lines
                self._seen_at[same(key)] = timestamp
        point.listener_lines = {}
        self._offer_newest(point)
        self.points.append(point)
        return point

    def _offer_newest(self, point: SnapshotPoint) -> None:
        """Only the newest point keeps its CLOSE_WAIT lines (what NP016 quotes)."""
        newest = self._newest
        if newest is None or supersedes(point.timestamp, newest.timestamp):
            if newest is not None:
                newest.close_wait_lines = {}
            self._newest = point
        else:
            point.close_wait_lines = {}

    def extend(self, other: "SeriesBuilder") -> None:
        """Add another builder's points (the same host's next log file)."""
        for point in other.points:
            if point is other._newest:
                self._offer_newest(point)
            self.points.append(point)
        for key, lines in other.listener_lines.items():
            seen, theirs = self._seen_at.get(key), other._seen_at.get(key)
            if key not in self._seen_at or supersedes(theirs, seen):
                self.listener_lines[key] = lines
                self._seen_at[key] = theirs

    def build(self) -> Series:
        return Series(self.points, self.listener_lines)


def supersedes(timestamp: datetime | None, than: datetime | None) -> bool:
    """True when what was seen at ``timestamp`` replaces what was seen at ``than`` as the newest:
    it is not older, or a time is unknown (then the order of reading decides)."""
    return timestamp is None or than is None or time_key(timestamp) >= time_key(than)
