"""What rules read: one listing's sockets, grouped the ways several rules need them.

A rule never parses text; it reads :class:`Facts`, which is built from records only. The few
judgements several rules share live here so they agree: which sockets are TCP/IP, which ports
listen, which side of a connection a socket is on, and the ephemeral port range to assume.
"""

from __future__ import annotations

from array import array
from collections import Counter
from bisect import insort
from heapq import nsmallest
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from ..clock import time_key
from ..counters import RULE_COUNTERS, RULE_SETTINGS, NetCounter, NetSetting, rule_counter_values, setting_number, setting_values
from ..model import Family, Snapshot, Socket
from ..rows import as_row
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
    return bool(s.process) or _owning_pid(s.pid)


def _owning_pid(pid: int | None) -> bool:
    return pid is not None and pid != 0


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


# ---------------------------------------------------------------------------- one listing as columns
# A listing of a million sockets is read once, row by row, into typed columns (``array``: a few
# bytes a socket, strings numbered once) instead of a million ``Socket`` objects. Rules group
# socket *numbers* (indexes into the columns) and read the few sockets a finding names as light
# views (:class:`SocketView`). The columns hold what the judgements need for every socket (state,
# ends, queues, owner, line): which side of a connection a socket is on depends on every
# listener of the listing and on a sysctl that may come after the rows, so it is decided when the
# listing is complete, never on the fly.

#: an int column's None, and "too wide for 32 bits: in the wide table"
_NONE = -(2**31)
_WIDE = _NONE + 1
_LOW, _HIGH = _WIDE + 1, 2**31 - 1
_STATES: list[TcpState] = list(TcpState)
_STATE_CODE: dict[TcpState, int] = {s: i for i, s in enumerate(_STATES)}
_LISTEN = _STATE_CODE[TcpState.LISTEN]
_FAMILIES: list[Family | None] = [None, Family.INET, Family.INET6]
#: state_printed as a code: False, True, None
_PRINTED: list[bool | None] = [False, True, None]
#: timer names a rule reads (NP022: the peer stopped reading); others are not kept
_TIMERS = frozenset({"persist", "probe"})


class Info(NamedTuple):
    """The tcp_info numbers rules read (NP021, NP022), kept for sockets that have tcp_info."""

    segs_out: int | None = None
    total_retrans: int | None = None
    lost: int | None = None
    snd_wnd: int | None = None
    snd_wscale: int | None = None
    busy_ms: int | None = None
    rwnd_limited_ms: int | None = None
    backoff: int | None = None


class Owned(NamedTuple):
    """Who owns one socket (what :class:`~netparse.rules.base.Owners` reads)."""

    process: str | None
    pid: int | None
    container: object | None


class SocketView:
    """One socket of a :class:`Facts`, read back from its columns: the attributes of
    :class:`~netparse.model.Socket` that rules and reports read. ``extra`` is kept for listeners
    only (their queue lengths), ``timer_name`` only when it is ``persist`` or ``probe``, and
    ``tcp_info`` as :class:`Info`."""

    __slots__ = ("index", "proto", "family", "local_address", "local_port", "remote_address", "remote_port",
                 "state", "state_printed", "recv_q", "send_q", "pid", "process", "line", "local_interface",
                 "extra", "container", "tcp_info", "timer_name")

    def __repr__(self) -> str:
        return (f"SocketView({self.proto} {self.local_address}:{self.local_port} -> {self.remote_address}:"
                f"{self.remote_port} {self.state} line {self.line})")


