"""``netparse analyze`` without typer: the command's work (:func:`run_analyze`), which the typer
command (:func:`netparse.cli.analyze.analyze_command`) and :mod:`netparse.cli.entry` both run,
so both print the same bytes and end with the same exit code (``SystemExit``); and the plain
parse of its options (:data:`OPTIONS`, :func:`answer`).

``ss -tanp | netparse analyze`` spent a third of its time building the typer app (typer, click,
rich imported, a pydantic adapter per option); a command line :func:`answer` reads
(:func:`netparse.cli.quick.quick_arguments`: files, ``-f/--format``, ``--config``, ``--set``,
``-o/--output``, ``--fail-on``, ``--live``, ``--all-netns``, ``--interval``) runs here without
it. Anything else (help, an unknown word, a bad value, a format name netparse does not know,
which typer words as a usage error of ``--format``) returns False before any output, and typer
parses it. Exit codes are the command's (see :mod:`netparse.cli.analyze`).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from typing import TYPE_CHECKING, Optional

from ..errors import ConfigError, InputProblem, RuleError, UnknownFormatError
from .exits import EXIT_CONFIG, EXIT_FINDINGS, EXIT_INPUT, EXIT_SOFTWARE, EXIT_USAGE, err, not_understood
from .findings import render_findings, severity_counts
from .live_quick import sample_or_exit
from .quick import Option, quick_arguments

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Snapshot
    from ..output.openmetrics import MetricLimits
    from ..rules import Config, Finding
    from ..summary import Summary

NAGIOS_EXIT = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}

#: ``analyze``'s parameters as its typer declarations have them (``netparse.cli.analyze.analyze_command``;
#: ``tests/test_analyze_fast.py`` checks they agree); the files are the positional words
OPTIONS: tuple[Option, ...] = (
    Option("format", ("--format", "-f"), "str", "auto"),
    Option("config_file", ("--config",), "str", None),
    Option("overrides", ("--set",), "list:str", []),
    Option("output", ("--output", "-o"), "str", "text", choices=("text", "json", "nagios", "openmetrics", "checkmk")),
    Option("fail_on", ("--fail-on",), "str", None, choices=("warning", "critical")),
    Option("live", ("--live",), "flag", False),
    Option("all_netns", ("--all-netns",), "flag", False),
    Option("interval", ("--interval",), "float", None, 0.1),
)


def answer(argv: list[str]) -> bool:
    """``netparse analyze ARGV`` run here (True; its exit code as ``SystemExit``), or False, before
    any output, for typer to parse and run (see the module docstring)."""
    values = quick_arguments(argv, OPTIONS, positionals="files")
    if values is None:
        return False
    if values["format"] != "auto":
        from ..grammars import GRAMMARS

        if values["format"] not in GRAMMARS:
            return False  # typer words it: a usage error of --format
    run_analyze(**values)
    return True


# ---------------------------------------------------------------------------- reading inputs


def _counts(snapshot: "Snapshot", counts: "dict[int, Summary] | None") -> "Summary":
    """The counts of a snapshot: given (``counts``, by ``id``: read as it streamed, without its
    sockets), or of its sockets."""
    found = counts.get(id(snapshot)) if counts else None
    if found is not None:
        return found
    from ..summary import summarise

    return summarise(snapshot.sockets, top=0)


def state_counts(summary: "Summary") -> dict[str, int]:
    """TCP sockets per state, in the states' order (sockets of other kinds: ``summary.by_kind``)."""
    return {s.state.value: s.count for s in summary.states if s.kind == "tcp"}


# ---------------------------------------------------------------------------- rendering


