"""``netparse parse`` without typer: the command's work (:func:`run_parse`), which the typer command
(:func:`netparse.cli.app.parse`) and :mod:`netparse.cli.entry` both run, so both print the same
bytes and end with the same exit code (``SystemExit``); and the plain parse of its options
(:data:`OPTIONS`, :func:`answer`).

``netparse parse -o json FILE`` on a small listing spent a third of its time building the typer
app (typer, click, rich imported, a pydantic adapter per option); a command line :func:`answer`
reads (:func:`netparse.cli.quick.quick_arguments`: files, ``-o/--output``, ``-f/--format``,
``--state``, ``--port``, ``--proto``, ``--pid``, ``--show-issues``, ``--strict``,
``--encoding``, ``--byte-order``, ``--jobs``, ``--out``, ``--csv-raw``) runs here without it.
Anything typer words as a usage error (help, an unknown word, a bad value, a format name
netparse does not know, an unknown ``--state`` label or ``--port`` name, a codec that cannot read
files, ``--out`` without parquet or parquet without ``--out``) returns False before any output,
and typer parses it. Exit codes are the command's: 0 done; 1 an input unreadable or without a
socket line, or ``--strict`` and a bad line; 2 usage (an unknown format, pyarrow missing).
"""

from __future__ import annotations

import sys
from typing import Optional

from ..errors import FilterError
from ..filters import keep_all, port_numbers, socket_filter
from .exits import EXIT_INPUT, EXIT_USAGE, err
from .input_run import InputRun, with_byte_order
from .quick import Option, quick_arguments

#: ``parse``'s outputs (the typer command's ``Output`` enum, :mod:`netparse.cli.options`)
OUTPUTS = ("table", "json", "jsonl", "csv", "parquet")

#: ``parse``'s parameters as its typer declarations have them (:func:`netparse.cli.app.parse`;
#: ``tests/test_parse_fast.py`` checks they agree); the files are the positional words
OPTIONS: tuple[Option, ...] = (
    Option("output", ("--output", "-o"), "str", "table", choices=OUTPUTS),
    Option("format", ("--format", "-f"), "str", "auto"),
    Option("state", ("--state",), "list:str", []),
    Option("port", ("--port",), "list:str", []),
    Option("proto", ("--proto",), "list:str", []),
    Option("pid", ("--pid",), "list:int", []),
    Option("show_issues", ("--show-issues",), "flag", False),
    Option("strict", ("--strict",), "flag", False),
    Option("encoding", ("--encoding",), "str", None),
    Option("byte_order", ("--byte-order",), "str", "little", choices=("little", "big")),
    Option("jobs", ("--jobs", "-j"), "int", None, 1),
    Option("out_dir", ("--out",), "str", None),
    Option("csv_raw", ("--csv-raw",), "flag", False),
)


def out_problem(output: str, out_dir: Optional[str]) -> Optional[str]:
    """What is wrong with ``--out`` for ``output`` (a usage error of ``--out``), or None."""
    if output == "parquet" and out_dir is None:
        return "--output parquet needs --out DIR"
    if output != "parquet" and out_dir is not None:
        return "--out goes with --output parquet"
    return None


def answer(argv: list[str]) -> bool:
    """``netparse parse ARGV`` run here (True; its exit code as ``SystemExit``), or False, before
    any output, for typer to parse, run and word its usage error (see the module docstring)."""
    values = quick_arguments(argv, OPTIONS, positionals="files")
    if values is None or out_problem(values["output"], values["out_dir"]) is not None:
        return False
    if values["format"] != "auto":
        from ..grammars import GRAMMARS

        if values["format"] not in GRAMMARS:
            return False  # typer words it: a usage error of --format
    if values["encoding"] is not None:
        from ..inputs.decode import text_codec

        try:
            text_codec(values["encoding"])
        except ValueError:
            return False  # typer's --encoding callback words it
    try:
        ports = port_numbers(values["port"])
        keep = socket_filter(values["state"], ports, values["proto"], values["pid"])
    except FilterError:
        return False  # a usage error of --state or --port: typer words it
    values["port"] = ports
    run_parse(keep=keep, **values)
    return True


