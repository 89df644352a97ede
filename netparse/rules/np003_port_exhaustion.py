from __future__ import annotations

from array import array
from collections import Counter
from typing import Iterator

from pydantic import Field, field_validator

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

    @staticmethod
    def _groups(facts: Facts, low: int, high: int, least: float) -> dict[tuple, "array[int]"]:
        """Outgoing connections per (local address, remote address, remote port), only the groups
        of at least ``least`` sockets (a group uses at most one port per socket): counted first
        under a number per group, then gathered, so a million connections to a thousand
        destinations never become a million lists."""
        server, radix = facts.server_side_at, facts.string_count() + 1

        def key(i: int) -> object:
            if facts.state_of(i) in _FREE:
                return None
            p = facts.local_port_of(i)
            if p is None or not low <= p <= high:
                return None
            q, a = facts.remote_port_of(i), facts.local_address_id(i)
            if q is None or a < 0 or not facts.local_address_of(i) or server(i):
                return None
            r = facts.remote_address_id(i) + 1
            return (q * radix + r) * radix + a if q >= 0 else (q, r, a)  # one int, not a tuple per group

        tcp = facts.tcp.indices
        # first per remote address (one int a distinct address): a group is never larger than
        # its address's count, so only addresses with enough connections are counted per group
        per_remote = array("i", bytes(4 * radix))
        for i in tcp:
            if key(i) is not None:
                per_remote[facts.remote_address_id(i) + 1] += 1
        busy = {r for r, n in enumerate(per_remote) if n >= least - 1}
        del per_remote
        if not busy:
            return {}
        counts: dict[object, int] = {}
        for i in tcp:
            if facts.remote_address_id(i) + 1 in busy:
                k = key(i)
                if k is not None:
                    counts[k] = counts.get(k, 0) + 1
        wanted = {k for k, n in counts.items() if n >= least - 1}  # slack: the ratio is judged below
        del counts
        chosen = (i for i in tcp if facts.remote_address_id(i) + 1 in busy and key(i) in wanted)
        gathered = facts.grouped(chosen, key) if wanted else {}
        return {
            (facts.local_address_of(ix[0]), facts.remote_address_of(ix[0]), facts.remote_port_of(ix[0])): ix
            for ix in gathered.values()
        }

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        low, high = facts.ephemeral_range(settings.ephemeral_range)
        size = high - low + 1
        from_sysctl = settings.ephemeral_range == "auto" and facts.sysctl_port_range() is not None
        range_text = f"net.ipv4.ip_local_port_range = {low} {high}" if from_sysctl else f"{low}-{high}"
        groups = self._groups(facts, low, high, settings.warning_ratio * size)
        for (local, remote, port), ix in groups.items():
            sockets = facts.group(ix)
            used = len({facts.local_port_of(i) for i in ix})
            ratio = used / size
            if ratio >= settings.critical_ratio:
                severity = Severity.CRITICAL
            elif ratio >= settings.warning_ratio:
                severity = Severity.WARNING
            else:
                continue
            states = Counter(facts.state_of(i) for i in ix)
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
