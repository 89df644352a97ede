"""What counter rules share: the rise of a kernel counter between two snapshots of a series.

Counters are totals since boot (``nstat -az``, /proc/net/snmp, ``netstat -s``); a rule reads
how much one rose between the newest snapshot and the one before it that has the counter too,
never the total. A counter that fell was reset (reboot, namespace recreated): no rise."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import Series, SnapshotPoint


@dataclass
class Rise:
    """How much counters rose from ``before`` to ``after`` (the newest point)."""

    before: SnapshotPoint
    after: SnapshotPoint

    def of(self, name: str) -> int | None:
        a, b = self.before.counters.get(name), self.after.counters.get(name)
        if a is None or b is None or b < a:
            return None
        return b - a

    @property
    def seconds(self) -> float | None:
        if self.before.timestamp is None or self.after.timestamp is None:
            return None
        try:
            value = (self.after.timestamp - self.before.timestamp).total_seconds()
        except TypeError:  # aware and naive
            return None
        return value if value > 0 else None

    def per_minute(self, delta: int) -> float | None:
        seconds = self.seconds
        return None if seconds is None else delta * 60 / seconds

    def between(self) -> str:
        """'between 11:25:45 and 11:25:48 UTC (3 s)' or 'between snapshots 0 and 1'."""
        from .trend import span, when

        if self.seconds is None:
            return f"between snapshots {self.before.index} and {self.after.index}"
        return f"between {when(self.before)} and {when(self.after)}" + (f" ({span(self.before, self.after).strip()[5:]})")


def latest_rise(series: Series, name: str) -> Rise | None:
    """The newest point and the latest point before it that also has counter ``name``."""
    points = series.points
    if len(points) < 2 or name not in points[-1].counters:
        return None
    for point in reversed(points[:-1]):
        if name in point.counters:
            return Rise(point, points[-1])
    return None
