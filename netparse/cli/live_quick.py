"""``netparse live`` without typer: its command line read by a plain parse, and one sample
written from the kernel's rows (no pydantic, no typer).

Building the typer app costs more here than reading 10,000 sockets (typer and click imported,
a pydantic adapter per option), and the records' models as much again. So
:mod:`netparse.cli.entry` asks :func:`answer` first: a command line that :func:`quick_arguments`
reads (the option words of :data:`OPTIONS`, the same as ``live``'s typer declarations: a test
compares them and the parsed values with typer's) and that asks for one sample as a table,
JSON or JSON lines is answered from :class:`netparse.live.stream.Stream` rows here. Anything
else (help, a word typer would reject, a bad value, ``--watch``, ``--count`` N, csv,
openmetrics, ``--all-netns``, a machine without sock_diag) returns False before any output,
and typer parses it, runs ``live`` and words any usage error. The typer command
(:func:`netparse.cli.live.live_command`) writes a single sample through :func:`stream_live`
too, so both paths print the same bytes.
"""

from __future__ import annotations

import sys
from typing import Iterable

from ..errors import FilterError, NetlinkError
from ..filters import keep_all, port_numbers, socket_filter
from ..locales import resolve_state
from ..output.rowjson import row_text, write_json, write_rows
from ..output.safe import shown
from ..output.tables import render_table
from .exits import EXIT_INPUT, err, not_understood, output_error
from .quick import Option
from .quick import quick_arguments as parse_options

#: ``live``'s options as its typer declarations have them (``netparse.cli.live.live_command``;
#: ``tests/test_live_fast.py`` checks they agree), read by :func:`netparse.cli.quick.quick_arguments`
OPTIONS: tuple[Option, ...] = (
    Option("output", ("--output", "-o"), "str", "table"),
    Option("state", ("--state",), "list:str", []),
    Option("port", ("--port",), "list:str", []),
    Option("proto", ("--proto",), "list:str", []),
    Option("pid", ("--pid",), "list:int", []),
    Option("unix", ("--unix",), "flag", False),
    Option("info", ("--info", "-i"), "flag", False),
    Option("owners", ("--owners/--no-owners",), "flag", True),
    Option("all_netns", ("--all-netns",), "flag", False),
    Option("source", ("--source",), "str", "auto"),
    Option("watch", ("--watch",), "float", None, 0.1),
    Option("count", ("--count",), "int", None, 1),
    Option("interval", ("--interval",), "float", 1.0, 0.0),
    Option("show_issues", ("--show-issues",), "flag", False),
    Option("proc", ("--proc",), "str", "/proc"),
    Option("textfile", ("--textfile",), "str", None),
    Option("csv_raw", ("--csv-raw",), "flag", False),
)

#: the outputs one sample is written in from rows
STREAMED = ("table", "json", "jsonl")


def quick_arguments(argv: list[str]) -> dict | None:
    """``live``'s arguments parsed without typer, as typer parses them, or None for anything the
    plain parse does not take as typer would (see :func:`netparse.cli.quick.quick_arguments`):
    typer then parses, and reports."""
    return parse_options(argv, OPTIONS)


def live_options(state: list[str], owners: bool, info: bool, all_netns: bool, source: str,
                 ports: "list[int] | None" = None) -> dict:
    """sample() keywords for the command's options: the states and ports filters are passed to
    the kernel."""
    states = None
    if state:
        resolved = {resolve_state(label) for label in state}
        states = None if None in resolved else resolved  # a bad label: the filter reports it
    return {"owners": owners, "info": info, "all_netns": all_netns, "source": source, "states": states,
            "ports": ports or None}


def sample_or_exit(proc: str = "/proc", unix: bool = False, **options):
    """One live sample (see :func:`netparse.live.collect.sample` for ``options``), or one line on
    stderr and ``SystemExit(1)`` when this machine's sockets cannot be read."""
    from ..live.collect import sample

    try:
        return sample(proc, unix, **options)
    except (OSError, subprocess_error()) as exc:
        err(f"cannot read this machine's sockets: {exc}")
        raise SystemExit(EXIT_INPUT) from None


