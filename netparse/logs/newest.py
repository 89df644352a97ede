"""What ``netparse analyze`` reads of its inputs: the newest snapshot of every host plus the
series of per-snapshot aggregates the trend rules read, across files (rotated logs of one host
form one series).

Two forms: :func:`analysis_inputs` gives each newest snapshot whole (a ``Snapshot`` with its
sockets: for outputs that read them); :func:`analysis_facts` streams every snapshot's rows into
the rules' columns (:class:`~netparse.rules.facts.FactsBuilder`) and gives each newest
snapshot's :class:`~netparse.rules.facts.Facts`, a ``Snapshot`` without its sockets and its
counts: memory is the newest snapshot's columns per host and a few numbers per snapshot, never
a ``Socket`` per row."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterator, NamedTuple

from ..counters import NetCounter, NetSetting
from ..errors import InputError, InputProblem
from ..inputs.files import expand
from ..inputs.progress import ReadProgress
from ..model import ParseIssue, Snapshot, Socket
from ..rows import as_row
from ..rules.facts import Facts, FactsBuilder, Series, SeriesBuilder, supersedes
from ..summary import Summary, SummaryBuilder, kind_name
from .reader import LogReader, LogSnapshot, snapshot_model


class Analysed(NamedTuple):
    """One newest snapshot as :func:`analysis_facts` gives it."""

    snapshot: Snapshot  # its source, format, host, time, issues, counters; ``sockets`` empty
    series: Series
    facts: Facts
    summary: Summary  # its counts (top ports, processes and hosts only when asked for)
    counts: SummaryBuilder | None  # with ``top``: what made ``summary``, to merge with others


def analysis_inputs(
    names: list[str], format: str, on_problem: Callable[[InputProblem], object] | None = None
) -> Iterator[tuple[Snapshot, Series]]:
    """For ``netparse analyze``: (the newest snapshot, the series of all snapshots) per host of
    the logs named, across files (rotated logs of one host form one series); an input that is
    one plain listing gives that listing as before (``source`` the file name, no host) with a
    one-point series. Memory: the newest snapshot per host and a few numbers per snapshot.
    Raises :class:`~netparse.errors.InputProblem` for an unreadable input or one without socket
    listing (with ``on_problem``: passes it there and reads the other inputs), UnknownFormatError
    for an unknown format."""
    for snap, builder, _ in _newest(names, format, on_problem, _whole_input):
        yield snap, builder.build()


def analysis_facts(
    names: list[str], format: str, on_problem: Callable[[InputProblem], object] | None = None,
    top: int | None = None,
) -> Iterator[Analysed]:
    """:func:`analysis_inputs` streamed: the same snapshots chosen the same way, each as an
    :class:`Analysed` (its facts for the rules, its counts). ``top``: the summary's top ports,
    processes and remote hosts per state (a :class:`~netparse.summary.SummaryBuilder` fed every
    socket, as ``netparse summary`` counts); None: the counts per kind and state only."""

    def read(name: str, format: str, progress) -> Iterator[tuple[Snapshot, SeriesBuilder, bool, tuple]]:
        return _streamed_input(name, format, progress, top)

    for snap, builder, (facts, current) in _newest(names, format, on_problem, read):
        yield Analysed(snap, builder.build(), facts, current.counts(), current.summary)


def _newest(names: list[str], format: str, on_problem, read) -> Iterator[tuple[Snapshot, SeriesBuilder, object]]:
    """(newest snapshot, its host's series builder, what ``read`` gave with it) per host across
    the files (a plain listing: each on its own, in order)."""
    try:
        expanded = expand(names)
    except InputError as exc:
        raise InputProblem(str(exc)) from None
    hosts: dict[str | None, tuple[Snapshot, SeriesBuilder, object]] = {}
    with ReadProgress(expanded, "reading") as progress:
        for name in expanded:
            try:
                found = list(read(name, format, progress))  # whole: it ends with the newest
            except InputProblem as exc:
                if on_problem is None:
                    raise
                on_problem(exc)
                continue
            for snap, builder, is_log, extra in found:
                if not is_log:
                    yield snap, builder, extra
                    continue
                if snap.host not in hosts:
                    hosts[snap.host] = (snap, builder, extra)
                    continue
                newest, series, kept = hosts[snap.host]
                series.extend(builder)
                if supersedes(snap.timestamp, newest.timestamp):
                    newest, kept = snap, extra
                hosts[snap.host] = (newest, series, kept)
    yield from hosts.values()


def _open(name: str, format: str, progress) -> LogReader:
    try:
        return LogReader(name, format=format, progress=progress)
    except OSError as exc:
        raise InputProblem(f"cannot read {name}: {exc.strerror or exc}") from None


def _nothing_found(reader: LogReader, latest: dict) -> None:
    if not reader.found or not latest:
        where = "standard input" if reader.name in ("-", "<stdin>") else reader.name
        raise InputProblem(f"no socket listing found in {where}")


def _as_listing(reader: LogReader, snap: Snapshot) -> None:
    """The snapshot of a plain listing (not a log) is named as netparse analyze always named it."""
    if reader.encoding:
        snap.encoding = reader.encoding
    if not reader.is_log:
        snap.source, snap.host = reader.name, None
        snap.format = reader.parser.format_name


def _whole_input(name: str, format: str, progress) -> Iterator[tuple[Snapshot, SeriesBuilder, bool, None]]:
    reader = _open(name, format, progress)
    latest: dict[str | None, Snapshot] = {}
    builders: dict[str | None, SeriesBuilder] = {}
    try:
        for block, sockets, issues in reader.by_snapshot():
            snap = snapshot_model(block, sockets, issues)
            builders.setdefault(block.host, SeriesBuilder()).add(
                Facts.of(snap), block.index, block.timestamp, block.host, snap.source
            )
            latest[block.host] = snap
    except OSError as exc:
        raise InputProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    _nothing_found(reader, latest)
    for host, snap in latest.items():
        _as_listing(reader, snap)
        yield snap, builders[host], reader.is_log, None


class _Snapshot:
    """One snapshot being read: its columns, its issues and its counts."""

    def __init__(self, top: int | None) -> None:
        self.facts = FactsBuilder()
        self.issues: list[ParseIssue] = []
        self.top = top
        self.summary = SummaryBuilder(top) if top is not None else None
        #: (proto, family, state, state not printed) -> sockets, when no SummaryBuilder counts
        self.kinds: Counter[tuple] = Counter()

    def add(self, item: "dict | Socket") -> None:
        self.facts.add(item)
        if self.summary is not None:
            self.summary.add(item)
            return
        get = as_row(item).get
        self.kinds[(get("proto"), get("family"), get("state"), get("state_printed") is False)] += 1

    def counts(self) -> Summary:
        if self.summary is not None:
            return self.summary.build()
        return kind_summary(self.kinds)


def kind_summary(kinds: "Counter[tuple]") -> Summary:
    """The :class:`~netparse.summary.Summary` of ``summarise(sockets, top=0)`` from sockets
    counted per (proto, family, state, state not printed): totals per protocol, kind and state."""
    builder = SummaryBuilder(top=0)
    for (proto, family, state, unprinted), n in kinds.items():
        builder.add_counted(proto, kind_name(proto, family), state, n, n if unprinted else 0)  # type: ignore[arg-type]
    return builder.build()


def _streamed_input(name: str, format: str, progress, top: int | None) -> Iterator[tuple]:
    reader = _open(name, format, progress)
    reader.rows = True  # kernel rows as dicts: no Socket per row
    latest: dict[str | None, tuple[Snapshot, Facts, _Snapshot]] = {}
    builders: dict[str | None, SeriesBuilder] = {}
    current = _Snapshot(top)
    last: Snapshot | None = None
    try:
        for block, item in reader:
            if item is None:
                snap, facts = _ended(block, current)
                builders.setdefault(block.host, SeriesBuilder()).add(
                    facts, block.index, block.timestamp, block.host, snap.source
                )
                latest[block.host] = (snap, facts, current)
                last = snap
                current = _Snapshot(top)
            elif item.__class__ is ParseIssue:
                current.issues.append(item)  # type: ignore[arg-type]
            else:
                current.add(item)  # type: ignore[arg-type]
    except OSError as exc:
        raise InputProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    _nothing_found(reader, latest)
    if last is not None and current.issues:
        last.issues.extend(current.issues)  # after the last snapshot: with it (as by_snapshot)
    for host, (snap, facts, ended) in latest.items():
        _as_listing(reader, snap)
        facts.reformat(snap.format)
        ended.facts = None  # type: ignore[assignment]  # built: the builder's columns are the facts'
        yield snap, builders[host], reader.is_log, (facts, ended)


def _ended(block: LogSnapshot, current: _Snapshot) -> tuple[Snapshot, Facts]:
    """A snapshot that has ended: its header (no sockets) and its facts, as ``Facts.of`` of
    the whole snapshot would read them."""
    snap = snapshot_model(block, [], current.issues)
    counters = [x for x in block.side if isinstance(x, NetCounter)] or None
    settings = [x for x in block.side if isinstance(x, NetSetting)] or None
    return snap, current.facts.build(snap.format, counters, settings)
