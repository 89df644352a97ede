"""Socket records of many files as a Dask DataFrame: parse a fleet's logs where they lie.

    from netparse.dask import read_sockets
    df = read_sockets("s3://bucket/netstat/2026-11-*/**/*.log.gz", storage_options={"anon": False})
    df.groupby(["host", "state"]).size().compute()

:func:`read_sockets` takes a path, a glob, a directory (every file under it, as ``netparse``
expands them) or a list of those, local or any fsspec URL (``s3://``, ``gs://``, ``abfs://``,
``hdfs://``, ``http(s)://`` ... with the matching fsspec package installed). Each file is read
by Dask tasks on whichever workers run them: the file is opened through fsspec there,
decompressed by its magic bytes (gzip, bzip2, xz, zstd) and parsed with
:class:`netparse.logs.LogReader`, so only the records travel.

Partitions: one per file, or, for an uncompressed log larger than ``blocksize`` (64 MiB by
default; ``None``: never split), one per byte range of ``blocksize``, split at snapshot
boundaries. The records are exactly those of one :class:`~netparse.logs.LogReader` over the
whole file (same records, ``line`` numbers, ``snapshot`` numbers, timestamps and hosts), each
snapshot whole in exactly one partition. A partition holds consecutive snapshots: from the first
one its range's reader read in step with the whole file (see below; normally the first or second
snapshot that begins in the range, for the first range byte 0) to the one before where the next
reader takes over, read to their ends even past the range. (The snapshots that begin in a range
before its reader is in step were read in step by the reader before it, in its overlap, and stay
with it: a reader cannot tell how to read them without the lines before its range.) A range in
which no reader gets in step gives an empty partition. Not split (one partition each):

* compressed files (a gzip/bzip2/xz/zstd stream cannot be entered in the middle);
* UTF-16/UTF-32 files (detected as ``netparse`` does, or forced with ``encoding``): their lines
  are not found by their bytes;
* files whose first 64 KiB show no log (no timestamp, separator or host line and at most one
  snapshot): a single huge listing has no boundary to split at.

How a split file is read (exact, with no pass over the file before the tasks run; only the
size and first 64 KiB of a large file are read when the graph is built). A range reader starts at
the first line of its range with a fresh :class:`~netparse.logs.LogReader` and reads past the
range's end until ``OVERLAP`` (3) more snapshots have begun. On its own it cannot know what the
lines before its range left behind: the grammar and header columns in force, whether the log has
timestamp lines (then repeated headers do not cut snapshots), the day/month order of Windows
dates, the date a ``time /t`` line belongs to, the code page chosen for an earlier stray line,
a host name stated once at the top, how many lines and snapshots came before. So every reader
records, where each snapshot begins, its complete reading state there
(:class:`~netparse.logs.ReadState`), and one small task per file then works from these summaries:

* **Ownership**: reader 0 starts at byte 0, in the whole-file reader's state by definition. The
  file is handed over from one reader to the next at the first snapshot start both saw where
  their states are equal: from there on both read exactly what the whole-file reader reads. A
  reader that never gets in step is not used (its partition is empty) while the reader before it
  read past its range; if that one stopped too early, its last snapshot start is read on, in the
  state it recorded there (``LogReader(resume=...)``), by the small task itself: slower, still
  exact. So every snapshot is read once, by a reader in step, and belongs to one partition.
* **Snapshot numbers**: each owner's snapshots are numbered in file order after those of the
  owners before it (counts computed by the tasks and added up afterwards).
* **Line numbers**: each reader counts the lines that start in its byte range; a reader's
  ``line`` values are shifted by the lines of the ranges before it.
* **Hosts**: each reader notes which of its snapshots name a host in their own lines; every
  snapshot then gets what the whole-file reader gives it: its own host line, else the last one
  named earlier in the file (a host named once at the top reaches every partition), else the
  one from the file name.
* **Encodings**: every range is decoded with what was detected on the file's first 64 KiB, as
  the whole-file reader does, not on its own start.

The records of a split file are held by the workers until that file's small task has run.

Columns (``meta`` from the :class:`~netparse.model.Socket` schema): every Socket field (integers
as nullable ``Int64``, text as ``string``, ``truncated`` as ``boolean``; ``owners`` and ``extra``
as JSON text), then ``snapshot`` (Int64), ``timestamp`` (``datetime64[us]``, UTC when the log gave
an offset), ``host`` (from the log, else from the file name, as ``netparse timeline`` does) and
``file``. Needs ``dask[dataframe]`` (``pip install 'netparse[dask]'``).

On a cluster: start a ``dask.distributed`` ``Client`` (``Client("tcp://scheduler:8786")``) before
computing; the workers need netparse installed and access to the files (shared paths or the same
fsspec credentials).
"""