def _summary_line(snapshot: "Snapshot", counts: "dict[int, Summary] | None" = None, live: bool = False) -> str:
    """``source [host, time] (format): N sockets: states``; live: the time to the second and the
    format not repeated when the source names it (``netlink sock_diag [vm, …]``)."""
    from ..summary import counts_text

    summary = _counts(snapshot, counts)
    states = counts_text(summary)
    source = snapshot.source or "<input>"
    if snapshot.host or snapshot.timestamp:  # the newest snapshot of a log, or this machine now
        from ..logs.stamps import format_time

        when = snapshot.timestamp.replace(microsecond=0) if live and snapshot.timestamp else snapshot.timestamp
        source += f" [{', '.join(x for x in (snapshot.host, format_time(when)) if x)}]"
    if not (live and snapshot.format in (snapshot.source or "").split()):
        source += f" ({snapshot.format})"
    n = summary.total
    return f"{source}: {n:,} socket{'' if n == 1 else 's'}" + (f": {states}" if states else "")


#: the words of the header line to wrap between, a time (format_time's "2026-12-01 14:15:41 UTC")
#: being one word: a terminal line never ends inside it
_TIME_OR_WORD = re.compile(r"\S*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: UTC|[+-]\d\d:\d\d)?\S*|\S+")


def _text_report(results: "list[tuple[Snapshot, list[Finding]]]", config: "Config", live=None,
                 counts: "dict[int, Summary] | None" = None) -> None:
    """Each input's summary line and findings, then the config files read: on a terminal through
    rich (bold, colour, wrapped between words at its width); piped, plain lines, without
    importing rich (the bytes rich writes there: one line per message)."""
    from ..output.grid import width_of, wrap_atoms
    from ..output.safe import shown
    from ..output.tables import PlainConsole, text_class

    if width_of(sys.stdout) is None:
        console = PlainConsole(sys.stdout)
    else:
        from rich.console import Console

        console = Console(highlight=False, markup=False, emoji=False)
    Text = text_class(console)
    for i, (snapshot, findings) in enumerate(results):
        if i:
            console.print()
        head = shown(_summary_line(snapshot, counts, live=snapshot is live))
        if getattr(console, "is_terminal", False):  # wrap between words at the terminal's width, never inside a name
            head = "\n".join(wrap_atoms(_TIME_OR_WORD.findall(head), " ", max(40, console.width)))
        console.print(Text(head, style="bold"), soft_wrap=True)
        render_findings(findings, console, snapshot.sockets if snapshot is live else None)
    for path in config.files:
        console.print(Text(shown(f"config: {path}"), style="dim"), soft_wrap=True)