class SocketGroup:
    """Sockets of a :class:`Facts` by number, in input order: a sequence of :class:`SocketView`
    made one at a time as it is read, so a group of a million sockets costs 4 bytes a socket."""

    __slots__ = ("facts", "indices")

    def __init__(self, facts: "Facts", indices: "array[int] | range | list[int]") -> None:
        self.facts = facts
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __bool__(self) -> bool:
        return len(self.indices) > 0

    def __iter__(self) -> Iterator[SocketView]:
        view = self.facts.socket
        for i in self.indices:
            yield view(i)

    def __getitem__(self, k: int) -> SocketView:
        return self.facts.socket(self.indices[k])

    def __add__(self, other: "SocketGroup") -> "SocketGroup":
        joined = array("i", self.indices)
        joined.extend(other.indices)
        return SocketGroup(self.facts, joined)

    def lines(self, limit: int) -> list[int]:
        """The ``limit`` smallest distinct line numbers, ascending (a finding's evidence)."""
        line = self.facts.line_of
        kept: list[int] = []
        for i in self.indices:
            v = line(i)
            if len(kept) < limit:
                if v not in kept:
                    insort(kept, v)
            elif v < kept[-1] and v not in kept:
                insort(kept, v)
                kept.pop()
        return kept

    def owners(self) -> Iterator[Owned]:
        f = self.facts
        proc, pid, rare, strings = f._proc, f._pid, f._rare, f._strings
        for i in self.indices:
            p = proc[i]
            r = rare.get(i)
            yield Owned(None if p < 0 else strings[p], f._int(pid, "pid", i), r[1] if r is not None else None)


class FactsBuilder:
    """Builds a :class:`Facts` from records fed one at a time (:meth:`add`: a row of the parser's
    row stream, or a :class:`~netparse.model.Socket`), finished with :meth:`build`. Sockets that
    are not TCP/IP (unix, netlink ...) are only counted."""

    def __init__(self) -> None:
        self.total = 0
        self._ids: dict[str, int] = {}
        self._strings: list[str] = []
        self._protos: dict[str, int] = {}
        self._line = array("i")
        self._state = array("B")
        self._proto = array("B")
        self._family = array("B")
        self._printed = array("B")
        self._laddr = array("i")
        self._lport = array("i")
        self._raddr = array("i")
        self._rport = array("i")
        self._recv_q = array("i")
        self._send_q = array("i")
        self._pid = array("i")
        self._proc = array("i")
        #: (column, index) -> a value that does not fit 32 bits
        self._wide: dict[tuple[str, int], int] = {}
        #: index -> (extra, container, local_interface, tcp_info, timer_name), for the few that have any
        self._rare: dict[int, tuple] = {}

    def _sid(self, text: str | None) -> int:
        if text is None:
            return -1
        k = self._ids.get(text)
        if k is None:
            k = self._ids[text] = len(self._strings)
            self._strings.append(text)
        return k

    def _put(self, col: "array[int]", name: str, v: int | None) -> None:
        if v is None:
            col.append(_NONE)
        elif _LOW <= v <= _HIGH:
            col.append(v)
        else:
            self._wide[(name, len(col))] = v
            col.append(_WIDE)

    def add(self, item: "dict[str, Any] | Socket") -> None:
        row = as_row(item)
        self.total += 1
        g = row.get
        family, proto = g("family"), g("proto")
        if family is Family.INET:
            fcode = 1
        elif family is Family.INET6:
            fcode = 2
        elif family is None and proto in ("tcp", "udp"):
            fcode = 0
        else:
            return
        n = len(self._line)
        put, sid = self._put, self._sid
        code = self._protos.get(proto)
        if code is None:
            code = self._protos[proto] = len(self._protos)
        state = g("state")
        printed = g("state_printed")
        self._proto.append(code)
        self._family.append(fcode)
        self._state.append(_STATE_CODE[state])
        self._printed.append(2 if printed is None else 1 if printed else 0)
        put(self._line, "line", g("line"))
        self._laddr.append(sid(g("local_address")))
        put(self._lport, "local_port", g("local_port"))
        self._raddr.append(sid(g("remote_address")))
        put(self._rport, "remote_port", g("remote_port"))
        put(self._recv_q, "recv_q", g("recv_q"))
        put(self._send_q, "send_q", g("send_q"))
        put(self._pid, "pid", g("pid"))
        self._proc.append(sid(g("process")))
        extra, container, iface, info, timer = g("extra"), g("container"), g("local_interface"), g("tcp_info"), g("timer_name")
        if extra is not None and state is not TcpState.LISTEN and printed is not False:
            extra = None  # only a listener's extra is read (its queue lengths)
        if timer not in _TIMERS:
            timer = None
        if extra is not None or container is not None or iface is not None or info is not None or timer is not None:
            if info is not None:
                info = Info(info.segs_out, info.total_retrans, info.lost, info.snd_wnd, info.snd_wscale,
                            info.busy_ms, info.rwnd_limited_ms, info.backoff)
            self._rare[n] = (extra, container, iface, info, timer)

    def extend(self, items: Iterable["dict[str, Any] | Socket"]) -> "FactsBuilder":
        for item in items:
            self.add(item)
        return self

    def build(
        self, format: str | None = None, counters: Iterable[NetCounter] | None = None,
        settings: Iterable[NetSetting] | None = None, root: bool | None = None,
    ) -> "Facts":
        return Facts._from_builder(self, format, counters, settings, root)


