"""Reading a command's named inputs, without typer: :class:`InputRun` (``parse``, ``summary``),
the one way reading problems become a message and an exit code (:func:`input_errors`,
:func:`expand_or_exit`: ``SystemExit``, the same code typer's ``Exit`` gave), and
``--byte-order`` (:func:`with_byte_order`). :mod:`netparse.cli.options` re-exports them for the
typer commands; :mod:`netparse.cli.parse_run` runs ``parse`` with them without building the
typer app."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from ..errors import InputError, InputSkipped, ParseError, UnknownFormatError
from .exits import EXIT_INPUT, EXIT_USAGE, err

if TYPE_CHECKING:  # pragma: no cover
    from ..inputs.source import TextSource
    from ..logs.reader import LogReader, LogSnapshot
    from ..model import ParseIssue, Socket


@contextmanager
def input_errors(name: str = "", skip: bool = False) -> Iterator[None]:
    """Reading problems become one stderr line and an exit code (``SystemExit``): an unknown
    ``--format`` is a usage error (2); an unreadable input (missing file, corrupt compressed data)
    or ``--strict`` meeting a bad line is an input error (1). Never a traceback. With ``skip``, an
    unreadable input raises :class:`~netparse.errors.InputSkipped` after its line instead (the
    caller goes on, exits 1 later)."""
    try:
        yield
    except UnknownFormatError as exc:
        err(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    except ParseError as exc:
        err(f"{name}: {exc}" if name else str(exc))
        raise SystemExit(EXIT_INPUT) from None
    except BrokenPipeError:
        raise  # the reader of our output went away: not a reading problem (run() ends quietly)
    except OSError as exc:
        where = getattr(exc, "filename", None) or name
        err(f"cannot read {where}: {exc.strerror or exc}" if where else f"cannot read input: {exc}")
        if skip:
            raise InputSkipped(where) from None
        raise SystemExit(EXIT_INPUT) from None


def expand_or_exit(files: list[str]) -> list[str]:
    """Globs and directories to file names (``-`` kept), or exit 1 naming what is missing."""
    from ..inputs.files import expand

    try:
        return expand(files)
    except InputError as exc:
        err(str(exc))
        raise SystemExit(EXIT_INPUT) from None


def with_byte_order(format: str, byte_order: str) -> str:
    """The grammar for ``--byte-order big`` (the word, or typer's ``ByteOrder.big``): /proc/net
    files of a big-endian host."""
    if byte_order == "big" and format in ("auto", "proc-net"):
        return "proc-net-be"
    return format


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
            raise SystemExit(EXIT_INPUT)
        if self.failed:
            raise SystemExit(EXIT_INPUT)


__all__ = ["InputRun", "expand_or_exit", "input_errors", "with_byte_order"]