def _json_report(results: "list[tuple[Snapshot, list[Finding]]]", config: "Config",
                 counts: "dict[int, Summary] | None" = None) -> None:
    inputs, findings = [], []
    for snapshot, found in results:
        summary = _counts(snapshot, counts)
        inputs.append(
            {
                "source": snapshot.source,
                "format": snapshot.format,
                "sockets": summary.total,
                "state_counts": state_counts(summary),
                "kind_counts": summary.by_kind,
                "findings": len(found),
                "issues": len(snapshot.issues),
                **({"host": snapshot.host} if snapshot.host else {}),
                **({"timestamp": snapshot.timestamp.isoformat()} if snapshot.timestamp else {}),
            }
        )
        findings.extend({**f.model_dump(mode="json"), "source": snapshot.source} for f in found)
    doc = {"inputs": inputs, "findings": findings, "config": [str(p) for p in config.files]}
    from ..output.safe import json_safe

    sys.stdout.write(json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")


def nagios_status(results: "list[tuple[Snapshot, list[Finding]]]",
                  counts_of: "dict[int, Summary] | None" = None) -> tuple[str, int]:
    """(status line, exit code) the way monitoring plugins report."""
    findings = [f for _, found in results for f in found]
    by = Counter(f.severity.value for f in findings)
    status = "CRITICAL" if by["critical"] else "WARNING" if by["warning"] else "OK"
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    total = 0
    for snapshot, _ in results:
        summary = _counts(snapshot, counts_of)
        counts.update(state_counts(summary))
        kinds.update({k: n for k, n in summary.by_kind.items() if k != "tcp"})
        total += summary.total
    if status == "OK":
        info = f" ({by['info']} info)" if by["info"] else ""
        text = f"{total:,} sockets, no warnings{info}"
    else:
        worst = max(findings, key=lambda f: f.severity.rank)  # the first of the worst: inputs come sorted
        text = f"{severity_counts(findings, ('critical', 'warning'))}: {worst.code} {worst.message}"
    from ..output.checkmk import metric_name, plugin_text

    perf = " ".join([f"sockets={total}"] + [f"{state.lower()}={n}" for state, n in counts.items()]
                    + [f"{metric_name(kind)}={n}" for kind, n in kinds.items()])
    return f"NETPARSE {status} - {plugin_text(text)} | {perf}", NAGIOS_EXIT[status]


# ---------------------------------------------------------------------------- the command


def run_analyze(files: Optional[list[str]], format: str = "auto", config_file: Optional[str] = None,
                overrides: Optional[list[str]] = None, output: str = "text", fail_on: Optional[str] = None,
                live: bool = False, all_netns: bool = False, interval: Optional[float] = None) -> None:
    """``netparse analyze``: the inputs (``files``; none or ``-``: standard input) or this machine
    (``live``) through the rules, reported as ``output`` (text, json, nagios, openmetrics,
    checkmk). Returns when done with exit code 0; any other ending is ``SystemExit`` with the
    command's exit code (nagios and checkmk: the plugin's), after its one line. An unknown
    ``format`` (except with nagios, which answers UNKNOWN) raises
    :class:`~netparse.errors.UnknownFormatError` for the caller to word as a usage error."""
    from ..rules import load_config

    nagios = output == "nagios"

    def unknown(message: str, code: int) -> SystemExit:
        if output == "checkmk":
            return checkmk_or_unknown([], None, message)
        if nagios:
            from ..output.checkmk import plugin_text

            sys.stdout.write(f"NETPARSE UNKNOWN - {plugin_text(message)}\n")
            return SystemExit(NAGIOS_EXIT["UNKNOWN"])
        err(message)
        return SystemExit(code)

    try:
        config = load_config(config_file, list(overrides or []))
        if output == "openmetrics":
            from ..output.openmetrics import load_limits

            limits = load_limits(config_file)
    except ConfigError as exc:
        raise unknown(f"configuration error: {exc}", EXIT_CONFIG) from None
    names = list(files or ["-"])
    if live and files:
        raise unknown("--live reads this machine: name no files with it", EXIT_USAGE)
    if not live and names == ["-"] and sys.stdin is not None and sys.stdin.isatty():
        raise unknown("no input: pipe a listing in (netstat -ant | netparse analyze), name files, or use --live", EXIT_USAGE)
    from ..logs.newest import analysis_facts, analysis_inputs
    from ..rules.engine import analyze_series

    results = []
    counts: dict[int, Summary] = {}  # id(snapshot) -> its counts, for snapshots read without sockets
    unattributed = None
    live_snapshot = None
    # inputs reported and skipped; a monitoring form (nagios, checkmk) answers UNKNOWN at once
    monitoring = nagios or output == "checkmk"
    problems: list[InputProblem] = []

    def skip(exc: InputProblem) -> None:
        err(str(exc))
        problems.append(exc)

    try:
        if live:
            import os

            root = os.geteuid() == 0 if hasattr(os, "geteuid") else None
            results, unattributed, live_snapshot = analyze_live(config, all_netns, interval, root)
        # a log with several snapshots: its newest snapshot per host, plus the trend rules
        on_problem = None if monitoring else skip
        if live:
            pass
        elif output in ("text", "json", "nagios"):  # rows streamed into the rules' columns
            for found in analysis_facts(names, format, on_problem):
                counts[id(found.snapshot)] = found.summary
                results.append((found.snapshot, analyze_series(found.series, config, latest=found.facts)))
                del found  # the last one's columns are let go before the report is written
        else:  # openmetrics and checkmk read the sockets themselves
            for snapshot, series in analysis_inputs(names, format, on_problem):
                results.append((snapshot, analyze_series(series, config, latest=snapshot)))
    except InputProblem as exc:
        raise unknown(str(exc), EXIT_INPUT) from None
    except RuleError as exc:
        if nagios:  # a plugin's answer to its own failure is UNKNOWN
            raise unknown(f"internal error: {exc}", EXIT_SOFTWARE) from None
        raise
    except UnknownFormatError as exc:
        if nagios:
            raise unknown(str(exc), EXIT_USAGE) from None
        raise

    if problems and not results:  # every input failed: said on stderr
        raise SystemExit(EXIT_INPUT)
    if nagios:
        line, code = nagios_status(results, counts)
        sys.stdout.write(line + "\n")
        raise SystemExit(code)
    if output == "checkmk":
        raise checkmk_or_unknown(results, config)
    if output == "openmetrics":
        results_openmetrics(results, limits, unattributed)
    elif output == "json":
        _json_report(results, config, counts)
    else:
        _text_report(results, config, live_snapshot, counts)
        sys.stdout.flush()
        # the lines of what was analysed that were not understood (as bare netparse says)
        not_understood(sum(len(snapshot.issues) for snapshot, _ in results))
    if problems:  # an input was skipped: that outranks --fail-on
        raise SystemExit(EXIT_INPUT)
    if fail_on is not None:
        from ..rules import Severity

        level = Severity(fail_on).rank
        if any(f.severity.rank >= level for _, found in results for f in found):
            raise SystemExit(EXIT_FINDINGS)


def analyze_live(config, all_netns: bool, interval: float | None, root: bool | None):
    """``analyze --live``: (results, unattributed, the sample's snapshot), one result per network
    namespace. With ``interval``: two samples that far apart, counters and settings included,
    and the trend and counter rules (NP019 accept-queue overflows, NP020 UDP drops ...) over
    their rise, besides every rule over the second."""
    import time

    from ..live.collect import by_netns
    from ..rules import analyze
    from ..rules.engine import analyze_series
    from ..rules.finding import sort_key

    first = None
    if interval:
        earlier = sample_or_exit(info=True, all_netns=all_netns, counters=True)
        first = {s.source: s for s in by_netns(earlier.snapshot, earlier.kernel)}
        time.sleep(interval)
    sampled = sample_or_exit(info=True, all_netns=all_netns, counters=True)
    results = []
    for snapshot in by_netns(sampled.snapshot, sampled.kernel):
        found = analyze(snapshot, config, root=root)
        before = first.get(snapshot.source) if first else None
        if before is not None:  # the series' own rules only: the listing's were run as root knows
            found += analyze_series([before, snapshot], config, latest=[])
            found.sort(key=sort_key)
        results.append((snapshot, found))
    unattributed = sampled.attribution.unattributed if sampled.attribution is not None else None
    return results, unattributed, sampled.snapshot


def results_openmetrics(results, limits: "MetricLimits", unattributed: int | None = None) -> None:
    """``analyze -o openmetrics``: every input's newest snapshot and its findings."""
    from ..output.openmetrics import render, snapshot_families

    sys.stdout.write(render(snapshot_families(results, limits, unattributed)))
    sys.stdout.flush()


def checkmk_or_unknown(results, config=None, message: Optional[str] = None) -> SystemExit:
    """``analyze -o checkmk``: the local-check lines (exit 0), or, with ``message``, one
    UNKNOWN service saying what went wrong (exit 3, as a plugin's UNKNOWN)."""
    from ..output.checkmk import local_checks, unknown_line

    if message is not None:
        sys.stdout.write(unknown_line(message) + "\n")
        return SystemExit(3)
    from ..rules.registry import all_rules

    enabled = [r for r in all_rules() if config is None or config.settings(r.code).enabled]
    sys.stdout.write(local_checks(results, enabled, config))
    sys.stdout.flush()
    return SystemExit(0)


__all__ = ["NAGIOS_EXIT", "OPTIONS", "analyze_live", "answer", "checkmk_or_unknown", "nagios_status",
           "results_openmetrics", "run_analyze", "state_counts"]
