from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, service_dims, service_text
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule, span


class CloseWaitGrowth(TrendRule):
    """CLOSE_WAIT on one port (or towards one server) growing snapshot after snapshot: a leak.

    What it detects
        In a log with several snapshots of one host, the CLOSE_WAIT sockets of one local
        service port (or, for outgoing connections, of one remote address and port, grouped
        as NP001 groups them), counted in each snapshot. It fires when that count has not
        fallen over the last snapshots, rose in at least half of the steps, and grew by a
        clear amount in all, ending at the newest snapshot.

    Why it matters
        CLOSE_WAIT sockets wait for the local application to call close() (RFC 9293, "the
        local user"); no kernel timer ages them out, so a count that only ever grows is the
        signature of a connection leak long before it reaches NP001's absolute thresholds or
        the process runs out of file descriptors. One listing cannot tell a leak from a burst
        that is being cleaned up; a series can.

    What to do
        As for NP001: find the owner (ss -tnp state close-wait '( sport = :PORT )') and the code
        path that drops connections without closing them. The growth rate in the message
        tells how long until the process hits its file descriptor limit (ulimit -n).

    Sources
        Thresholds (ours): 4 snapshots without a fall, growth of 20 sockets for a warning and
        200 for critical. The reasoning that CLOSE_WAIT never times out is RFC 9293's
        (see NP001).
    """

    code = "NP016"
    name = "close-wait-growth"
    summary = "CLOSE_WAIT on one port growing across consecutive snapshots: a connection leak"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.CLOSE_WAIT,)

    class Settings(RuleSettings):
        ORDERED = (("growth", "critical_growth"),)

        snapshots: int = Field(4, ge=2, description="Consecutive snapshots, ending at the newest, without a fall (ours)")
        growth: int = Field(20, ge=1, description="Sockets gained over those snapshots for a warning (ours)")
        critical_growth: int = Field(200, ge=1, description="Sockets gained over those snapshots for critical (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        points = series.points
        latest = points[-1]
        for key, now in sorted(latest.close_wait.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            counts = [p.close_wait.get(key, 0) for p in points]
            start = len(counts) - 1
            while start > 0 and counts[start - 1] <= counts[start]:
                start -= 1
            run = counts[start:]
            if len(run) < settings.snapshots:
                continue
            rises = sum(1 for a, b in zip(run, run[1:]) if b > a)
            grown = run[-1] - run[0]
            if rises * 2 < len(run) - 1 or grown < settings.growth:
                continue
            severity = Severity.CRITICAL if grown >= settings.critical_growth else Severity.WARNING
            process, pid = latest.close_wait_owner.get(key, (None, None))
            owner = ""
            if process or pid:
                owner = f", owned by {process or 'pid'}" + (f" (pid {pid})" if pid is not None and process else f" {pid}" if pid else "")
            message = (
                f"CLOSE_WAIT {service_text(key)} grew from {num(run[0])} to {num(run[-1])} over the last "
                f"{len(run)} snapshots (+{num(grown)}{span(points[start], latest)}, rising in {rises} of "
                f"{len(run) - 1} steps){owner}: the application is leaking connections it never closes"
            )
            yield Finding(
                rule=self.name,
                code=self.code,
                severity=severity,
                message=message,
                count=now,
                evidence=sorted(latest.close_wait_lines.get(key, [])),
                state=TcpState.CLOSE_WAIT,
                process=process,
                pid=pid,
                **service_dims(key),  # type: ignore[arg-type]
            )
