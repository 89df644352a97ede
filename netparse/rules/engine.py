"""Runs the rules (found by :mod:`.registry`) over a listing or a series of snapshots."""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from ..errors import RuleError
from ..model import Snapshot, Socket
from .base import Rule
from .config import Config
from .facts import Facts, Series, SnapshotPoint
from .finding import Finding, sort_key
from .registry import all_rules, get_rule
from .trend import TrendRule

__all__ = ["all_rules", "analyze", "analyze_series", "get_rule"]

def analyze(
    data: Snapshot | Iterable[Socket] | Facts,
    config: Config | Mapping[str, Mapping[str, object]] | None = None,
    root: bool | None = None,
) -> list[Finding]:
    """Run every enabled rule over one listing; findings come worst first.

    ``data``: a :class:`~netparse.model.Snapshot` (its ``format`` picks the default ephemeral port
    range), any iterable of :class:`~netparse.model.Socket` (or of rows, :mod:`netparse.rows`), or
    the :class:`~netparse.rules.facts.Facts` of a listing read as it streamed (``root`` is then the
    facts' own). ``config``: a
    :class:`~netparse.rules.config.Config` (see :func:`~netparse.rules.config.load_config`), a
    mapping such as ``{"NP001": {"warning": 50}}``, or None for the defaults (no file is read).
    ``root``: whether the listing was read as root (live mode), None when unknown; rules that
    advise rerunning as root (NP015) read it.
    """
    if isinstance(data, Facts):
        facts = data
    elif isinstance(data, Snapshot):
        facts = Facts.of(data, root)
    else:
        facts = Facts(data, root=root)
    config = _config(config)
    findings: list[Finding] = []
    for rule in all_rules():
        settings = config.settings(rule.code)
        if settings.enabled:
            findings.extend(_checked(rule, rule.check, facts, settings))
    findings.sort(key=sort_key)
    return findings


def _checked(rule: Rule, check, data, settings) -> list[Finding]:
    """``check(data, settings)`` as a list; a rule that fails raises :class:`RuleError` naming
    it (the exception it raised is the cause), never an error that reads as the input's fault."""
    try:
        return list(check(data, settings))
    except Exception as exc:  # noqa: BLE001 - re-raised with the rule's name, not swallowed
        raise RuleError(rule.code, rule.name, exc) from exc


def _config(config: Config | Mapping[str, Mapping[str, object]] | None) -> Config:
    if config is None:
        return Config.default()
    if not isinstance(config, Config):
        return Config.from_mapping(config)
    return config


def analyze_series(
    series: "Series | Sequence[Snapshot] | Sequence[SnapshotPoint]",
    config: Config | Mapping[str, Mapping[str, object]] | None = None,
    latest: Snapshot | Iterable[Socket] | Facts | None = None,
) -> list[Finding]:
    """Run the rules over the snapshots of one host (a log): every rule over the latest
    snapshot, as :func:`analyze` does, plus the trend rules (:mod:`netparse.rules.trend`) over
    the whole series; findings come worst first.

    ``series``: :class:`~netparse.model.Snapshot` objects (oldest first, or all with
    timestamps), or their :class:`~netparse.rules.facts.SnapshotPoint` aggregates, or a
    :class:`~netparse.rules.facts.Series`. ``latest``: the newest snapshot's sockets (needed
    when ``series`` holds points; the newest Snapshot otherwise)."""
    if not isinstance(series, Series):
        items = list(series)
        if items and isinstance(items[0], Snapshot):
            snapshots: list[Snapshot] = items  # type: ignore[assignment]
            points = [
                SnapshotPoint.from_facts(Facts.of(s), i, s.timestamp, s.host, s.source)
                for i, s in enumerate(snapshots)
            ]
            series = Series(points)
            if latest is None and series.latest is not None:
                latest = snapshots[series.latest.index]
        else:
            series = Series(items)  # type: ignore[arg-type]
    config = _config(config)
    findings = analyze(latest if latest is not None else [], config)
    if len(series) >= 2:
        for rule in all_rules():
            if isinstance(rule, TrendRule):
                settings = config.settings(rule.code)
                if settings.enabled:
                    findings.extend(_checked(rule, rule.check_series, series, settings))
    findings.sort(key=sort_key)
    return findings
