"""The public functions. Everything here is re-exported from ``netparse``."""

from __future__ import annotations

import io
import os
from typing import IO, Any, Iterable, Iterator

from .inputs.decode import MAX_LINE, DecodedLines
from .inputs.source import open_source
from .model import ParseIssue, Snapshot, Socket, row_of
from .parser import LineParser, parse_lines, split_lines


def parse(
    text: str | bytes,
    format: str = "auto",
    strict: bool = False,
    encoding: str | None = None,
    max_line: int | None = MAX_LINE,
) -> Snapshot:
    """Parse one listing. ``format``: ``"auto"`` or a name from ``netparse formats``.

    Lenient (default): never raises on bad data; lines it cannot read are in ``Snapshot.issues``.
    ``strict=True``: raises :class:`netparse.ParseError` (with ``.line``) at the first such line.
    Bytes are decoded as :func:`netparse.decode.decode` decodes them (detected on the whole data,
    or ``encoding`` forced), through the same reader as :func:`parse_file`. A line longer than
    ``max_line`` (bytes; characters for ``str``; None: no limit) is an issue, not parsed.
    """
    if isinstance(text, (bytes, bytearray)):
        data = bytes(text)
        lines = DecodedLines(io.BytesIO(data), head_bytes=max(len(data), 1), encoding=encoding, max_line=max_line)
        snapshot = parse_lines(lines, format=format, strict=strict, max_line=max_line)
        snapshot.encoding = lines.encoding
        return snapshot
    return parse_lines(split_lines(text), format=format, strict=strict, max_line=max_line)


def parse_file(
    path: str | os.PathLike[str],
    format: str = "auto",
    strict: bool = False,
    encoding: str | None = None,
    max_line: int | None = MAX_LINE,
) -> Snapshot:
    """Parse a file: any encoding :mod:`netparse.decode` knows (or ``encoding`` forced),
    gzip/bzip2/xz compressed or not, read as a stream (pipes, FIFOs and ``/dev/fd/N`` too).
    ``"-"`` is standard input. A line longer than ``max_line`` bytes is cut and reported as an
    issue (memory stays bounded by it)."""
    source = open_source(os.fspath(path), encoding, max_line=max_line)
    try:
        snapshot = parse_lines(source.lines(), format=format, strict=strict, source=source.name, max_line=max_line)
    finally:
        source.close()
    snapshot.encoding = source.encoding
    return snapshot


def iter_records(
    lines: Iterable[str] | IO[str], format: str = "auto", strict: bool = False
) -> Iterator[Socket | ParseIssue]:
    """Stream records (and issues, in input order) from an iterable of lines, e.g. an open file
    or ``sys.stdin``; memory stays flat however long the input."""
    return LineParser(format=format, strict=strict).run(lines)


def iter_rows(
    lines: Iterable[str] | IO[str], format: str = "auto", strict: bool = False
) -> Iterator[dict[str, Any] | ParseIssue]:
    """Like :func:`iter_records`, without models: each record is a row, a ``dict`` of the
    ``Socket`` fields it sets (values typed as the model holds them: ``TcpState``, ``Family``,
    ints, strings; a missing key is ``None``); issues as ``ParseIssue``. Rows the grammars'
    kernels make are never validated or built as models (the fast path for counting and
    exporting); :func:`netparse.rows.socket_of` turns a row into its ``Socket``. Treat rows as
    read-only. (:meth:`Snapshot.iter_rows` gives the same rows of a parsed snapshot.)"""
    for item in LineParser(format=format, strict=strict).rows(lines):
        yield item if item.__class__ is ParseIssue else row_of(item)  # type: ignore[misc,arg-type]
