"""Counts for people: sockets per kind (tcp, udp, raw, unix ...) and state, and per state the
top ports, processes and remote hosts. Pure data; rendering is in :mod:`netparse.output.tables`.

TCP states are counted for TCP sockets only: ``netstat -an`` gives unix sockets LISTENING and
CONNECTED, and UDP sockets ESTABLISHED after connect(); those are rows of their own kind, never
added to the TCP counts.

:class:`SummaryBuilder` is fed one record at a time and keeps counters, never the records, so
a summary of a million-row listing holds a few counters, not the listing.

The ports that say what a group of sockets is about: a socket on a service port (one outside
the ephemeral range, or one that listens earlier in the listing: ss, netstat and /proc/net list
listeners first) counts under its local port (``22``); a socket on an ephemeral local port, the
client end of a connection, counts under the remote port it talks to (``to 443``), since its
own port is a random number.

``by="container"`` (``summary --by container``) also counts per container: the record's
``container`` (live mode), else the one its ``cgroup`` path names (``ss -e`` prints it), as
"runtime short-id"; ``host`` for sockets that have an owner (a process or a cgroup) outside any
container, ``unknown`` for sockets whose owner is not known (no ``-p``, TIME_WAIT).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from pydantic import BaseModel, Field

from .live.containers import from_cgroup, label
from .model import Family, Socket
from .rows import as_row
from .states import STATE_ORDER, TcpState

#: the kinds in the order they are shown; anything else follows, by name
KIND_ORDER = ("tcp", "udp", "raw", "unix")
#: where client ports come from by default (every platform's default lies within it: Linux
#: 32768-60999, Windows and the BSDs 49152-65535)
EPHEMERAL_LOW = 32768
_INET = (Family.INET, Family.INET6)


class GroupSummary(BaseModel):
    """The sockets of one container (``summary --by container``), or of the host, or unknown."""

    name: str = Field(description="'docker 3f2a1b4c5d6e' (runtime and short id), 'host' or 'unknown'")
    runtime: str | None = None
    id: str | None = None
    pod_uid: str | None = None
    count: int
    by_kind: dict[str, int] = Field(description="Sockets per kind: tcp, udp, raw, unix ...")
    tcp_states: dict[str, int] = Field(description="TCP sockets per state, in the state diagram's order")
    listening: list[tuple[str, int]] = Field(description="Top local ports of its listeners")
    processes: list[tuple[str, int]]


class StateSummary(BaseModel):
    kind: str = Field(default="tcp", description="tcp, udp, raw, unix ... (TCP states are of TCP sockets only)")
    state: TcpState
    count: int
    #: of ``count``, sockets whose state the layout does not print (``Socket.state_printed`` False),
    #: as opposed to labels that were printed but not understood (UNKNOWN only)
    not_printed: int = 0
    ports: list[tuple[str, int]] = Field(
        default_factory=list,
        description="Top ports: a service port as its number ('22'), the remote port of sockets on an "
        "ephemeral local port as 'to 443'",
    )
    local_ports: list[tuple[str, int]] = Field(
        description="Top local ports of the sockets that are not client ends (those count under 'to PORT' in ports)"
    )
    processes: list[tuple[str, int]]
    remote_hosts: list[tuple[str, int]]


class Summary(BaseModel):
    total: int
    by_proto: dict[str, int]
    by_kind: dict[str, int] = Field(default_factory=dict, description="Sockets per kind: tcp, udp, raw, unix ...")
    states: list[StateSummary]
    by_container: list[GroupSummary] | None = Field(
        default=None, exclude_if=lambda v: v is None,
        description="summary --by container: the sockets of each container, of the host, and unknown",
    )

    def tcp_states(self) -> dict[str, int]:
        return {s.state.value: s.count for s in self.states if s.kind == "tcp"}


#: what a socket counts under when it has an owner outside any container, and when it has none
HOST, UNKNOWN = "host", "unknown"


def container_of(s: "Socket | Mapping[str, Any]") -> dict | None:
    """The container fields of a record (a Socket or a row): its own, else from its cgroup path."""
    r = as_row(s)
    container = r.get("container")
    if container is not None:
        if container.__class__ is dict:
            return {k: v for k, v in container.items() if v is not None}
        return container.model_dump(exclude_none=True)
    cgroup = r.get("cgroup")
    return from_cgroup(cgroup) if cgroup else None


def owner_label(pid: int | None, name: str | None) -> str:
    """How the summary names an owner: '812/sshd', 'sshd' (no pid), 'pid 812' (no name)."""
    if name and pid is not None:
        return f"{pid}/{name}"
    return name or f"pid {pid}"


class _Owned:
    __slots__ = ("info", "count", "kinds", "states", "listening", "procs")

    def __init__(self, info: dict | None) -> None:
        self.info = info
        self.count = 0
        self.kinds: Counter[str] = Counter()
        self.states: Counter[TcpState] = Counter()
        self.listening: Counter[int] = Counter()
        self.procs: Counter[str] = Counter()


def kind_of(s: Socket) -> str:
    """tcp, udp, raw, unix, or the protocol's own name (netlink, packet, sctp ...)."""
    return kind_name(s.proto, s.family)


