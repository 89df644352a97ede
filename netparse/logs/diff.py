"""``netparse diff``: what changed between two snapshots.

The snapshots are two listings, or two snapshots of logs chosen by index (0 first, -1 newest)
or by time (the newest snapshot at or before it). :func:`select` finds one while streaming (it
keeps at most the snapshots a negative index needs); :func:`compare` tells listeners that
appeared or vanished, per-state count changes, per-port changes (a connection counts under its
service port: the local port on the server side, the remote port on the client side, as the
analyzer groups them), remote peers that are new or gone, and, when both snapshots carry kernel
counters (nstat, /proc/net/snmp, netstat -s), how much each rose, and the settings (sysctl) that
changed.
"""

from __future__ import annotations

from collections import Counter, deque
from datetime import datetime
from typing import IO

from pydantic import BaseModel, Field

from ..clock import time_key
from ..counters import RESET, RULE_COUNTERS, counter_change, counter_values, setting_values
from ..errors import SelectionError
from ..model import Snapshot, Socket
from ..rules.facts import WILDCARDS, Facts
from ..states import STATE_ORDER, TcpState
from ..output.safe import json_safe, shown, shown_text
from .reader import LogReader, LogSnapshot, snapshot_model
from .stamps import format_time, parse_stamp, seconds_between


class Side(BaseModel):
    source: str
    snapshot: int
    timestamp: datetime | None = None
    host: str | None = None
    sockets: int


class ListenerChange(BaseModel):
    proto: str
    address: str | None
    port: int | None
    process: str | None = None
    pid: int | None = None


class StateChange(BaseModel):
    state: TcpState
    a: int
    b: int
    change: int


class PortChange(BaseModel):
    port: int | None
    direction: str = Field(description="local: a service port of this host; remote: connections out to this port")
    a: int
    b: int
    change: int
    states: dict[str, int] = Field(default_factory=dict, description="Change per state (non-zero only)")


class PeerChange(BaseModel):
    address: str
    sockets: int = Field(description="Sockets with this peer in the snapshot where it is present")


class CounterChange(BaseModel):
    name: str = Field(description="Linux name as nstat prints it (TcpExtListenOverflows)")
    canonical: str = Field(description="Name shared across platforms (tcpRetransSegs)")
    a: int
    b: int
    change: int = Field(description="Rise from A to B; after a reset (the counters fell) what was counted since it")
    per_second: float | None = Field(default=None, description="change / seconds between the snapshots, when both have a time")


class SettingChange(BaseModel):
    name: str
    a: str | None = Field(description="Value in A (None: A does not carry it)")
    b: str | None = Field(description="Value in B (None: B does not carry it)")


class SnapshotDiff(BaseModel):
    a: Side
    b: Side
    listeners_appeared: list[ListenerChange] = Field(default_factory=list)
    listeners_vanished: list[ListenerChange] = Field(default_factory=list)
    states: list[StateChange] = Field(default_factory=list)
    ports: list[PortChange] = Field(default_factory=list)
    new_peers: list[PeerChange] = Field(default_factory=list)
    gone_peers: list[PeerChange] = Field(default_factory=list)
    counters_kind: str | None = Field(default=None, description="totals, reset (the counters fell: reboot, namespace "
                                      "recreated), increments (plain nstat: B's values are the rises); None: a side "
                                      "has no counters")
    counters: list[CounterChange] = Field(default_factory=list, description="Counters that rose, the rules' first")
    settings: list[SettingChange] = Field(default_factory=list, description="Settings whose value differs")


# ---------------------------------------------------------------------------- choosing snapshots


def parse_selector(text: str | None, default: int) -> int | datetime:
    """'3', '-1' -> an index; '2026-11-24 19:11', 'Tue Nov 24 19:11:04 UTC 2026' -> a time."""
    if text is None or not str(text).strip():
        return default
    value = str(text).strip()
    try:
        return int(value)
    except ValueError:
        pass
    stamp = parse_stamp(value)
    if stamp is None or stamp.kind == "time":
        raise SelectionError(f"not a snapshot index or a time: {value!r} (try 0, -1 or '2026-11-24 19:11')")
    return stamp.value


