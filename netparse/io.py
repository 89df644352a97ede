"""Reading inputs as streams of text lines: files, ``-``/stdin, compressed files.

The encoding is detected from the first block of bytes (:func:`netparse.decode.detect_encoding`)
and the rest is decoded incrementally, so a file of any size is read with flat memory.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from .decode import detect_encoding

HEAD_BYTES = 64 * 1024
CHUNK = 1024 * 1024

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


@dataclass
class TextSource:
    """Lines of one input, decoded; ``encoding`` is known once the first line was read."""

    name: str
    binary: IO[bytes]
    encoding: str | None = None
    _closed: bool = field(default=False, repr=False)

    def lines(self) -> Iterator[str]:
        head = self.binary.read(HEAD_BYTES)
        self.encoding = detect_encoding(head)
        codec = {"utf-8-sig": "utf-8-sig"}.get(self.encoding, self.encoding)
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            # the BOM (if any) is consumed by skipping it explicitly
            for bom in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                if head.startswith(bom):
                    head = head[len(bom) :]
                    break
        pending = ""
        chunk = head
        while True:
            final = not chunk
            text = decoder.decode(chunk, final=final)
            if text:
                if "\r" in text:
                    if text.endswith("\r") and not final:
                        # keep a lone CR until we know whether LF follows
                        text, carry = text[:-1], "\r"
                    else:
                        carry = ""
                    text = text.replace("\r\n", "\n").replace("\r", "\n") + carry
                pending += text
                parts = pending.split("\n")
                pending = parts.pop()
                yield from parts
            if final:
                break
            chunk = self.binary.read(CHUNK)
        if pending:
            yield pending.rstrip("\r")
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self.binary is not sys.stdin.buffer:
                self.binary.close()


def open_source(path: str) -> TextSource:
    """``-`` is stdin; ``.gz``/``.bz2``/``.xz`` files are decompressed on the fly."""
    if path == "-":
        return TextSource("<stdin>", sys.stdin.buffer)
    p = Path(path)
    opener = _OPENERS.get(p.suffix.lower())
    if opener is not None:
        return TextSource(str(p), opener(p, "rb"))  # type: ignore[operator]
    return TextSource(str(p), open(p, "rb"))
