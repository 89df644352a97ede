"""Reading inputs as streams of text lines: files, ``-``/stdin, compressed files.

Decoding is :class:`netparse.decode.DecodedLines`: detected on the first block, then
incremental, so a file of any size is read with flat memory.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from .decode import DecodedLines

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


@dataclass
class TextSource:
    """Lines of one input, decoded by :class:`netparse.decode.DecodedLines` (encoding detected
    on the first block, code-page lines and mojibake repaired); ``encoding`` says what was used
    once reading has started, and is final when it ends."""

    name: str
    binary: IO[bytes]
    forced_encoding: str | None = None
    encoding: str | None = None
    _closed: bool = field(default=False, repr=False)

    def lines(self) -> Iterator[str]:
        decoded = DecodedLines(self.binary, encoding=self.forced_encoding)
        try:
            for line in decoded:
                self.encoding = decoded.encoding
                yield line
        finally:
            self.encoding = decoded.encoding
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self.binary is not sys.stdin.buffer:
                self.binary.close()


def open_source(path: str, encoding: str | None = None) -> TextSource:
    """``-`` is stdin; ``.gz``/``.bz2``/``.xz`` files are decompressed on the fly; ``encoding``
    forces a codec instead of detecting one."""
    if path == "-":
        return TextSource("<stdin>", sys.stdin.buffer, encoding)
    p = Path(path)
    opener = _OPENERS.get(p.suffix.lower())
    if opener is not None:
        return TextSource(str(p), opener(p, "rb"), encoding)  # type: ignore[operator]
    return TextSource(str(p), open(p, "rb"), encoding)
