from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from pydantic import Field, field_validator

from ..model import Socket
from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, num, percent, plural
from .facts import Facts, parse_port_range
from .finding import Finding, Severity

#: States that do not hold a connection's four-tuple.
_FREE = {TcpState.LISTEN, TcpState.CLOSED}


class EphemeralPortExhaustion(Rule):
    """Outgoing connections to one destination using up the ephemeral port range.

    What it detects
        Outgoing connections (any state but LISTEN, TIME_WAIT included) grouped by local
        address, remote address and remote port, compared with the size of the ephemeral port
        range. A connection needs a four-tuple nobody else uses, so towards one remote
        address and port, one local address can have at most one connection per ephemeral port.

    Why it matters
        Short-lived connections to one backend (a database, a cache, an HTTP API) keep their
        ports after closing: in TIME_WAIT for 60 s on Linux (120 s or 240 s on Windows) when
        this side closed first. When the range is used up, new connections fail (on Linux
        connect() returns EADDRNOTAVAIL, "Cannot assign requested address"; Windows logs
        event 4227 or 4231) while everything else on the host looks healthy. Microsoft notes
        TIME_WAIT "may eventually lead to port exhaustion".

    What to do
        Reuse connections: keep-alive, a connection pool, fewer short requests. Otherwise spread
        the load over more four-tuples: more source addresses, more destination ports or
        addresses. Widening the range (net.ipv4.ip_local_port_range; netsh int ipv4 set
        dynamicport tcp) buys time; Microsoft calls it "not a permanent solution".
        net.ipv4.tcp_tw_reuse can help on the connecting side; never use tcp_tw_recycle.

    Sources
        Ranges: Linux ip_local_port_range default 32768-60999 (ip-sysctl), Windows 49152-65535
        (Microsoft port-exhaustion guide); with ``ephemeral_range: auto`` a
        net.ipv4.ip_local_port_range line in the input (sysctl, /proc/sys) is used instead. Critical at 70% of the range follows catpaw's
        20000-of-28232 level; the warning at 50% is ours, to warn well before exhaustion.
    """

    code = "NP003"
    name = "ephemeral-port-exhaustion"
    summary = "Connections to one destination using up the ephemeral port range"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.TIME_WAIT, TcpState.ESTABLISHED)

    class Settings(RuleSettings):
        ORDERED = (("warning_ratio", "critical_ratio"),)

        ephemeral_range: str = Field(
            "auto",
            description="auto (from the input's platform), linux (32768-60999), windows (49152-65535) or LOW-HIGH",
        )
        warning_ratio: float = Field(0.5, gt=0, le=1, description="Share of the range in use for a warning (ours)")
        critical_ratio: float = Field(0.7, gt=0, le=1, description="Share of the range in use for critical (catpaw)")

        @field_validator("ephemeral_range")
        @classmethod
        def _range(cls, value: str) -> str:
            parse_port_range(value)
            return value

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        low, high = facts.ephemeral_range(settings.ephemeral_range)
        size = high - low + 1
        from_sysctl = settings.ephemeral_range == "auto" and facts.sysctl_port_range() is not None
        range_text = f"net.ipv4.ip_local_port_range = {low} {high}" if from_sysctl else f"{low}-{high}"
        groups: dict[tuple, list[Socket]] = defaultdict(list)
        for s in facts.tcp:
            if s.state in _FREE or s.local_port is None or not low <= s.local_port <= high:
                continue
            if s.remote_port is None or not s.local_address or facts.is_server_side(s):
                continue
            groups[(s.local_address, s.remote_address, s.remote_port)].append(s)
        for (local, remote, port), sockets in groups.items():
            used = len({s.local_port for s in sockets})
            ratio = used / size
            if ratio >= settings.critical_ratio:
                severity = Severity.CRITICAL
            elif ratio >= settings.warning_ratio:
                severity = Severity.WARNING
            else:
                continue
            states = Counter(s.state for s in sockets)
            tw = states.get(TcpState.TIME_WAIT, 0)
            tw_text = f" ({num(tw)} in TIME_WAIT)" if tw else ""
            owners = Owners(sockets)
            message = (
                f"{plural(len(sockets), 'connection')} from {local} to {endpoint(remote, port)}{tw_text} use "
                f"{percent(used, size)} of the {num(size)} ephemeral ports ({range_text}): new connections to this "
                f"destination fail once the range runs out, so reuse connections (keep-alive, pooling) or add "
                f"source addresses or destination ports"
            )
            yield self.finding(
                severity,
                message,
                sockets,
                state=TcpState.TIME_WAIT if tw * 2 >= len(sockets) else None,
                local_address=local,
                remote_address=remote,
                remote_port=port,
                process=owners.process,
                pid=owners.pid,
            )
