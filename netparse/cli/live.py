"""``netparse live``: this machine's sockets (see :mod:`netparse.live`), mounted with :func:`register`.

Exit codes: 0 done; 1 the sockets could not be read (no /proc/net and the netstat command
failed); 2 usage error.
"""

from __future__ import annotations

import sys
import time
from typing import List, Optional

import typer

from .exits import output_error
from .findings import report_findings
from .live_quick import live_options, quick_arguments, report, sample_or_exit, stream_live, subprocess_error
from .options import CsvRawOpt, Output, PidOpt, PortOpt, ProtoOpt, StateOpt, err, filter_or_exit, ports_or_exit

LIVE_HELP = """Show this machine's sockets: the same records, filters and outputs as 'parse'.

On Linux the kernel is asked through sock_diag netlink, as ss does (queues with a listener's
backlog, timers, uid, cgroup; with --info also tcp_info, congestion control and socket
memory, as ss -tanpeim); where netlink is refused, the /proc/net tables are read instead
(--source proc forces it; the JSON snapshot's 'collector' says which was used). Sockets are
mapped to processes through /proc/PID/fd and to containers through their cgroup (run as root
to see every process's sockets; when some could not be attributed for that reason it is said
once on stderr). --all-netns reads every network namespace (ip netns and processes'), and
records carry 'netns'. Elsewhere the platform's netstat is run with a fixed argument
list (macOS: netstat -anv; FreeBSD, OpenBSD, NetBSD, Solaris: netstat -an; AIX: netstat -Aan;
Windows: netstat -ano) and its output parsed.

--state and --port are sent to the kernel with the request (as ss sends its filter), so only
what is kept is read; -o jsonl writes the kernel's answers without building the records.

--watch SECONDS refreshes a live summary until Ctrl-C (or --count samples), with the kernel
counters that rose since the last refresh (per second) and what the counter rules say of
them (netparse analyze --live --interval SECONDS does the same once); --count N takes N
samples (--interval apart, or --watch apart) and prints each, with 'sample' and 'timestamp'
keys on json/jsonl/csv records so they can feed a time series.
"""


def summary_renderable(sockets, title: str, width: int | None = None, previous: dict | None = None,
                       findings=None, counters: "list[str] | None" = None):
    """A rich renderable of the summary (for --watch): the same lines as ``summary``, laid out
    for ``width`` (no line longer, so the refresh never leaves a wrapped row behind), as plain
    ``Text`` (input is never read as markup). ``previous``: the last refresh's counts (a Change
    column); ``findings``: what ``analyze`` says of this sample, below the table."""
    from rich.text import Text

    from ..output.safe import shown
    from ..output.tables import summary_lines
    from ..summary import summarise

    summary = summarise(sockets)
    head, body = summary_lines(summary, None, width, previous)
    text = Text(shown(title) + ": ", style="bold")
    text.append("\n".join(head))
    for i, line in enumerate(body):
        text.append("\n" + line, style="bold" if i == 0 else "")
    for line in counters or ():
        text.append("\n" + line)
    if findings is not None:
        import textwrap

        if not findings:
            text.append("\nNo findings.", style="green")
        for f in findings:
            line = f"{f.severity.value.upper():<9} {f.code} {shown(f.message)}"
            wrapped = textwrap.wrap(line, width=max(40, (width or 200) - 1), subsequent_indent=" " * 10,
                                    break_long_words=False, break_on_hyphens=False)
            text.append("\n" + "\n".join(wrapped))
    return text


def watch_counts(sockets) -> dict:
    """{(kind, state): count} of a sample, to show the next refresh's changes."""
    from ..summary import kind_of

    counts: dict = {}
    for s in sockets:
        key = (kind_of(s), str(s.state))
        counts[key] = counts.get(key, 0) + 1
    return counts