def _before(ts: datetime, when: datetime) -> bool:
    if (ts.tzinfo is None) != (when.tzinfo is None):
        # the user typed the log's wall-clock time (or the log has no zone): compare as written
        return ts.replace(tzinfo=None) <= when.replace(tzinfo=None)
    return time_key(ts) <= time_key(when)


def select(
    name: str, which: int | datetime, format: str = "auto", host: str | None = None, progress=None
) -> tuple[LogSnapshot, Snapshot]:
    """One snapshot of an input (only those of ``host`` count, when given). Raises
    :class:`SelectionError` when there is no such snapshot."""
    reader = LogReader(name, format=format, progress=progress)
    keep = 1 if isinstance(which, datetime) or which >= 0 else -which
    recent: deque[tuple[LogSnapshot, Snapshot]] = deque(maxlen=keep)
    best: tuple[LogSnapshot, Snapshot] | None = None
    count = 0
    first_time: datetime | None = None
    for block, sockets, issues in reader.by_snapshot():
        if host is not None and block.host != host:
            continue
        snap = snapshot_model(block, sockets, issues)
        if isinstance(which, datetime):
            if block.timestamp is None:
                continue
            if first_time is None or time_key(block.timestamp) < time_key(first_time):
                first_time = block.timestamp
            if _before(block.timestamp, which) and (
                best is None or time_key(block.timestamp) >= time_key(best[0].timestamp)  # type: ignore[arg-type]
            ):
                best = (block, snap)
        elif which >= 0:
            if count == which:
                reader_close(reader)
                return block, snap
        else:
            recent.append((block, snap))
        count += 1
    where = f"{reader.name}" + (f" (host {host})" if host else "")
    if isinstance(which, datetime):
        if best is None:
            if first_time is None:
                raise SelectionError(f"{where} has no snapshot with a timestamp")
            raise SelectionError(f"{where} has no snapshot at or before {which}; the first is {format_time(first_time)}")
        return best
    if which < 0 and len(recent) == keep:
        return recent[0]
    raise SelectionError(f"{where} has {count} snapshot{'s' if count != 1 else ''}: no snapshot {which}")


def reader_close(reader: LogReader) -> None:
    if reader.text_source is not None:
        reader.text_source.close()


# ---------------------------------------------------------------------------- comparing


def _listeners(facts: Facts) -> dict[tuple[str, str | None, int | None], Socket]:
    low = facts.ephemeral_range()[0]
    found: dict[tuple[str, str | None, int | None], Socket] = {}
    for s in facts.inet:
        if s.proto == "tcp":
            if s.state is not TcpState.LISTEN:
                continue
        elif s.proto == "udp":
            if s.remote_port is not None or s.local_port is None or s.local_port >= low:
                continue
        else:
            continue
        found.setdefault((s.proto, s.local_address, s.local_port), s)
    return found


def _ports(facts: Facts) -> dict[tuple[str, int | None], Counter[TcpState]]:
    ports: dict[tuple[str, int | None], Counter[TcpState]] = {}
    for s in facts.tcp:
        if s.state is TcpState.LISTEN:
            continue
        key = ("local", s.local_port) if facts.is_server_side(s) else ("remote", s.remote_port)
        ports.setdefault(key, Counter())[s.state] += 1
    return ports


def _peers(facts: Facts) -> Counter[str]:
    return Counter(
        s.remote_address for s in facts.tcp
        if s.state is not TcpState.LISTEN and s.remote_address and s.remote_address not in WILDCARDS
    )


def _side(snapshot: Snapshot, index: int) -> Side:
    return Side(source=snapshot.source or "", snapshot=index, timestamp=snapshot.timestamp, host=snapshot.host,
                sockets=len(snapshot.sockets))


def _change(s: Socket) -> ListenerChange:
    return ListenerChange(proto=s.proto, address=s.local_address, port=s.local_port, process=s.process, pid=s.pid)


