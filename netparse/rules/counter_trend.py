"""What counter rules share: the rise of a kernel counter between two snapshots of a series.

Counters are totals since boot (``nstat -az``, /proc/net/snmp, ``netstat -s``); a rule reads
how much one rose between the newest snapshot and the one before it that has the counter too,
never the total. When counters fell, :func:`~netparse.counters.counter_change` tells a restart
(reboot, namespace recreated: no rise) from samples of plain ``nstat``, whose values are already
the increments since its previous run (the rise is the newer value)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..counters import RESET, counter_change
from .base import endpoint, num, plural
from .facts import WILDCARDS, Listener, PeerGroup, Series, SnapshotPoint


@dataclass
class Rise:
    """How much counters rose from ``before`` to ``after`` (the newest point)."""

    before: SnapshotPoint
    after: SnapshotPoint
    rises: dict[str, int] = field(init=False)
    #: ``totals``, ``reset`` or ``increments`` (:func:`~netparse.counters.counter_change`)
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        self.rises, self.kind = counter_change(self.before.counters, self.after.counters)

    def of(self, name: str) -> int | None:
        """How much counter ``name`` rose; None when a sample lacks it or the counters restarted."""
        return None if self.kind == RESET else self.rises.get(name)

    def total(self, *names: str) -> int:
        return sum(self.of(n) or 0 for n in names)

    @property
    def seconds(self) -> float | None:
        if self.before.timestamp is None or self.after.timestamp is None:
            return None
        try:
            value = (self.after.timestamp - self.before.timestamp).total_seconds()
        except TypeError:  # aware and naive
            return None
        return value if value > 0 else None

    def per_minute(self, delta: int) -> float | None:
        seconds = self.seconds
        return None if seconds is None else delta * 60 / seconds

    def between(self) -> str:
        """'between 11:25:45 and 11:25:48 UTC (3 s)' or 'between snapshots 0 and 1'."""
        from .trend import span, when

        if self.seconds is None:
            return f"between snapshots {self.before.index} and {self.after.index}"
        return f"between {when(self.before)} and {when(self.after)}" + (f" ({span(self.before, self.after).strip()[5:]})")


def latest_rise(series: Series, name: str, *more: str) -> Rise | None:
    """The newest point and the latest point before it that also has counter ``name`` (or, when
    the newest point lacks it, the first of ``more`` it has)."""
    points = series.points
    if len(points) < 2:
        return None
    for wanted in (name, *more):
        if wanted not in points[-1].counters:
            continue
        for point in reversed(points[:-1]):
            if wanted in point.counters:
                return Rise(point, points[-1])
    return None


def listener_text(series: Series, point: SnapshotPoint, port: int | None) -> str:
    """'port 8080 (python3, pid 12)' / '10.0.0.2:8080 (nginx)': the TCP listener of ``point`` on
    ``port`` and its owner when the listing names it; 'port 8080' when no listener shows it."""
    for (proto, address, lport), owner in point.listeners.items():
        if lport == port:
            return listener_where(address, port, owner)
    return f"port {port}"


def listener_where(address: str | None, port: int | None, owner: Listener | None) -> str:
    """'port 8080 (python3, pid 12)' for a wildcard address, '10.0.0.2:8080 (nginx)' otherwise."""
    where = f"port {port}" if address in WILDCARDS else endpoint(address, port)
    who = ", ".join(x for x in (owner.process, f"pid {owner.pid}" if owner.pid else None) if x) if owner else ""
    return f"{where}{f' ({who})' if who else ''}"


def busiest_syn_port(point: SnapshotPoint) -> tuple[int | None, list[tuple[str | None, int]]]:
    """The local port with the most SYN_RECEIVED sockets in ``point`` and its (source address,
    sockets) pairs, most first; (None, []) when there are none."""
    by_port: dict[int | None, list[tuple[str | None, int]]] = {}
    for (port, peer), n in point.syn_recv_peers.items():
        by_port.setdefault(port, []).append((peer, n))
    if not by_port:
        return None, []
    port = max(by_port, key=lambda p: sum(n for _, n in by_port[p]))
    return port, by_port[port]


def listener_dims(point: SnapshotPoint, port: int | None) -> dict[str, object]:
    """Finding fields for the listener on ``port`` (address, port, process, pid)."""
    for (proto, address, lport), owner in point.listeners.items():
        if lport == port:
            return {"local_address": address, "local_port": port, "process": owner.process, "pid": owner.pid}
    return {"local_port": port} if port is not None else {}


def listener_evidence(series: Series, ports) -> list[int]:
    """Line numbers of the listeners on ``ports`` in the newest snapshot showing them."""
    wanted = set(ports)
    return sorted({n for key, lines in series.listener_lines.items() if key[2] in wanted for n in lines})[:5]


def listing_evidence(series: Series, point: SnapshotPoint) -> list[int]:
    """Lines a machine-wide counter finding can point at: the newest listing's listeners, else a
    few of its closing or TIME_WAIT sockets."""
    lines = listener_evidence(series, [port for (_, _, port) in point.listeners])
    return lines or (point.orphan_lines or point.time_wait_lines)[:5]


def setting_text(point: SnapshotPoint, name: str) -> str:
    """'net.ipv4.tcp_max_tw_buckets = 16' when the snapshot carries it, else the bare name."""
    value = point.settings.get(name)
    return name if value is None else f"{name} = {num(value)}"


def rate_text(rise: Rise, count: int) -> str:
    """', 120 a minute' when the snapshots have timestamps, else ''."""
    rate = rise.per_minute(count)
    return "" if rate is None else f", {rate:,.0f} a minute"


def judged(rise: Rise, count: int, warning: int, critical: int, critical_per_minute: float) -> bool | None:
    """None below ``warning``; else whether ``count`` is critical: by its rate a minute when the
    snapshots have timestamps, else by ``critical`` between the two snapshots."""
    if count < warning:
        return None
    rate = rise.per_minute(count)
    return count >= critical if rate is None else rate >= critical_per_minute


def peer_where(key: tuple) -> str:
    """'on port 8080 towards 10.0.0.9' (this host serves) or 'towards 10.0.0.5:5432' (this host
    connects) for a :class:`~netparse.rules.facts.PeerGroup` key."""
    (kind, a, b), peer = key
    if kind == "port":
        return f"on port {a} towards {peer or '?'}"
    return f"towards {endpoint(a, b)}"  # type: ignore[arg-type]


def peer_dims(key: tuple, group: PeerGroup) -> dict[str, object]:
    """Finding fields for a :class:`~netparse.rules.facts.PeerGroup` (port, peer, owner)."""
    (kind, a, b), peer = key
    dims: dict[str, object] = {"local_port": a, "remote_address": peer} if kind == "port" else {
        "remote_address": a, "remote_port": b}
    if group.process is not None:
        dims["process"] = group.process
    if group.pid is not None:
        dims["pid"] = group.pid
    return dims


def owner_clause(group: PeerGroup) -> str:
    """' (python3, pid 12)' when the listing names the owner of every connection of the group,
    ' (1 owned by python3, pid 12)' of some, ' (2 owned by 2 processes)', '' of none."""
    if not group.owned:
        return ""
    who = ", ".join(x for x in (group.process, f"pid {group.pid}" if group.pid else None) if x) or "several processes"
    return f" ({who})" if group.owned == group.connections else f" ({num(group.owned)} owned by {who})"


def connections_text(key: tuple, group: PeerGroup) -> str:
    """'3 connections on port 8080 towards 10.0.0.9 (python3, pid 12)'."""
    return plural(group.connections, "connection") + " " + peer_where(key) + owner_clause(group)