class Facts:
    """A read-only view of one listing. ``format`` is the grammar name (``ss``, ``linux-netstat``,
    a Windows grammar ...) when known; it only chooses the default ephemeral range.
    ``counters``/``settings``: the snapshot's kernel counters and sysctls, when it has any
    (``counters`` name -> value, ``settings`` name -> :class:`~netparse.counters.NetSetting`).

    The sockets are held as columns (see :class:`FactsBuilder`); ``inet``, ``tcp``,
    ``listeners``, ``unprinted_*`` and :meth:`in_state` are :class:`SocketGroup` sequences of
    :class:`SocketView`, and the ``*_of``/``*_at`` methods read one socket by number."""

    def __init__(
        self, sockets: Iterable["Socket | dict[str, Any]"] = (), format: str | None = None,
        counters: Iterable[NetCounter] | None = None, settings: Iterable[NetSetting] | None = None,
        root: bool | None = None,
    ) -> None:
        self._load(FactsBuilder().extend(sockets), format, counters, settings, root)

    @classmethod
    def _from_builder(cls, builder: FactsBuilder, format, counters, settings, root) -> "Facts":
        facts = cls.__new__(cls)
        facts._load(builder, format, counters, settings, root)
        return facts

    def _load(self, b: FactsBuilder, format, counters, settings, root) -> None:
        self.counters: dict[str, int] = rule_counter_values(counters)  # Linux names, whatever the platform
        self.settings: dict[str, NetSetting] = setting_values(settings)
        #: True when the listing was read by root (live mode knows its uid), False when it was
        #: not, None when unknown (a listing from a file)
        self.root = root
        #: every record of the listing (TCP/IP or not)
        self.total = b.total
        self._strings = b._strings
        self._line, self._state, self._proto, self._family = b._line, b._state, b._proto, b._family
        self._printed, self._laddr, self._lport, self._raddr = b._printed, b._laddr, b._lport, b._raddr
        self._rport, self._recv_q, self._send_q, self._pid = b._rport, b._recv_q, b._send_q, b._pid
        self._proc, self._wide, self._rare = b._proc, b._wide, b._rare
        self._proto_names = list(b._protos)
        self.size = len(b._line)
        tcp = b._protos.get("tcp", -1)
        self._tcp_code = tcp
        self._udp_code = b._protos.get("udp", -1)
        state, proto, printed = self._state, self._proto, self._printed
        by_state: dict[int, array] = {}
        for i in range(self.size):
            if proto[i] == tcp:
                ix = by_state.get(state[i])
                if ix is None:
                    ix = by_state[state[i]] = array("i")
                ix.append(i)
        self._by_state = {_STATES[c]: ix for c, ix in by_state.items()}
        empty = array("i")
        self._listen_ix = self._by_state.get(TcpState.LISTEN, empty)
        #: TCP sockets whose state the layout does not print (FreeBSD -T/-x, ss with a state
        #: filter), split by what the row shows: no peer (a listener, or a socket only bound) or a
        #: peer (a connection). Rules about listeners or connections read these too.
        unconnected, connected = array("i"), array("i")
        for i in self._tcp_indices():
            if printed[i] == 0:
                (unconnected if self.peerless_at(i) else connected).append(i)
        self._unprinted_unconnected, self._unprinted_connected = unconnected, connected
        self._listeners_by_port: dict[int | None, array] = {}
        for i in self._listen_ix:
            self._listeners_by_port.setdefault(self.local_port_of(i), array("i")).append(i)
        self.listen_ports = {p for p in self._listeners_by_port if p is not None}
        #: True when the input had a process column that named at least one owner.
        self.has_owners = any(self.has_owner_at(i) for i in range(self.size))
        self.reformat(format)

    def reformat(self, format: str | None) -> None:
        """Read the listing as of ``format`` (what the default ephemeral range and the queue
        columns mean follow it): a plain listing's format is final only once it is all read."""
        self.format = format
        self.platform = "windows" if format and any(h in format.lower() for h in _WINDOWS_HINTS) else "linux"
        self._sides: dict[object, bool] = {}
        self._auto_range = self.ephemeral_range()

    @classmethod
    def of(cls, snapshot: Snapshot, root: bool | None = None) -> "Facts":
        """The facts of a snapshot: its sockets, format, counters and settings."""
        return cls(snapshot.sockets, snapshot.format, snapshot.counters, snapshot.settings, root)

    # ------------------------------------------------------------------ groups of sockets

    @property
    def inet(self) -> SocketGroup:
        """TCP/IP sockets (TCP, UDP, raw ... of inet/inet6), in input order."""
        return SocketGroup(self, range(self.size))

    @property
    def tcp(self) -> SocketGroup:
        """TCP sockets, in input order (their numbers are gathered when asked for)."""
        return SocketGroup(self, array("i", self._tcp_indices()))

    def _tcp_indices(self) -> Iterator[int]:
        proto, tcp = self._proto, self._tcp_code
        return (i for i in range(self.size) if proto[i] == tcp)

    @property
    def listeners(self) -> SocketGroup:
        return SocketGroup(self, self._listen_ix)

    @property
    def unprinted_unconnected(self) -> SocketGroup:
        return SocketGroup(self, self._unprinted_unconnected)

    @property
    def unprinted_connected(self) -> SocketGroup:
        return SocketGroup(self, self._unprinted_connected)

    def in_state(self, state: TcpState) -> SocketGroup:
        """TCP sockets in ``state``, in input order."""
        return SocketGroup(self, self.index(state))

    def index(self, state: TcpState) -> "array[int]":
        """The numbers of the TCP sockets in ``state``, in input order."""
        return self._by_state.get(state, _EMPTY)

    def group(self, indices) -> SocketGroup:
        return SocketGroup(self, indices)

    def grouped(self, indices: Iterable[int], key: Callable[[int], Any]) -> dict[Any, "array[int]"]:
        """The sockets numbered ``indices`` grouped by ``key(number)``, groups in the order their
        first socket comes, each in input order."""
        groups: dict[Any, array] = {}
        get = groups.get
        for i in indices:
            k = key(i)
            ix = get(k)
            if ix is None:
                ix = groups[k] = array("i")
            ix.append(i)
        return groups

    # ------------------------------------------------------------------ one socket by number

    def _int(self, col: "array[int]", name: str, i: int) -> int | None:
        v = col[i]
        if v == _NONE:
            return None
        if v == _WIDE:
            return self._wide[(name, i)]
        return v

    def line_of(self, i: int) -> int:
        v = self._line[i]
        return v if v > _WIDE else self._int(self._line, "line", i)  # type: ignore[return-value]

    def local_port_of(self, i: int) -> int | None:
        v = self._lport[i]
        return v if v > _WIDE else self._int(self._lport, "local_port", i)

    def remote_port_of(self, i: int) -> int | None:
        v = self._rport[i]
        return v if v > _WIDE else self._int(self._rport, "remote_port", i)

    def recv_q_of(self, i: int) -> int | None:
        v = self._recv_q[i]
        return v if v > _WIDE else self._int(self._recv_q, "recv_q", i)

    def send_q_of(self, i: int) -> int | None:
        v = self._send_q[i]
        return v if v > _WIDE else self._int(self._send_q, "send_q", i)

    def pid_of(self, i: int) -> int | None:
        v = self._pid[i]
        return v if v > _WIDE else self._int(self._pid, "pid", i)

    def local_address_of(self, i: int) -> str | None:
        k = self._laddr[i]
        return None if k < 0 else self._strings[k]

    def remote_address_of(self, i: int) -> str | None:
        k = self._raddr[i]
        return None if k < 0 else self._strings[k]

    def local_address_id(self, i: int) -> int:
        """A number for socket ``i``'s local address (-1: none), equal for equal addresses."""
        return self._laddr[i]

    def remote_address_id(self, i: int) -> int:
        return self._raddr[i]

    def string_count(self) -> int:
        """How many distinct addresses and process names the listing has (the ids run below it)."""
        return len(self._strings)

    def process_of(self, i: int) -> str | None:
        k = self._proc[i]
        return None if k < 0 else self._strings[k]

    def state_of(self, i: int) -> TcpState:
        return _STATES[self._state[i]]

    def is_udp(self, i: int) -> bool:
        return self._proto[i] == self._udp_code

    def owner_of(self, i: int) -> str | int | None:
        """``s.process or s.pid``: how rules tell one owner from another in a group key."""
        return self.process_of(i) or self.pid_of(i)

    def has_owner_at(self, i: int) -> bool:
        """:func:`has_owner` of socket ``i``."""
        return bool(self.process_of(i)) or _owning_pid(self.pid_of(i))

    def peerless_at(self, i: int) -> bool:
        """No peer: no remote port and a wildcard (or no) remote address."""
        return self.remote_port_of(i) is None and (self.remote_address_of(i) or "*") in WILDCARDS

    def with_rare(self) -> Iterator[int]:
        """The numbers of the TCP sockets that have a tcp_info, a persist/probe timer, a container,
        an interface or a listener's extra fields, in input order."""
        tcp = self._tcp_code
        return (i for i in self._rare if self._proto[i] == tcp)

    def with_tcp_info(self) -> Iterator[int]:
        """The numbers of the TCP sockets that have tcp_info, in input order."""
        return (i for i in self.with_rare() if self._rare[i][3] is not None)

    def tcp_info_of(self, i: int) -> Info | None:
        return self._rare.get(i, _NO_RARE)[3]

    def socket(self, i: int) -> SocketView:
        """Socket ``i`` as a :class:`SocketView`."""
        v = SocketView()
        v.index = i
        v.proto = self._proto_names[self._proto[i]]
        v.family = _FAMILIES[self._family[i]]
        v.local_address = self.local_address_of(i)
        v.local_port = self.local_port_of(i)
        v.remote_address = self.remote_address_of(i)
        v.remote_port = self.remote_port_of(i)
        v.state = _STATES[self._state[i]]
        v.state_printed = _PRINTED[self._printed[i]]
        v.recv_q = self.recv_q_of(i)
        v.send_q = self.send_q_of(i)
        v.pid = self.pid_of(i)
        v.process = self.process_of(i)
        v.line = self.line_of(i)
        v.extra, v.container, v.local_interface, v.tcp_info, v.timer_name = self._rare.get(i, _NO_RARE)
        return v

    def local_addresses(self) -> set[str | None]:
        """Every distinct local address of the listing's TCP/IP sockets."""
        return {None if k < 0 else self._strings[k] for k in set(self._laddr)}

    # ------------------------------------------------------------------ judgements

    def setting(self, name: str, index: int = 0) -> int | None:
        """A sysctl's ``index``-th number when the input carries it (``net.core.somaxconn``)."""
        return setting_number(self.settings, name, index)

    def sysctl_port_range(self) -> tuple[int, int] | None:
        """net.ipv4.ip_local_port_range from the input, when it is there and sane."""
        low, high = self.setting("net.ipv4.ip_local_port_range", 0), self.setting("net.ipv4.ip_local_port_range", 1)
        if low is None or high is None or not 1 <= low <= high <= 65535:
            return None
        return low, high

    def ephemeral_range(self, setting: str = "auto") -> tuple[int, int]:
        """The ephemeral range a setting names (``auto`` follows the input's platform)."""
        value = parse_port_range(setting)
        if value == "auto":
            return self.sysctl_port_range() or EPHEMERAL_RANGES[self.platform]
        if isinstance(value, str):
            return EPHEMERAL_RANGES[value]
        return value

    def is_server_side(self, s: "Socket | SocketView") -> bool:
        """True when the socket's local port is a service port: a port that listens in this
        listing, or a port outside the ephemeral range talking to a remote port inside the
        range common to every platform's default (32768-65535), which is how accepted
        connections look when their listener is not in the listing (``ss state close-wait``,
        a listener already closed). With no listener in the listing at all, any local port
        outside the ephemeral range counts."""
        return self._server_side(s.local_port, s.remote_port)

    def server_side_at(self, i: int) -> bool:
        """:meth:`is_server_side` of socket ``i``."""
        return self._server_side(self.local_port_of(i), self.remote_port_of(i))

    def _server_side(self, local_port: int | None, remote_port: int | None) -> bool:
        # one int per (local port, what the remote port says): a port and one of 3 classes
        cls = 0 if remote_port is None else 1 if remote_port < 32768 else 2
        key = -1 - cls if local_port is None else local_port * 4 + cls if local_port >= 0 else (local_port, cls)
        side = self._sides.get(key)
        if side is None:
            side = self._sides[key] = self._judge_side(local_port, remote_port)
        return side

    def _judge_side(self, local_port: int | None, remote_port: int | None) -> bool:
        if local_port is None:
            return False
        if local_port in self.listen_ports:
            return True
        low, high = self._auto_range
        if low <= local_port <= high:
            return False
        if not self.listen_ports:
            return True
        return remote_port is not None and remote_port >= 32768

    def service_key_at(self, i: int) -> tuple[str, object, object]:
        """Where connection ``i`` belongs, for grouping: ('port', local port, None) on the server
        side, ('remote', remote address, remote port) on the client side."""
        lport, rport = self.local_port_of(i), self.remote_port_of(i)
        if self._server_side(lport, rport):
            return ("port", lport, None)
        return ("remote", self.remote_address_of(i), rport)

    def listener(self, port: int | None) -> SocketView | None:
        """The first LISTEN socket on ``port`` (any address)."""
        found = self._listeners_by_port.get(port)
        return self.socket(found[0]) if found else None

    def listeners_on(self, port: int | None) -> "array[int]":
        """The numbers of the LISTEN sockets on ``port``, in input order."""
        return self._listeners_by_port.get(port, _EMPTY)

    def listen_queue(self, s: "Socket | SocketView") -> tuple[int, int] | None:
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