def live_command(
    output: Optional[str] = typer.Option("table", "--output", "-o", help="table, json, jsonl, csv or openmetrics.",
                                         metavar="<table|json|jsonl|csv|openmetrics>"),
    state: List[str] = StateOpt,
    port: List[str] = PortOpt,
    proto: List[str] = ProtoOpt,
    pid: List[int] = PidOpt,
    unix: bool = typer.Option(False, "--unix", help="Also read unix-domain sockets."),
    info: bool = typer.Option(False, "--info", "-i", help="Also tcp_info, congestion control and socket memory (ss -im)."),
    owners: bool = typer.Option(True, "--owners/--no-owners", help="Map sockets to processes and containers."),
    all_netns: bool = typer.Option(False, "--all-netns", help="Read every network namespace; records carry netns."),
    source: str = typer.Option("auto", "--source", help="auto, netlink, proc or netstat (auto: netlink, else proc).",
                               metavar="<auto|netlink|proc|netstat>"),
    watch: Optional[float] = typer.Option(None, "--watch", min=0.1, help="Refresh a live summary every SECONDS.",
                                          metavar="SECONDS"),
    count: Optional[int] = typer.Option(None, "--count", min=1, help="Take N samples, then stop.", metavar="N"),
    interval: float = typer.Option(1.0, "--interval", min=0.0, help="Seconds between --count samples (without --watch).",
                                   metavar="SECONDS"),
    show_issues: bool = typer.Option(False, "--show-issues", help="List every line that was not understood, on stderr."),
    proc: str = typer.Option("/proc", "--proc", hidden=True, help="Where procfs is (tests)."),
    textfile: Optional[str] = typer.Option(
        None, "--textfile", metavar="DIR/NAME.prom",
        help="Write the openmetrics exposition to this file for node_exporter's textfile collector (temporary "
        "file and rename: a scrape never sees half a file); with --watch SECONDS, again every SECONDS.",
    ),
    csv_raw: bool = CsvRawOpt,
) -> None:
    if output == "openmetrics" or textfile is not None:
        from .metrics import live_openmetrics

        live_openmetrics(output, textfile, count, watch, interval, proc, unix, filter_or_exit(state, port, proto, pid))
        return
    try:
        out_kind = Output(output)
    except ValueError:
        raise typer.BadParameter(f"{output!r}: use table, json, jsonl, csv or openmetrics", param_hint="--output") from None
    keep = filter_or_exit(state, port, proto, pid)
    options = live_options(state, owners or bool(pid), info, all_netns, source, ports_or_exit(port))
    if watch is not None:
        _watch(watch, count, proc, unix, keep, options)
        return
    n = count or 1
    stamped = n > 1
    out = sys.stdout
    if n == 1 and stream_live(out_kind.value, proc, unix, keep, options, show_issues, bool(pid)):
        return  # from the kernel's rows, as `netparse live` answered without typer (netparse.cli.live_quick)
    from ..output.records import record_dict, record_json, write_csv, write_json, write_jsonl
    from ..output.tables import render_table

    docs: list[str] = []
    rows: list[dict] = []
    from ..live.collect import samples

    noted: set = set()
    try:
        for i, live in enumerate(samples(n, interval, proc, unix, **options), 1):
            snap = live.snapshot
            sockets = [s for s in snap.sockets if keep(s)]
            ts = snap.timestamp.isoformat() if snap.timestamp else None
            meta = {"sample": i, "timestamp": ts} if stamped else {}
            if out_kind is Output.table:
                if stamped:
                    out.write(f"# sample {i} of {n}, {ts}\n")
                render_table(sockets, out)
            elif out_kind is Output.csv:
                rows.extend(record_dict(s, **meta) for s in sockets)
            elif out_kind is Output.json:
                docs.extend(record_json(s, **meta) for s in sockets)
            else:
                write_jsonl((record_json(s, **meta) for s in sockets), out)
            out.flush()
            report(live, show_issues, noted)
    except BrokenPipeError:
        raise  # the reader went away: run() ends quietly
    except (OSError, subprocess_error()) as exc:
        if isinstance(exc, OSError) and output_error(exc):
            raise  # writing failed (disk full): guarded() says so
        err(f"cannot read this machine's sockets: {exc}")
        raise typer.Exit(1) from None
    if out_kind is Output.csv:
        write_csv(rows, out, not csv_raw)
    elif out_kind is Output.json:
        write_json(docs, out)
    out.flush()


def _watch(seconds: float, count: int | None, proc: str, unix: bool, keep, options: dict) -> None:
    from rich.console import Console
    from rich.live import Live

    import os

    from ..errors import ConfigError
    from ..live.owners import OwnerCache
    from ..rules.config import load_config
    from ..rules.engine import analyze, analyze_series
    from ..rules.finding import sort_key

    try:
        config = load_config()
    except ConfigError as exc:
        err(str(exc))
        raise typer.Exit(3) from None
    root = os.geteuid() == 0 if hasattr(os, "geteuid") else None
    options = dict(options, cache=OwnerCache(), counters=True)
    console = Console(highlight=False, markup=False, emoji=False)
    taken = 0
    previous = None
    last = None
    try:
        with Live(console=console, auto_refresh=False, transient=False) as view:
            while count is None or taken < count:
                if taken:
                    time.sleep(seconds)
                live = sample_or_exit(proc, unix, **options)
                taken += 1
                snap = live.snapshot
                title = f"{snap.host or 'this machine'} {snap.timestamp:%H:%M:%S}" if snap.timestamp else "this machine"
                if live.attribution and live.attribution.notice():
                    title += f"  ({live.attribution.unattributed} without owner)"
                kept = [s for s in snap.sockets if keep(s)]
                if previous is not None:
                    title += f"  (change since {seconds:g} s ago)"
                found = analyze(snap, config, root=root)
                if last is not None:  # the counter and trend rules over the rise since the last refresh
                    found += analyze_series([last, snap], config, latest=[])
                    found.sort(key=sort_key)
                counters = rates_text(last, snap, console.width - 1) if last is not None else []
                view.update(summary_renderable(kept, title, console.width - 1, previous, found, counters), refresh=True)
                previous = watch_counts(kept)
                last = snap
    except KeyboardInterrupt:
        pass


