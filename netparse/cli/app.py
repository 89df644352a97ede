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
from typing import TYPE_CHECKING, Callable, Iterator, List, Optional

import typer

from .. import __version__
from ..errors import InputSkipped
from . import exporter as exporter_command
from . import live as live_command
from .analyze import register as register_analyze
from .counters import register as register_counters
from .exits import guarded
from .logs import register as register_logs
from .pipe import bare
from .options import (
    EXIT_INPUT,
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
    expand_or_exit,
    filter_or_exit,
    input_errors,
    plain_errors,
    ports_or_exit,
    with_byte_order,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..inputs.source import TextSource
    from ..logs.reader import LogReader, LogSnapshot
    from ..model import ParseIssue, Socket

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


class InputRun:
    """Reads the named inputs through one grammar-detecting parser per input, streaming records,
    collecting issues, and knowing afterwards whether anything was recognised.

    Failure policy, the same as the worker processes' (``--jobs``): an input that cannot be read
    (missing, unreadable, corrupt compressed data) is reported in one line and skipped, the
    others are read, and :meth:`finish` exits 1; records read from it before the error stay in
    the output. An unknown ``--format`` (exit 2) and ``--strict`` meeting a bad line (exit 1)
    stop at once."""

    MAX_KEPT_ISSUES = 10000
    #: an input that showed no listing line (record, title, header) in this many lines is not read on
    GIVE_UP_LINES = 1000

    def __init__(
        self, files: list[str], format: str, strict: bool = False, encoding: str | None = None, show_issues: bool = False
    ) -> None:
        self.files = expand_or_exit(files or ["-"])  # globs, directories (recursing)
        self.show_issues = show_issues  # every unparsed line explained in full (pyparsing)
        self.failed: list[str] = []
        self.block = None  # the log snapshot of the record last yielded (netparse.logs)
        self.encoding = encoding
        self.format = format
        self.strict = strict
        self.issues: list[tuple[str, ParseIssue]] = []
        self.issue_counts = {"unparsed": 0, "warning": 0}
        self.found = False
        self.records = 0
        self.formats: set[str] = set()
        self.encodings: dict[str, str | None] = {}
        self.tried: list[str] = []
        #: True: records are yielded as rows (a dict for a kernel row, else a Socket: see
        #: netparse.rows) for outputs written without models
        self.rows = False

    def sockets(self, on_end: Callable[[LogReader, LogSnapshot], object] | None = None) -> Iterator[tuple[str, Socket]]:
        """(input name, record) for every record; ``on_end(reader, snapshot)`` where a snapshot
        of a log ends. ``self.block``/``self.reader`` say which snapshot the last record is of."""
        from ..inputs.source import open_source
        from ..logs.reader import LogReader
        from ..parser import found_listing

        for name in self.files:
            try:
                with input_errors(name, skip=True):
                    source = open_source(name, self.encoding)
                    reader = LogReader(source, format=self.format, strict=self.strict)
            except InputSkipped:
                self.failed.append(name)
                continue
            reader.rows = self.rows
            parser = reader.parser
            parser.give_up_after = self.GIVE_UP_LINES  # no listing line in so many: stop (issue 13)
            if self.show_issues:
                parser.explain = None
            self.tried = [g.name for g in parser.grammars]
            try:
                with input_errors(source.name, skip=True):
                    yield from self._read(source, reader, on_end)
            except InputSkipped:
                self.failed.append(source.name)
            finally:
                source.close()
            self.encodings[source.name] = source.encoding
            self.found = self.found or found_listing(parser.line_counts())
            if parser.records_by_format:
                self.formats.update(parser.records_by_format)

    def _read(self, source: TextSource, reader: LogReader, on_end) -> Iterator[tuple[str, Socket]]:
        name = source.name

        def issue(block: LogSnapshot, item: ParseIssue) -> None:
            self.issue_counts[item.kind] += 1
            if len(self.issues) < self.MAX_KEPT_ISSUES:
                self.issues.append((name, item))

        end = None if on_end is None else (lambda block: on_end(reader, block))
        for block, item in reader.records(issue, end):
            self.records += 1
            self.block, self.reader = block, reader
            yield name, item

    def snapshot_keys(self) -> dict[str, object]:
        """``snapshot``/``timestamp``/``host`` of the record last yielded, when its input is a log
        (it has timestamp, separator or host lines); nothing for a plain listing."""
        if self.block is None or not self.reader.marked:
            return {}
        return self.block.meta()

    def finish(self, show_issues: bool) -> None:
        """Report issues on stderr; exit 1 when nothing in the input was recognisable."""
        from ..output.safe import shown

        unparsed, warnings = self.issue_counts["unparsed"], self.issue_counts["warning"]
        if show_issues:
            for name, issue in self.issues:
                where = f"{name}:" if len(self.files) > 1 or name != "<stdin>" else "line "
                sys.stderr.write(shown(f"{where}{issue.line}: {issue.kind}: {issue.reason}: {issue.text!r}") + "\n")
        elif unparsed or warnings:
            parts = []
            if unparsed:
                parts.append(f"{unparsed} line{'s' if unparsed != 1 else ''} not understood")
            if warnings:
                parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            err(", ".join(parts) + " (--show-issues lists them)")
        readable = [n for n in self.files if n not in self.failed]
        if not self.found and readable:
            names = ", ".join("standard input" if n in ("-", "<stdin>") else n for n in readable)
            err(f"no socket listing found in {names} (tried formats: {', '.join(self.tried)})")
            raise typer.Exit(EXIT_INPUT)
        if self.failed:
            raise typer.Exit(EXIT_INPUT)


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
    from ..filters import keep_all
    from ..output.records import (
        record_dict,
        record_json,
        write_csv,
        write_json,
        write_jsonl,
    )
    from ..output.tables import render_table

    keep = filter_or_exit(state, port, proto, pid)
    port = ports_or_exit(port)  # numbers for the worker processes
    if output is Output.parquet:
        _check_parquet(out_dir)
    elif out_dir is not None:
        raise typer.BadParameter("--out goes with --output parquet", param_hint="--out")
    run = InputRun(files or [], with_byte_order(format, byte_order), strict, encoding, show_issues)
    multi = len(run.files) > 1
    from ..scale.pool import default_jobs, use_pool

    if use_pool(jobs or default_jobs(), run.files):
        _parse_parallel(run, jobs or default_jobs(), output, out_dir, (state, port, proto, pid), show_issues, csv_raw)
        return
    out = sys.stdout
    if output is Output.table:
        selected = ((name, s) for name, s in run.sockets() if keep(s)) if keep is not keep_all else run.sockets()
        render_table((s for _, s in selected), out)
        out.flush()
        run.finish(show_issues)
        return
    # machine outputs are written from the parser's rows: no model for a kernel row
    from ..rows import row_dict, row_json

    run.rows = True
    if keep is keep_all:
        selected = run.sockets()
    else:
        selected = ((name, s) for name, s in run.sockets() if keep(s))
    if output is Output.parquet:
        records = (dict(row_dict(s, record_dict, **run.snapshot_keys()), file=name) for name, s in selected)
        _write_parquet(records, out_dir)
    elif output is Output.csv:
        write_csv((row_dict(s, record_dict, source=name if multi else None, **run.snapshot_keys()) for name, s in selected), out,
                  not csv_raw)
    else:
        texts = (row_json(s, record_json, source=name if multi else None, **run.snapshot_keys()) for name, s in selected)
        (write_json if output is Output.json else write_jsonl)(texts, out)
    out.flush()
    run.finish(show_issues)


def _check_parquet(out_dir: Optional[str]) -> None:
    if out_dir is None:
        raise typer.BadParameter("--output parquet needs --out DIR", param_hint="--out")
    from ..errors import MissingDependency
    from ..scale.parquet import require_pyarrow

    try:
        require_pyarrow()
    except MissingDependency as exc:
        err(str(exc))
        raise typer.Exit(2) from None


def _write_parquet(records, out_dir: str) -> None:
    from ..scale.parquet import write_parquet

    try:
        rows, hosts = write_parquet(records, out_dir)
    except OSError as exc:
        err(f"cannot write {out_dir}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    err(f"wrote {rows} record{'s' if rows != 1 else ''} to {out_dir} ({hosts} host partition{'s' if hosts != 1 else ''})")


def _parse_parallel(
    run: InputRun, jobs: int, output: Output, out_dir: Optional[str], filters, show_issues: bool, csv_raw: bool = False
) -> None:
    """``parse`` over several files in worker processes (netparse.parallel); same output, in input
    order; a file that fails is reported and skipped, exit 1 at the end."""
    import json
    import tempfile

    from ..model import ParseIssue, Socket
    from ..output.records import write_csv, write_json, write_jsonl
    from ..output.tables import render_table
    from ..scale.pool import Failure, parse_file_job, run_ordered

    failed = run.failed  # finish() exits 1 when any input failed
    multi = output is not Output.parquet  # parquet gets its ``file`` column here instead

    with tempfile.TemporaryDirectory(prefix="netparse-") as tmp:

        def results():
            args = (tmp, run.format, run.strict, run.encoding, filters, multi, run.GIVE_UP_LINES, run.show_issues)
            for name, res in run_ordered(parse_file_job, run.files, jobs, *args):
                if isinstance(res, Failure):
                    err(res.message)
                    if res.code == 2 or run.strict:  # --strict stops at the first bad file, as in one process
                        raise typer.Exit(res.code)
                    failed.append(name)
                    continue
                run.records += res.records
                for kind, n in res.issue_counts.items():
                    run.issue_counts[kind] = run.issue_counts.get(kind, 0) + n
                room = run.MAX_KEPT_ISSUES - len(run.issues)
                run.issues.extend((res.name, ParseIssue(**d)) for d in res.issues[:max(room, 0)])
                run.found = run.found or res.found
                run.formats.update(res.formats)
                run.tried = res.tried
                run.encodings[res.name] = res.encoding
                yield res
                if res.failure is not None:  # after the records it had read, as in one process
                    err(res.failure.message)
                    if res.failure.code == 2 or run.strict:
                        raise typer.Exit(res.failure.code)
                    failed.append(name)

        texts = (line for res in results() for line in res.lines())
        out = sys.stdout
        if output is Output.parquet:
            records = (dict(json.loads(line), file=res.name) for res in results() for line in res.lines())
            _write_parquet(records, out_dir)  # type: ignore[arg-type]
        elif output is Output.table:
            meta = ("source", "snapshot", "timestamp", "host")
            def sockets():
                for line in texts:
                    data = json.loads(line)
                    for key in meta:
                        data.pop(key, None)
                    yield Socket.model_validate(data)

            render_table(sockets(), out)
        elif output is Output.csv:
            write_csv((json.loads(line) for line in texts), out, not csv_raw)
        else:
            (write_json if output is Output.json else write_jsonl)(texts, out)
        out.flush()
    run.finish(show_issues)
    if failed:
        raise typer.Exit(1)


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
