"""The bare ``netstat -an | netparse``: the summary of what ``analyze`` reads, then exactly
``analyze``'s findings on it. Without typer: the typer app's default command calls :func:`bare`,
and so does :mod:`netparse.cli.entry` before building the app at all."""

from __future__ import annotations

import sys

from .exits import EXIT_INPUT, err
from .findings import report_findings


def bare() -> None:
    """``netstat -an | netparse``: the summary of what ``analyze`` reads (the listing, or the
    newest snapshot per host of a log), then exactly ``analyze``'s findings on it. Input that
    cannot be read: one line and ``SystemExit(1)``."""
    from ..errors import InputProblem
    from ..logs.newest import analysis_inputs
    from ..output.tables import render_summary
    from ..summary import SummaryBuilder

    try:
        results = list(analysis_inputs(["-"], "auto"))
    except InputProblem as exc:
        err(str(exc))
        raise SystemExit(EXIT_INPUT) from None
    counts = SummaryBuilder()
    for snap, _ in results:
        counts.extend(snap.sockets)
    title = ", ".join(sorted({snap.format for snap, _ in results})) or None
    render_summary(counts.build(), sys.stdout, title=title)
    sys.stdout.flush()
    issues = sum(len(snap.issues) for snap, _ in results)
    if issues:
        err(f"{issues} line{'s' if issues != 1 else ''} not understood (netparse parse --show-issues lists them)")
    report_findings(results)
