"""Naming inputs and opening them: files, globs, directories (recursing), ``-``; compressed files.

* :func:`expand` turns command-line arguments into the list of inputs to read: ``-`` stays
  standard input; an existing file is itself; a directory is every file under it (recursively,
  sorted, hidden files and files that are obviously not listings skipped: ``.note``, ``.md``,
  ``.json``, ``.svg`` ...); anything else with ``* ? [`` is a glob (``**`` recurses). A name that
  matches nothing is an :class:`InputError`.
* :func:`open_binary` opens one input as a stream of (decompressed) bytes. Compression is
  recognised by its magic bytes, so a misnamed file or a compressed pipe (``cat x.gz |
  netparse timeline``) is read too: gzip (also several members, as ``>>`` appends make), bzip2,
  xz/lzma, and zstd when the optional ``zstandard`` package is installed.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
import sys
from pathlib import Path
from typing import IO, Sequence
from ..errors import InputError

#: magic bytes -> compression
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
#: name suffixes of compressed files (also stripped to name a host after its file)
COMPRESSED_SUFFIXES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".lzma": "xz", ".zst": "zstd", ".zstd": "zstd"}
#: files a directory walk leaves out: notes, documents, data and pictures netparse writes or
#: keeps beside logs, scripts
SKIPPED_SUFFIXES = frozenset(
    ".note .md .rst .html .htm .svg .png .jpg .jpeg .gif .pdf .json .jsonl .yaml .yml .toml .csv .py .sh .ps1"
    " .bat .cmd .pyc".split()
)
GLOB_CHARS = frozenset("*?[")


def expand(names: Sequence[str]) -> list[str]:
    """Command-line input names -> the inputs to read, in order (see the module docstring).
    No names at all means standard input."""
    out: list[str] = []
    for name in names or ["-"]:
        if name == "-":
            out.append(name)
            continue
        path = Path(name)
        if path.is_dir():
            found = _walk(path)
            if not found:
                raise InputError(f"no file to read in directory {name}")
            out.extend(found)
        elif path.exists() or not GLOB_CHARS & set(name):
            out.append(name)  # a missing plain name is reported when it is opened
        else:
            matches = sorted(m for m in glob.glob(name, recursive=True))
            files: list[str] = []
            for m in matches:
                files.extend(_walk(Path(m)) if Path(m).is_dir() else [m])
            if not files:
                raise InputError(f"no file matches {name}")
            out.extend(files)
    # the same file named twice (a glob and a directory) is read once
    seen: set[str] = set()
    unique = []
    for name in out:
        key = name if name == "-" else os.path.realpath(name)
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def _walk(folder: Path) -> list[str]:
    """Files under ``folder``, in path order (a folder's files and subfolders sorted together)."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for n in names:
            if n.startswith(".") or Path(n).suffix.lower() in SKIPPED_SUFFIXES:
                continue
            files.append(os.path.join(root, n))
    return sorted(files, key=lambda f: Path(f).parts)


def sniff(head: bytes) -> str | None:
    """The compression the first bytes of a stream show, or None."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


class _ZstdFrames(io.RawIOBase):
    """The decompressed bytes of zstd frames one after another (``zstd``, ``cat a.zst b.zst``,
    ``... | zstd >> log.zst``), read as they come. Input that ends inside a frame raises
    ``EOFError``, as Python's gzip, bz2 and lzma readers do: zstandard's own stream reader returns
    what it has and says nothing, so a cut file would be read as if it were whole.

    A decompression object returns all the output of the input it is given, and zstd can turn a
    few bytes into 128 KiB (a run of zeros: 1 GiB compresses to 32 KiB), so the input goes in
    ``PIECE``-byte pieces (at most ~8 MiB of output each) until enough output is there: memory
    stays flat whatever the data; decompression still runs at several hundred MiB/s."""

    PIECE = 256
    ENOUGH = 256 * 1024

    def __init__(self, raw: IO[bytes], decompressor) -> None:
        self._raw = raw
        self._new = decompressor.decompressobj
        self._obj = self._new()
        self._in_frame = False  # bytes of a frame were fed and its end has not come yet
        self._input = memoryview(b"")
        self._out = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._pos >= len(self._out):
            self._out, self._pos = self._decompress(), 0
            if not self._out:
                return 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos : self._pos + n]
        self._pos += n
        return n

    def _decompress(self) -> bytes:
        """The next output (empty at the end of the input)."""
        out: list[bytes] = []
        size = 0
        while size < self.ENOUGH:
            if not self._input:
                chunk = self._raw.read(1 << 16)
                if not chunk:
                    if self._in_frame:
                        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                    break
                self._input = memoryview(chunk)
            piece, self._input = self._input[: self.PIECE], self._input[self.PIECE :]
            while piece:
                if self._obj.eof:
                    self._obj = self._new()  # the next frame
                data = self._obj.decompress(piece)
                out.append(data)
                size += len(data)
                piece = memoryview(self._obj.unused_data) if self._obj.eof else b""
            self._in_frame = not self._obj.eof
        return b"".join(out)


def decompressor(kind: str | None, raw: IO[bytes]) -> IO[bytes]:
    """A stream of the decompressed bytes of ``raw`` (``raw`` itself when ``kind`` is None)."""
    if kind is None:
        return raw
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    if kind == "zstd":
        try:
            import zstandard  # optional dependency
        except ImportError:
            raise InputError("reading zstd needs the zstandard package (pip install zstandard)") from None
        return io.BufferedReader(_ZstdFrames(raw, zstandard.ZstdDecompressor()), buffer_size=1 << 20)  # type: ignore[return-value]
    raise ValueError(f"unknown compression {kind!r}")


def open_binary(name: str) -> tuple[str, IO[bytes], IO[bytes], int | None]:
    """Open one input: (display name, decompressed byte stream, stored byte stream, stored size).

    ``-`` is standard input (its compression is sniffed without consuming it)."""
    if name == "-":
        if sys.stdin is None:  # started with standard input closed ('<&-')
            raise InputError("standard input is closed")
        raw: IO[bytes] = sys.stdin.buffer
        peek = getattr(raw, "peek", None)
        head = peek(8)[:8] if peek is not None else b""
        return "<stdin>", decompressor(sniff(head), raw), raw, None
    path = Path(name)
    raw = open(path, "rb")
    try:
        head = raw.read(8)
        raw.seek(0)
        binary = decompressor(sniff(head), raw)
        return str(path), binary, raw, os.fstat(raw.fileno()).st_size
    except BaseException:
        raw.close()
        raise


#: file names that say what a file holds rather than which host it is from: the host is then
#: the directory's name (logs/web01/netstat.log -> web01)
GENERIC_STEMS = frozenset(
    "netstat ss sockets socket connections conns log logs output out capture captures data listing".split()
)


def host_from_name(name: str) -> str | None:
    """A host name for a file when its log names none: the file name without log/compression
    suffixes (``web01.log.gz`` -> ``web01``; ``web01.log.1`` -> ``web01``), or the folder's name
    when the file name is generic (``web01/netstat.log`` -> ``web01``). None for stdin."""
    if name in ("-", "<stdin>"):
        return None
    path = Path(name)
    stem = path.name
    while True:
        lower = stem.lower()
        suffix = Path(lower).suffix
        if suffix in COMPRESSED_SUFFIXES or suffix in (".log", ".txt", ".out") or (suffix[1:].isdigit() and suffix):
            stem = stem[: -len(suffix)]
            continue
        break
    if not stem or stem.lower() in GENERIC_STEMS or any(stem.lower().startswith(g + sep) for g in ("netstat", "ss") for sep in "-_."):
        parent = path.parent.name
        if parent and parent not in (".", ".."):
            return parent
    return stem or None
