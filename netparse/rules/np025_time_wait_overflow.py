from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, plural, service_dims, service_text
from .counter_trend import judged, latest_rise, listener_dims, listener_text, rate_text
from .facts import Series, SnapshotPoint
from .finding import Finding, Severity
from .trend import TrendRule

OVERFLOW = "TcpExtTCPTimeWaitOverflow"
ENTERED = "TcpExtTW"
BUCKETS = "net.ipv4.tcp_max_tw_buckets"


class TimeWaitOverflow(TrendRule):
    """TIME_WAIT sockets not kept because the machine holds tcp_max_tw_buckets of them, between
    two snapshots.

    What it detects
        In a series whose snapshots carry kernel counters, how much TcpExtTCPTimeWaitOverflow
        rose from the snapshot before the newest to the newest, beside the TIME_WAIT sockets of
        the newest listing and net.ipv4.tcp_max_tw_buckets when the snapshot carries it. When
        most of the newest listing's TIME_WAIT sockets share one service it names it: a local
        port (this server closes first) with the listener on it and its process when the
        listing shows them, or a remote service (this host's outgoing connections close first;
        a TIME_WAIT socket has no process in any listing); else the one holding the most.
        Warning at any overflow, critical at ``critical_per_minute`` (or ``critical`` between
        snapshots without timestamps).

    Why it matters
        "Maximal number of timewait sockets held by system simultaneously. If this number is
        exceeded time-wait socket is immediately destroyed and warning is printed" (ip-sysctl,
        tcp_max_tw_buckets). A connection closed without its TIME_WAIT loses the protection
        TIME_WAIT gives: a delayed segment of the old connection can be taken for part of a new
        one on the same ports, and the last ACK cannot be sent again when the peer's FIN is
        retransmitted (the peer sees a reset). The kernel logs "TCP: time wait bucket table
        overflow".

    What to do
        Close fewer connections: keep-alive and connection pools on the side that closes first
        (it holds the TIME_WAIT). Raise net.ipv4.tcp_max_tw_buckets when the memory allows (the
        message gives its value when the snapshot carries it); the documentation warns not to
        lower it. net.ipv4.tcp_tw_reuse lets new outgoing connections reuse TIME_WAIT ports.

    Sources
        Kernel Documentation/networking/ip-sysctl.rst (tcp_max_tw_buckets);
        net/ipv4/inet_timewait_sock.c and tcp_minisocks.c (tcp_time_wait counts
        LINUX_MIB_TCPTIMEWAITOVERFLOW when no bucket is allocated). Thresholds are ours. Real
        captures (samples/counters/capture_rules.py): counters-timewait-overflow.log
        (tcp_max_tw_buckets=16, a server that closes first, 100 short connections: +78
        overflows, 16 TIME-WAIT rows on the port python3 listens on) fires;
        counters-timewait-overflow-client.log (the client closes first: +84, 16 TIME-WAIT towards
        10.99.0.2:8080) fires naming the remote service; counters-timewait-healthy.log (the
        default 131,072: 100 TIME-WAIT, no overflow) stays quiet.
    """

    code = "NP025"
    name = "time-wait-overflow"
    summary = "TIME_WAIT bucket overflow between snapshots: connections closed without TIME_WAIT"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.TIME_WAIT,)

    class Settings(RuleSettings):
        ORDERED = (("warning", "critical"),)

        warning: int = Field(1, ge=1, description="Overflows between the two snapshots for a warning (ours)")
        critical_per_minute: float = Field(600.0, gt=0, description="Overflows a minute for critical (ours)")
        critical: int = Field(1000, ge=1, description="Overflows for critical when the snapshots have no timestamps (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, OVERFLOW)
        if rise is None:
            return
        overflows = rise.of(OVERFLOW) or 0
        critical = judged(rise, overflows, settings.warning, settings.critical, settings.critical_per_minute)
        if critical is None:
            return
        latest = rise.after
        kept = rise.of(ENTERED)
        held = latest.count(TcpState.TIME_WAIT)
        limit = latest.settings.get(BUCKETS)
        at_limit = f", at the limit {BUCKETS} = {num(limit)}" if limit is not None and held >= limit else ""
        where, dims = self._where(series, latest, held)
        entered = f" while {num(kept)} entered TIME_WAIT ({ENTERED})" if kept is not None else ""
        raise_it = (f"raise {BUCKETS} (now {num(limit)})" if limit is not None
                    else f"raise {BUCKETS} (take `sysctl {BUCKETS}` with the listing to see its value)")
        message = (
            f"{OVERFLOW} rose by {num(overflows)} {rise.between()}{rate_text(rise, overflows)}{entered}: "
            f"{plural(overflows, 'closed connection')} got no TIME_WAIT because the table of TIME_WAIT sockets was "
            f"full; {num(held)} TIME_WAIT in the newest listing{at_limit}{where}; {raise_it}, or close fewer "
            "connections (keep-alive, connection pools on the side that closes first)"
        )
        yield Finding(rule=self.name, code=self.code, severity=Severity.CRITICAL if critical else Severity.WARNING,
                      message=message, count=overflows, state=TcpState.TIME_WAIT if latest.time_wait_lines else None,
                      evidence=latest.time_wait_lines[:5], **dims)

    @staticmethod
    def _where(series: Series, latest: SnapshotPoint, held: int) -> tuple[str, dict[str, object]]:
        """(', all 16 on port 8080, the port of listener ... : this host's server closes first', the
        finding's fields) from the newest listing's TIME_WAIT per service; ('', {}) when it has none."""
        if not latest.time_wait or not held:
            return "", {}
        counts = list(latest.time_wait.values())
        key, top = next(iter(latest.time_wait.items()))
        services = latest.time_wait_services
        if top * 2 < held:  # no service holds most: name the biggest (if one is), claim nothing more
            biggest = (f"none with more than {num(top)}" if len(counts) > 1 and counts[1] == top
                       else f"the most ({num(top)}) {service_text(key)}")
            return f", spread over {num(services)} ports and destinations, {biggest}", {}
        share = f"all {num(top)}" if top == held else f"{num(top)} of them"
        if top < held:
            more = services - 1
            share_rest = f", the other {num(held - top)} on {plural(more, 'more port or destination', 'more ports and destinations')}"
        else:
            share_rest = ""
        kind, port, _ = key
        if kind == "port":
            listener = listener_text(series, latest, port)
            owner = listener_dims(latest, port)
            dims = {**service_dims(key), **{k: owner[k] for k in ("process", "pid") if owner.get(k) is not None}}
            if listener == f"port {port}":  # no listener on it in the newest listing
                return (f", {share} on port {port} (no listener on it in the newest listing; TIME_WAIT sockets have "
                        f"no process){share_rest}: on that port the local side closed first"), dims
            return (f", {share} on port {port}, the port of listener {listener}{share_rest}: on that port this server "
                    "closes first"), dims
        return (f", {share} {service_text(key)}{share_rest}: there this host's outgoing connections close first "
                "(TIME_WAIT sockets have no process in a listing)"), service_dims(key)
