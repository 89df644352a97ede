"""Trend rules: rules that read a host's snapshots over time (:class:`~netparse.rules.facts.Series`)
instead of one listing. They are ordinary rules (code, name, docstring, ``Settings``) whose
:meth:`Rule.check` finds nothing in a single listing; the engine's
:func:`~netparse.rules.engine.analyze_series` calls :meth:`TrendRule.check_series`."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Iterator

from .base import Rule, RuleSettings
from .facts import Facts, Series, SnapshotPoint
from .finding import Finding


class TrendRule(Rule):
    """A rule over a series of snapshots of one host, oldest first."""

    def check(self, facts: Facts, settings: RuleSettings) -> Iterator[Finding]:
        return iter(())  # one listing shows no trend

    @abstractmethod
    def check_series(self, series: Series, settings: RuleSettings) -> Iterator[Finding]:
        """Yield the findings for a series (it has at least two points)."""


def when(point: SnapshotPoint) -> str:
    """'2026-11-24 19:11:04 UTC' or 'snapshot 3' (no timestamp)."""
    if point.timestamp is None:
        return f"snapshot {point.index}"
    return _time_text(point.timestamp)


def _time_text(value: datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.tzinfo is not None:
        offset = value.utcoffset()
        text += " UTC" if offset is not None and not offset else value.strftime(" %z")
    return text


def span(first: SnapshotPoint, last: SnapshotPoint) -> str:
    """' over 50 min' / ' over 3 h 10 min' / '' when the points have no timestamps."""
    if first.timestamp is None or last.timestamp is None:
        return ""
    try:
        seconds = int((last.timestamp - first.timestamp).total_seconds())
    except TypeError:  # aware and naive
        return ""
    if seconds <= 0:
        return ""
    if seconds < 120:
        return f" over {seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f" over {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f" over {hours} h" + (f" {minutes} min" if minutes else "")
    return f" over {hours // 24} days"
