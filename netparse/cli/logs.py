"""``netparse timeline`` and ``netparse diff``: mounted on the main app with :func:`register`.

Both read logs with many snapshots (see :mod:`netparse.logs`): files, globs, directories
(recursing), ``-``; gzip, bzip2, xz and (with the ``zstandard`` package) zstd.

Exit codes: 0 done; 1 an input cannot be read or holds no socket listing, or (diff) the snapshot
asked for does not exist; 2 usage error.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import List, Optional

import typer

from .options import EXIT_INPUT, EXIT_USAGE, CsvRawOpt, err, expand_or_exit, input_errors



class TimelineOutput(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class By(str, Enum):
    port = "port"
    process = "process"


class DiffOutput(str, Enum):
    text = "text"
    json = "json"


TIMELINE_HELP = """Counts per TCP state for every snapshot of logs: one row per snapshot and host.

A log is cut into snapshots at timestamp lines (date output, ISO 8601, epoch seconds, Windows
date /t + time /t), separator lines (=== ... ===, ----- host -----), hostname lines, or where a
listing's title or header comes again. Reads files, globs, directories (recursing) and '-', plain
or gzip/bzip2/xz/zstd compressed. Counts are of Internet sockets (TCP, UDP); unix sockets are left
out. --by port (a connection counts under its service port: the local one on the server side, 'to
PORT' on the client side) or --by process splits each snapshot; --top keeps the biggest and sums
the rest as (other). --plot FILE.svg or FILE.html draws the counts over time, and the kernel counters' rates when the
log carries them (self-contained: no script, nothing fetched). Several files are read in parallel (--jobs, default all cores; a file
that cannot be read is then reported and skipped, and the exit code is 1 at the end). Exit codes:
0 ok; 1 input unreadable or without any socket listing; 2 usage error.
"""

DIFF_HELP = """What changed between two snapshots: listeners that appeared or vanished, counts per state,
connections per port, remote peers that are new or gone.

With two inputs A and B: the newest snapshot of each (--from picks another in A, --to in B). With
one log: its first and its newest snapshot, or --from and --to. A selector is an index (0 first,
-1 newest, -2 the one before) or a time ('2026-11-24 19:11', ISO 8601, date output): the newest
snapshot at or before it. --host counts only snapshots of that host (a log of several hosts).
Exit codes: 0 ok; 1 input unreadable, without socket listing, or no such snapshot; 2 usage error.
"""




def timeline_command(
    files: Optional[List[str]] = typer.Argument(None, help="Logs to read: files, globs, directories, '-' (default).",
                                                show_default=False, metavar="[FILE]..."),
    output: TimelineOutput = typer.Option(TimelineOutput.table, "--output", "-o", help="table, csv or json."),
    by: Optional[By] = typer.Option(None, "--by", help="One row per snapshot and port, or per snapshot and process."),
    top: int = typer.Option(10, "--top", min=1, help="With --by: ports/processes shown; the rest add up to (other).",
                            metavar="N"),
    plot: Optional[str] = typer.Option(None, "--plot", help="Also draw the timeline into FILE.svg or FILE.html.",
                                       metavar="FILE"),
    host: Optional[str] = typer.Option(None, "--host", help="Only snapshots of this host.", metavar="HOST"),
    format: str = typer.Option("auto", "--format", "-f", help="Input format (see 'netparse formats'); auto detects.",
                               metavar="FORMAT"),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, show_default=False, metavar="N",
        help="Worker processes for several files (default: all cores; 1: in this process). Rows come out as "
        "in one process. With more than one job a file that cannot be read is reported on stderr and "
        "skipped, the others are still read, and the exit code is 1 at the end.",
    ),
    csv_raw: bool = CsvRawOpt,
    counters: bool = typer.Option(
        False, "--counters", help="Rates of kernel counters (nstat -az, /proc/net/snmp, netstat -s in the log) "
        "instead of state counts: retransmits, listen overflows and drops, SYN-queue drops, syncookies, resets, "
        "failed attempts, memory aborts, TIME_WAIT overflows, UDP receive-buffer errors; per second when the "
        "snapshots have times, else per snapshot. 'reset' marks counters that fell (reboot)."),
) -> None:
    from ..inputs.progress import ReadProgress
    from ..scale.pool import default_jobs, use_pool
    from ..logs.timeline import build, render_table, write_csv, write_json

    if counters and by is not None:
        raise typer.BadParameter("kernel counters are per snapshot: not with --by", param_hint="--counters")
    if plot is not None and not plot.lower().endswith((".svg", ".html", ".htm")):
        raise typer.BadParameter("the picture's file name must end in .svg or .html", param_hint="--plot")
    names = expand_or_exit(list(files or []))
    if names == ["-"] and sys.stdin is not None and sys.stdin.isatty():
        err("no input: name log files or pipe one in (netparse timeline /var/log/netstat.log)")
        raise typer.Exit(EXIT_USAGE)
    failed: list[str] = []
    if use_pool(jobs or default_jobs(), names):
        from ..scale.pool import build_timeline

        def on_failure(failure) -> None:
            err(failure.message)
            if failure.code == EXIT_USAGE:
                raise typer.Exit(EXIT_USAGE)
            failed.append(failure.name)

        timeline = build_timeline(names, jobs or default_jobs(), format, by.value if by else None, top, host, on_failure)
    else:
        def skip(name: str, exc: OSError) -> None:  # reported, the other inputs read: exit 1 at the end
            err(f"cannot read {name}: {exc.strerror or exc}")
            failed.append(name)

        with input_errors(), ReadProgress(names, "reading") as progress:
            timeline = build(names, format=format, by=by.value if by else None, top=top, progress=progress,
                             host=host, on_failure=skip)
    for name in timeline.empty:
        err(f"no socket listing found in {name}")
    if len(timeline.empty) == len(timeline.inputs):  # also: every input failed
        raise typer.Exit(EXIT_INPUT)
    out = sys.stdout
    if counters:
        from ..logs.timeline import counters_legend, render_counters, write_counters_csv, write_counters_json
        from ..output.grid import say

        if output is TimelineOutput.json:
            write_counters_json(timeline, out)
        elif output is TimelineOutput.csv:
            write_counters_csv(timeline, out, not csv_raw)
        else:
            rows = render_counters(timeline, out)
            out.flush()
            say(counters_legend(rows))
            if not rows:
                raise typer.Exit(EXIT_INPUT)
    elif output is TimelineOutput.json:
        write_json(timeline, out)
    elif output is TimelineOutput.csv:
        write_csv(timeline, out, not csv_raw)
    else:
        render_table(timeline, out)
    out.flush()
    if plot is not None:
        from ..logs.plot import write_plot

        try:
            write_plot(timeline, plot)
        except OSError as exc:
            err(f"cannot write {plot}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_INPUT) from None
        err(f"wrote {plot}")
    if failed:
        raise typer.Exit(EXIT_INPUT)


def diff_command(
    a: str = typer.Argument(..., help="A listing or a log ('-': standard input).", show_default=False, metavar="A"),
    b: Optional[str] = typer.Argument(None, help="A second listing or log (default: A again).", show_default=False,
                                      metavar="[B]"),
    from_: Optional[str] = typer.Option(None, "--from", help="Snapshot of A: index (0, -1 ...) or time.",
                                        metavar="SNAPSHOT"),
    to: Optional[str] = typer.Option(None, "--to", help="Snapshot of B (or of A when B is not given): index or time.",
                                     metavar="SNAPSHOT"),
    host: Optional[str] = typer.Option(None, "--host", help="Only count snapshots of this host.", metavar="HOST"),
    output: DiffOutput = typer.Option(DiffOutput.text, "--output", "-o", help="text or json."),
    top: int = typer.Option(20, "--top", min=1, help="Lines per section in text output.", metavar="N"),
    format: str = typer.Option("auto", "--format", "-f", help="Input format (see 'netparse formats'); auto detects.",
                               metavar="FORMAT"),
) -> None:
    from ..logs.diff import SelectionError, compare, parse_selector, render_json, render_text, select
    from ..inputs.progress import ReadProgress

    if b == "-" and a == "-":
        raise typer.BadParameter("standard input can be read only once", param_hint="B")
    try:
        which_a = parse_selector(from_, 0 if b is None else -1)
        which_b = parse_selector(to, -1)
    except SelectionError as exc:
        raise typer.BadParameter(str(exc)) from None
    sides = []
    for name, which in ((a, which_a), (b if b is not None else a, which_b)):
        if name == "-" and b is None and a == "-":
            raise typer.BadParameter("with standard input, name a second input (diff - other.txt)", param_hint="B")
        with input_errors(name), ReadProgress([name], "reading") as progress:
            try:
                sides.append(select(name, which, format=format, host=host, progress=progress))
            except SelectionError as exc:
                err(str(exc))
                raise typer.Exit(EXIT_INPUT) from None
    (block_a, snap_a), (block_b, snap_b) = sides
    if b is None and from_ is None and to is None and block_a.index == block_b.index:
        where = "standard input" if a == "-" else a
        err(f"{where} has one snapshot{f' of host {host}' if host else ''}: nothing to compare it with "
            "(name a second input: netparse diff A B, or a log with several snapshots)")
        raise typer.Exit(EXIT_INPUT)
    diff = compare(snap_a, snap_b, block_a.index, block_b.index)
    if output is DiffOutput.json:
        render_json(diff, sys.stdout)
    else:
        render_text(diff, sys.stdout, top=top)
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add ``timeline`` and ``diff`` to the netparse typer app."""
    app.command("timeline", help=TIMELINE_HELP)(timeline_command)
    app.command("diff", help=DIFF_HELP)(diff_command)
