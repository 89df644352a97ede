"""``netparse analyze`` and ``netparse explain``: mounted on the main app with :func:`register`.

Exit codes of ``analyze`` (also in its ``--help``):

* 0: done (findings below the ``--fail-on`` level, or no ``--fail-on``);
* 1: an input could not be read, or held no socket line and no header netparse recognises;
* 2: usage error (unknown option, bad value, unknown ``--format``);
* 3: configuration error (bad config file, unknown rule or key, bad ``--set``);
* 4: with ``--fail-on``, a finding at or above that severity exists.

``--output nagios`` prints one status line and exits like a monitoring plugin instead:
0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (unreadable input, bad configuration).

The command's work is :func:`netparse.cli.analyze_run.run_analyze`, without typer: what the
typer command runs is what :mod:`netparse.cli.entry` runs for a command line of plain options.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import List, Optional

import typer

from ..errors import UnknownFormatError
from ..output.grid import fill as _fill
from .analyze_run import run_analyze
from .options import EXIT_USAGE, err


class Output(str, Enum):
    text = "text"
    json = "json"
    nagios = "nagios"
    openmetrics = "openmetrics"
    checkmk = "checkmk"


class FailOn(str, Enum):
    warning = "warning"
    critical = "critical"


class ScenarioName(str, Enum):
    open = "open"
    active_close = "active-close"
    passive_close = "passive-close"
    simultaneous_close = "simultaneous-close"


ANALYZE_HELP = """Find what is wrong in a socket listing: findings worst first, after a summary.

Reads the files named (or standard input: netstat -ant | netparse analyze). Thresholds come from
the rules' defaults, then [tool.netparse.rules.<rule>] in pyproject.toml or [rules.<rule>] in
netparse.toml (the first found upward from here, or --config FILE), then --set RULE.KEY=VALUE.
'netparse explain NP001' documents a rule and its settings.

Exit codes: 0 ok; 1 input unreadable or without any socket line; 2 usage error; 3 configuration
error; 4 with --fail-on, a finding at or above that level. With --output nagios: 0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN (input or configuration problem); with --output checkmk: 0,
or 3 and one UNKNOWN service line. --output openmetrics takes its series limits from [metrics]
in the same file.
"""

EXPLAIN_HELP = """Explain a TCP state or an analyzer rule.

