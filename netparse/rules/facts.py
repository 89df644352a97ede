"""What rules read: one listing's sockets, grouped the ways several rules need them.

A rule never parses text; it reads :class:`Facts`, which is built from records only. The few
judgements several rules share live here so they agree: which sockets are TCP/IP, which ports
listen, which side of a connection a socket is on, and the ephemeral port range to assume.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from ..model import Family, Socket
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
    if not sep or not low.strip().isdigit() or not high.strip().isdigit():
        raise ValueError(f"expected 'auto', 'linux', 'windows' or LOW-HIGH such as 32768-60999, got {text!r}")
    lo, hi = int(low), int(high)
    if not 1 <= lo <= hi <= 65535:
        raise ValueError(f"port range {text!r} must satisfy 1 <= LOW <= HIGH <= 65535")
    return lo, hi


class Facts:
    """A read-only view of one listing. ``format`` is the grammar name (``ss``, ``linux-netstat``,
    a Windows grammar ...) when known; it only chooses the default ephemeral range."""

    def __init__(self, sockets: Iterable[Socket], format: str | None = None) -> None:
        self.sockets: list[Socket] = list(sockets)
        self.format = format
        self.inet = [s for s in self.sockets if s.family in _INET or (s.family is None and s.proto in ("tcp", "udp"))]
        self.tcp = [s for s in self.inet if s.proto == "tcp"]
        self._by_state: dict[TcpState, list[Socket]] = defaultdict(list)
        for s in self.tcp:
            self._by_state[s.state].append(s)
        self.listeners = self._by_state.get(TcpState.LISTEN, [])
        self.listen_ports = {s.local_port for s in self.listeners if s.local_port is not None}
        #: True when the input had a process column that named at least one owner.
        self.has_owners = any(has_owner(s) for s in self.inet)
        self.platform = "windows" if format and any(h in format.lower() for h in _WINDOWS_HINTS) else "linux"

    def in_state(self, state: TcpState) -> list[Socket]:
        """TCP sockets in ``state``, in input order."""
        return self._by_state.get(state, [])

    def ephemeral_range(self, setting: str = "auto") -> tuple[int, int]:
        """The ephemeral range a setting names (``auto`` follows the input's platform)."""
        value = parse_port_range(setting)
        if value == "auto":
            return EPHEMERAL_RANGES[self.platform]
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
        * ``ss`` (and Linux inet_diag) reports a listener's accept queue as Recv-Q and its backlog
          as Send-Q. net-tools netstat prints Send-Q 0 for listeners (no backlog shown), so a zero
          backlog means unknown. Other platforms' Send-Q on LISTEN rows is a buffer count, not
          a backlog, so Send-Q is only read for ``ss`` input (or records with no format).
        """
        if s.state is not TcpState.LISTEN:
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
        if self.format not in (None, "ss") or not s.send_q or s.recv_q is None:
            return None
        return s.recv_q, s.send_q
