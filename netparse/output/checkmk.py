"""Checkmk local-check lines (``netparse analyze -o checkmk``): one service per rule (a finding
group), plus one with the socket counts.

A line is ``STATUS "SERVICE NAME" METRICS TEXT``: STATUS 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN;
METRICS ``name=value;warn;crit;min;max`` joined by ``|`` (or ``-``); TEXT one line, where a
literal ``\\n`` starts Checkmk's long output. Every enabled rule gets its service on every run,
OK when it found nothing, so services do not come and go with the findings. Finding messages
quote input text (process names, addresses): control characters (a line feed would start a
new, bogus service line) become spaces.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Snapshot
    from ..rules import Config, Finding, Rule

STATUS = {"info": 0, "warning": 1, "critical": 2}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_METRIC = re.compile(r"[^a-z0-9_]")


def clean(text: str) -> str:
    """One line of text: control characters (and undecodable bytes) as spaces, and a backslash
    from the input shown as ``\\x5c`` so that a process or host named ``a\\nb`` cannot start
    Checkmk's long output (only the ``\\n`` netparse writes between findings does)."""
    return _CONTROL.sub(" ", text).replace("\\", "\\x5c").strip()


def metric_name(name: str) -> str:
    """A performance-data label from a name that may hold input text (a protocol word):
    lower case, anything but ``a-z0-9_`` as ``_`` (what Checkmk and Nagios read unquoted)."""
    return _METRIC.sub("_", name.lower())


def plugin_text(text: str) -> str:
    """A Nagios plugin's status text from a message that quotes input: one line, control
    characters visibly escaped (:func:`netparse.output.safe.shown`), and ``|`` (where Nagios
    starts the performance data) shown as ``\x7c``."""
    from .safe import shown

    return shown(text).replace("|", "\\x7c")


def service(status: int, name: str, metrics: dict[str, object] | None, text: str) -> str:
    perf = "|".join(f"{metric_name(k)}={v}" for k, v in (metrics or {}).items()) or "-"
    return f'{status} "{clean(name).replace(chr(34), chr(39))}" {perf} {text}'


def unknown_line(message: str) -> str:
    return service(3, "netparse", None, clean(message))


def local_checks(
    results: "Sequence[tuple[Snapshot, Sequence[Finding]]]", rules: "Sequence[Rule]", config: "Config | None" = None
) -> str:
    several = len(results) > 1
    by_rule: dict[str, list[tuple[str | None, Finding]]] = {}
    counts: Counter[str] = Counter()
    total = 0
    for snap, found in results:
        counts.update(s.state.value for s in snap.sockets)
        total += len(snap.sockets)
        for f in found:
            by_rule.setdefault(f.code, []).append(((snap.host or snap.source) if several else None, f))
    lines = []
    states = ", ".join(f"{n:,} {state}" for state, n in counts.most_common(5))
    lines.append(service(0, "netparse sockets", {"sockets": total, **{s.lower(): n for s, n in sorted(counts.items())}},
                         f"{total:,} sockets" + (f": {states}" if states else "")))
    for rule in rules:
        found = by_rule.get(rule.code, [])
        settings = config.settings(rule.code) if config is not None else None
        warn, crit = getattr(settings, "warning", None), getattr(settings, "critical", None)
        bounds = f";{warn};{crit}" if isinstance(warn, int) and isinstance(crit, int) else ""
        worst = max((f.count for _, f in found), default=0)
        metrics = {"findings": len(found), "largest": f"{worst}{bounds}"}
        if not found:
            lines.append(service(0, f"netparse {rule.code} {rule.name}", metrics, "no findings"))
            continue
        status = max(STATUS[f.severity.value] for _, f in found)
        texts = [clean(f"{f.severity.value.upper()}: {f.message}" + (f" [{where}]" if where else "")) for where, f in found]
        head = texts[0] + (f" (and {len(texts) - 1} more)" if len(texts) > 1 else "")
        long = "\\n".join(texts[1:])
        lines.append(service(status, f"netparse {rule.code} {rule.name}", metrics, head + (f"\\n{long}" if long else "")))
    return "\n".join(lines) + "\n"