STATE is any label a platform prints (TIME-WAIT, ESTAB, FIN_WAIT1, LISTENING, ABHÖREN), a
canonical name, or a /proc/net/tcp hex code (0A). RULE is a code (NP001) or name
(close-wait-leak). With nothing, a table of every state. --diagram draws the TCP state diagram;
--scenario walks both peers through open, active-close, passive-close or simultaneous-close.
"""


# ---------------------------------------------------------------------------- commands


def analyze_command(
    files: Optional[List[str]] = typer.Argument(None, help="Files to read ('-' or nothing: standard input).",
                                                show_default=False, metavar="[FILE]..."),
    format: str = typer.Option("auto", "--format", "-f", help="Input format (see 'netparse formats'); auto detects.",
                               metavar="FORMAT"),
    config_file: Optional[str] = typer.Option(None, "--config", help="Read rule settings from this TOML file.",
                                              metavar="FILE"),
    overrides: List[str] = typer.Option([], "--set", help="Override a rule setting: RULE.KEY=VALUE (repeatable).",
                                        metavar="RULE.KEY=VALUE"),
    output: Output = typer.Option(Output.text, "--output", "-o", help="text, json, nagios, checkmk (local-check lines) or openmetrics (Prometheus text exposition)."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Exit 4 when a finding at or above this level exists."),
    live: bool = typer.Option(False, "--live", help="Analyse this machine's sockets (as 'netparse live' reads them)."),
    all_netns: bool = typer.Option(False, "--all-netns", help="With --live: every network namespace, each reported apart."),
    interval: Optional[float] = typer.Option(
        None, "--interval", min=0.1, metavar="SECONDS",
        help="With --live: two samples SECONDS apart, with the kernel's counters and settings, so the counter and "
        "trend rules see what rose in between (accept-queue overflows, UDP drops ...).",
    ),
) -> None:
    try:
        run_analyze(files, format, config_file, overrides, output.value, fail_on.value if fail_on else None, live,
                    all_netns, interval)
    except UnknownFormatError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None


def _wrap(label: str, text: str, width: int | None = None) -> str:
    """``label`` then ``text`` wrapped at ``width`` between words (never inside a name such as
    tcp_fin_timeout); ``width`` None (piped): one line."""
    if width is None:
        return f"{label:<12}{text}".rstrip()
    return _fill(text, max(width, 40), f"{label:<12}", " " * 12)


def _out_width() -> int | None:
    from ..output.grid import width_of

    return width_of(sys.stdout)


def state_text(info, width: int | None = None) -> str:
    """One state's explanation as plain text, wrapped at ``width`` (None: a paragraph per line)."""

    def wrap(label: str, text: str) -> str:
        return _wrap(label, text, width)

    lines = [f"{info.state}" + ("  (RFC 9293 state)" if info.rfc9293 else "  (not an RFC 9293 state)")]
    lines.append(wrap("", info.summary))
    lines.append(wrap("Who", info.side))
    for label, items in (("Entered", info.entered), ("Left", info.left)):
        for i, t in enumerate(items):
            note = "" if t.in_figure else " [not drawn in RFC 9293 Figure 5]"
            lines.append(wrap(label if i == 0 else "", t.text() + note))
    lines.append(wrap("Lasts", info.duration + (" (platform-dependent)" if info.platform_dependent else "")))
    lines.append(wrap("Many mean", info.many_mean))
    for i, (platform, names) in enumerate(sorted(info.labels.items())):
        lines.append(wrap("Labels" if i == 0 else "", f"{platform}: {', '.join(names)}"))
    if info.rules:
        lines.append(wrap("Rules", ", ".join(info.rules)))
    return "\n".join(lines) + "\n"


def counter_text(info, width: int | None = None) -> str:
    """One kernel counter's explanation, wrapped at ``width`` between words as a state's is
    (None, piped: a paragraph per line)."""
    lines = [f"{info.name} ({info.canonical})", _wrap("Counts", info.counts, width),
             _wrap("Rises when", info.rises_when, width), _wrap("What to do", info.what_to_do, width)]
    for i, (platform, labels) in enumerate(info.labels.items()):
        lines.append(_wrap("Printed as" if i == 0 else "", f"{platform}: " + "; ".join(labels), width))
    lines.append(_wrap("Sources", "; ".join(info.sources), width))
    return "\n".join(lines) + "\n"


def rule_text(rule, width: int | None = None) -> str:
    """A rule's documentation: header, docstring and settings with defaults; on a terminal
    (``width``) each paragraph wraps between words at its own indent, piped as written."""
    severities = ", ".join(s.value for s in rule.severities)
    lines = [f"{rule.code} {rule.name} ({severities})", *_reflow(rule.summary, width), "",
             *_reflow(rule.doc(), width), ""]
    lines += _reflow(f"Settings ([tool.netparse.rules.{rule.name}], or --set {rule.code}.KEY=VALUE):", width)
    fields = rule.Settings.model_fields
    key_width = max(len(k) for k in fields)
    defaults = rule.Settings().model_dump()
    for key, field in fields.items():
        head = f"  {key:<{key_width}}  {json.dumps(defaults[key]):<10}  "
        text = field.description or ""
        if width is None or not text:
            lines.append((head + text).rstrip())
        elif len(head) > width // 2:  # a long default (a list of ports): it, then the text, under the key
            inner = " " * (key_width + 4)
            lines.append(_fill(f"  {key:<{key_width}}  {json.dumps(defaults[key])}", width, "", inner))
            lines.append(_fill(text, width, inner, inner))
        else:
            lines.append(_fill(text, max(width, len(head) + 20), head, " " * len(head)))
    return "\n".join(lines) + "\n"