def kind_name(proto: str | None, family: Family | None) -> str:
    """:func:`kind_of` from a record's ``proto`` and ``family``."""
    key = (proto, family)
    kind = _KIND_NAMES.get(key)
    if kind is None:
        kind = _kind_name(proto, family)
        if len(_KIND_NAMES) < 1024:  # (bounded: a protocol column may hold any word)
            _KIND_NAMES[key] = kind
    return kind


#: (proto, family) -> kind: a listing holds a handful of pairs, and this runs per socket
_KIND_NAMES: dict[tuple[str | None, Family | None], str] = {}


def _kind_name(proto: str | None, family: Family | None) -> str:
    proto = (proto or "").lower()
    if family is Family.UNIX or proto.startswith("unix"):
        return "unix"
    for name in ("tcp", "udp", "raw"):
        if proto.startswith(name):
            return name
    return proto or "other"


_NO_REMOTE = ("0.0.0.0", "::", "*")
_LISTEN = TcpState.LISTEN


class _Group:
    __slots__ = ("count", "not_printed", "local", "to", "procs", "remotes")

    def __init__(self) -> None:
        self.count = 0
        self.not_printed = 0
        self.local: Counter[int] = Counter()  # local ports of sockets that are not client ends
        self.to: Counter[int] = Counter()  # remote ports of client ends (ephemeral local port, not listening)
        self.procs: Counter[int] = Counter()  # owner key (see SummaryBuilder._owner_key) -> sockets
        self.remotes: Counter[str] = Counter()


class _Slot:
    """The sockets of one (proto, family, state) seen by :meth:`SummaryBuilder.add`: its group
    and kind, and how many arrived since the totals were last brought up to date."""

    __slots__ = ("group", "kind", "proto", "count")

    def __init__(self, group: _Group, kind: str, proto: str | None) -> None:
        self.group, self.kind, self.proto, self.count = group, kind, proto, 0