def rates_text(before, after, width: int | None) -> list[str]:
    """The counters that rose between two samples, per second ('--watch'): those the counter
    rules read first (overflows, drops, retransmissions), then the busiest."""
    from ..live.collect import rates
    from ..rules.facts import POINT_COUNTERS

    got = sorted(rates(before, after), key=lambda kv: (kv[0] not in POINT_COUNTERS, -kv[1]))
    if not got:
        return []
    atoms = ["Counters per second:"] + [f"{name} {value:,.1f}," for name, value in got[:12]]
    atoms[-1] = atoms[-1].rstrip(",")
    if len(got) > 12:
        atoms.append(f"(+{len(got) - 12} more)")
    from ..output.grid import wrap_atoms

    return wrap_atoms(atoms, " ", width)


def live_default() -> None:
    """What ``netparse`` with no input on a terminal does: this machine's summary, then what
    looks wrong (the same report as ``netstat -an | netparse``)."""
    from ..output.tables import render_summary
    from ..summary import summarise

    live = sample_or_exit("/proc", False, info=True)
    snap = live.snapshot
    render_summary(summarise(snap.sockets), sys.stdout, title=f"{snap.host or 'this machine'} ({snap.format})")
    sys.stdout.flush()
    report(live, False)
    import os

    report_findings(snap, root=os.geteuid() == 0 if hasattr(os, "geteuid") else None)


SummaryByOpt = typer.Option(
    None, "--by", metavar="container",
    help="container: also count per container (runtime and short id, from the record's container or its cgroup "
    "path, as ss -e prints it), 'host' for sockets owned outside any container, 'unknown' for unowned ones.",
)
SummaryLiveOpt = typer.Option(
    False, "--live", help="Summarise this machine's sockets (as 'netparse live' reads them; with --by container every "
    "network namespace, as containers have their own).",
)


def summary_by(by: str | None, live: bool, files: list[str] | None, output: str) -> bool:
    """``summary --by``/``--live``: checks the value, and does the live summary itself (True);
    False leaves a summary of files or standard input to the caller."""
    if by is not None and by != "container":
        raise typer.BadParameter(f"{by!r}: container is what --by counts by", param_hint="--by")
    if not live:
        return False
    if files:
        raise typer.BadParameter("--live reads this machine: name no files with it", param_hint="--live")
    from ..output.tables import render_groups, render_summary
    from ..summary import SummaryBuilder

    if output == "openmetrics":
        raise typer.BadParameter("--live: use 'netparse live -o openmetrics'", param_hint="--output")
    live_sample = sample_or_exit(all_netns=by == "container")
    snap = live_sample.snapshot
    summary = SummaryBuilder(by=by).extend(snap.sockets).build()
    if output == "json":
        from ..output.safe import json_safe

        sys.stdout.write(json_safe(summary.model_dump_json(indent=2)) + "\n")
    else:
        render_summary(summary, sys.stdout, title=f"{snap.host or 'this machine'} ({snap.format})")
        if summary.by_container is not None:
            render_groups(summary, sys.stdout)
    sys.stdout.flush()
    report(live_sample, False)
    return True


def run_quick(argv: list[str]) -> bool:
    """``netparse live ARGS`` without typer's parse when
    :func:`netparse.cli.live_quick.quick_arguments` takes ARGS (the same function runs with the
    same values; typer's parse builds a pydantic adapter per option); False: let typer do it. A usage error the
    command raises comes before any output, so typer is then left to parse and report it."""
    values = quick_arguments(argv)
    if values is None:
        return False
    try:
        live_command(**values)
    except typer.BadParameter:
        return False
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    return True


def register(app: typer.Typer) -> None:
    """Add ``live`` to the netparse typer app."""
    app.command("live", help=LIVE_HELP)(live_command)