_EMPTY: "array[int]" = array("i")
_NO_RARE: tuple = (None, None, None, None, None)


# ---------------------------------------------------------------------------- time series
# What trend rules read (NP016 ...): a few numbers per snapshot of a log, so a week of
# snapshots costs kilobytes, not the sockets themselves.

#: Socket line numbers a point keeps per group, for a finding's evidence.
POINT_EVIDENCE = 5

#: Counters a point keeps (what the counter rules read), and settings.
POINT_COUNTERS = RULE_COUNTERS
POINT_SETTINGS = RULE_SETTINGS


class PeerGroup(NamedTuple):
    """TCP connections of one service and peer in a snapshot (key: (service key as
    ``SnapshotPoint.close_wait``'s, remote address)): what NP027 names. ``retrans``/``segs_out``:
    their tcp_info sums (None for connections without tcp_info); ``send_q``: bytes not yet
    acknowledged; ``process``/``pid`` when every owned one agrees (``owned``: how many the listing
    names an owner for); a few line numbers."""

    connections: int
    retrans: int | None
    segs_out: int | None
    send_q: int
    process: str | None
    pid: int | None
    lines: tuple[int, ...]
    owned: int = 0


def peer_groups(facts: "Facts", indices: Iterable[int], order: Callable[[PeerGroup], tuple]) -> dict[tuple, PeerGroup]:
    """The connections numbered ``indices`` per (service key, remote address), the
    :data:`POINT_EVIDENCE` first by ``order`` (largest first, equal ones in input order). Two
    passes: sums per group, then the sockets of the groups kept (for their owner and lines)."""
    info, send_q = facts.tcp_info_of, facts.send_q_of

    def key_of(i: int) -> tuple:
        return (facts.service_key_at(i), facts.remote_address_of(i))

    ix = indices if isinstance(indices, (array, list, range)) else list(indices)
    sums: dict[tuple, list] = {}  # key -> [connections, with tcp_info, retransmitted, sent, Send-Q]
    for i in ix:
        k = key_of(i)
        acc = sums.get(k)
        if acc is None:
            acc = sums[k] = [0, 0, 0, 0, 0]
        acc[0] += 1
        x = info(i)
        if x is not None:
            acc[1] += 1
            acc[2] += x.total_retrans or 0
            acc[3] += x.segs_out or 0
        acc[4] += send_q(i) or 0
    groups = [(k, PeerGroup(a[0], a[2] if a[1] else None, a[3] if a[1] else None, a[4], None, None, ()))
              for k, a in sums.items()]
    groups.sort(key=lambda kg: order(kg[1]), reverse=True)  # stable
    kept = dict(groups[:POINT_EVIDENCE])
    members = facts.grouped((i for i in ix if key_of(i) in kept), key_of)
    out: dict[tuple, PeerGroup] = {}
    for k, group in kept.items():
        mine = members[k]
        owned = [(facts.process_of(i), facts.pid_of(i)) for i in mine if facts.has_owner_at(i)]
        owners = set(owned)
        process, pid = owners.pop() if len(owners) == 1 else (None, None)
        out[k] = group._replace(process=process, pid=pid, lines=tuple(facts.group(mine).lines(POINT_EVIDENCE)),
                                owned=len(owned))
    return out


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
    #: kept when the snapshot carries counters (what NP025 and NP027 read of the newest one; a
    #: :class:`SeriesBuilder` drops them from the others): TIME_WAIT sockets per service (keys
    #: as ``close_wait``), most first (a few), and over how many services they spread
    time_wait: dict[tuple, int] = field(default_factory=dict)
    time_wait_services: int = 0
    #: connections whose tcp_info says they retransmitted, per (service key, remote address),
    #: most retransmitted first (a few); ``tcp_info_connections``: connections with tcp_info
    retransmitting: dict[tuple, PeerGroup] = field(default_factory=dict)
    tcp_info_connections: int = 0
    #: without tcp_info: ESTABLISHED connections per (service key, remote address), most bytes
    #: in Send-Q first, then most connections (a few)
    busiest: dict[tuple, PeerGroup] = field(default_factory=dict)

    @classmethod
    def from_facts(
        cls, facts: Facts, index: int = 0, timestamp: datetime | None = None, host: str | None = None,
        source: str | None = None, named: bool = True,
    ) -> "SnapshotPoint":
        """The aggregates of ``facts``; with ``named`` also what the counter rules name
        (:meth:`name_from`; a :class:`SeriesBuilder` leaves it for the newest point)."""
        point = cls(index=index, timestamp=timestamp, host=host, source=source, total=facts.total)
        point.states = {state: len(ix) for state, ix in facts._by_state.items()}
        for i in facts.index(TcpState.CLOSE_WAIT):
            key = facts.service_key_at(i)
            point.close_wait[key] = point.close_wait.get(key, 0) + 1
            lines = point.close_wait_lines.setdefault(key, [])
            if len(lines) < POINT_EVIDENCE:
                lines.append(facts.line_of(i))
            owner = (facts.process_of(i), facts.pid_of(i)) if facts.has_owner_at(i) else (None, None)
            if point.close_wait_owner.setdefault(key, owner) != owner:
                point.close_wait_owner[key] = (None, None)  # several owners: name none
        point.time_wait_lines = [facts.line_of(i) for i in facts.index(TcpState.TIME_WAIT)[:POINT_EVIDENCE]]
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
            if named:
                point.name_from(facts)
        for name in POINT_SETTINGS:
            value = facts.setting(name)
            if value is not None:
                point.settings[name] = value
        recv_q = facts.recv_q_of
        queued = (i for i in range(facts.size) if facts.is_udp(i) and recv_q(i))
        for i in nsmallest(POINT_EVIDENCE, queued, key=lambda i: -(recv_q(i) or 0)):  # as sorted(...)[:5]
            point.udp_queues.setdefault(
                (facts.local_address_of(i), facts.local_port_of(i)),
                (recv_q(i) or 0, facts.process_of(i), facts.pid_of(i), facts.line_of(i)),
            )
        peers = Counter(
            (facts.local_port_of(i), facts.remote_address_of(i)) for i in facts.index(TcpState.SYN_RECEIVED)
        )
        point.syn_recv_peers = dict(peers.most_common(POINT_EVIDENCE))
        closing = (TcpState.FIN_WAIT_1, TcpState.CLOSING, TcpState.LAST_ACK)
        point.orphan_lines = [facts.line_of(i) for state in closing for i in facts.index(state)[:POINT_EVIDENCE]][
            :POINT_EVIDENCE
        ]
        return point

    def name_from(self, facts: Facts) -> None:
        """What the counter rules name beside a machine-wide counter, from the snapshot's facts
        (when it carries counters): where the TIME_WAIT sockets are, which connections
        retransmitted (tcp_info), else the busiest established peers."""
        if not self.counters:
            return
        services = Counter(facts.service_key_at(i) for i in facts.index(TcpState.TIME_WAIT))
        self.time_wait = dict(services.most_common(POINT_EVIDENCE))
        self.time_wait_services = len(services)
        connected = [i for i in facts.with_tcp_info() if facts.state_of(i) is not TcpState.LISTEN]
        self.tcp_info_connections = len(connected)
        info = facts.tcp_info_of
        again = [i for i in connected if (info(i).total_retrans or 0) > 0]  # type: ignore[union-attr]
        self.retransmitting = peer_groups(facts, again, lambda g: (g.retrans, g.connections))
        if not connected:
            self.busiest = peer_groups(facts, facts.index(TcpState.ESTABLISHED), lambda g: (g.send_q, g.connections))

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
        #: the newest point's facts, until :meth:`build` reads what the counter rules name
        #: from them (the caller holds the newest snapshot's facts anyway)
        self._newest_facts: Facts | None = None

    def _same(self, value):
        return self._shared.setdefault(value, value)

    def add(self, facts: Facts, index: int = 0, timestamp: datetime | None = None, host: str | None = None,
            source: str | None = None) -> SnapshotPoint:
        point = SnapshotPoint.from_facts(facts, index, timestamp, host, source, named=False)
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
        self._offer_newest(point, facts)
        self.points.append(point)
        return point

    def _offer_newest(self, point: SnapshotPoint, facts: Facts | None) -> None:
        """Only the newest point keeps its CLOSE_WAIT lines (what NP016 quotes) and what NP025
        and NP027 name (read from its facts at :meth:`build`)."""
        newest = self._newest
        if newest is None or supersedes(point.timestamp, newest.timestamp):
            if newest is not None:
                _drop_newest_only(newest)
            self._newest, self._newest_facts = point, facts
        else:
            _drop_newest_only(point)

    def extend(self, other: "SeriesBuilder") -> None:
        """Add another builder's points (the same host's next log file)."""
        for point in other.points:
            if point is other._newest:
                self._offer_newest(point, other._newest_facts)
            self.points.append(point)
        for key, lines in other.listener_lines.items():
            seen, theirs = self._seen_at.get(key), other._seen_at.get(key)
            if key not in self._seen_at or supersedes(theirs, seen):
                self.listener_lines[key] = lines
                self._seen_at[key] = theirs

    def build(self) -> Series:
        if self._newest is not None and self._newest_facts is not None:
            self._newest.name_from(self._newest_facts)
            self._newest_facts = None
        return Series(self.points, self.listener_lines)


def _drop_newest_only(point: SnapshotPoint) -> None:
    """What only the newest point keeps (evidence for the rules that quote the newest listing)."""
    point.close_wait_lines = {}
    point.time_wait, point.retransmitting, point.busiest = {}, {}, {}


def supersedes(timestamp: datetime | None, than: datetime | None) -> bool:
    """True when what was seen at ``timestamp`` replaces what was seen at ``than`` as the newest:
    it is not older, or a time is unknown (then the order of reading decides)."""
    return timestamp is None or than is None or time_key(timestamp) >= time_key(than)
