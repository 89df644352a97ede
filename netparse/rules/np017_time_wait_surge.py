from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule, when


class TimeWaitSurge(TrendRule):
    """A sudden jump in TIME_WAIT sockets compared with the snapshots just before it.

    What it detects
        In a log with several snapshots of one host, a snapshot whose TIME_WAIT count is
        several times the median of the snapshots before it and larger by a clear number of
        sockets. The most recent such surge is reported: as a warning when it is still going
        on in the newest snapshot, as info when the count has come back down since.

    Why it matters
        Every connection closed first by this host spends 60 s (Linux) or 2 to 4 minutes
        (Windows) in TIME_WAIT, so the count follows the rate of short connections. A sudden
        multiple of the usual level means a change in traffic or behaviour: a client that
        stopped reusing connections (keep-alive off, a pool misconfigured after a deploy),
        a retry storm, a health check gone wild, or a load spike. NP002 judges the absolute
        level of one listing; a surge can matter well below it, and it is what precedes
        ephemeral port exhaustion (NP003).

    What to do
        Look at what changed at the time of the surge (deploys, traffic, a failing
        dependency causing retries) and at where the TIME_WAIT sockets point (netparse
        summary on that snapshot). Prefer connection reuse over kernel tuning; see NP002.

    Sources
        Thresholds (ours): 3 times the median of the previous 5 snapshots and at least 500
        more sockets. TIME_WAIT durations as in NP002 (Linux TCP_TIMEWAIT_LEN, Microsoft
        TcpTimedWaitDelay).
    """

    code = "NP017"
    name = "time-wait-surge"
    summary = "TIME_WAIT jumping to a multiple of its recent level: a change in connection churn"
    severities = (Severity.INFO, Severity.WARNING)
    states = (TcpState.TIME_WAIT,)

    class Settings(RuleSettings):
        factor: float = Field(3.0, gt=1, description="Times the baseline (median of earlier snapshots) for a surge (ours)")
        min_increase: int = Field(500, ge=1, description="Sockets above the baseline for a surge (ours)")
        baseline: int = Field(5, ge=1, description="Earlier snapshots whose median is the baseline (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        from statistics import median  # (here: importing statistics costs every start-up)

        points = series.points
        counts = [p.count(TcpState.TIME_WAIT) for p in points]
        found = None
        for i in range(len(points) - 1, 0, -1):
            base = median(counts[max(0, i - settings.baseline) : i])
            if counts[i] >= settings.factor * max(base, 1) and counts[i] - base >= settings.min_increase:
                found = i, base
                break
        if found is None:
            return
        i, base = found
        latest = points[-1]
        peak = points[i]
        ongoing = i == len(points) - 1 or (
            counts[-1] >= settings.factor * max(base, 1) and counts[-1] - base >= settings.min_increase
        )
        times = counts[i] / max(base, 1)
        message = (
            f"TIME_WAIT jumped to {num(counts[i])} at {when(peak)} from a usual {num(int(base))} "
            f"({times:.0f}x, median of the {min(i, settings.baseline)} snapshots before): connection churn changed"
        )
        if ongoing:
            severity = Severity.WARNING
            if i != len(points) - 1:
                message += f"; still {num(counts[-1])} at {when(latest)}"
            evidence = latest.time_wait_lines
        else:
            severity = Severity.INFO
            message += f"; back to {num(counts[-1])} at {when(latest)}"
            evidence = peak.time_wait_lines
        yield Finding(
            rule=self.name,
            code=self.code,
            severity=severity,
            message=message,
            count=counts[-1] if ongoing else counts[i],
            evidence=sorted(evidence),
            state=TcpState.TIME_WAIT,
        )