from __future__ import annotations

import bisect
import io
import json
import re
import sys
from array import array
from dataclasses import dataclass
from typing import Any, Iterable

from ..inputs.decode import DecodedLines, lines_by_bytes, reading_plan
from ..inputs.files import SKIPPED_SUFFIXES, decompressor, host_from_name, sniff
from ..inputs.source import TextSource
from ..logs.reader import LogReader
from ..model import Socket
from .parquet import column_kinds, to_timestamp

_PANDAS = {"str": "string", "int": "Int64", "float": "float64", "bool": "boolean", "owners": "string",
           "map": "string", "struct": "string", "timestamp": "datetime64[us]"}

#: the default byte range of a partition (``read_sockets(blocksize=...)``)
DEFAULT_BLOCKSIZE = 64 * 2**20
#: snapshots a range reader reads past its range's end: where the next reader can take over
OVERLAP = 3
#: what the encoding is detected on (``netparse.decode.DecodedLines`` reads this much first)
HEAD_BYTES = 64 * 1024

#: a line ends at \r\n, \n or a lone \r (as netparse.decode.DecodedLines and
#: netparse.parser.split_lines split lines)
_LINE_END = re.compile(rb"\r\n?|\n")
_PRIVATE = ("_offset",)


def columns() -> dict[str, str]:
    """Column -> pandas dtype."""
    kinds = column_kinds()
    dtypes = {name: _PANDAS[kind] for name, kind in kinds.items() if name != "file"}
    dtypes["host"] = "string"
    dtypes["file"] = "string"
    return dtypes


def meta():
    """The empty pandas DataFrame every partition matches."""
    import pandas as pd

    dtypes = columns()
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def expand_paths(paths_or_glob: str | Iterable[str], storage_options: dict | None = None) -> list[tuple[Any, str, str]]:
    """(filesystem, path, display name) for every file named; directories recurse (hidden files
    and notes skipped, as :func:`netparse.inputs.expand` does)."""
    import fsspec
    from fsspec.core import url_to_fs

    names = [paths_or_glob] if isinstance(paths_or_glob, str) else list(paths_or_glob)
    found: list[tuple[Any, str, str]] = []
    for name in names:
        fs, root = url_to_fs(name, **(storage_options or {}))
        if any(ch in root for ch in "*?["):
            paths = sorted(fs.glob(root))
        else:
            paths = [root]
        for path in paths:
            if fs.isdir(path):
                inner = sorted(p for p in fs.find(path) if not fs.isdir(p))
                inner = [p for p in inner if not any(part.startswith(".") for part in p.split("/"))
                         and not any(p.lower().endswith(s) for s in SKIPPED_SUFFIXES)]
            else:
                inner = [path]
            for p in inner:
                local = isinstance(fs, fsspec.implementations.local.LocalFileSystem)
                found.append((fs, p, p if local else fs.unstrip_protocol(p)))
    if not found:
        raise FileNotFoundError(f"no input matches {paths_or_glob!r}")
    return found


class _Records:
    """Column lists of the records read (a partition's frame in the making)."""

    def __init__(self, display: str, private: bool = False) -> None:
        self.display = display
        self.fields = list(Socket.model_fields)
        self.data: dict[str, list] = {name: [] for name in columns()}
        if private:
            self.data.update({name: [] for name in _PRIVATE})

    def add(self, block, item) -> None:
        data = self.data
        values = item.__dict__
        for name in self.fields:
            value = values[name]
            if name == "owners" and value is not None:
                value = json.dumps([o.model_dump() for o in value])
            elif name == "extra" and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            elif value is not None and hasattr(value, "model_dump_json"):  # tcp_info, memory ...: JSON text
                value = value.model_dump_json(exclude_none=True)
            elif value is not None and name in ("family", "state"):
                value = str(value.value if hasattr(value, "value") else value)
            data[name].append(value)
        data["snapshot"].append(block.index)
        stamp = to_timestamp(block.timestamp)
        if isinstance(stamp, int):  # beyond datetime's range in UTC: microseconds since 1970
            import pandas as pd

            stamp = pd.Timestamp(stamp, unit="us")
        data["timestamp"].append(stamp)
        data["host"].append(block.host)
        data["file"].append(self.display)

    def frame(self):
        import pandas as pd

        frame = pd.DataFrame(self.data)
        dtypes = columns()
        if "_offset" in self.data:
            dtypes.update(_offset="int64")
        if not len(frame):
            return meta().assign(**{name: pd.Series([], dtype=dtypes[name]) for name in _PRIVATE if name in self.data})
        return frame.astype(dtypes)


