"""The bare ``netstat -an | netparse``: the summary of what ``analyze`` reads, then exactly
``analyze``'s findings on it. Without typer: the typer app's default command calls :func:`bare`,
and so does :mod:`netparse.cli.entry` before building the app at all."""

from __future__ import annotations

import sys

from .exits import EXIT_INPUT, err, not_understood
from .findings import report_findings


def bare() -> None:
    """``netstat -an | netparse``: the summary of what ``analyze`` reads (the listing, or the
    newest snapshot per host of a log), then exactly ``analyze``'s findings on it. Input that
    cannot be read: one line and ``SystemExit(1)``."""
    from ..errors import InputProblem
    from ..logs.newest import analysis_facts
    from ..output.tables import render_summary
    from ..summary import SummaryBuilder

    try:  # streamed: the rules' columns and the summary's counts, no Socket kept per row
        found = list(analysis_facts(["-"], "auto", top=3))
    except InputProblem as exc:
        err(str(exc))
        raise SystemExit(EXIT_INPUT) from None
    counts = SummaryBuilder()
    for one in found:
        counts.merge(one.counts)  # type: ignore[arg-type]
    title = ", ".join(sorted({one.snapshot.format for one in found})) or None
    render_summary(counts.build(), sys.stdout, title=title)
    sys.stdout.flush()
    not_understood(sum(len(one.snapshot.issues) for one in found))
    report_findings([(one.facts, one.series) for one in found])
