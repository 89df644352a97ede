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
from typing import IO, Callable, Iterable, Iterator

from ..clock import time_key
from ..counters import INCREMENTS, RESET, NetCounter, canonical_name, counter_change, split_name
from ..model import Family, Socket
from ..output.safe import CsvWriter, csv_cell, json_safe
from ..output.grid import Column, say_dropped, use_color, width_of, write_table
from ..summary import kind_of
from ..states import STATE_ORDER, TcpState
from .reader import LogReader, LogSnapshot
from .stamps import format_time, seconds_between

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
    #: the snapshot's kernel counters that ``timeline --counters`` shows (:data:`RATE_COUNTERS`)
    counters: dict[str, int] | None = None

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
        counters=snapshot_counters(block),
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
    say_dropped(grid, w, "-o json has them", lambda c: f"host ({hosts[0]})" if c == "host" else c)


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


# ---------------------------------------------------------------------------- counters (--counters)

#: (Linux name, column header) of the counters ``timeline --counters`` shows, in this order: the
#: ones the counter rules read. Udp6RcvbufErrors is added to UdpRcvbufErrors.
RATE_COUNTERS: tuple[tuple[str, str], ...] = (
    ("TcpRetransSegs", "retrans"),
    ("TcpExtListenOverflows", "lst_ovfl"),
    ("TcpExtListenDrops", "lst_drop"),
    ("TcpExtTCPReqQFullDrop", "synq_drop"),
    ("TcpExtSyncookiesSent", "cookies"),
    ("TcpEstabResets", "est_rst"),
    ("TcpAttemptFails", "att_fail"),
    ("TcpExtTCPAbortOnMemory", "mem_abrt"),
    ("TcpExtTCPTimeWaitOverflow", "tw_ovfl"),
    ("UdpRcvbufErrors", "udp_rcvbuf"),
)
#: added into another column (IPv6 UDP into UdpRcvbufErrors)
_MERGED = {"Udp6RcvbufErrors": "UdpRcvbufErrors"}
_WANTED = {name for name, _ in RATE_COUNTERS} | set(_MERGED)


def snapshot_counters(block: LogSnapshot) -> dict[str, int] | None:
    """The counters of a snapshot that ``--counters`` shows, or None when it has none."""
    found: dict[str, int] = {}
    for item in getattr(block, "side", ()):
        if isinstance(item, NetCounter) and item.name in _WANTED:
            found[item.name] = item.value
    return found or None


@dataclass
class CounterRow:
    """How much the shown counters rose from a host's previous snapshot with counters to this
    one. ``kind``: ``totals``, ``reset`` (counters fell: reboot, namespace recreated; the values
    are those counted since the restart), ``increments`` (plain ``nstat``: the values are the
    rises), or ``first`` (nothing to compare with)."""

    row: Row
    kind: str
    seconds: float | None
    rises: dict[str, int]

    def rate(self, name: str) -> float | None:
        """Per second when both snapshots have a time, else the rise itself (per snapshot)."""
        if name not in self.rises:
            return None
        return self.rises[name] / self.seconds if self.seconds else float(self.rises[name])

    def per_second(self, name: str) -> float | None:
        """The rise of ``name`` per second; None when it is unknown or a snapshot has no time."""
        return self.rises[name] / self.seconds if self.seconds and name in self.rises else None

    def value(self, name: str, per_second: bool) -> float | None:
        """What the table (and the plot) shows for ``name``: the rise per second with
        ``per_second`` (see :func:`per_second`), else the rise itself; None when it is unknown."""
        if name not in self.rises:
            return None
        return self.rises[name] / self.seconds if per_second and self.seconds else float(self.rises[name])

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "snapshot": self.row.snapshot,
            "timestamp": self.row.timestamp.isoformat() if self.row.timestamp else None,
            "host": self.row.host,
            "source": self.row.source,
            "line": self.row.line,
            "seconds": self.seconds,
            "kind": self.kind,
        }
        for name, _ in RATE_COUNTERS:
            key = canonical_name(*split_name(name))
            data[key] = self.rises.get(name)
            data[f"{key}_per_second"] = self.per_second(name)
        return data


def counter_rows(timeline: Timeline) -> list[CounterRow]:
    """Per snapshot with counters (one row per snapshot: ``--by`` rows of one snapshot share its
    counters), how much each shown counter rose since the same host's previous one
    (:func:`counter_steps`; IPv6 UDP buffer errors added to IPv4's)."""
    seen: set[tuple[str, int]] = set()

    def once() -> Iterator[Row]:
        for row in timeline.rows:
            if row.counters is not None and (row.source, row.snapshot) not in seen:
                seen.add((row.source, row.snapshot))
                yield row

    return list(counter_steps(once(), _merged))