def read_partition(item: tuple[Any, str, str], format: str = "auto", encoding: str | None = None):
    """One whole file's records as a pandas DataFrame (a Dask task)."""
    fs, path, display = item
    records = _Records(display)
    raw = fs.open(path, "rb")
    try:
        head = raw.read(8)
        raw.seek(0)
        source = TextSource(display, decompressor(sniff(head), raw), encoding, raw=raw)
        for block, sock in LogReader(source, format=format).records():
            records.add(block, sock)
    finally:
        raw.close()
    return records.frame()


# ---------------------------------------------------------------------------- byte ranges


def split_ranges(
    item: tuple[Any, str, str], blocksize: int | None, format: str = "auto", encoding: str | None = None
) -> tuple[list[tuple[int, int]], tuple[str, str | None]] | None:
    """The byte ranges ``[start, end)`` a file is read in and the encoding detected on its first
    block, or None when it is one partition (not larger than ``blocksize``, compressed, UTF-16/32,
    or no log: see the module docstring). Reads the file's size and first 64 KiB."""
    fs, path, display = item
    if blocksize is None:
        return None
    size = fs.size(path)
    if size is None or size <= blocksize:
        return None
    with fs.open(path, "rb") as raw:
        head = raw.read(HEAD_BYTES)
    if sniff(head) is not None:
        return None
    detected = reading_plan(head)[:2]  # (encoding, code page) as detected on the file's first block
    if not lines_by_bytes(reading_plan(head, encoding, detected)[2]):
        return None
    # a log at all? what `netparse timeline` asks of a file: timestamp/separator/host lines or snapshots
    reader = LogReader(DecodedLines(io.BytesIO(head), encoding=encoding), name=display, format=format)
    for _ in reader:
        pass
    if not reader.is_log:
        return None
    return [(start, min(start + blocksize, size)) for start in range(0, size, blocksize)], detected


class _LineStarts:
    """A byte stream read from ``begin``, noting where each line starts as it is read:
    ``starts[i]`` is the offset in the file of the reader's line ``i + 1``."""

    def __init__(self, raw, begin: int) -> None:
        self.raw = raw
        self.starts = array("q", [begin])
        self.pos = begin
        self.cr = False  # the last byte read is a \r: a line starts after it unless a \n follows

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        if data:
            base, starts = self.pos, self.starts
            if self.cr and data[:1] != b"\n":
                starts.append(base)
            self.cr = False
            size = len(data)
            for m in _LINE_END.finditer(data):
                end = m.end()
                if end == size and data[-1:] == b"\r":
                    self.cr = True
                else:
                    starts.append(base + end)
            self.pos = base + size
        return data

    def count(self, end: int) -> int:
        """Lines that start before ``end`` (read so far)."""
        return bisect.bisect_left(self.starts, end)


def _first_line_start(raw, start: int) -> int | None:
    """Where the first line that starts at or after ``start`` starts; None: no line does."""
    if start == 0:
        return 0
    raw.seek(start - 1)
    base, buf = start - 1, b""
    while True:
        chunk = raw.read(HEAD_BYTES)
        buf += chunk
        m = _LINE_END.search(buf)
        if m is None:
            if not chunk:
                return None
            base, buf = base + len(buf), b""
        elif m.end() < len(buf) or m.group() != b"\r":
            return base + m.end() if (chunk or m.end() < len(buf)) else None
        elif not chunk:
            return None  # a \r that ends the file
        # else: a \r at the end of what was read: \r\n or a lone \r? read on


@dataclass
class _Start:
    """Where a snapshot begins, as one range reader saw it."""

    offset: int  # the byte offset of its first line
    line: int  # that line's number in the reader
    state: Any  # netparse.logs.ReadState
    host: str | None  # the host its own lines name


