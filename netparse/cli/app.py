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
from typing import TYPE_CHECKING, Iterator, List, Optional

import typer

from .options import err as _err
from .options import expand_or_exit, input_errors

from .. import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ..model import ParseIssue, Socket

app = typer.Typer(
    name="netparse",
    help="Turn netstat / ss output from any platform into typed records, and say what is wrong.\n\n"
    "Pipe a listing in (netstat -an | netparse) or name files. Exit codes: 0 ok, 1 input problem "
    "(unreadable file, no socket line found, --strict and a bad line), 2 usage error.",
    add_completion=False,
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Output(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class SummaryOutput(str, Enum):
    table = "table"
    json = "json"


class InputRun:
    """Reads the named inputs through one grammar-detecting parser per input, streaming records,
    collecting issues, and knowing afterwards whether anything was recognised."""

    MAX_KEPT_ISSUES = 10000
    #: an input that showed no listing line (record, title, header) in this many lines is not read on
    GIVE_UP_LINES = 1000

    def __init__(self, files: list[str], format: str, strict: bool = False, encoding: str | None = None) -> None:
        self.files = expand_or_exit(files or ["-"])  # globs, directories (recursing)
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

    def sockets(self, ends: bool = False) -> Iterator[tuple[str, Socket | None]]:
        """(input name, record) for every record; with ``ends``, also (name, None) where a
        snapshot of a log ends (``self.block``/``self.reader`` then say which)."""
        from ..inputs.source import open_source
        from ..logs.reader import LogReader
        from ..parser import found_listing

        for name in self.files:
            with input_errors(name):
                source = open_source(name, self.encoding)
                reader = LogReader(source, format=self.format, strict=self.strict)
            parser = reader.parser
            parser.give_up_after = self.GIVE_UP_LINES  # no listing line in so many: stop (issue 13)
            self.tried = [g.name for g in parser.grammars]
            try:
                with input_errors(source.name):
                    yield from self._read(source, reader, ends)
            finally:
                source.close()
            self.encodings[source.name] = source.encoding
            self.found = self.found or found_listing(parser.line_counts())
            if parser.records_by_format:
                self.formats.update(parser.records_by_format)

    def _read(self, source, reader, ends: bool = False) -> Iterator[tuple[str, Socket | None]]:
        from ..model import Socket

        for block, item in reader:
            if item is None:
                if ends:
                    self.block, self.reader = block, reader
                    yield source.name, None
                continue
            if isinstance(item, Socket):
                self.records += 1
                self.block, self.reader = block, reader
                yield source.name, item
            else:
                self.issue_counts[item.kind] += 1
                if len(self.issues) < self.MAX_KEPT_ISSUES:
                    self.issues.append((source.name, item))

    def snapshot_keys(self) -> dict[str, object]:
        """``snapshot``/``timestamp``/``host`` of the record last yielded, when its input is a log
        (it has timestamp, separator or host lines); nothing for a plain listing."""
        if self.block is None or not self.reader.marked:
            return {}
        return self.block.meta()

    def finish(self, show_issues: bool) -> None:
        """Report issues on stderr; exit 1 when nothing in the input was recognisable."""
        unparsed, warnings = self.issue_counts["unparsed"], self.issue_counts["warning"]
        if show_issues:
            for name, issue in self.issues:
                where = f"{name}:" if len(self.files) > 1 or name != "<stdin>" else "line "
                sys.stderr.write(f"{where}{issue.line}: {issue.kind}: {issue.reason}: {issue.text!r}\n")
        elif unparsed or warnings:
            parts = []
            if unparsed:
                parts.append(f"{unparsed} line{'s' if unparsed != 1 else ''} not understood")
            if warnings:
                parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            _err(", ".join(parts) + " (--show-issues lists them)")
        if not self.found:
            names = ", ".join(self.files)
            _err(f"no socket listing found in {names} (tried formats: {', '.join(self.tried)})")
            raise typer.Exit(1)


def keep_all(s: Socket) -> bool:
    """The filter of a run without --state/--port/--proto/--pid (the JSON loop skips calling it)."""
    return True


def _filters(state: list[str], port: list[int], proto: list[str], pid: list[int]):
    from ..locales import resolve_state

    states = set()
    for text in state:
        resolved = resolve_state(text)
        if resolved is None:
            raise typer.BadParameter(f"unknown state {text!r} (try 'netparse explain')", param_hint="--state")
        states.add(resolved)
    ports = set(port)
    protos = {p.lower().rstrip("46") if p.lower() not in ("tcp6", "udp6") else p.lower()[:-1] for p in proto}
    pids = set(pid)
    if not (states or ports or protos or pids):
        return keep_all

    def keep(s: Socket) -> bool:
        if states and s.state not in states:
            return False
        if ports and s.local_port not in ports and s.remote_port not in ports:
            return False
        if protos and s.proto not in protos:
            return False
        if pids and s.pid not in pids:
            return False
        return True

    return keep


FilesArg = typer.Argument(None, help="Files to read ('-' or nothing: standard input).", show_default=False)
FormatOpt = typer.Option("auto", "--format", "-f", help="Input format (see 'netparse formats'); auto detects.")
ShowIssuesOpt = typer.Option(False, "--show-issues", help="List every line that was not understood, on stderr.")
StrictOpt = typer.Option(False, "--strict", help="Stop with exit code 1 at the first line that cannot be read.")


def _check_encoding(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from ..inputs.decode import text_codec

    try:
        text_codec(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


class ByteOrder(str, Enum):
    little = "little"
    big = "big"


ByteOrderOpt = typer.Option(
    ByteOrder.little,
    "--byte-order",
    help="Byte order of the host that wrote /proc/net files (their addresses are in host order).",
)


def _with_byte_order(format: str, byte_order: ByteOrder) -> str:
    if byte_order is ByteOrder.big and format in ("auto", "proc-net"):
        return "proc-net-be"
    return format


EncodingOpt = typer.Option(
    None,
    "--encoding",
    help="Decode input with this codec (cp850, utf-16 ...) instead of detecting it.",
    callback=_check_encoding,
)


JobsOpt = typer.Option(
    None, "--jobs", "-j", min=1, show_default=False,
    help="Worker processes for several files (default: all cores; 1: in this process). Output order is "
    "the input order. With more than one job a file that cannot be read is reported on stderr and "
    "skipped, the others are still read, and the exit code is 1 at the end.",
)


@app.command()
def parse(
    files: Optional[List[str]] = FilesArg,
    output: Output = typer.Option(
        Output.table, "--output", "-o",
        help="table, json, jsonl, csv, or parquet (with --out DIR: DIR/host=NAME/part-0.parquet; needs pyarrow).",
    ),
    format: str = FormatOpt,
    state: List[str] = typer.Option([], "--state", help="Keep sockets in this state (any label: time-wait, ESTAB, LISTENING...)."),
    port: List[int] = typer.Option([], "--port", help="Keep sockets with this local or remote port."),
    proto: List[str] = typer.Option([], "--proto", help="Keep this protocol (tcp, udp, raw, unix...)."),
    pid: List[int] = typer.Option([], "--pid", help="Keep sockets owned by this process id."),
    show_issues: bool = ShowIssuesOpt,
    strict: bool = StrictOpt,
    encoding: Optional[str] = EncodingOpt,
    byte_order: ByteOrder = ByteOrderOpt,
    jobs: Optional[int] = JobsOpt,
    out_dir: Optional[str] = typer.Option(
        None, "--out", help="With --output parquet: the directory to write (created).", metavar="DIR"
    ),
) -> None:
    """Print the records."""
    from ..output.records import record_dict, record_json, render_table, write_csv, write_json, write_jsonl

    keep = _filters(state, port, proto, pid)
    if output is Output.parquet:
        _check_parquet(out_dir)
    elif out_dir is not None:
        raise typer.BadParameter("--out goes with --output parquet", param_hint="--out")
    run = InputRun(files or [], _with_byte_order(format, byte_order), strict, encoding)
    multi = len(run.files) > 1
    from ..scale.pool import default_jobs, use_pool

    if use_pool(jobs or default_jobs(), run.files):
        _parse_parallel(run, jobs or default_jobs(), output, out_dir, (state, port, proto, pid), show_issues)
        return
    selected = ((name, s) for name, s in run.sockets() if keep(s)) if keep is not keep_all else run.sockets()
    out = sys.stdout
    if output is Output.parquet:
        records = (dict(record_dict(s, **run.snapshot_keys()), file=name) for name, s in selected)
        _write_parquet(records, out_dir)
    elif output is Output.table:
        render_table([s for _, s in selected], out)
    elif output is Output.csv:
        write_csv((record_dict(s, source=name if multi else None, **run.snapshot_keys()) for name, s in selected), out)
    else:
        texts = (record_json(s, source=name if multi else None, **run.snapshot_keys()) for name, s in selected)
        (write_json if output is Output.json else write_jsonl)(texts, out)
    out.flush()
    run.finish(show_issues)


def _check_parquet(out_dir: Optional[str]) -> None:
    if out_dir is None:
        raise typer.BadParameter("--output parquet needs --out DIR", param_hint="--out")
    from ..scale.parquet import MissingDependency, require_pyarrow

    try:
        require_pyarrow()
    except MissingDependency as exc:
        _err(str(exc))
        raise typer.Exit(2) from None


def _write_parquet(records, out_dir: str) -> None:
    from ..scale.parquet import write_parquet

    try:
        rows, hosts = write_parquet(records, out_dir)
    except OSError as exc:
        _err(f"cannot write {out_dir}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    _err(f"wrote {rows} record{'s' if rows != 1 else ''} to {out_dir} ({hosts} host partition{'s' if hosts != 1 else ''})")


def _parse_parallel(run: InputRun, jobs: int, output: Output, out_dir: Optional[str], filters, show_issues: bool) -> None:
    """``parse`` over several files in worker processes (netparse.parallel); same output, in input
    order; a file that fails is reported and skipped, exit 1 at the end."""
    import json
    import tempfile

    from ..model import ParseIssue, Socket
    from ..scale.pool import Failure, parse_file_job, run_ordered
    from ..output.records import render_table, write_csv, write_json, write_jsonl

    failed: list[str] = []
    multi = output is not Output.parquet  # parquet gets its ``file`` column here instead

    with tempfile.TemporaryDirectory(prefix="netparse-") as tmp:

        def results():
            args = (tmp, run.format, run.strict, run.encoding, filters, multi)
            for name, res in run_ordered(parse_file_job, run.files, jobs, *args):
                if isinstance(res, Failure):
                    _err(res.message)
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

        texts = (line for res in results() for line in res.lines())
        out = sys.stdout
        if output is Output.parquet:
            records = (dict(json.loads(line), file=res.name) for res in results() for line in res.lines())
            _write_parquet(records, out_dir)  # type: ignore[arg-type]
        elif output is Output.table:
            meta = ("source", "snapshot", "timestamp", "host")
            sockets = []
            for line in texts:
                data = json.loads(line)
                for key in meta:
                    data.pop(key, None)
                sockets.append(Socket.model_validate(data))
            render_table(sockets, out)
        elif output is Output.csv:
            write_csv((json.loads(line) for line in texts), out)
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
):
    from ..output.records import render_summary
    from ..summary import summarise

    run = InputRun(files, format, strict, encoding)
    sockets, hosts = _summary_sockets(run, all_snapshots)
    summary = summarise(sockets)
    title = ", ".join(sorted(run.formats)) or None
    if hosts:
        which = ", ".join(hosts) if len(hosts) <= 5 else f"each of {len(hosts)} hosts"
        scope = f"newest snapshot of {which} (--all-snapshots adds up every snapshot)"
        title = f"{title}: {scope}" if title else scope
        if output is SummaryOutput.json:
            _err(f"summary of the {scope}")
    if output is SummaryOutput.json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
    else:
        render_summary(summary, sys.stdout, title=title)
    sys.stdout.flush()
    run.finish(show_issues)
    return sockets


def _summary_sockets(run: InputRun, all_snapshots: bool) -> tuple[list[Socket], list[str]]:
    """The sockets a summary counts: of a plain listing all of them; of a log (timestamp,
    separator or host lines, or several snapshots) the newest snapshot of each host across the
    files named, chosen as ``analyze`` chooses it (later in a file; across files by timestamp; an
    empty newest snapshot counts as empty), unless ``all_snapshots``. Holds one snapshot per host
    of a log, not the whole log. Also the hosts (with the snapshot's time) that were chosen."""
    if all_snapshots:
        return [s for _, s in run.sockets()], []  # type: ignore[misc]
    from ..rules.facts import supersedes

    plain: list[Socket] = []
    newest: dict[str | None, tuple] = {}  # host -> (block, sockets) of its newest log snapshot
    reader = None
    per_host: dict[str | None, tuple] = {}  # the same for the file being read
    current: list[Socket] = []  # records of the snapshot being read
    whole: list[Socket] | None = []  # every record of the file, while it may be one plain listing

    def end_file() -> None:
        if reader is None:
            return
        if whole is not None and not reader.is_log:
            plain.extend(whole)
            return
        for host, (block, found) in per_host.items():
            kept = newest.get(host)
            if kept is None or supersedes(block.timestamp, kept[0].timestamp):
                newest[host] = (block, found)

    for _, s in run.sockets(ends=True):
        if run.reader is not reader:
            end_file()
            reader, per_host, current, whole = run.reader, {}, [], []
        if s is None:
            per_host[run.block.host] = (run.block, current)
            current = []
            continue
        current.append(s)
        if whole is not None:
            if reader.is_log:
                whole = None  # a log: only its newest snapshots are kept
            else:
                whole.append(s)
    end_file()
    hosts = []
    for host, (block, found) in newest.items():
        plain.extend(found)
        stamp = block.timestamp
        hosts.append(f"{host or block.source}{f' {stamp:%Y-%m-%d %H:%M:%S}' if stamp else ''}")
    return plain, hosts


@app.command()
def summary(
    files: Optional[List[str]] = FilesArg,
    format: str = FormatOpt,
    output: SummaryOutput = typer.Option(SummaryOutput.table, "--output", "-o", help="table or json."),
    show_issues: bool = ShowIssuesOpt,
    strict: bool = StrictOpt,
    encoding: Optional[str] = EncodingOpt,
    byte_order: ByteOrder = ByteOrderOpt,
    all_snapshots: bool = typer.Option(
        False, "--all-snapshots", help="Of a log, add up every snapshot (default: the newest snapshot per host)."
    ),
) -> None:
    """Counts by state, with the top local ports, processes and remote hosts of each state.

    Of a log (timestamp, separator or host lines between listings): its newest snapshot per host,
    as analyze reads it; netparse timeline shows every snapshot."""
    _summary(files or [], _with_byte_order(format, byte_order), show_issues, output, strict, encoding, all_snapshots)


@app.command()
def formats() -> None:
    """List the formats netparse reads, with an example command line for each."""
    from ..grammars import GRAMMARS

    width = max(len(name) for name in GRAMMARS)
    for name, grammar in sorted(GRAMMARS.items()):
        sys.stdout.write(f"{name:<{width}}  {grammar.example:<28}  {grammar.description}\n")


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


def _register_analyzer() -> None:
    from .analyze import register
    from .live import register as register_live
    from .logs import register as register_logs

    register(app)
    register_logs(app)
    register_live(app)


_register_analyzer()


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
        from .live import live_default

        live_default()
        return
    from .analyze import report_findings

    report_findings(_summary(["-"], "auto", False, SummaryOutput.table))


def run() -> None:
    """Console-script entry point: never a traceback for bad input or a closed pipe."""
    try:
        app()
    except BrokenPipeError:
        # the reader went away (netparse ... | head): stop quietly, as other filters do
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
