from __future__ import annotations

from collections import Counter
from typing import Iterator

from pydantic import Field

from .base import RuleSettings, num
from .counter_trend import judged, latest_rise, listener_text, listing_evidence
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

ESTAB = "TcpEstabResets"
ATTEMPTS = "TcpAttemptFails"
ON_DATA = "TcpExtTCPAbortOnData"
ON_CLOSE = "TcpExtTCPAbortOnClose"
ON_TIMEOUT = "TcpExtTCPAbortOnTimeout"
OUT_RSTS = "TcpOutRsts"

#: (counter, what one of it means), in the order the message gives them
KINDS = (
    (ESTAB, "connections reset while established or in CLOSE-WAIT"),
    (ATTEMPTS, "connection attempts that failed: refused, reset or timed out in SYN-SENT/SYN-RECV"),
    (ON_DATA, "connections this machine reset: closed with SO_LINGER 0, or data arrived after the application closed"),
    (ON_CLOSE, "connections this machine reset: the application closed with data it had not read"),
    (ON_TIMEOUT, "connections aborted after retransmitting too long"),
)


class ResetRate(TrendRule):
    """Connections reset or failing to open at a high rate between two snapshots.

    What it detects
        In a series whose snapshots carry kernel counters, how much TcpEstabResets,
        TcpAttemptFails, TcpExtTCPAbortOnData, TcpExtTCPAbortOnClose and
        TcpExtTCPAbortOnTimeout rose from the snapshot before the newest to the newest.
        Resets and failed attempts together (EstabResets + AttemptFails) at ``warning_per_minute``
        are a warning, at ``critical_per_minute`` critical (between snapshots without
        timestamps: ``warning`` and ``critical``). The message breaks the total down and names
        the listeners of the newest listing with the most connections.

    Why it matters
        Some resets are normal (clients that give up, health checks that close hard); many
        mean something refuses or kills connections: a service down or its port closed
        (refused attempts), an application that closes with unread data or with SO_LINGER 0,
        a firewall or load balancer resetting idle connections, peers timing out. Users see
        "connection reset by peer" and "connection refused".

    What to do
        AttemptFails rising: is the service listening, is its accept queue full (NP019), does a
        firewall reject? EstabResets/AbortOnData: find the side that resets (``tcpdump 'tcp[tcpflags]
        & tcp-rst != 0'``), applications that close without reading the request or with
        SO_LINGER 0, idle timeouts of load balancers shorter than the keep-alive of the clients.

    Sources
        RFC 4022 (tcpEstabResets, tcpAttemptFails); kernel Documentation/networking/
        snmp_counter.rst (TcpExtTCPAbortOnData, TCPAbortOnClose, TCPAbortOnTimeout). Thresholds
        are ours. Real capture (samples/counters/capture_rules.py): counters-resets.log (30
        refused connects, 20 connections closed with SO_LINGER 0, 20 closed by a server with
        the request unread: EstabResets +80 (both ends count), AttemptFails +30, TCPAbortOnData
        +20 (the SO_LINGER 0 closes), TCPAbortOnClose +20 (the unread requests)) fires;
        counters-healthy.log (30 connections accepted and held) stays quiet.
    """

    code = "NP028"
    name = "reset-rate"
    summary = "Connections reset or failing to open at a high rate between snapshots"
    severities = (Severity.WARNING, Severity.CRITICAL)

    class Settings(RuleSettings):
        ORDERED = (("warning", "critical"), ("warning_per_minute", "critical_per_minute"))

        warning_per_minute: float = Field(60.0, gt=0, description="Resets and failed attempts a minute for a warning (ours)")
        critical_per_minute: float = Field(600.0, gt=0, description="Resets and failed attempts a minute for critical (ours)")
        warning: int = Field(100, ge=1, description="Resets and failed attempts between snapshots without timestamps, warning (ours)")
        critical: int = Field(1000, ge=1, description="The same for critical (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, ESTAB, ATTEMPTS)
        if rise is None:
            return
        total = rise.total(ESTAB, ATTEMPTS)
        rate = rise.per_minute(total)
        if rate is None:
            critical = judged(rise, total, settings.warning, settings.critical, settings.critical_per_minute)
        elif rate >= settings.warning_per_minute:
            critical = rate >= settings.critical_per_minute
        else:
            critical = None
        if critical is None:
            return
        shown = [f"{name} +{num(n)} ({what})" for name, what in KINDS if (n := rise.of(name))]
        rsts = rise.of(OUT_RSTS)
        latest = rise.after
        ports = Counter(port for (_, _, port) in latest.listeners)
        listeners = ", ".join(listener_text(series, latest, p) for p in sorted(ports)[:3])
        where = f"; listening in the newest listing: {listeners}" if listeners else ""
        per_minute = f", {rate:,.0f} a minute" if rate is not None else ""
        message = (
            f"{num(total)} connections reset or failed to open {rise.between()}{per_minute}: {'; '.join(shown)}"
            + (f"; this machine sent {num(rsts)} resets ({OUT_RSTS})" if rsts else "") + where
            + "; find the side that resets (tcpdump for RST), services refusing, applications closing with unread "
            "data or SO_LINGER 0"
        )
        yield Finding(rule=self.name, code=self.code, severity=Severity.CRITICAL if critical else Severity.WARNING,
                      message=message, count=total,
                      evidence=listing_evidence(series, latest))