@dataclass
class _Summary:
    """What a range reader tells the file's plan."""

    count: int  # lines that start in the reader's byte range
    starts: list  # _Start of every snapshot it read to the end (or took a record of)
    eof: bool  # it read to the end of the file


def read_range(
    item: tuple[Any, str, str],
    start: int,
    end: int,
    detected: tuple[str, str | None] | None,
    format: str = "auto",
    encoding: str | None = None,
    synced: bool = False,
    resume=None,
    begin: int | None = None,
):
    """Read a file from its first line at or after ``start`` until ``OVERLAP`` snapshots have
    begun at or after ``end`` (a Dask task): (records with their snapshot's byte offset, summary).

    ``synced``: the reader starts in the whole-file reader's state (at byte 0, or at a snapshot
    start ``begin`` in the state ``resume``); an unsynced reader stops at ``end`` when no snapshot
    began before it, and its first block is not a snapshot start it can be handed over at."""
    fs, path, display = item
    records = _Records(display, private=True)
    data = records.data
    starts: list[_Start] = []
    raw = fs.open(path, "rb")
    try:
        if begin is None:
            begin = _first_line_start(raw, start)
        if begin is None or (not synced and begin >= end):
            return records.frame(), _Summary(0, [], False)
        raw.seek(begin)
        stream = _LineStarts(raw, begin)
        decoded = DecodedLines(
            stream,
            encoding=encoding,
            detected=None if begin == 0 else detected,
            late_codepage=resume.source if resume is not None else None,
        )
        reader = LogReader(
            decoded, name=display, format=format, track=lambda: decoded.late_codepage, resume=resume
        )
        offsets = stream.starts
        parser = reader.parser
        last = settled = None  # the last block an item came from, the last snapshot noted
        last_offset = 0
        own = synced  # a snapshot started in the range (an unsynced reader without one stops at end)
        beyond = 0
        eof = True
        for block, obj in reader:
            if block is not last:
                last = block
                last_offset = offsets[block.first_line - 1]
                if not own and block.first_line > 1 and last_offset < end:
                    own = True
            if obj is None or obj.__class__ is Socket:
                if block is not settled:
                    settled = block
                    if synced or block.first_line > 1:
                        host = block.host if block.host_named else None
                        starts.append(_Start(last_offset, block.first_line, block.state, host))
                        if last_offset >= end:
                            beyond += 1
                if obj is not None:
                    records.add(block, obj)
                    data["_offset"].append(last_offset)
            if parser.lineno and offsets[parser.lineno - 1] >= end:
                if not own:
                    starts = []  # nothing began here: the range belongs to the reader before
                    eof = False
                    break
                if beyond >= OVERLAP:
                    eof = False
                    break
        count = stream.count(end)
    finally:
        raw.close()
    return records.frame(), _Summary(count, starts, eof)


@dataclass
class _Part:
    """What one partition keeps of its reader's records, and their labels in the whole file."""

    snapshots: dict  # byte offset where a snapshot begins -> its number in the file
    hosts: dict  # byte offset where a snapshot begins -> its host
    line_shift: int  # lines before the reader's first line
    frame: Any = None  # the records of a reader the plan ran itself


@dataclass
class _Plan:
    parts: list  # _Part or None (nothing) per partition
    reruns: int  # readers the plan ran itself