def _reflow(text: str, width: int | None) -> list[str]:
    """``text``'s lines; with ``width``, each run of lines at one indent refilled to it."""
    lines = text.splitlines()
    if width is None:
        return lines
    out: list[str] = []
    run: list[str] = []
    indent = ""

    def flush() -> None:
        if run:
            out.append(_fill(" ".join(run), max(width, len(indent) + 20), indent, indent))
            run.clear()

    for line in lines:
        body = line.strip()
        lead = line[: len(line) - len(line.lstrip())]
        if not body or lead != indent:
            flush()
            indent = lead
        if body:
            run.append(body)
        else:
            out.append("")
    flush()
    return out


def _states_table() -> None:
    """Every state in a table that wraps only between words (a name such as tcp_fin_timeout
    or FIN_WAIT_2 stays whole); piped, one state per line."""
    from ..explain import explain_all
    from ..output.grid import Column, use_color, write_table

    columns = [Column("State"), Column("Who is in it", sep=" "), Column("Entered from / left to", sep=" "),
               Column("How long", sep=" "), Column("Many of them mean", sep=" ")]
    rows = []
    for info in explain_all():
        sources = sorted({t.source.value for t in info.entered})
        targets = sorted({t.target.value for t in info.left})
        moves = (f"from {', '.join(sources)}" if sources else "") + (f"; to {', '.join(targets)}" if targets else "")
        rows.append([info.state.value, info.side.split(), (moves or "-").split(), info.duration.split(),
                     info.many_mean.split()])
    width = _out_width()
    out = sys.stdout
    write_table(columns, rows, out, width, use_color(out), spaced=width is not None)


def explain_command(
    topics: Optional[List[str]] = typer.Argument(
        None, help="State labels (TIME-WAIT, ESTAB, 0A ...) or rules (NP001), one or more.", show_default=False,
        metavar="[TOPIC]...",
    ),
    diagram: bool = typer.Option(False, "--diagram", help="Draw the TCP state diagram."),
    scenario: Optional[ScenarioName] = typer.Option(None, "--scenario", help="Walk both peers through a scenario."),
    as_json: bool = typer.Option(False, "--json", help="Print the state's explanation as JSON."),
) -> None:
    from ..explain import DIAGRAM, UnknownStateError, explain, render_scenario
    from ..rules import get_rule

    out = sys.stdout
    topics = list(topics or [])
    topic = topics[0] if topics else None
    if topic is None and not diagram and scenario is None:
        if as_json:
            from ..explain import explain_all

            out.write(json.dumps([i.model_dump(mode="json") for i in explain_all()], indent=2) + "\n")
        else:
            _states_table()
        return
    pages, docs = [], []
    for name in topics:  # every topic is checked before anything is printed
        rule = get_rule(name)
        if rule is not None:
            pages.append(rule_text(rule, _out_width()))
            docs.append({"rule": rule.code, "name": rule.name, "summary": rule.summary})
            continue
        try:
            info = explain(name)
        except UnknownStateError as exc:
            from ..explain import explain_counter  # kernel counters (issue 17)

            counter = explain_counter(name)
            if counter is None:
                err(f"{exc} (a state label, a rule code or name such as NP001, or a counter such as ListenOverflows)")
                raise typer.Exit(EXIT_USAGE) from None
            pages.append(counter_text(counter, _out_width()))
            docs.append(counter.model_dump(mode="json"))
            continue
        pages.append(state_text(info, _out_width()))
        docs.append(info.model_dump(mode="json"))
    if as_json and docs:
        out.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False) + "\n")
    elif pages:
        out.write("\n".join(pages))
    if diagram:
        out.write(("\n" if topic else "") + DIAGRAM)
    if scenario is not None:
        out.write(("\n" if topic or diagram else "") + render_scenario(scenario.value))


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``explain`` to the netparse typer app."""
    app.command("analyze", help=ANALYZE_HELP)(analyze_command)
    app.command("explain", help=EXPLAIN_HELP)(explain_command)
