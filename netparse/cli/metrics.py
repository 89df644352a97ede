"""The machine-facing outputs of ``summary`` and ``live``: ``-o openmetrics`` (and ``live
--textfile``); ``analyze``'s (``-o openmetrics``, ``-o checkmk``) are in
:mod:`netparse.cli.analyze_run`, without typer. The commands hand over here after reading their
input; the writing is in :mod:`netparse.output.openmetrics`."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Optional

import typer

from .options import EXIT_CONFIG, EXIT_INPUT, err

if TYPE_CHECKING:  # pragma: no cover
    from ..output.openmetrics import MetricLimits
    from ..rules.config import Config


def config_or_exit(path: Optional[str] = None, overrides: tuple[str, ...] = ()) -> "tuple[Config, MetricLimits]":
    """Rule settings and ``[metrics]`` limits from the same file, or exit 3 with one line."""
    from ..errors import ConfigError
    from ..output.openmetrics import load_limits
    from ..rules.config import load_config

    try:
        return load_config(path, overrides), load_limits(path)
    except ConfigError as exc:
        err(f"configuration error: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def summary_openmetrics(run, sockets, show_issues: bool) -> None:
    """``summary -o openmetrics``: the sockets ``summary`` counts, with the findings the bare
    ``netparse`` would print (rules over the same sockets, config found as analyze finds it)."""
    from ..output.openmetrics import Health, collect, render
    from ..rules.engine import analyze

    run.finish(show_issues)  # nothing recognisable: exit 1 before writing anything
    config, limits = config_or_exit()
    format = next(iter(run.formats)) if len(run.formats) == 1 else None
    from ..model import Snapshot

    # one input format: its platform picks the rules' default ephemeral range, as analyze does
    findings = analyze(Snapshot(format=format, sockets=sockets) if format else sockets, config)
    lines = {"record": run.records, "unparsed": run.issue_counts.get("unparsed", 0)}
    families = collect(
        sockets, findings, Health(lines=lines, issues=run.issue_counts), limits, format=",".join(sorted(run.formats)) or None
    )
    sys.stdout.write(render(families))
    sys.stdout.flush()


def check_textfile(path: str) -> None:
    from pathlib import Path

    target = Path(path)
    if not target.name.endswith(".prom"):
        raise typer.BadParameter(
            f"{path!r}: name a *.prom file (node_exporter's textfile collector reads only those)", param_hint="--textfile"
        )
    if not target.parent.is_dir():
        err(f"cannot write {path}: no directory {target.parent}")
        raise typer.Exit(EXIT_INPUT)


def live_openmetrics(
    output: Optional[str], textfile: Optional[str], count: Optional[int], every: Optional[float], interval: float,
    proc: str, unix: bool, keep,
) -> None:
    """``live -o openmetrics`` (stdout, once) or ``live --textfile PATH`` (once; every ``every``
    seconds (--watch) until ``count`` looks or Ctrl-C; or ``count`` looks ``interval`` apart)."""
    from ..live.exporter import live_families, write_textfile
    from ..output.openmetrics import render

    if textfile is not None and output not in ("table", "openmetrics"):  # table: the default, not asked for
        raise typer.BadParameter(f"--textfile writes openmetrics, not {output}", param_hint="--output")
    if textfile is not None:
        check_textfile(textfile)
    elif every is not None or (count or 1) > 1:
        raise typer.BadParameter("-o openmetrics prints one exposition: --watch/--count go with --textfile", param_hint="--count")
    config, limits = config_or_exit()
    taken = 0
    try:
        while True:
            try:
                text = render(live_families(config, limits, proc, unix, keep))
            except OSError as exc:
                err(f"cannot read this machine's sockets: {exc}")
                raise typer.Exit(EXIT_INPUT) from None
            if textfile is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                try:
                    write_textfile(textfile, text)
                except OSError as exc:
                    err(f"cannot write {textfile}: {exc.strerror or exc}")
                    raise typer.Exit(EXIT_INPUT) from None
            taken += 1
            if every is None and count is None or count is not None and taken >= count:
                return
            time.sleep(every if every is not None else interval)
    except KeyboardInterrupt:
        return