def subprocess_error():
    """``subprocess.SubprocessError`` (a platform's netstat that failed), imported when needed."""
    import subprocess

    return subprocess.SubprocessError


def report(live, show_issues: bool, noted: set | None = None) -> None:
    """Attribution notice (only when it changes the answer, once per ``noted`` set) and issues
    (``live``: a LiveSample, or a Stream: its attribution and the /proc/net rows that did not read)."""
    att = live.attribution
    note = att.notice() if att is not None else None
    if note and (noted is None or "attribution" not in noted):
        err(note)
        if noted is not None:
            noted.add("attribution")
    if getattr(live, "issues", None):
        if show_issues:
            for issue in live.issues:
                sys.stderr.write(shown(f"line {issue.line}: {issue.kind}: {issue.reason}: {issue.text!r}") + "\n")
        else:
            not_understood(len(live.issues), "--show-issues lists them")


def _as_rows(rows: Iterable[dict]) -> Iterable[dict]:
    from ..live.stream import Row

    for row in rows:
        yield row if row.__class__ is Row else Row(row)


def stream_live(output: str, proc: str, unix: bool, keep, options: dict, show_issues: bool, by_owner: bool) -> bool:
    """One sample written from netlink rows (``output``: one of :data:`STREAMED`; flat memory for
    json lines; no pydantic, see :mod:`netparse.live.stream`), the same bytes as the records'
    path writes; False when netlink is not the source here (other namespaces asked for, another
    source chosen, netlink refused), before anything is written, so the caller samples the
    usual way. This machine's sockets unreadable: one line, ``SystemExit(1)``."""
    from ..live import stream as live_stream

    if options["all_netns"] or output not in STREAMED:
        return False
    try:
        if live_stream.choose_source(options["source"], proc) != "netlink":
            return False
        query = live_stream.Query(options["states"], options["ports"])
        rows = live_stream.Stream(proc, unix, owners=options["owners"], info=options["info"], query=query,
                                  keep=None if keep is keep_all else keep, by_owner=by_owner)
    except NetlinkError:
        return False  # refused: sample() falls back to /proc and says so
    except OSError as exc:  # an unknown --source too (SourceError), as sample() reports it
        err(f"cannot read this machine's sockets: {exc}")
        raise SystemExit(EXIT_INPUT) from None
    out = sys.stdout
    try:
        if output == "jsonl":
            write_rows(rows, out)
        elif output == "json":
            write_json((row_text(r) for r in rows), out)
        else:
            render_table(_as_rows(rows), out)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or output_error(exc):
            raise  # the output's, not the sockets': guarded() says so
        err(f"cannot read this machine's sockets: {exc}")
        raise SystemExit(EXIT_INPUT) from None
    out.flush()
    report(rows, show_issues)
    return True


def answer(argv: list[str]) -> bool:
    """``netparse live ARGV`` answered here (True), or False, before any output, for typer to
    parse and run (see the module docstring)."""
    values = quick_arguments(argv)
    if values is None or values["output"] not in STREAMED or values["watch"] is not None:
        return False
    if values["count"] not in (None, 1) or values["textfile"] is not None or values["all_netns"]:
        return False
    try:
        ports = port_numbers(values["port"])
        keep = socket_filter(values["state"], ports, values["proto"], values["pid"])
    except FilterError:
        return False  # a usage error: typer words it
    options = live_options(values["state"], values["owners"] or bool(values["pid"]), values["info"], False,
                           values["source"], ports)
    return stream_live(values["output"], values["proc"], values["unix"], keep, options, values["show_issues"],
                       bool(values["pid"]))


__all__ = ["OPTIONS", "STREAMED", "answer", "live_options", "quick_arguments", "report", "sample_or_exit",
           "stream_live", "subprocess_error"]
