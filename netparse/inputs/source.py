"""Reading inputs as streams of text lines: files, ``-``/stdin, compressed files.

Decoding is :class:`netparse.decode.DecodedLines`: detected on the first block, then
incremental, so a file of any size is read with flat memory. Opening (stdin, compression) is
:func:`netparse.inputs.open_binary`.
"""

from __future__ import annotations

import lzma
import sys
import zlib
from dataclasses import dataclass, field
from typing import IO, Iterator

from ..errors import InputReadError
from .decode import MAX_LINE, DecodedLines


_DECOMPRESSION_ERRORS = (EOFError, zlib.error, lzma.LZMAError)  # bz2 raises OSError already


def _decompression_errors() -> tuple[type[BaseException], ...]:
    """The errors of a corrupt or cut compressed input; zstandard's own type only once a zstd
    input imported it (an ``except`` clause evaluates this when an exception is matched, so an
    uncompressed input never imports zstandard)."""
    zstd = sys.modules.get("zstandard")
    return _DECOMPRESSION_ERRORS + ((zstd.ZstdError,) if zstd is not None else ())


@dataclass
class TextSource:
    """Lines of one input, decoded by :class:`netparse.decode.DecodedLines` (encoding detected
    on the first block, code-page lines and mojibake repaired); ``encoding`` says what was used
    once reading has started, and is final when it ends."""

    name: str
    binary: IO[bytes]
    forced_encoding: str | None = None
    encoding: str | None = None
    #: the input as stored (compressed bytes for a compressed file) and its size, for progress
    raw: IO[bytes] | None = field(default=None, repr=False)
    size: int | None = None
    #: the line limit (bytes): longer lines are cut and flagged (:class:`~netparse.inputs.decode.DecodedLines`)
    max_line: int | None = MAX_LINE
    _closed: bool = field(default=False, repr=False)

    def position(self) -> int:
        """Bytes of the stored input read so far (compressed bytes for a compressed file)."""
        try:
            return (self.raw or self.binary).tell()
        except (OSError, ValueError, AttributeError):
            return 0

    def lines(self) -> Iterator[str]:
        decoded = DecodedLines(self.binary, encoding=self.forced_encoding, max_line=self.max_line)
        try:
            for line in decoded:
                self.encoding = decoded.encoding
                yield line
        except _decompression_errors() as exc:
            # a corrupt or cut compressed file: one kind of error (an OSError) for every caller
            raise InputReadError(f"corrupt or truncated compressed data ({exc})", self.name) from None
        finally:
            self.encoding = decoded.encoding
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self.binary is not sys.stdin.buffer:
                self.binary.close()
            if self.raw is not None and self.raw is not sys.stdin.buffer:
                self.raw.close()


def open_source(path: str, encoding: str | None = None, max_line: int | None = MAX_LINE) -> TextSource:
    """``-`` is stdin; gzip, bzip2, xz (and zstd with the ``zstandard`` package) are decompressed
    on the fly, recognised by their magic bytes (:func:`netparse.inputs.open_binary`: by peeking,
    so pipes, FIFOs and ``/dev/fd/N`` work too); ``encoding`` forces a codec instead of
    detecting one; ``max_line``: the line limit in bytes (None: none)."""
    from .files import open_binary

    name, binary, raw, size = open_binary(path)
    return TextSource(name, binary, encoding, raw=raw, size=size, max_line=max_line)
