"""``netparse timeline``: how many sockets were in each state in every snapshot of some logs.

:func:`build` streams the inputs through :class:`netparse.logs.LogReader` and keeps one row of
counts per snapshot (per snapshot and port, or process, with ``by``), never the sockets: memory
stays flat however large the logs. TCP sockets are counted per state; UDP, raw, unix and other
sockets per kind in columns of their own (tools give unix and UDP sockets LISTEN/ESTABLISHED-like
states that must not swell the TCP columns). Renderers for table, CSV and JSON are here; the picture is :mod:`netparse.plot`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Callable, Iterable

from ..clock import time_key
from ..model import Family, Socket
from ..output.safe import CsvWriter, csv_cell, json_safe, shown
from ..output.grid import Column, use_color, width_of, write_table
from ..summary import kind_of
from ..states import STATE_ORDER, TcpState
from .reader import LogReader, LogSnapshot
from .stamps import format_time

STATES: tuple[TcpState, ...] = STATE_ORDER
STATE_INDEX = {state: i for i, state in enumerate(STATES)}
#: sockets that are not TCP are counted per kind, after the TCP states (never in a TCP column)
KINDS: tuple[str, ...] = ("udp", "raw", "unix", "other")
KIND_INDEX = {kind: len(STATES) + i for i, kind in enumerate(KINDS)}
N_COUNTS = len(STATES) + len(KINDS)
_INET = (Family.INET, Family.INET6)
_LISTENING = (TcpState.LISTEN, TcpState.UNCONNECTED, TcpState.BOUND, TcpState.NONE)
#: grammar names of Windows output (ephemeral ports from 49152)
_WINDOWS_HINTS = ("win", "powershell", "reactos")
OTHER = "(other)"


@dataclass
class Row:
    """One snapshot (and, with ``by``, one port or process in it)."""

    snapshot: int
    source: str
    line: int
    timestamp: datetime | None
    stamp_kind: str | None
    host: str | None
    counts: list[int]
    key: object = None  # port number, process name, OTHER
    direction: str | None = None  # for ports: "local" (a service port here) or "remote"

    @property
    def total(self) -> int:
        return sum(self.counts)

    def count(self, state: TcpState | str) -> int:
        """TCP sockets in ``state``, or sockets of a kind (``"udp"``)."""
        if isinstance(state, TcpState):
            return self.counts[STATE_INDEX[state]]
        return self.counts[KIND_INDEX[state]]

    def key_text(self) -> str:
        if self.key is None:
            return ""
        if self.direction == "remote":
            return f"to {self.key}"
        return "*" if self.key == "" else str(self.key)

    def as_dict(self, by: str | None) -> dict[str, object]:
        data: dict[str, object] = {
            "snapshot": self.snapshot,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "host": self.host,
            "source": self.source,
            "line": self.line,
        }
        if by == "port":
            data["port"] = self.key if self.key != "" else None
            data["direction"] = self.direction
        elif by == "process":
            data["process"] = self.key
        data.update({state.value: n for state, n in zip(STATES, self.counts)})
        data.update({kind: self.counts[i] for kind, i in KIND_INDEX.items()})
        data["total"] = self.total
        return data


@dataclass
class Timeline:
    by: str | None = None
    rows: list[Row] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    #: inputs that held no socket listing (reported, not fatal)
    empty: list[str] = field(default_factory=list)
    #: a worker's part: why its input failed after the rows it holds (netparse.scale.pool)
    failure: object = None

    def states(self) -> list[TcpState]:
        """The TCP states some row has sockets in, in display order."""
        return [s for i, s in enumerate(STATES) if any(r.counts[i] for r in self.rows)]

    def kinds(self) -> list[str]:
        """The kinds other than TCP (udp, raw, unix, other) some row has sockets of."""
        return [k for k, i in KIND_INDEX.items() if any(r.counts[i] for r in self.rows)]

    def hosts(self) -> list[str | None]:
        seen: dict[str | None, None] = {}
        for row in self.rows:
            seen.setdefault(row.host, None)
        return list(seen)


def port_key(s: Socket, ephemeral_low: int) -> tuple[str, object]:
    """(direction, port) a socket counts under for ``--by port``: its local port when that is a
    service port here (listening, or below the ephemeral range), else its remote port."""
    if s.state in _LISTENING or s.remote_port is None or s.local_port is None:
        return "local", s.local_port if s.local_port is not None else ""
    if s.local_port < ephemeral_low:
        return "local", s.local_port
    return "remote", s.remote_port


def process_key(s: Socket) -> str:
    if s.process:
        return s.process
    if s.pid:
        return f"pid {s.pid}"
    return "-"


def is_inet(s: Socket) -> bool:
    return s.family in _INET or (s.family is None and s.proto in ("tcp", "udp"))


def build(
    names: Iterable[str],
    format: str = "auto",
    by: str | None = None,
    top: int = 10,
    progress=None,
    host: str | None = None,
    reader_factory: Callable[..., LogReader] = LogReader,
    on_failure: Callable[[str, OSError], object] | None = None,
) -> Timeline:
    """Read every input and count. ``by``: None, ``"port"`` or ``"process"``; ``top``: with
    ``by``, how many ports/processes keep their own rows (ranked by their peak), the rest are
    summed as ``(other)``. ``host`` keeps only snapshots of that host. An input that cannot be
    read (to its end) raises, or with ``on_failure`` is passed to it and the others are read;
    the rows of its snapshots read before the error stay."""
    timeline = Timeline(by=by)
    n_states = N_COUNTS
    index = STATE_INDEX
    for name in names:
        try:
            reader = reader_factory(name, format=format, progress=progress)
            timeline.inputs.append(reader.name)
            counts = [0] * n_states
            groups: dict[tuple[str | None, object], list[int]] = {}
            low = 32768
            block_seen: LogSnapshot | None = None

            def end(block: LogSnapshot) -> None:
                nonlocal counts, groups
                if host is None or block.host == host:
                    _emit(timeline, block, counts, groups, by)
                counts = [0] * n_states
                groups = {}

            for block, item in reader.records(on_end=end):
                kind = kind_of(item)
                state_i = index[item.state] if kind == "tcp" else KIND_INDEX.get(kind, KIND_INDEX["other"])
                if by is None:
                    counts[state_i] += 1
                    continue
                if by == "port":
                    if block is not block_seen:
                        block_seen = block
                        active = reader.parser.active
                        low = 49152 if active is not None and any(h in active.name for h in _WINDOWS_HINTS) else 32768
                    key: tuple[str | None, object] = port_key(item, low)
                else:
                    key = (None, process_key(item))
                row = groups.get(key)
                if row is None:
                    row = groups[key] = [0] * n_states
                row[state_i] += 1
        except OSError as exc:
            if on_failure is None:
                raise
            on_failure(name, exc)
            continue
        if not reader.found:
            timeline.empty.append(reader.name)
    if by is not None:
        keep_top(timeline, top)
    timeline.rows = ordered(timeline.rows)
    return timeline


def _emit(timeline: Timeline, block: LogSnapshot, counts: list[int], groups: dict, by: str | None) -> None:
    base = dict(
        snapshot=block.index,
        source=block.source,
        line=block.first_line,
        timestamp=block.timestamp,
        stamp_kind=block.stamp_kind,
        host=block.host,
    )
    if by is None:
        timeline.rows.append(Row(counts=counts, **base))  # type: ignore[arg-type]
        return
    for (direction, key), row_counts in sorted(groups.items(), key=lambda kv: (-sum(kv[1]), str(kv[0][1]))):
        timeline.rows.append(Row(counts=row_counts, key=key, direction=direction, **base))  # type: ignore[arg-type]


def keep_top(timeline: Timeline, top: int) -> None:
    peak: dict[tuple, int] = {}
    for row in timeline.rows:
        k = (row.direction, row.key)
        peak[k] = max(peak.get(k, 0), row.total)
    if len(peak) <= top:
        return
    keep = {k for k, _ in sorted(peak.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]}
    rows: list[Row] = []
    other: Row | None = None
    for row in timeline.rows:
        if other is not None and (other.source, other.snapshot) != (row.source, row.snapshot):
            rows.append(other)
            other = None
        if (row.direction, row.key) in keep:
            rows.append(row)
            continue
        if other is None:
            other = Row(row.snapshot, row.source, row.line, row.timestamp, row.stamp_kind, row.host,
                        [0] * N_COUNTS, key=OTHER)
        other.counts = [a + b for a, b in zip(other.counts, row.counts)]
    if other is not None:
        rows.append(other)
    timeline.rows = rows


def ordered(rows: list[Row]) -> list[Row]:
    """Hosts in the order first seen; each host's rows in time order when all have a time."""
    by_host: dict[str | None, list[Row]] = {}
    for row in rows:
        by_host.setdefault(row.host, []).append(row)
    out: list[Row] = []
    for host_rows in by_host.values():
        if all(r.timestamp is not None for r in host_rows):
            host_rows.sort(key=lambda r: time_key(r.timestamp))  # type: ignore[arg-type]
        out.extend(host_rows)
    return out