class SummaryBuilder:
    """A summary fed record by record (:meth:`add`), finished with :meth:`build`.

    Per socket :meth:`add` counts one (proto, family, state) slot; the totals per protocol, kind
    and group are brought up to date from the slots when read (:meth:`_settle`)."""

    def __init__(self, top: int = 3, by: str | None = None) -> None:
        if by not in (None, "container"):
            raise ValueError(f"cannot count by {by!r}: container is what --by takes")
        self.top = top
        self.by = by
        #: container name (or host, unknown) -> its counts, when ``by == "container"``
        self.owned: dict[str, _Owned] = {}
        self._total = 0
        #: (proto, family, state) -> its slot (a listing holds a few dozen)
        self._slots: dict[tuple, _Slot] = {}
        self.protos: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.groups: dict[tuple[str, TcpState], _Group] = {}
        self.listen_ports: set[int] = set()
        #: process names, numbered: an owner is counted under one int (pid and name number), not a
        #: 'pid/name' string per distinct pid, which keeps a million-socket summary small
        self.names: dict[str, int] = {}
        self.name_list: list[str] = []

    def _owner_key(self, pid: int | None, process: str | None) -> int | None:
        if process is None and pid is None:
            return None
        if process:
            idx = self.names.get(process)
            if idx is None:
                idx = self.names[process] = len(self.name_list)
                self.name_list.append(process)
            idx += 1
        else:
            idx = 0
        return ((pid + 1 if pid is not None else 0) << 24) | idx

    def _owner_text(self, key: int) -> str:
        pid, idx = (key >> 24) - 1, key & 0xFFFFFF
        return owner_label(pid if pid >= 0 else None, self.name_list[idx - 1] if idx else None)

    @property
    def total(self) -> int:
        self._settle()
        return self._total

    def _settle(self) -> None:
        """Bring the totals per protocol, kind and group up to date with the slots."""
        for slot in self._slots.values():
            n = slot.count
            if n:
                self._total += n
                self.protos[slot.proto] += n
                self.kinds[slot.kind] += n
                slot.group.count += n
                slot.count = 0

    def _slot(self, proto: str | None, family: Family | None, state: TcpState | None) -> _Slot:
        kind = kind_name(proto, family)
        g = self.groups.get((kind, state))  # type: ignore[arg-type]
        if g is None:
            g = self.groups[(kind, state)] = _Group()  # type: ignore[index]
        self.protos[proto] += 0  # (the totals' keys keep the order sockets first showed them)
        self.kinds[kind] += 0
        slot = self._slots[(proto, family, state)] = _Slot(g, kind, proto)
        return slot

    def add(self, s: "Socket | Mapping[str, Any]") -> None:
        """Count one record: a :class:`~netparse.model.Socket` or a row (a dict of its fields,
        as :meth:`~netparse.model.Snapshot.iter_rows` gives; a missing key is None)."""
        get = as_row(s).get
        proto, state = get("proto"), get("state")
        slot = self._slots.get((proto, get("family"), state))
        if slot is None:
            slot = self._slot(proto, get("family"), state)
        slot.count += 1
        g, kind = slot.group, slot.kind
        if get("state_printed") is False:
            g.not_printed += 1
        port = get("local_port")
        if port is not None:
            if state is _LISTEN and kind == "tcp":
                self.listen_ports.add(port)
            remote_port = get("remote_port")
            if port >= EPHEMERAL_LOW and remote_port is not None and port not in self.listen_ports:
                g.to[remote_port] += 1  # a client end: what it talks to is the meaning
            else:
                g.local[port] += 1
        pid, process = get("pid"), get("process")
        if process or pid is not None:
            g.procs[self._owner_key(pid, process)] += 1  # type: ignore[index]
        remote = get("remote_address")
        if remote and remote not in _NO_REMOTE:
            g.remotes[remote] += 1
        if self.by is not None:
            self._add_owned(s, get, kind, state, pid, process)

    def add_counted(self, proto: str, kind: str, state: TcpState, n: int, not_printed: int = 0) -> None:
        """Count ``n`` sockets of one protocol, kind and state at once (``not_printed`` of them
        without a printed state): the totals :meth:`add` keeps, without ports, owners or hosts."""
        self._settle()
        self._total += n
        self.protos[proto] += n
        self.kinds[kind] += n
        g = self.groups.get((kind, state))
        if g is None:
            g = self.groups[(kind, state)] = _Group()
        g.count += n
        g.not_printed += not_printed

    def _add_owned(self, s, get, kind: str, state, pid: int | None, process: str | None) -> None:
        info = container_of(s)
        if info is not None:
            name = label(info)
        elif pid is not None or process or get("cgroup"):
            name = HOST
        else:
            name = UNKNOWN
        o = self.owned.get(name)
        if o is None:
            o = self.owned[name] = _Owned(info)
        o.count += 1
        o.kinds[kind] += 1
        if kind == "tcp":
            o.states[state] += 1
            port = get("local_port")
            if state is TcpState.LISTEN and port is not None:
                o.listening[port] += 1
        if process or pid is not None:
            o.procs[owner_label(pid, process)] += 1

    def by_container(self) -> list[GroupSummary]:
        """The per-container counts (``by="container"``), most sockets first; host and unknown
        after the containers."""
        order = sorted(self.owned.items(), key=lambda kv: (kv[0] in (HOST, UNKNOWN), kv[0] == UNKNOWN, -kv[1].count,
                                                            kv[0]))
        out = []
        for name, o in order:
            info = o.info or {}
            out.append(GroupSummary(
                name=name, runtime=info.get("runtime"), id=info.get("id"), pod_uid=info.get("pod_uid"), count=o.count,
                by_kind=dict(o.kinds.most_common()),
                tcp_states={st.value: o.states[st] for st in STATE_ORDER if o.states[st]},
                listening=[(str(p), n) for p, n in o.listening.most_common(self.top)],
                processes=o.procs.most_common(self.top),
            ))
        return out

    def merge(self, other: "SummaryBuilder") -> "SummaryBuilder":
        """Add ``other``'s counts to these."""
        self._settle()
        self._total += other.total  # (settles other's)
        self.protos.update(other.protos)
        self.kinds.update(other.kinds)
        self.listen_ports |= other.listen_ports
        for key, g in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                mine = self.groups[key] = _Group()
            mine.count += g.count
            mine.not_printed += g.not_printed
            mine.local.update(g.local)
            mine.to.update(g.to)
            for key, n in g.procs.items():  # other's owner keys, renumbered into these names
                pid, idx = (key >> 24) - 1, key & 0xFFFFFF
                name = other.name_list[idx - 1] if idx else None
                if name is not None and name not in self.names:
                    self.names[name] = len(self.name_list)
                    self.name_list.append(name)
                mine.procs[((pid + 1 if pid >= 0 else 0) << 24) | (self.names[name] + 1 if name is not None else 0)] += n
            mine.remotes.update(g.remotes)
        for name, o in other.owned.items():
            mine_o = self.owned.get(name)
            if mine_o is None:
                mine_o = self.owned[name] = _Owned(o.info)
            mine_o.count += o.count
            mine_o.kinds.update(o.kinds)
            mine_o.states.update(o.states)
            mine_o.listening.update(o.listening)
            mine_o.procs.update(o.procs)
        return self

    def extend(self, sockets: Iterable[Socket]) -> "SummaryBuilder":
        for s in sockets:
            self.add(s)
        return self

    def _ports(self, g: _Group) -> list[tuple[str, int]]:
        top = [(f"to {port}", n) for port, n in g.to.most_common(self.top)]
        top += [(str(port), n) for port, n in g.local.most_common(self.top)]
        top.sort(key=lambda item: -item[1])  # stable: remote ports first among equals
        return top[: self.top]

    def build(self) -> Summary:
        self._settle()

        def kind_rank(kind: str) -> tuple[int, str]:
            return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)

        kinds = sorted(self.kinds, key=kind_rank)
        states = []
        top = self.top
        for kind in kinds:
            for state in STATE_ORDER:
                g = self.groups.get((kind, state))
                if g is None:
                    continue
                states.append(
                    StateSummary(
                        kind=kind,
                        state=state,
                        count=g.count,
                        not_printed=g.not_printed,
                        ports=self._ports(g),
                        local_ports=[(str(p), n) for p, n in g.local.most_common(top)],
                        processes=[(self._owner_text(k), n) for k, n in g.procs.most_common(top)],
                        remote_hosts=g.remotes.most_common(top),
                    )
                )
        return Summary(
            total=self.total,
            by_proto=dict(self.protos.most_common()),
            by_kind={k: self.kinds[k] for k in kinds},
            states=states,
            by_container=self.by_container() if self.by == "container" else None,
        )