def counter_steps(rows: Iterable[Row], merge: Callable[[dict[str, int]], dict[str, int]] | None = None
                  ) -> Iterator[CounterRow]:
    """The one place a counter's rise, its rate and a restart are decided (``timeline
    --counters``, its plot, ``counters --delta``): for each row with counters, in the order
    given, how they rose since the same host's previous row with counters
    (:func:`~netparse.counters.counter_change`), and over how many seconds. A host's first row
    is ``first``. ``merge``: the values as compared (counters added into another)."""
    previous: dict[str | None, tuple[Row, dict[str, int]]] = {}
    for row in rows:
        if not row.counters:
            continue
        values = merge(row.counters) if merge else row.counters
        before = previous.get(row.host)
        previous[row.host] = (row, values)
        if before is None:
            yield CounterRow(row, "first", None, {})
            continue
        rises, kind = counter_change(before[1], values)
        yield CounterRow(row, kind, seconds_between(before[0].timestamp, row.timestamp), rises)


def _merged(values: dict[str, int]) -> dict[str, int]:
    out = {k: v for k, v in values.items() if k not in _MERGED}
    for name, into in _MERGED.items():
        if name in values:
            out[into] = out.get(into, 0) + values[name]
    return out


KIND_NOTES = {RESET: "reset", INCREMENTS: "nstat increments", "first": ""}


def rate_text(value: float | None, per_second: bool) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if not per_second or value == int(value) and value >= 10:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def per_second(rows: list[CounterRow]) -> bool:
    """True when every compared row of ``rows`` has a time span: rates are then per second,
    else the rise per snapshot (one unit for a whole table or chart)."""
    compared = [r for r in rows if r.kind != "first"]
    return bool(compared) and all(r.seconds for r in compared)


def shown_counters(rows: list[CounterRow], always: bool = True) -> list[tuple[str, str]]:
    """The columns of the table: the retransmissions always (unless not ``always``), the others
    when they rose somewhere."""
    return [(name, head) for name, head in RATE_COUNTERS
            if always and name == "TcpRetransSegs" or any(r.rises.get(name) for r in rows if r.kind != "first")]


def render_counters(timeline: Timeline, out: IO[str], width: int | None = -1) -> list[CounterRow]:
    """The counters' rates per snapshot as a table (per second when every compared snapshot has
    a time, else the rise per snapshot). Columns: the retransmissions always, the others when
    some row has them rising; a ``note`` says where counters restarted (``reset``) or are plain
    nstat increments. Returns the rows (the caller says what the columns mean)."""
    rows = counter_rows(timeline)
    per_s = per_second(rows)
    shown = shown_counters(rows)
    hosts = {r.row.host for r in rows}
    sources = {r.row.source for r in rows}
    columns = [Column("#", right=True, drop=1), Column("time"), Column("host", drop=2 if len(hosts) == 1 else 0)]
    if len(sources) > 1:
        columns.insert(0, Column("source"))
    columns += [Column(head, right=True) for _, head in shown]
    columns.append(Column("note"))

    def cells(r: CounterRow) -> list[str]:
        values = [str(r.row.snapshot), format_time(r.row.timestamp, r.row.stamp_kind), r.row.host or ""]
        if len(sources) > 1:
            values.insert(0, r.row.source)
        if r.kind == "first":
            values += ["" for _ in shown]
        else:
            values += [rate_text(r.value(n, per_s), per_s) for n, _ in shown]
        values.append(KIND_NOTES.get(r.kind, ""))
        return values

    w = width_of(out) if width == -1 else width
    say_dropped(write_table(columns, (cells(r) for r in rows), out, w, use_color(out)), w, "-o json has them")
    return rows


def counters_legend(rows: list[CounterRow]) -> str:
    """What the counter table's numbers are, for stderr: the unit and the notes it used."""
    compared = [r for r in rows if r.kind != "first"]
    if not compared:
        return "no two snapshots with counters to compare" if rows else "no snapshot carries kernel counters"
    text = ("rise per second since the host's previous snapshot" if per_second(rows)
            else "rise since the host's previous snapshot (not every snapshot has a time)")
    names = ", ".join(f"{head} {name}" + (" + Udp6RcvbufErrors" if name == "UdpRcvbufErrors" else "")
                      for name, head in shown_counters(rows))
    text += f"; {names}; counters that did not rise are left out"
    if any(r.kind == RESET for r in compared):
        text += ("; reset: the counters fell (reboot, namespace recreated, 32-bit wrap): the numbers are what was "
                 "counted since the restart")
    if any(r.kind == INCREMENTS for r in compared):
        text += "; nstat increments: plain nstat prints the rise since its previous run, taken as is"
    return text


def write_counters_csv(timeline: Timeline, out: IO[str], guard: bool = True) -> None:
    writer = CsvWriter(out)
    rows = [r.as_dict() for r in counter_rows(timeline)]
    header = list(rows[0]) if rows else list(CounterRow(Row(0, "", 0, None, None, None, []), "first", None, {}).as_dict())
    writer.writerow(header)
    for data in rows:
        writer.writerow(["" if data[k] is None else csv_cell(data[k], guard) for k in header])


def write_counters_json(timeline: Timeline, out: IO[str]) -> None:
    docs = [r.as_dict() for r in counter_rows(timeline)]
    out.write(json_safe(json.dumps(docs, indent=2, ensure_ascii=False)) + "\n")