# ---------------------------------------------------------------------------- rendering

SHORT = {
    "ESTABLISHED": "ESTAB",
    "SYN_RECEIVED": "SYN_RECV",
    "FIN_WAIT_1": "FIN_WAIT1",
    "FIN_WAIT_2": "FIN_WAIT2",
    "UNCONNECTED": "UNCONN",
    "DELETE_TCB": "DEL_TCB",
}


def render_table(timeline: Timeline, out: IO[str], width: int | None = -1) -> None:
    """The timeline as a table: a timestamp, a host, a port or process is never split (see
    :mod:`netparse.output.grid`); piped, one snapshot row per line and no padding."""
    states = timeline.states()
    kinds = timeline.kinds()
    sources = {r.source for r in timeline.rows}
    # on a narrow terminal the snapshot number goes first (the time says when), then the host
    # column when every row is of one host (the note on stderr names it)
    hosts = timeline.hosts()
    columns = [Column("#", right=True, drop=1), Column("time"), Column("host", drop=2 if len(hosts) == 1 else 0)]
    if len(sources) > 1:
        columns.insert(0, Column("source"))
    if timeline.by:
        columns.append(Column(timeline.by))
    columns += [Column(SHORT.get(s.value, s.value), right=True) for s in states]
    columns += [Column(k, right=True) for k in kinds] + [Column("total", right=True)]

    def cells(row: Row) -> list[str]:
        values = [str(row.snapshot), format_time(row.timestamp, row.stamp_kind), row.host or ""]
        if len(sources) > 1:
            values.insert(0, row.source)
        if timeline.by:
            values.append(row.key_text())
        values += [str(row.count(s)) for s in states] + [str(row.count(k)) for k in kinds] + [str(row.total)]
        return values

    w = width_of(out) if width == -1 else width
    grid = write_table(columns, (cells(r) for r in timeline.rows), out, w, use_color(out))
    if grid.dropped and w is not None:
        import sys

        gone = ", ".join(f"host ({shown(hosts[0])})" if c == "host" else c for c in grid.dropped)
        sys.stderr.write(f"netparse: {w} columns: left out {gone}\n")


def write_csv(timeline: Timeline, out: IO[str], guard: bool = True) -> None:
    """CSV; with ``guard`` a text cell that a spreadsheet would run as a formula gets a leading
    ``'`` (see :func:`netparse.output.safe.csv_cell`)."""
    writer = CsvWriter(out)
    rows = [r.as_dict(timeline.by) for r in timeline.rows]
    header = list(rows[0]) if rows else list(Row(0, "", 0, None, None, None, [0] * N_COUNTS).as_dict(timeline.by))
    writer.writerow(header)
    for data in rows:
        writer.writerow(["" if data[k] is None else csv_cell(data[k], guard) for k in header])


def write_json(timeline: Timeline, out: IO[str]) -> None:
    out.write(json_safe(json.dumps([r.as_dict(timeline.by) for r in timeline.rows], indent=2, ensure_ascii=False)) + "\n")