def compare(a: Snapshot, b: Snapshot, a_index: int = 0, b_index: int = 0) -> SnapshotDiff:
    fa, fb = Facts(a.sockets, a.format), Facts(b.sockets, b.format)
    result = SnapshotDiff(a=_side(a, a_index), b=_side(b, b_index))
    la, lb = _listeners(fa), _listeners(fb)
    order = lambda k: (k[0], k[2] if k[2] is not None else -1, k[1] or "")  # noqa: E731
    result.listeners_appeared = [_change(lb[k]) for k in sorted(lb.keys() - la.keys(), key=order)]
    result.listeners_vanished = [_change(la[k]) for k in sorted(la.keys() - lb.keys(), key=order)]
    ca = Counter(s.state for s in fa.inet)
    cb = Counter(s.state for s in fb.inet)
    result.states = [
        StateChange(state=state, a=ca[state], b=cb[state], change=cb[state] - ca[state])
        for state in STATE_ORDER
        if ca[state] or cb[state]
    ]
    pa, pb = _ports(fa), _ports(fb)
    changes = []
    for key in pa.keys() | pb.keys():
        sa, sb = pa.get(key, Counter()), pb.get(key, Counter())
        na, nb = sum(sa.values()), sum(sb.values())
        per_state = {st.value: sb[st] - sa[st] for st in STATE_ORDER if sb[st] != sa[st]}
        if per_state:
            changes.append(PortChange(port=key[1], direction=key[0], a=na, b=nb, change=nb - na, states=per_state))
    changes.sort(key=lambda c: (-abs(c.change), -c.b, c.direction, c.port if c.port is not None else -1))
    result.ports = changes
    peers_a, peers_b = _peers(fa), _peers(fb)
    result.new_peers = [PeerChange(address=p, sockets=n) for p, n in sorted(peers_b.items(), key=lambda kv: (-kv[1], kv[0]))
                        if p not in peers_a]
    result.gone_peers = [PeerChange(address=p, sockets=n) for p, n in sorted(peers_a.items(), key=lambda kv: (-kv[1], kv[0]))
                         if p not in peers_b]
    _compare_counters(a, b, result)
    return result


def _compare_counters(a: Snapshot, b: Snapshot, result: SnapshotDiff) -> None:
    from ..counters import canonical_name, split_name

    va, vb = counter_values(a.counters), counter_values(b.counters)
    if va and vb:
        rises, result.counters_kind = counter_change(va, vb)
        seconds = seconds_between(a.timestamp, b.timestamp)
        changes = [
            CounterChange(name=n, canonical=canonical_name(*split_name(n)), a=va[n], b=vb[n], change=d,
                          per_second=d / seconds if seconds else None)
            for n, d in rises.items() if d
        ]
        changes.sort(key=lambda c: (c.name not in RULE_COUNTERS, -c.change, c.name))
        result.counters = changes
    sa, sb = setting_values(a.settings), setting_values(b.settings)
    if sa and sb:
        result.settings = [
            SettingChange(name=n, a=sa[n].value if n in sa else None, b=sb[n].value if n in sb else None)
            for n in sorted(sa.keys() | sb.keys())
            if (sa[n].value if n in sa else None) != (sb[n].value if n in sb else None)
        ]


# ---------------------------------------------------------------------------- rendering


def _endpoint(address: str | None, port: int | None) -> str:
    addr = shown(address or "*")
    if ":" in addr:
        addr = f"[{addr}]"
    return f"{addr}:{port if port is not None else '*'}"


def _owner(c: ListenerChange) -> str:
    if c.process and c.pid:
        return f"  {shown(c.process)} (pid {c.pid})"
    if c.process:
        return f"  {shown(c.process)}"
    if c.pid:
        return f"  pid {c.pid}"
    return ""


def _side_text(label: str, side: Side, width: int = 80) -> str:
    """``A: FILE:LINE, snapshot N, TIME, host H: K sockets``; longer than ``width``, the time, host
    and count go on a second line, so a time or a file name is never cut by the terminal."""
    where = [f"{label}: {shown(side.source)}", f"snapshot {side.snapshot}"]
    what = []
    if side.timestamp is not None:
        what.append(format_time(side.timestamp))
    if side.host:
        what.append(f"host {shown(side.host)}")
    count = f"{side.sockets:,} socket{'s' if side.sockets != 1 else ''}"
    line = ", ".join(where + what) + f": {count}"
    if len(line) < width:
        return line
    return ", ".join(where) + "\n   " + (", ".join(what) + ": " if what else "") + count


