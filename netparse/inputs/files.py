"""Naming inputs and opening them: files, globs, directories (recursing), ``-``; compressed files.

* :func:`expand` turns command-line arguments into the list of inputs to read: ``-`` stays
  standard input; an existing file is itself; a directory is every file under it (recursively,
  sorted, hidden files and files that are obviously not listings skipped: ``.note``, ``.md``,
  ``.json``, ``.svg`` ...); anything else with ``* ? [`` is a glob (``**`` recurses). A name that
  matches nothing is an :class:`InputError`.
* :func:`open_binary` opens one input as a stream of (decompressed) bytes. Compression is
  recognised by its magic bytes, so a misnamed file or a compressed pipe (``cat x.gz |
  netparse timeline``) is read too: gzip (also several members, as ``>>`` appends make), bzip2,
  xz/lzma, and zstd when the optional ``zstandard`` package is installed. The magic bytes are
  peeked at, never sought back over: pipes, ``<(...)`` (``/dev/fd/N``), FIFOs (read like a pipe:
  opening one waits for its writer, as ``cat`` does), sockets passed as ``/dev/fd/N`` and
  character devices are read like files. Bytes after the last complete gzip member that are not
  gzip data are left out with a note (``notices``), the members before them are kept.

Directory walks and globs take regular files only (a FIFO, socket or device found under a
directory is skipped: opening a FIFO nobody writes would wait for ever) and follow no symlink
loop (each real directory is walked once).
"""

from __future__ import annotations

import bz2
import io
import lzma
import os
import re
import stat
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
            files = _glob(name)
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


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(folder: Path, visited: set[str] | None = None) -> list[str]:
    """Regular files under ``folder``, in path order (a folder's files and subfolders sorted
    together). Symlinks to directories are followed, but each real directory is walked once
    (``visited``: real paths), so a link to ``.`` or to a parent ends."""
    visited = set() if visited is None else visited
    files = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = [d for d in dirs if not d.startswith(".") and os.path.realpath(os.path.join(root, d)) not in visited]
        for n in names:
            if n.startswith(".") or Path(n).suffix.lower() in SKIPPED_SUFFIXES:
                continue
            full = os.path.join(root, n)
            if _is_regular(full):  # not a FIFO, socket or device
                files.append(full)
    return sorted(files, key=lambda f: Path(f).parts)


def _glob(pattern: str) -> list[str]:
    """Regular files matching ``pattern`` (``**``: any depth), directories among the matches
    walked. Unlike :func:`glob.glob` (which follows a symlink loop under ``**`` until the path is
    too long: exponential), each real directory is entered once."""
    pattern = os.path.normpath(pattern)
    parts = pattern.split(os.sep)
    if pattern.startswith(os.sep):
        roots, parts = [os.sep], parts[1:]
    else:
        roots = [os.curdir]
    # the literal leading part is one directory to start from
    while parts and not GLOB_CHARS & set(parts[0]) and len(parts) > 1:
        roots = [os.path.join(roots[0], parts[0])]
        parts = parts[1:]
    found: list[str] = []
    seen: set[str] = set()
    visited: set[str] = set()
    expanded: set[tuple[str, int]] = set()  # (real directory, parts left): each done once

    def strip(path: str) -> str:
        return path[len(os.curdir + os.sep) :] if not pattern.startswith(os.curdir) and path.startswith(os.curdir + os.sep) else path

    def match(base: str, rest: list[str], entered: frozenset[str]) -> None:
        if not rest:
            full = strip(base)
            if os.path.isdir(base):
                for f in _walk(Path(full), visited):
                    if f not in seen:
                        seen.add(f)
                        found.append(f)
            elif _is_regular(base) and full not in seen:
                seen.add(full)
                found.append(full)
            return
        head, tail = rest[0], rest[1:]
        if head == "**":
            match(base, tail, entered)  # zero directories
            try:
                names = sorted(os.listdir(base))
            except OSError:
                return
            for n in names:
                sub = os.path.join(base, n)
                if n.startswith(".") or not os.path.isdir(sub):
                    continue
                real = os.path.realpath(sub)
                if real in entered or (real, len(rest)) in expanded:
                    continue  # a symlink loop, or a directory already searched for the same parts
                expanded.add((real, len(rest)))
                match(sub, rest, entered | {real})
            return
        if not GLOB_CHARS & set(head):
            sub = os.path.join(base, head)
            if os.path.lexists(sub):
                match(sub, tail, entered)
            return
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return
        rx = re.compile(fnmatch_translate(head))
        for n in names:
            if (n.startswith(".") and not head.startswith(".")) or not rx.match(n):
                continue
            match(os.path.join(base, n), tail, entered)

    for root in roots:
        if os.path.isdir(root) or not parts:
            match(root, parts, frozenset({os.path.realpath(root)}))
    return sorted(found, key=lambda f: Path(f).parts)


def fnmatch_translate(pattern: str) -> str:
    import fnmatch

    return fnmatch.translate(pattern)


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


