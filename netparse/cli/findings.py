"""Printing findings for a person: what ``analyze`` prints per input, and what the bare
``netparse`` and ``netparse`` on a terminal print after their summary."""

from __future__ import annotations

import sys
import textwrap
from typing import TYPE_CHECKING

from .exits import EXIT_CONFIG, err

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from ..rules import Finding

STYLES = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def report_findings(data, root: bool | None = None) -> None:
    """Findings after a summary: what the bare ``netparse`` and ``netparse`` on a terminal
    (live) print. ``data``: a Snapshot (live), or the (newest snapshot, series) pairs that
    ``analyze`` reads (:func:`netparse.logs.newest.analysis_inputs`), run through exactly
    ``analyze``'s rules. The config is found as ``analyze`` finds it. A live Snapshot's
    findings name their sockets (not lines of /proc tables nobody saw); ``root``: whether the
    sample was read as root."""
    from ..errors import ConfigError
    from ..output.tables import console
    from ..rules.config import load_config
    from ..rules.engine import analyze, analyze_series
    from ..rules.finding import sort_key

    try:
        config = load_config()
    except ConfigError as exc:
        import typer  # here, not at the top: the plain pipe (cli/entry.py) runs this without typer

        err(str(exc))
        raise typer.Exit(EXIT_CONFIG) from None
    sockets = None
    if isinstance(data, list):
        found = [f for snap, series in data for f in analyze_series(series, config, latest=snap)]
        found.sort(key=sort_key)
    else:
        found = analyze(data, config, root=root)
        sockets = data.sockets  # live: show the sockets themselves
    out = console(sys.stdout)
    out.print()
    render_findings(found, out, sockets)


def severity_counts(findings: "list[Finding]", levels: tuple[str, ...] = ("critical", "warning", "info")) -> str:
    """'1 critical, 3 warnings, 2 info' (levels with no finding left out)."""
    parts = []
    for level in levels:
        n = sum(1 for f in findings if f.severity.value == level)
        if n:
            parts.append(f"{n} {level}{'s' if level == 'warning' and n != 1 else ''}")
    return ", ".join(parts)


def socket_line(s) -> str:
    """One socket as a person identifies it: proto, local -> remote, state, pid/process."""
    from ..output.tables import endpoint_text, owner_text

    owner = owner_text(s)
    return (f"{s.proto}{'6' if s.family == 'inet6' else ''} "
            f"{endpoint_text(s.local_address, s.local_port, s.local_service)} -> "
            f"{endpoint_text(s.remote_address, s.remote_port, s.remote_service)} {s.state}"
            + (f" {owner}" if owner else ""))


def render_findings(findings: "list[Finding]", console: "Console", sockets=None) -> None:
    """Print findings worst first (as given): severity, code and name, then the message and the
    evidence lines indented beneath. The default command (``netstat -an | netparse``) calls this
    after its summary. Colour follows the console (none when not a terminal or NO_COLOR is set).
    ``sockets`` (live input): the evidence is shown as those sockets, one a line, instead of
    line numbers of tables the user never saw."""
    from ..output.safe import shown
    from ..output.tables import text_class

    Text = text_class(console)  # rich's on a terminal; piped, plain text without importing rich
    if not findings:
        console.print("No findings.", style="green", highlight=False)
        return
    indent = " " * 10
    # on a terminal, wrapped between words at its width; piped, one line per message (grep, awk)
    width = max(40, console.width) if getattr(console, "is_terminal", False) else None
    for f in findings:
        head = Text()
        head.append(f"{f.severity.value.upper():<10}", style=STYLES.get(f.severity.value, ""))
        head.append(f"{f.code} {f.rule}", style="bold")
        console.print(head)
        body = indent + shown(f.message) if width is None else textwrap.fill(
            shown(f.message), width=width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False,
            break_long_words=False,  # an address or a path in the message stays whole
        )
        console.print(Text(body), soft_wrap=width is None)  # piped: rich must not wrap it either
        if f.evidence and sockets is not None:
            wanted = set(f.evidence)
            for s in (s for s in sockets if s.line in wanted):
                console.print(Text(f"{indent}{shown(socket_line(s))}", style="dim"), no_wrap=True, crop=False)
        elif f.evidence:
            console.print(Text(f"{indent}lines {', '.join(map(str, f.evidence))}", style="dim"))
    noun = "finding" if len(findings) == 1 else "findings"
    console.print(Text(f"{len(findings)} {noun}: {severity_counts(findings)}"))
