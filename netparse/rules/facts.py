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
        self.has_owners = any(s.pid is not None or s.process for s in self.inet)
        self.platform = "windows" if format and "win" in format.lower() else "linux"

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
        listing or, when the listing shows no listener at all, a port outside the ephemeral range
        (so ``ss -tan state close-wait`` still tells clients from servers)."""
        if s.local_port is None:
            return False
        if self.listen_ports:
            return s.local_port in self.listen_ports
        low, high = self.ephemeral_range()
        return not low <= s.local_port <= high

    def listener(self, port: int | None) -> Socket | None:
        """The first LISTEN socket on ``port`` (any address)."""
        for s in self.listeners:
            if s.local_port == port:
                return s
        return None