class _GzipMembers(io.RawIOBase):
    """The decompressed bytes of gzip members one after another (``gzip``, ``cat a.gz b.gz``,
    ``>>`` appends), as :mod:`gzip` reads them (zero padding after a member is skipped), except
    that bytes after a complete member that are not gzip data (a cut upload, a log appended to
    the archive) end the stream with one note in ``notices`` rather than an error for the whole
    file: the members before them are kept. Input that ends inside a member raises ``EOFError``
    and corrupt data ``zlib.error``, as :mod:`gzip` does. Output comes in bounded pieces."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._obj = None  # the member being read (None: between members)
        self._input = b""
        self._members = 0
        self._done = False
        self.notices: list[str] = []

    def readable(self) -> bool:
        return True

    def _more(self) -> bool:
        chunk = self._raw.read(1 << 16)
        if not chunk:
            return False
        self._input += chunk
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        import zlib

        while not self._done:
            if self._obj is None:  # between members: another one, zero padding, the end or garbage
                self._input = self._input.lstrip(b"\x00")
                if len(self._input) < 2 and not self._more():
                    if self._input and self._members:  # one stray byte
                        self._garbage()
                        continue
                    if self._input:
                        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                    self._done = True
                    break
                if len(self._input) < 2:
                    continue
                if not self._input.startswith(b"\x1f\x8b"):
                    if not self._members:
                        raise zlib.error("not gzip data")
                    self._garbage()
                    continue
                self._obj = zlib.decompressobj(31)
            if not self._input and not self._more():
                raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            out = self._obj.decompress(self._input, len(buffer))
            self._input = self._obj.unconsumed_tail
            if self._obj.eof:
                self._input = self._obj.unused_data + self._input
                self._obj = None
                self._members += 1
            if out:
                buffer[: len(out)] = out
                return len(out)
        return 0

    def _garbage(self) -> None:
        size = len(self._input)
        head = self._input[:16]
        while True:  # counted, not kept
            chunk = self._raw.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
        self._input = b""
        self._done = True
        self.notices.append(
            f"{size} bytes after gzip member {self._members} are not gzip data (starting {head!r}): left out"
        )


class _NotedReader(io.BufferedReader):
    """A buffered stream that passes on the ``notices`` of the stream it reads."""

    @property
    def notices(self) -> list[str]:
        return getattr(self.raw, "notices", [])


def decompressor(kind: str | None, raw: IO[bytes]) -> IO[bytes]:
    """A stream of the decompressed bytes of ``raw`` (``raw`` itself when ``kind`` is None)."""
    if kind is None:
        return raw
    if kind == "gzip":
        return _NotedReader(_GzipMembers(raw), buffer_size=1 << 20)  # type: ignore[return-value]
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


class _Prefixed(io.RawIOBase):
    """``head`` (bytes already read from ``raw``) and then the rest of ``raw``: a stream peeked
    into without seeking (pipes, FIFOs, sockets)."""

    def __init__(self, head: bytes, raw: IO[bytes], close_raw: bool = True) -> None:
        self._head = head
        self._raw = raw
        self._close_raw = close_raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._raw.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        return len(data)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        super().close()
        if self._close_raw:
            self._raw.close()


def _peek(raw: IO[bytes], n: int = 8, close_raw: bool = True) -> tuple[bytes, IO[bytes]]:
    """The first ``n`` bytes of ``raw`` (fewer at its end) and a stream that still starts with
    them: peeked in the buffer, or read and put in front again; never sought."""
    peek = getattr(raw, "peek", None)
    head = b""
    if peek is not None:
        head = peek(n)[:n]
        if len(head) >= n or not head:
            return head, raw  # enough, or at the end (peek returns b"" only there)
    head = raw.read(n)
    while len(head) < n:  # a pipe may give a few bytes at a time
        more = raw.read(n - len(head))
        if not more:
            break
        head += more
    return head, io.BufferedReader(_Prefixed(head, raw, close_raw), buffer_size=1 << 16)  # type: ignore[return-value]


_FD_PATH = re.compile(r"^/(?:dev|proc/self)/fd/(\d+)$")


def _open_path(path: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        # /dev/fd/N of a socket (``netparse <(...)`` from some shells, inetd-style use) cannot be
        # opened by name on Linux: use the descriptor itself
        m = _FD_PATH.match(path)
        if m is None or exc.errno not in (6, 95):  # ENXIO, EOPNOTSUPP
            raise
        return os.fdopen(os.dup(int(m.group(1))), "rb")


def open_binary(name: str) -> tuple[str, IO[bytes], IO[bytes], int | None]:
    """Open one input: (display name, decompressed byte stream, stored byte stream, stored size).

    ``-`` is standard input. Compression is sniffed by peeking (nothing is sought back, so
    pipes and FIFOs work); the size is that of a regular file (None for the others)."""
    if name == "-":
        if sys.stdin is None:  # started with standard input closed ('<&-')
            raise InputError("standard input is closed")
        raw: IO[bytes] = sys.stdin.buffer
        head, stream = _peek(raw, close_raw=False)
        return "<stdin>", decompressor(sniff(head), stream), stream, None
    raw = _open_path(name)
    try:
        st = os.fstat(raw.fileno())
        head, stream = _peek(raw)
        binary = decompressor(sniff(head), stream)
        return str(Path(name)), binary, stream, st.st_size if stat.S_ISREG(st.st_mode) else None
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