def summarise(sockets: Iterable[Socket], top: int = 3) -> Summary:
    return SummaryBuilder(top).extend(sockets).build()


def counts_text(summary: Summary, limit: int | None = None) -> str:
    """'tcp 28 (11 LISTEN, 23 ESTABLISHED ...), udp 3, raw 2, unix 10': kinds, with TCP's states."""
    return " ".join(counts_atoms(summary, limit))


def counts_atoms(summary: Summary, limit: int | None = None) -> list[str]:
    """The words of :func:`counts_text`, each an unbreakable piece ('11 LISTEN,'), to wrap between."""
    atoms: list[str] = []
    kinds = list(summary.by_kind.items())
    for k, (kind, n) in enumerate(kinds):
        last = k == len(kinds) - 1
        states = [f"{s.count:,} {s.state.value}" for s in summary.states if s.kind == kind] if kind == "tcp" else []
        if limit is not None and len(states) > limit:
            states = states[:limit] + ["..."]
        if not states:
            atoms.append(f"{kind} {n:,}" + ("" if last else ","))
            continue
        atoms.append(f"{kind} {n:,}")
        for j, st in enumerate(states):
            atoms.append(("(" if j == 0 else "") + st + ("," if j < len(states) - 1 else ")" + ("" if last else ",")))
    return atoms
