"""Server logs: one file (or stream) holding many listings, cut into snapshots as it streams.

A cron job that writes ``date; netstat -an`` every minute, ``while sleep 10; do echo "===
$(date -Is)"; ss -tan; done``, a Windows ``date /t & time /t & netstat -ano`` loop, OSWatcher
archives, ``netstat -c``: :class:`LogReader` reads such a log line by line through one
:class:`~netparse.parser.LineParser` (so line numbers are the file's and the parser keeps its
grammar across snapshots) and says which snapshot every record belongs to.

A new snapshot starts

* at a **timestamp line** (:func:`parse_stamp`): ``date`` output in the C locale (``Tue Nov 24
  19:11:04 UTC 2026``, also day-first and ``date -R`` forms), ISO 8601 with or without a zone
  (``2026-11-24T19:11:04+00:00``, ``2026-11-24 19:11:04``), epoch seconds (``1795633864``),
  Windows ``date /t`` + ``time /t`` pairs in any short-date order (``Tue 11/24/2026`` + ``07:11
  PM``, German ``Di 24.11.2026`` + ``19:11``, ``2026/11/24`` ...), with a prefix such as
  ``Timestamp:``, ``Date:``, ``# `` or OSWatcher's ``zzz ***``;
* at a **separator line**: ``=== 2026-11-24 19:11 ===``, ``----- host1 -----``, ``---``;
* at a **host line**: ``hostname`` output (one bare host name), ``host: web01``;
* where a **title or header reappears** after records (``netstat -c``, header-only loops) —
  only in files without timestamp lines (with them, one snapshot's commands may print several
  headers: ``date; ss -tan; ss -uan``), and only when the first record after it is of the same
  protocol and address family as the snapshot's first record (BSD ``netstat -a -p udp`` prints
  its title again before the udp6 rows of the same run).

Lines before a snapshot's first listing line (its timestamp, host and separator lines) belong to
it; one timestamp line directly after another replaces it (``=== 2026-11-24 ===`` then
``date``); a block with no listing line at all (a ``date`` and nothing else) is no snapshot.
Each snapshot knows its ``timestamp`` (timezone-aware when the log says the zone: a zone
abbreviation such as UTC or CET, an offset, ``Z``, or epoch seconds), its ``host`` (from the log,
else from the file name: :func:`netparse.inputs.host_from_name`) and where it starts (``source``,
``first_line``). Memory is flat: the reader holds no records.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Iterator

from ..grammars import get
from ..inputs.files import host_from_name
from ..inputs.source import open_source
from ..collector import collector_paused
from ..model import ParseIssue, Snapshot, Socket
from ..parser import (
    LISTING_KINDS,
    LineParser,
    found_listing,
    split_lines,
)
from .stamps import Stamp, date_order, parse_stamp, strip_prefix

# ---------------------------------------------------------------------------- other log lines

_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?"
_HOST_LINE = re.compile(
    rf"^(?:(?P<key>host(?:\s*name)?)(?:\s*[:=]\s*|\s+))?(?P<host>{_HOST})$", re.I
)
#: separator runs: === ..., ----- ..., ***, ~~~, +++, ###, >>> ...
_SEPARATOR = re.compile(r"^(?P<fill>([=\-*~+_#<>])\2{2,})\s*(?P<inner>.*?)\s*(?:[=\-*~+_#<>]{2,})?\s*$")
#: one-word lines that are not host names
_NOT_HOSTS = frozenset(
    "ok done end start begin output none null true false error failed yes no pm am tcp udp tcp6 udp6 listen "
    "listening established proto active netstat ss date time hostname".split()
)


@dataclass(frozen=True)
class LogLine:
    """What a line of a log says: a timestamp, a host, a separator (``kind`` is how the parser
    counts the line: ``timestamp``, ``hostname`` or ``separator``)."""

    kind: str
    stamp: Stamp | None = None
    host: str | None = None


def _host_token(text: str) -> str | None:
    m = _HOST_LINE.match(text)
    if not m:
        return None
    host = m["host"].rstrip(".")
    if not any(ch.isalpha() for ch in host) or (m["key"] is None and host.lower() in _NOT_HOSTS):
        return None
    if m["key"] is None and re.fullmatch(r"[A-Za-z]{1,2}", host):
        return None
    return host


def classify(line: str, order_hint: str | None = None) -> LogLine | None:
    """What ``line`` says as a log line, or None when it is none of those."""
    s = line.strip()
    if not s or len(s) > 160:
        return None
    m = _SEPARATOR.match(s)
    if m:
        inner = m["inner"].strip()
        fill = m["fill"][0]
        if not inner:
            return None if fill in "#<>" else LogLine("separator")
        stamp = parse_stamp(inner, order_hint)
        if stamp is not None:
            return LogLine("separator", stamp=stamp)
        host = _host_token(inner)
        if host is not None:
            return LogLine("separator", host=host)
        for host_text, stamp_text in _splits(inner):
            host = _host_token(host_text)
            stamp = parse_stamp(stamp_text, order_hint) if host else None
            if host and stamp:
                return LogLine("separator", stamp=stamp, host=host)
        if fill in "=-*~":
            return LogLine("separator")  # '==== CURRENT TIME:', '----- sample 3 -----'
        return None
    stamp = parse_stamp(s, order_hint)
    if stamp is not None:
        return LogLine("timestamp", stamp=stamp)
    host = _host_token(s)
    if host is not None:
        return LogLine("hostname", host=host)
    return None


def _splits(inner: str) -> Iterator[tuple[str, str]]:
    """(host part, timestamp part) ways to read 'web01 2026-11-24 19:11' / '2026-11-24 19:11 @ web01'."""
    m = re.match(r"^(\S+?)\s*(?:[-@|:,]\s+|\s+)(.+)$", inner)
    if m:
        yield m.group(1), m.group(2)
    m = re.match(r"^(.+?)\s*(?:\s+[-@|:,]|\s+(?:on|at|from))?\s+(\S+)$", inner)
    if m:
        yield m.group(2), m.group(1)


# ---------------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class ReadState:
    """Everything, besides the lines still to come, that decides how a :class:`LogReader` reads
    the rest of its input, as it stands where a block starts (``LogReader(track=...)`` records it
    on every block). Two readers of the same file that are in equal states where the same block
    starts read everything after it the same way: same records, same snapshots, same timestamps.
    ``netparse.dask`` splits a large log into byte ranges on that: a range reader takes over from
    the one before it at the first block where their states agree. (Host names are labels, not
    state: a block's host is its own ``host_named`` one, else the one before it passed on.)"""

    #: the parser's active grammar and its context (titles and headers set it; rows may add to it)
    grammar: str | None
    context: Any
    #: a timestamp line was seen (repeated headers no longer cut snapshots)
    stamped: bool
    #: the day/month order Windows short dates settled on
    order: str | None
    #: the last timestamp (what a time-only line such as ``time /t`` is dated by)
    last_stamp: datetime | None
    #: the line source's own state (``track()``: the decoder's)
    source: Any = None


@dataclass(eq=False)
class LogSnapshot:
    """Where one snapshot of a log is and what the log says about it. ``index`` counts the
    snapshots of one input from 0; ``line_counts``/``formats``/``last_line`` are final once the
    snapshot has ended."""

    source: str
    first_line: int
    host: str | None = None
    host_from: str | None = None  # "log" or "file"
    timestamp: datetime | None = None
    stamp_kind: str | None = None  # full, date or time
    index: int = -1
    last_line: int = 0
    records: int = 0
    line_counts: dict[str, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    #: (proto, family) of the first record: a title that comes again before records of another
    #: family is the next section of the same run (BSD netstat), not a new snapshot
    first_kind: tuple | None = None
    tentative: bool = False
    _base: Counter = field(default_factory=Counter, repr=False)
    _base_formats: Counter = field(default_factory=Counter, repr=False)
    _seen: set = field(default_factory=set, repr=False)

    #: the grammar the parser was in when the snapshot ended (its format when it has no record)
    grammar: str | None = None
    #: the reader's state where the snapshot starts (only with ``LogReader(track=...)``)
    state: ReadState | None = field(default=None, repr=False)
    #: ``host`` was named by the snapshot's own lines (not passed on from the one before)
    host_named: bool = False
    #: its counter and setting records (nstat, sysctl ... lines: ``LineParser.side``), set when
    #: the snapshot ends
    side: list = field(default_factory=list, repr=False)

    @property
    def format(self) -> str | None:
        return max(self.formats, key=lambda k: self.formats[k]) if self.formats else self.grammar

    @property
    def is_snapshot(self) -> bool:
        return found_listing(self.line_counts)

    def meta(self) -> dict[str, object]:
        """The keys every record of this snapshot carries in JSON output."""
        return {
            "snapshot": self.index,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "host": self.host,
        }

    def label(self) -> str:
        return f"{self.source}:{self.first_line}"


class LogReader:
    """Reads one input (a path, ``-``, a :class:`~netparse.io.TextSource` or an iterable of
    lines) and yields ``(snapshot, item)`` pairs in input order: ``item`` is a
    :class:`~netparse.model.Socket`, a :class:`~netparse.model.ParseIssue`, or None once the
    snapshot has ended (its counts are then final). Snapshots without any listing line are
    never ended with None and get no index (their issues still come through).

    ``host``: the host name to use when the log names none (default: from the file name).
    After iteration: ``parser`` (the file's line accounting), ``snapshots`` (how many),
    ``encoding``, ``name``.

    Most consumers want one of two shapes instead of that event stream: :meth:`records` (the
    sockets one by one, issues and snapshot ends to callbacks) or :meth:`by_snapshot` (each
    snapshot's sockets and issues as lists, one snapshot in memory at a time).

    Reading part of a file (:mod:`netparse.scale.dask`): with ``track`` (a callable giving the line
    source's own state, e.g. the decoder's) every block records :meth:`state` where it starts in
    ``block.state``; ``resume`` (such a state) makes the reader start in it, as if the lines
    before had been read (its first line must be where that block started).
    """

    def __init__(
        self,
        source: "str | Iterable[str]",
        *,
        name: str | None = None,
        format: str = "auto",
        strict: bool = False,
        encoding: str | None = None,
        host: str | None = None,
        progress=None,
        track: Callable[[], Any] | None = None,
        resume: ReadState | None = None,
    ) -> None:
        self._input = source
        #: True: records come as the parser's rows (``LineParser.rows``: a dict for a kernel
        #: row, else a Socket) instead of Socket models (see :mod:`netparse.rows`)
        self.rows = False
        self.format = format
        self.strict = strict
        self.forced_encoding = encoding
        self.progress = progress
        self.text_source = None
        if isinstance(source, str):
            self.text_source = open_source(source, encoding) if encoding else open_source(source)
            self.name = self.text_source.name
        else:
            if hasattr(source, "lines") and hasattr(source, "name"):
                self.text_source = source  # type: ignore[assignment]
                self.name = source.name  # type: ignore[union-attr]
            else:
                self.name = name or "<input>"
        self.default_host = host if host is not None else host_from_name(self.name)
        self.parser = LineParser(format=format, strict=strict, hooks=self)
        self.snapshots = 0
        self.encoding: str | None = None
        self.stamped = False  # the file has timestamp lines: headers do not cut snapshots
        self.marked = False  # the file has timestamp, separator or host lines: it is a log
        self._order: str | None = None
        self._last_stamp: datetime | None = None
        self._track = None
        self._latest = self._new_block(1, None)
        self._pending: deque[LogSnapshot] = deque()
        if resume is not None:
            self._resume(resume)
        if track is not None:
            self._track = track
            self._latest.state = self.state()

    # -- where a block starts ------------------------------------------------------------------

    def state(self) -> ReadState:
        """What decides how the rest of the input is read (see :class:`ReadState`)."""
        parser = self.parser
        return ReadState(
            grammar=parser.active.name if parser.active is not None else None,
            context=copy.deepcopy(parser.ctx),
            stamped=self.stamped,
            order=self._order,
            last_stamp=self._last_stamp,
            source=self._track() if self._track is not None else None,
        )

    def _resume(self, state: ReadState) -> None:
        self.stamped, self._order, self._last_stamp = state.stamped, state.order, state.last_stamp
        if state.grammar is not None:
            self.parser.resume(get(state.grammar), copy.deepcopy(state.context))

    # -- the hooks the parser calls ------------------------------------------------------------

    def marker(self, kind: str, grammar: str, line: str, lineno: int) -> None:
        latest = self._latest
        key = " ".join(line.split())  # the same title/header again (ss pads its header per run)
        if kind in ("title", "header") and not self.stamped and key in latest._seen and self._records_since(latest):
            latest = self._start(lineno, host=None)
            latest.tentative = True  # settled by its first record (see __iter__)
        latest._seen.add(key)

    def line(self, line: str, lineno: int) -> str | None:
        found = classify(line, self._order)
        if found is None:
            return None
        self.marked = True
        if found.stamp is not None:
            self.stamped = True
            if found.stamp.kind != "time" and self._order is None:
                self._order = date_order(strip_prefix(line))
        latest = self._latest
        content = self._has_content(latest)
        stamp = found.stamp
        if stamp is not None and stamp.kind == "time" and not content and latest.stamp_kind == "date":
            # time /t after date /t: one timestamp
            latest.timestamp = datetime.combine(latest.timestamp.date(), stamp.value.time())  # type: ignore[union-attr]
            latest.stamp_kind = "full"
            self._last_stamp = latest.timestamp
            return found.kind
        if content or (stamp is not None and latest.timestamp is not None):
            latest = self._start(lineno, host=found.host)
        elif found.host is not None:
            latest.host, latest.host_from, latest.host_named = found.host, "log", True
        if stamp is not None:
            self._set_stamp(latest, stamp)
        return found.kind

    # -- blocks --------------------------------------------------------------------------------

    def _new_block(self, lineno: int, previous: LogSnapshot | None, host: str | None = None) -> LogSnapshot:
        if host is not None:
            host_value, host_from = host, "log"
        elif previous is not None and previous.host_from == "log":
            host_value, host_from = previous.host, "log"
        else:
            host_value, host_from = self.default_host, ("file" if self.default_host else None)
        block = LogSnapshot(source=self.name, first_line=lineno, host=host_value, host_from=host_from, host_named=host is not None)
        if hasattr(self, "parser"):
            block._base = Counter(self.parser.counts)
            block._base_formats = Counter(self.parser.records_by_format)
        if self._track is not None:
            block.state = self.state()
        return block

    def _records_since(self, block: LogSnapshot) -> int:
        return sum(self.parser.records_by_format.values()) - sum(block._base_formats.values())

    def _has_content(self, block: LogSnapshot) -> bool:
        if self._records_since(block):
            return True
        counts = self.parser.counts
        return any(counts[k] - block._base[k] for k in LISTING_KINDS if k != "record")

    def _finish(self, block: LogSnapshot, last_line: int) -> None:
        counts = Counter(self.parser.counts)
        counts.subtract(block._base)
        formats = Counter(self.parser.records_by_format)
        formats.subtract(block._base_formats)
        records = sum(v for v in formats.values() if v > 0)
        line_counts = {k: v for k, v in counts.items() if v > 0}
        if records:
            line_counts["record"] = records
        block.line_counts = dict(sorted(line_counts.items()))
        block.formats = {k: v for k, v in formats.items() if v > 0}
        block.last_line = last_line
        active = self.parser.active
        block.grammar = active.name if active is not None else None

    def _start(self, lineno: int, host: str | None) -> LogSnapshot:
        old = self._latest
        self._finish(old, lineno - 1)
        block = self._new_block(lineno, old, host)
        if not old.is_snapshot and old.first_line < lineno:
            # a block with nothing but a timestamp/separator: its lines go to the next one
            block.first_line = old.first_line
            block._base, block._base_formats = old._base, old._base_formats
            block.state = old.state
            if host is None and old.host_from == "log":
                block.host = old.host
            if host is None:
                block.host_named = old.host_named
            old.last_line = -1  # dropped
        self._latest = block
        self._pending.append(block)
        return block

    def _set_stamp(self, block: LogSnapshot, stamp: Stamp) -> None:
        value = stamp.value
        kind = stamp.kind
        if kind == "time":
            base = self._last_stamp
            if base is None:
                block.timestamp, block.stamp_kind = None, None
                return
            value = datetime.combine(base.date(), value.time(), tzinfo=base.tzinfo)
            if value < base:
                value += timedelta(days=1)  # past midnight
            kind = "full"
        block.timestamp, block.stamp_kind = value, kind
        self._last_stamp = value

    # -- the stream ----------------------------------------------------------------------------

    def _lines(self) -> Iterator[str]:
        if self.text_source is not None:
            return self.text_source.lines()
        source = self._input
        if isinstance(source, (str, bytes)):
            raise TypeError("pass lines or a TextSource")
        return iter(source)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[tuple[LogSnapshot, Socket | ParseIssue | None]]:
        current = self._latest
        pending = self._pending
        progress = self.progress
        if progress is not None and self.text_source is not None:
            progress.start(self.text_source)
        n = 0
        rows = self.rows
        try:
            for item in (self.parser.rows if rows else self.parser.run)(self._lines()):
                is_row = item.__class__ is dict
                line = item["line"] if is_row else item.line  # type: ignore[index,union-attr]
                while pending and pending[0].first_line <= line:
                    nxt = pending[0]
                    if nxt.tentative:
                        if len(pending) > 1 and pending[1].first_line <= line:
                            pending.popleft()
                            self._merge(current, nxt)  # no record in it: no snapshot
                            continue
                        if not (is_row or isinstance(item, Socket)):
                            break  # decided by the first record
                        if current.first_kind is not None and _kind(item) != current.first_kind:
                            pending.popleft()
                            self._merge(current, nxt)  # the same run's next section
                            continue
                    pending.popleft()
                    if current.last_line >= 0:
                        yield from self._end(current)
                    current = nxt
                if is_row or isinstance(item, Socket):
                    if current.first_kind is None:
                        current.first_kind = _kind(item)
                    if current.index < 0:
                        current.index = self.snapshots
                        self.snapshots += 1
                    current.records += 1
                    n += 1
                    if progress is not None and not n & 4095:
                        progress.tick()
                yield current, item
        finally:
            if self.text_source is not None:
                self.text_source.close()
                self.encoding = self.text_source.encoding
        self._finish_tail(current)
        while pending:
            nxt = pending.popleft()
            if nxt.tentative and not nxt.records:
                self._merge(current, nxt)
                continue
            if current.last_line >= 0:
                yield from self._end(current)
            current = nxt
        yield from self._end(current)

    def records(
        self,
        on_issue: Callable[[LogSnapshot, ParseIssue], object] | None = None,
        on_end: Callable[[LogSnapshot], object] | None = None,
    ) -> Iterator[tuple[LogSnapshot, Socket]]:
        """``(snapshot, socket)`` for every socket, in input order. Each issue goes to
        ``on_issue(snapshot, issue)`` and the end of each snapshot (its counts final) to
        ``on_end(snapshot)``, as they occur: before the next socket is yielded."""
        for block, item in self:
            if item is None:
                if on_end is not None:
                    on_end(block)
            elif item.__class__ is not ParseIssue:  # a Socket, or a row (``rows``)
                yield block, item
            elif on_issue is not None:
                on_issue(block, item)  # type: ignore[arg-type]

    def by_snapshot(self, orphans: bool = False) -> Iterator[tuple[LogSnapshot, list[Socket], list[ParseIssue]]]:
        """Each snapshot with its sockets and issues, as it ends (memory: one snapshot and the
        issues read after it). Issues of a block that holds no listing line (and so never ends
        as a snapshot) go with the next snapshot, those after the last snapshot with the last
        one: every issue is in some snapshot's list. ``orphans``: when no snapshot ended at all
        (nothing recognised as a listing), the issues still come, with the last block read and
        no sockets, rather than not at all."""
        sockets: list[Socket] = []
        issues: list[ParseIssue] = []
        held: tuple[LogSnapshot, list[Socket], list[ParseIssue]] | None = None  # ended, not yet given
        last: LogSnapshot | None = None
        for block, item in self:
            last = block
            if item is None:
                if held is not None:
                    yield held
                held = (block, sockets, issues)
                sockets, issues = [], []
            elif item.__class__ is not ParseIssue:
                if held is not None:
                    yield held  # a listing follows: the issues read since go with it
                    held = None
                sockets.append(item)
            else:
                issues.append(item)  # type: ignore[arg-type]
        if held is not None:
            held[2].extend(issues)  # issues after the last snapshot: with it
            yield held
        elif orphans and issues and last is not None:
            yield last, sockets, issues

    def _merge(self, block: LogSnapshot, section: LogSnapshot) -> None:
        """Undo a header split: ``section`` goes back into ``block``."""
        block._seen |= section._seen
        if self._latest is section:
            self._latest = block  # still open: it ends where section would have
            block.last_line = 0
            return
        counts = Counter(block.line_counts)
        counts.update(section.line_counts)
        block.line_counts = dict(sorted(counts.items()))
        formats = Counter(block.formats)
        formats.update(section.formats)
        block.formats = dict(formats)
        block.last_line = section.last_line

    def _finish_tail(self, current: LogSnapshot) -> LogSnapshot:
        """End of input: the last block is final; lines after the last listing (a trailing
        separator or date) go to the snapshot before them."""
        tail = self._latest
        self._finish(tail, self.parser.lineno)
        pending = self._pending
        if not tail.is_snapshot and pending and pending[-1] is tail:
            before = pending[-2] if len(pending) > 1 else current
            if before.is_snapshot and before.last_line >= 0:
                pending.pop()
                counts = Counter(before.line_counts)
                counts.update(tail.line_counts)
                before.line_counts = dict(sorted(counts.items()))
                before.last_line = tail.last_line
        return tail

    def _end(self, block: LogSnapshot) -> Iterator[tuple[LogSnapshot, None]]:
        if block.last_line >= 0:
            # counter/setting records of the snapshot's lines move to it (memory stays flat)
            side = self.parser.side
            n = 0
            while n < len(side) and side[n].line <= block.last_line:
                n += 1
            if n:
                block.side = side[:n]
                del side[:n]
        if block.is_snapshot and block.last_line >= 0:
            if block.index < 0:
                block.index = self.snapshots
                self.snapshots += 1
            yield block, None

    @property
    def current_encoding(self) -> str | None:
        """How the input is being decoded (final once the iteration has ended)."""
        if self.text_source is not None:
            return self.text_source.encoding
        return self.encoding

    @property
    def is_log(self) -> bool:
        """The input is a log, so far: it has timestamp, separator or host lines, or more than one
        snapshot (otherwise it is one plain listing)."""
        return self.marked or self.snapshots > 1

    @property
    def found(self) -> bool:
        """True when the input held something recognised as a socket listing."""
        return found_listing(self.parser.line_counts())


def snapshot_model(block: LogSnapshot, sockets: list[Socket], issues: list[ParseIssue], encoding: str | None = None) -> Snapshot:
    """A :class:`~netparse.model.Snapshot` for one snapshot of a log; ``source`` is
    ``file:first_line``; its counters and settings are the block's."""
    from ..counters import NetCounter, NetSetting

    counters = [x for x in block.side if isinstance(x, NetCounter)] or None
    settings = [x for x in block.side if isinstance(x, NetSetting)] or None
    return Snapshot(
        format=block.format or "unknown",
        formats=sorted(block.formats),
        encoding=encoding,
        sockets=sockets,
        issues=issues,
        line_counts=block.line_counts,
        total_lines=sum(block.line_counts.values()),
        source=block.label(),
        timestamp=block.timestamp,
        host=block.host,
        counters=counters,
        settings=settings,
    )


def iter_snapshots(reader: LogReader) -> Iterator[Snapshot]:
    """Whole :class:`~netparse.model.Snapshot` objects, one at a time (memory: one snapshot).
    Every issue is in one of them: after the last snapshot's lines, in the last; in an input
    with no listing at all, in one snapshot without sockets (format ``unknown``)."""
    for block, sockets, issues in reader.by_snapshot(orphans=True):
        yield snapshot_model(block, sockets, issues, reader.current_encoding)


def parse_log(text: str, format: str = "auto", name: str = "<input>", host: str | None = None) -> list[Snapshot]:
    """Every snapshot of a log given as text."""
    with collector_paused():
        return list(iter_snapshots(LogReader(split_lines(text), name=name, format=format, host=host)))


def parse_log_file(path: str, format: str = "auto", host: str | None = None) -> list[Snapshot]:
    """Every snapshot of a log file (any compression netparse reads). Holds them all: for big
    logs iterate :func:`iter_snapshots` over a :class:`LogReader` instead."""
    with collector_paused():
        return list(iter_snapshots(LogReader(path, format=format, host=host)))


def _kind(item: "Socket | dict[str, Any]") -> tuple[Any, Any]:
    """(proto, family) of a record or a row: what tells one section of a run from the next."""
    if item.__class__ is dict:
        return item["proto"], item.get("family")  # type: ignore[index,union-attr]
    return item.proto, item.family  # type: ignore[union-attr]
