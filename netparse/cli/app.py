"""The ``netparse`` command (typer). Thin: argument handling and rendering only.

Data goes to stdout, diagnostics to stderr. Exit codes:

* 0 — done;
* 1 — input problem: a file that cannot be read, or input with no recognisable socket line
  (a one-line message names what was tried), or ``--strict`` and a line that could not be read;
* 2 — usage error (unknown option, bad value).

Heavy modules (pydantic, pyparsing, rich) are imported inside the commands, so ``--help`` and
``--version`` start fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, List, Optional

import typer

from .. import __version__
from . import exporter as exporter_command
from . import live as live_command
from .analyze import register as register_analyze
from .counters import register as register_counters
from .exits import guarded
from .logs import register as register_logs
from .input_run import InputRun
from .parse_run import out_problem, run_parse
from .pipe import bare
from .options import (
    ByteOrder,
    ByteOrderOpt,
    EncodingOpt,
    FilesArg,
    FormatOpt,
    JobsOpt,
    Output,
    PidOpt,
    PortOpt,
    CsvRawOpt,
    ProtoOpt,
    ShowIssuesOpt,
    StateOpt,
    StrictOpt,
    cheap_coercion,
    err,
    filter_or_exit,
    plain_errors,
    ports_or_exit,
    with_byte_order,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..logs.reader import LogReader, LogSnapshot
    from ..model import Socket

plain_errors()
cheap_coercion()
app = typer.Typer(
    name="netparse",
    help="Turn netstat / ss output from any platform into typed records, and say what is wrong.\n\n"
    "Pipe a listing in (netstat -an | netparse) or name files. Exit codes: 0 ok, 1 input problem "
    "(unreadable file, no socket line found, --strict and a bad line), 2 usage error.",
    add_completion=True,  # --install-completion, --show-completion (bash, zsh, fish, PowerShell)
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class SummaryOutput(str, Enum):
    table = "table"
    json = "json"
    openmetrics = "openmetrics"


@app.command()
def parse(
    files: Optional[List[str]] = FilesArg,
    output: Output = typer.Option(
        Output.table, "--output", "-o",
        help="table, json, jsonl, csv, or parquet (with --out DIR: DIR/host=NAME/part-0.parquet; needs pyarrow).",
    ),
    format: str = FormatOpt,
    state: List[str] = StateOpt,
    port: List[str] = PortOpt,
    proto: List[str] = ProtoOpt,
    pid: List[int] = PidOpt,
    show_issues: bool = ShowIssuesOpt,
    strict: bool = StrictOpt,
    encoding: Optional[str] = EncodingOpt,
    byte_order: ByteOrder = ByteOrderOpt,
    jobs: Optional[int] = JobsOpt,
    out_dir: Optional[str] = typer.Option(
        None, "--out", help="With --output parquet: the directory to write (created).", metavar="DIR"
    ),
    csv_raw: bool = CsvRawOpt,
) -> None:
    """Print the records.

    Tables never split a value (an address:port, a pid/process, a timestamp stays whole on one
    line): on a narrow terminal the Recv-Q/Send-Q columns are left out first. A wider terminal,
    COLUMNS=200, or piping (plain text, one record per line) shows every column; -o json has
    every field."""
    keep = filter_or_exit(state, port, proto, pid)
    ports = ports_or_exit(port)  # numbers for the worker processes
    problem = out_problem(output.value, out_dir)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="--out")
    run_parse(files, output.value, format, keep, state, ports, proto, pid, show_issues, strict, encoding,
              byte_order.value, jobs, out_dir, csv_raw)


def _summary(
    files: list[str],
    format: str,
    show_issues: bool,
    output: SummaryOutput,
    strict: bool = False,
    encoding: str | None = None,
    all_snapshots: bool = False,
    by: str | None = None,
) -> None:
    from ..output.tables import render_groups, render_summary

    run = InputRun(files, format, strict, encoding, show_issues)
    if output is SummaryOutput.openmetrics:  # the same sockets, kept for the metric families
        from .metrics import summary_openmetrics

        summary_openmetrics(run, _summary_sockets(run, all_snapshots), show_issues)
        return
    run.rows = True  # counted from the rows: no Socket per record
    summary, hosts = _summary_counts(run, all_snapshots, by)
    title = ", ".join(sorted(run.formats)) or None
    if hosts:
        which = ", ".join(hosts) if len(hosts) <= 5 else f"each of {len(hosts)} hosts"
        scope = f"newest snapshot of {which} (--all-snapshots adds up every snapshot)"
        title = f"{title}: {scope}" if title else scope
        if output is SummaryOutput.json and run.found:
            err(f"summary of the {scope}")
    if not run.found:  # nothing recognisable: say so, and print no empty table first
        run.finish(show_issues)
    if output is SummaryOutput.json:
        from ..output.safe import json_safe

        sys.stdout.write(json_safe(summary.model_dump_json(indent=2)) + "\n")
    else:
        render_summary(summary, sys.stdout, title=title)
        if summary.by_container is not None:
            render_groups(summary, sys.stdout)
    sys.stdout.flush()
    run.finish(show_issues)


def _summary_sockets(run: InputRun, all_snapshots: bool) -> list[Socket]:
    """The sockets :func:`_summary_counts` counts (for ``-o openmetrics``, whose families need
    them): one newest snapshot per host of a log is held, as ``analyze`` holds it."""
    if all_snapshots:
        return [s for _, s in run.sockets()]
    scope = _NewestPerHost(_Sockets)
    for _, s in run.sockets(on_end=scope.end):
        scope.socket(run.reader, s)
    scope.end_file()
    sockets = scope.plain
    for _, found in scope.newest.values():
        sockets.merge(found)
    return sockets


class _Sockets(list):
    """The sockets themselves, with the few methods of a SummaryBuilder _NewestPerHost uses."""

    add = list.append
    merge = list.extend

    @property
    def total(self) -> int:
        return len(self)


def _summary_counts(run: InputRun, all_snapshots: bool, by: str | None = None):
    """The counts of a summary (:class:`netparse.summary.Summary`): of a plain listing all of
    its sockets; of a log (timestamp, separator or host lines, or several snapshots) the newest
    snapshot of each host across the files named, chosen as ``analyze`` chooses it (later in a
    file; across files by timestamp; an empty newest snapshot counts as empty), unless
    ``all_snapshots``. Holds counters per snapshot, never the sockets. Also the hosts (with
    the snapshot's time) that were chosen."""
    from functools import partial

    from ..summary import SummaryBuilder

    if all_snapshots:
        builder = SummaryBuilder(by=by)
        for _, s in run.sockets():
            builder.add(s)
        return builder.build(), []
    scope = _NewestPerHost(partial(SummaryBuilder, by=by))
    for _, s in run.sockets(on_end=scope.end):
        scope.socket(run.reader, s)
    scope.end_file()
    total = scope.plain
    hosts = []
    for host, (block, found) in scope.newest.items():
        total.merge(found)
        stamp = block.timestamp
        hosts.append(f"{host or block.source}{f' {stamp:%Y-%m-%d %H:%M:%S}' if stamp else ''}")
    return total.build(), hosts


class _NewestPerHost:
    """What a summary counts, fed record by record: every record of a plain listing; of a log,
    each host's newest snapshot across files (see :func:`_summary_counts`). Counters only."""

    def __init__(self, new=None) -> None:
        from ..summary import SummaryBuilder

        self.new = new or SummaryBuilder  # or _Sockets: the sockets instead of their counts
        self.plain = self.new()
        self.newest: dict[str | None, tuple] = {}  # host -> (block, counts) of its newest log snapshot
        self.reader: LogReader | None = None
        self.per_host: dict[str | None, tuple] = {}  # the same for the file being read
        self.current = self.new()  # counts of the snapshot being read
        self.blocks: list = []  # counts of every snapshot of the file (merged when it is one plain listing)

    def _file(self, reader: LogReader) -> None:
        if reader is not self.reader:
            self.end_file()
            self.reader, self.per_host, self.current, self.blocks = reader, {}, self.new(), []

    def socket(self, reader: LogReader, s: Socket) -> None:
        self._file(reader)
        self.current.add(s)

    def end(self, reader: LogReader, block: LogSnapshot) -> None:
        self._file(reader)
        self.per_host[block.host] = (block, self.current)
        if reader.is_log:  # only each host's newest snapshot counts: keep no other (it stays a log)
            self.blocks = []
        else:
            self.blocks.append(self.current)
        self.current = self.new()

    def end_file(self) -> None:
        reader = self.reader
        if reader is None:
            return
        if not reader.is_log:
            for counts in self.blocks + [self.current]:
                if counts.total and not self.plain.total:
                    self.plain = counts  # the first counts: taken over, not copied
                elif counts.total:
                    self.plain.merge(counts)
            self.blocks, self.current = [], self.new()
            return
        from ..rules.facts import supersedes

        for host, (block, found) in self.per_host.items():
            kept = self.newest.get(host)
            if kept is None or supersedes(block.timestamp, kept[0].timestamp):
                self.newest[host] = (block, found)


@app.command()
def summary(
    files: Optional[List[str]] = FilesArg,
    format: str = FormatOpt,
    output: SummaryOutput = typer.Option(SummaryOutput.table, "--output", "-o", help="table, json, or openmetrics (Prometheus text exposition, with the findings)."),
    show_issues: bool = ShowIssuesOpt,
    strict: bool = StrictOpt,
    encoding: Optional[str] = EncodingOpt,
    byte_order: ByteOrder = ByteOrderOpt,
    all_snapshots: bool = typer.Option(
        False, "--all-snapshots", help="Of a log, add up every snapshot (default: the newest snapshot per host)."
    ),
    by: Optional[str] = live_command.SummaryByOpt,
    live: bool = live_command.SummaryLiveOpt,
) -> None:
    """Counts by state, with the top local ports, processes and remote hosts of each state.

    Of a log (timestamp, separator or host lines between listings): its newest snapshot per host,
    as analyze reads it; netparse timeline shows every snapshot."""
    if live_command.summary_by(by, live, files, output.value):
        return
    _summary(files or [], with_byte_order(format, byte_order), show_issues, output, strict, encoding, all_snapshots, by)


@app.command()
def formats() -> None:
    """List the formats netparse reads, with an example command line for each."""
    from ..grammars import GRAMMARS
    from ..output.grid import Column, width_of, write_table

    # the description wraps between words at the terminal's width; piped, one format per line
    rows = [[name, grammar.example, grammar.description.split()] for name, grammar in sorted(GRAMMARS.items())]
    write_table([Column("Format"), Column("Example"), Column("Description", sep=" ")], rows, sys.stdout,
                width_of(sys.stdout), header=False)


@app.command()
def schema(
    snapshot: bool = typer.Option(False, "--snapshot", help="Print the schema of a whole Snapshot instead of one Socket."),
) -> None:
    """Print the JSON Schema of the records."""
    import json

    from ..model import Snapshot, Socket

    model = Snapshot if snapshot else Socket
    sys.stdout.write(json.dumps(model.model_json_schema(), indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"netparse {__version__}\n")
        raise typer.Exit(0)


register_analyze(app)
register_logs(app)
register_counters(app)
live_command.register(app)
exporter_command.register(app)


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """With no command: read standard input, or on a terminal this machine's sockets, and show
    the summary, then what looks wrong."""
    if ctx.invoked_subcommand is not None:
        return
    if sys.stdin is None or sys.stdin.isatty():
        live_command.live_default()
        return
    bare()


def run() -> None:
    """The typer app as the console script runs it (see :func:`netparse.cli.exits.guarded`);
    :func:`netparse.cli.entry.run` answers the plain pipe and one plain ``live`` sample before
    building it (:mod:`netparse.cli.live_quick`)."""
    guarded(typer_main)


def typer_main() -> None:
    """The typer app on ``sys.argv``; a ``live`` command line the plain parse reads is run
    without typer's parse (:func:`netparse.cli.live.run_quick`: the same function, the same
    values)."""
    if not (sys.argv[1:2] == ["live"] and live_command.run_quick(sys.argv[2:])):
        app()