def plan_file(
    item: tuple[Any, str, str],
    ranges: list[tuple[int, int]],
    summaries: list[_Summary],
    detected: tuple[str, str | None] | None,
    format: str = "auto",
    encoding: str | None = None,
) -> _Plan:
    """Which reader owns which snapshots of a split file, and their numbering (a Dask task; see
    the module docstring)."""
    n_parts = len(ranges)
    readers = list(summaries)
    bases = [0] * n_parts  # lines before each reader's first line
    total = 0
    for k, summary in enumerate(summaries):
        bases[k] = total
        total += summary.count
    frames: dict[int, Any] = {}
    segments: list[tuple[int, int, _Start | None]] = []  # (reader, from offset, start that ends it)
    cur, lo = 0, 0
    n = 1
    while n < n_parts:
        owner = readers[cur]
        first = max(lo, ranges[n][0])
        theirs = {s.offset: s for s in readers[n].starts}
        hit = None
        for s in owner.starts:
            if s.offset >= first:
                other = theirs.get(s.offset)
                if other is not None and other.state == s.state:
                    hit = s
                    if bases[cur] + s.line != bases[n] + other.line:
                        raise RuntimeError(f"{item[2]}: line numbers of two range readers disagree at byte {s.offset}")
                    break
        if hit is not None:
            segments.append((cur, lo, hit))
            cur, lo = n, hit.offset
        elif owner.eof:
            break  # the owner read to the end of the file
        elif n + 1 < n_parts and owner.starts[-1].offset >= ranges[n + 1][0]:
            pass  # the owner read past this range: what begins in it is the owner's
        else:
            # the owner stopped before any later reader got into step: read on from its last
            # snapshot start, in the state it recorded there
            last = owner.starts[-1]
            frames[n], readers[n] = read_range(
                item, ranges[n][0], ranges[n][1], detected, format, encoding, synced=True, resume=last.state,
                begin=last.offset,
            )
            bases[n] = bases[cur] + last.line - 1
            segments.append((cur, lo, last))
            cur, lo = n, last.offset
        n += 1
    segments.append((cur, lo, None))

    # every snapshot of the file, in order, with its owner: number them, and pass host names on as
    # LogReader does (a snapshot's own host line, else the host the one before had from the log)

    default = host_from_name(item[2])
    parts: list[_Part | None] = [None] * n_parts
    index = 0
    carried = None
    for k, lo, stop in segments:
        hi = stop.offset if stop is not None else sys.maxsize
        snapshots, hosts = {}, {}
        for s in readers[k].starts:
            if lo <= s.offset < hi:
                if s.host is not None:
                    carried = s.host
                snapshots[s.offset] = index
                hosts[s.offset] = carried if carried is not None else default
                index += 1
        parts[k] = _Part(snapshots, hosts, bases[k], frames.get(k))
    return _Plan(parts, len(frames))


def finish_range(frame, plan: _Plan, k: int):
    """Partition ``k`` of a split file: its reader's snapshots, renumbered (a Dask task)."""
    part = plan.parts[k]
    if part is None:
        return meta()
    if part.frame is not None:
        frame = part.frame
    frame = frame.loc[frame["_offset"].isin(list(part.snapshots))]
    if not len(frame):
        return meta()
    frame = frame.copy()
    frame["snapshot"] = frame["_offset"].map(part.snapshots).astype("Int64")
    frame["host"] = frame["_offset"].map(part.hosts).astype("string")
    frame["line"] += part.line_shift
    return frame.drop(columns=list(_PRIVATE)).reset_index(drop=True)


def read_sockets(
    paths_or_glob: str | Iterable[str],
    format: str = "auto",
    encoding: str | None = None,
    storage_options: dict | None = None,
    blocksize: int | str | None = DEFAULT_BLOCKSIZE,
):
    """A Dask DataFrame of the socket records of every file named: one partition per file, or per
    ``blocksize`` byte range of an uncompressed log larger than that (split at snapshot
    boundaries, exactly as one reader of the whole file reads it; see the module docstring).

    ``format``: as ``netparse --format`` (auto detects per file); ``encoding`` forces a codec;
    ``storage_options`` go to fsspec (credentials, endpoints); ``blocksize``: bytes (or ``"64MiB"``)
    per partition of a large file, None for one partition per file."""
    import dask
    import dask.dataframe as dd

    if isinstance(blocksize, str):
        from dask.utils import parse_bytes

        blocksize = parse_bytes(blocksize)
    if blocksize is not None and blocksize < 1:
        raise ValueError("blocksize must be a positive number of bytes or None")
    items = expand_paths(paths_or_glob, storage_options)
    parts = []
    for item in items:
        split = split_ranges(item, blocksize, format, encoding)
        if split is None:
            parts.append(dask.delayed(read_partition)(item, format, encoding))
            continue
        ranges, detected = split
        reads = [
            dask.delayed(read_range, nout=2)(item, start, end, detected, format, encoding, k == 0)
            for k, (start, end) in enumerate(ranges)
        ]
        plan = dask.delayed(plan_file)(item, ranges, [summary for _, summary in reads], detected, format, encoding)
        parts.extend(dask.delayed(finish_range)(frame, plan, k) for k, (frame, _) in enumerate(reads))
    return dd.from_delayed(parts, meta=meta(), verify_meta=False, prefix="netparse-read-sockets")
