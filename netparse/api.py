"""The public functions. Everything here is re-exported from ``netparse``."""

from __future__ import annotations

import os
from typing import IO, Iterable, Iterator

from .inputs.decode import decode
from .inputs.source import open_source
from .model import ParseIssue, Snapshot, Socket
from .parser import LineParser, parse_lines, split_lines


def parse(text: str | bytes, format: str = "auto", strict: bool = False, encoding: str | None = None) -> Snapshot:
    """Parse one listing. ``format``: ``"auto"`` or a name from ``netparse formats``.

    Lenient (default): never raises on bad data; lines it cannot read are in ``Snapshot.issues``.
    ``strict=True``: raises :class:`netparse.ParseError` (with ``.line``) at the first such line.
    Bytes are decoded by :func:`netparse.decode.decode` (detected, or ``encoding`` forced).
    """
    used = None
    if isinstance(text, (bytes, bytearray)):
        text, used = decode(bytes(text), encoding=encoding)
    return parse_lines(split_lines(text), format=format, strict=strict, encoding=used)


def parse_file(
    path: str | os.PathLike[str], format: str = "auto", strict: bool = False, encoding: str | None = None
) -> Snapshot:
    """Parse a file: any encoding :mod:`netparse.decode` knows (or ``encoding`` forced),
    gzip/bzip2/xz compressed or not, read as a stream. ``"-"`` is standard input."""
    source = open_source(os.fspath(path), encoding)
    try:
        snapshot = parse_lines(source.lines(), format=format, strict=strict, source=source.name)
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