def run_parse(files: Optional[list[str]], output: str, format: str, keep, state: list[str], port: list[int],
              proto: list[str], pid: list[int], show_issues: bool = False, strict: bool = False,
              encoding: Optional[str] = None, byte_order: str = "little", jobs: Optional[int] = None,
              out_dir: Optional[str] = None, csv_raw: bool = False) -> None:
    """``netparse parse``: the records of ``files`` (none or ``-``: standard input) as ``output``
    (one of :data:`OUTPUTS`), kept by ``keep`` (the predicate of ``state``, ``port`` as numbers,
    ``proto``, ``pid``, which worker processes rebuild). The caller has checked the usage
    (:func:`out_problem`, the filters, the encoding). Returns when done with exit code 0; any
    other ending is ``SystemExit`` after its one line."""
    from ..output.records import record_dict, record_json, write_csv, write_json, write_jsonl
    from ..output.tables import render_table

    if output == "parquet":
        _require_pyarrow()
    run = InputRun(files or [], with_byte_order(format, byte_order), strict, encoding, show_issues)
    multi = len(run.files) > 1
    if multi:  # worker processes are for several files only: one file does not import them
        from ..scale.pool import default_jobs, use_pool

        if use_pool(jobs or default_jobs(), run.files):
            _parse_parallel(run, jobs or default_jobs(), output, out_dir, (state, port, proto, pid), show_issues, csv_raw)
            return
    out = sys.stdout
    if output == "table":
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
    if output == "parquet":
        records = (dict(row_dict(s, record_dict, **run.snapshot_keys()), file=name) for name, s in selected)
        _write_parquet(records, out_dir)  # type: ignore[arg-type]
    elif output == "csv":
        write_csv((row_dict(s, record_dict, source=name if multi else None, **run.snapshot_keys()) for name, s in selected), out,
                  not csv_raw)
    else:
        texts = (row_json(s, record_json, source=name if multi else None, **run.snapshot_keys()) for name, s in selected)
        (write_json if output == "json" else write_jsonl)(texts, out)
    out.flush()
    run.finish(show_issues)


def _require_pyarrow() -> None:
    """pyarrow importable, or its one line and exit 2."""
    from ..errors import MissingDependency
    from ..scale.parquet import require_pyarrow

    try:
        require_pyarrow()
    except MissingDependency as exc:
        err(str(exc))
        raise SystemExit(EXIT_USAGE) from None


def _write_parquet(records, out_dir: str) -> None:
    from ..scale.parquet import write_parquet

    try:
        rows, hosts = write_parquet(records, out_dir)
    except OSError as exc:
        err(f"cannot write {out_dir}: {exc.strerror or exc}")
        raise SystemExit(EXIT_INPUT) from None
    err(f"wrote {rows} record{'s' if rows != 1 else ''} to {out_dir} ({hosts} host partition{'s' if hosts != 1 else ''})")


def _parse_parallel(
    run: InputRun, jobs: int, output: str, out_dir: Optional[str], filters, show_issues: bool, csv_raw: bool = False
) -> None:
    """``parse`` over several files in worker processes (:mod:`netparse.scale.pool`); same
    output, in input order; a file that fails is reported and skipped, exit 1 at the end."""
    import json
    import tempfile

    from ..model import ParseIssue, Socket
    from ..output.records import write_csv, write_json, write_jsonl
    from ..output.tables import render_table
    from ..scale.pool import Failure, parse_file_job, run_ordered

    failed = run.failed  # finish() exits 1 when any input failed
    multi = output != "parquet"  # parquet gets its ``file`` column here instead

    with tempfile.TemporaryDirectory(prefix="netparse-") as tmp:

        def results():
            args = (tmp, run.format, run.strict, run.encoding, filters, multi, run.GIVE_UP_LINES, run.show_issues)
            for name, res in run_ordered(parse_file_job, run.files, jobs, *args):
                if isinstance(res, Failure):
                    err(res.message)
                    if res.code == 2 or run.strict:  # --strict stops at the first bad file, as in one process
                        raise SystemExit(res.code)
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
                        raise SystemExit(res.failure.code)
                    failed.append(name)

        texts = (line for res in results() for line in res.lines())
        out = sys.stdout
        if output == "parquet":
            records = (dict(json.loads(line), file=res.name) for res in results() for line in res.lines())
            _write_parquet(records, out_dir)  # type: ignore[arg-type]
        elif output == "table":
            meta = ("source", "snapshot", "timestamp", "host")

            def sockets():
                for line in texts:
                    data = json.loads(line)
                    for key in meta:
                        data.pop(key, None)
                    yield Socket.model_validate(data)

            render_table(sockets(), out)
        elif output == "csv":
            write_csv((json.loads(line) for line in texts), out, not csv_raw)
        else:
            (write_json if output == "json" else write_jsonl)(texts, out)
        out.flush()
    run.finish(show_issues)
    if failed:
        raise SystemExit(EXIT_INPUT)


__all__ = ["OPTIONS", "OUTPUTS", "answer", "out_problem", "run_parse"]
