"""What ``netparse analyze`` reads of its inputs: the newest snapshot of every host plus the
series of per-snapshot aggregates the trend rules read, across files (rotated logs of one host
form one series). Memory: the newest snapshot per host and a few numbers per snapshot."""

from __future__ import annotations

from typing import Callable, Iterator

from ..errors import InputError, InputProblem
from ..inputs.files import expand
from ..inputs.progress import ReadProgress
from ..model import Snapshot
from ..rules.facts import Facts, Series, SeriesBuilder, supersedes
from .reader import LogReader, snapshot_model


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
    try:
        expanded = expand(names)
    except InputError as exc:
        raise InputProblem(str(exc)) from None
    hosts: dict[str | None, tuple[Snapshot, SeriesBuilder]] = {}
    with ReadProgress(expanded, "reading") as progress:
        for name in expanded:
            try:
                found = list(_analysis_input(name, format, progress))  # whole: it ends with the newest
            except InputProblem as exc:
                if on_problem is None:
                    raise
                on_problem(exc)
                continue
            for snap, builder, is_log in found:
                if not is_log:
                    yield snap, builder.build()
                    continue
                if snap.host not in hosts:
                    hosts[snap.host] = (snap, builder)
                    continue
                newest, series = hosts[snap.host]
                series.extend(builder)
                if supersedes(snap.timestamp, newest.timestamp):
                    newest = snap
                hosts[snap.host] = (newest, series)
    for snap, builder in hosts.values():
        yield snap, builder.build()


def _analysis_input(name: str, format: str, progress) -> Iterator[tuple[Snapshot, SeriesBuilder, bool]]:
    try:
        reader = LogReader(name, format=format, progress=progress)
    except OSError as exc:
        raise InputProblem(f"cannot read {name}: {exc.strerror or exc}") from None
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
    if not reader.found or not latest:
        where = "standard input" if reader.name in ("-", "<stdin>") else reader.name
        raise InputProblem(f"no socket listing found in {where}")
    is_log = reader.is_log
    for host, snap in latest.items():
        if reader.encoding:
            snap.encoding = reader.encoding
        if not is_log:  # one plain listing: as netparse analyze always read it
            snap.source, snap.host = reader.name, None
            snap.format = reader.parser.format_name
        yield snap, builders[host], is_log
