"""Finds the rules (one module each, ``npNNN_*.py``) and runs them over a listing."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..model import Snapshot, Socket
from .base import Rule
from .facts import Facts, Series, SnapshotPoint
from .finding import Finding, sort_key

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config

_RULE_MODULE = re.compile(r"^np\d{3}_\w+$")


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule, by code. Each ``npNNN_*`` module must define exactly one :class:`Rule`."""
    rules: list[Rule] = []
    for info in pkgutil.iter_modules(_package_path()):
        if not _RULE_MODULE.match(info.name):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
        ]
        if len(found) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one Rule, found {len(found)}")
        rules.append(found[0]())
    rules.sort(key=lambda r: r.code)
    for attr in ("code", "name"):
        values = [getattr(r, attr) for r in rules]
        duplicates = {v for v in values if values.count(v) > 1}
        if duplicates:
            raise RuntimeError(f"duplicate rule {attr}: {', '.join(sorted(duplicates))}")
    return tuple(rules)


def _package_path() -> list[str]:
    from . import __path__ as path

    return list(path)


def get_rule(code_or_name: str) -> Rule | None:
    """The rule with this code (``NP001``, any case) or name (``close-wait-leak``), or None."""
    key = code_or_name.strip().lower()
    for rule in all_rules():
        if key in (rule.code.lower(), rule.name):
            return rule
    return None


def analyze(
    data: Snapshot | Iterable[Socket], config: "Config | Mapping[str, Mapping[str, object]] | None" = None
) -> list[Finding]:
    """Run every enabled rule over one listing; findings come worst first.

    ``data``: a :class:`~netparse.model.Snapshot` (its ``format`` picks the default ephemeral port
    range) or any iterable of :class:`~netparse.model.Socket`. ``config``: a
    :class:`~netparse.rules.config.Config` (see :func:`~netparse.rules.config.load_config`), a
    mapping such as ``{"NP001": {"warning": 50}}``, or None for the defaults (no file is read).
    """
    if isinstance(data, Snapshot):
        facts = Facts(data.sockets, data.format)
    else:
        facts = Facts(data)
    config = _config(config)
    findings: list[Finding] = []
    for rule in all_rules():
        settings = config.settings(rule.code)
        if settings.enabled:
            findings.extend(rule.check(facts, settings))
    findings.sort(key=sort_key)
    return findings


def _config(config: "Config | Mapping[str, Mapping[str, object]] | None") -> "Config":
    from .config import Config

    if config is None:
        return Config.default()
    if not isinstance(config, Config):
        return Config.from_mapping(config)
    return config


def analyze_series(
    series: "Series | Sequence[Snapshot] | Sequence[SnapshotPoint]",
    config: "Config | Mapping[str, Mapping[str, object]] | None" = None,
    latest: Snapshot | Iterable[Socket] | None = None,
) -> list[Finding]:
    """Run the rules over the snapshots of one host (a log): every rule over the latest
    snapshot, as :func:`analyze` does, plus the trend rules (:mod:`netparse.rules.trend`) over
    the whole series; findings come worst first.

    ``series``: :class:`~netparse.model.Snapshot` objects (oldest first, or all with
    timestamps), or their :class:`~netparse.rules.facts.SnapshotPoint` aggregates, or a
    :class:`~netparse.rules.facts.Series`. ``latest``: the newest snapshot's sockets (needed
    when ``series`` holds points; the newest Snapshot otherwise)."""
    from .trend import TrendRule

    if not isinstance(series, Series):
        items = list(series)
        if items and isinstance(items[0], Snapshot):
            snapshots: list[Snapshot] = items  # type: ignore[assignment]
            points = [
                SnapshotPoint.from_facts(Facts(s.sockets, s.format), i, s.timestamp, s.host, s.source)
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
                    findings.extend(rule.check_series(series, settings))
    findings.sort(key=sort_key)
    return findings