def _aligned(head: tuple[str, ...], cells: list[tuple[str, ...]], text_last: bool = False) -> list[str]:
    """The lines of a section's table, its heading first: each column as wide as its widest value
    (so headings sit over their numbers and the table stays within 80 columns), the first one
    left-aligned, the numbers right-aligned; with ``text_last`` the last column is free text
    (left-aligned, not padded). A column with no heading and no values is left out."""
    rows = [head, *cells]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for row in rows:
        line = f"  {row[0]:<{widths[0]}}"
        for i in range(1, len(head)):
            if widths[i]:
                last = text_last and i == len(head) - 1
                line += f"   {row[i]}" if last else f"   {row[i]:>{widths[i]}}"
        lines.append(line.rstrip() + "\n")
    return lines


def render_text(diff: SnapshotDiff, out: IO[str], top: int = 20) -> None:
    """People's form: the sections with something in them (at most ``top`` lines each)."""
    def w(text: str) -> None:
        out.write(shown_text(text))  # input text (hosts, processes, file names) shown, never acted on

    w(_side_text("A", diff.a) + "\n")
    w(_side_text("B", diff.b) + "\n")

    def more(items: list, shown: int) -> None:
        if len(items) > shown:
            w(f"  ... and {len(items) - shown} more (--output json lists all)\n")

    if diff.states:
        w("\nStates\n")
        for line in _aligned(("", "A", "B", "change"),
                             [(c.state.value, f"{c.a:,}", f"{c.b:,}", f"{c.change:+,}") for c in diff.states]):
            w(line)
    for title, items in (("Listeners appeared", diff.listeners_appeared), ("Listeners vanished", diff.listeners_vanished)):
        if items:
            w(f"\n{title}\n")
            for c in items[:top]:
                w(f"  {c.proto:<4} {_endpoint(c.address, c.port)}{_owner(c)}\n")
            more(items, top)
    if diff.ports:
        w("\nPorts (connections)\n")
        cells = [(f"{c.port}" if c.direction == "local" else f"to {c.port}", f"{c.a:,}", f"{c.b:,}", f"{c.change:+,}",
                  ", ".join(f"{k} {v:+,}" for k, v in c.states.items())) for c in diff.ports[:top]]
        for line in _aligned(("", "A", "B", "change", "by state"), cells, text_last=True):
            w(line)
        more(diff.ports, top)
    for title, peers in (("New remote peers", diff.new_peers), ("Remote peers gone", diff.gone_peers)):
        if peers:
            w(f"\n{title}\n")
            for p in peers[:top]:
                w(f"  {shown(p.address):<40} {p.sockets:>6,} socket{'s' if p.sockets != 1 else ''}\n")
            more(peers, top)
    if diff.counters_kind is not None:
        rate = any(c.per_second is not None for c in diff.counters)
        notes = {RESET: " (they fell: reboot or namespace recreated; B's values, counted since the restart)",
                 "increments": " (plain nstat: B's values are the increments since its previous run)"}
        w(f"\nCounters that rose{notes.get(diff.counters_kind, '')}\n")
        if not diff.counters:
            w("  none\n")
        else:
            listed = diff.counters[:top]
            cells = [(c.name, f"{c.a:,}", f"{c.b:,}", f"{c.change:+,}",
                      f"{c.per_second:,.2f}" if c.per_second is not None else "") for c in listed]
            for line in _aligned(("", "A", "B", "rise", "per s" if rate else ""), cells):
                w(line)
            more(diff.counters, top)
    if diff.settings:
        w("\nSettings changed\n")
        for c in diff.settings[:top]:
            w(f"  {c.name}: {'(absent)' if c.a is None else c.a} -> {'(absent)' if c.b is None else c.b}\n")
        more(diff.settings, top)
    if not (diff.listeners_appeared or diff.listeners_vanished or diff.ports or diff.new_peers or diff.gone_peers
            or any(c.change for c in diff.states) or diff.counters or diff.settings):
        w("\nNo change.\n")


def render_json(diff: SnapshotDiff, out: IO[str]) -> None:
    """The diff as JSON; ``counters_kind``, ``counters`` and ``settings`` only when both
    snapshots carry counters or settings."""
    exclude = set()
    if diff.counters_kind is None:
        exclude |= {"counters_kind", "counters"}
    if not diff.settings:
        exclude.add("settings")
    out.write(json_safe(diff.model_dump_json(indent=2, exclude=exclude or None)) + "\n")


__all__ = ["SnapshotDiff", "SelectionError", "compare", "parse_selector", "select", "render_text", "render_json"]
