"""Counts for people: sockets per state, and per state the top local ports, processes and
remote hosts. Pure data; rendering is in :mod:`netparse.render`."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from pydantic import BaseModel

from .model import Socket
from .states import STATE_ORDER, TcpState


class StateSummary(BaseModel):
    state: TcpState
    count: int
    #: of ``count``, sockets whose state the layout does not print (``Socket.state_printed`` False),
    #: as opposed to labels that were printed but not understood (UNKNOWN only)
    not_printed: int = 0
    local_ports: list[tuple[str, int]]
    processes: list[tuple[str, int]]
    remote_hosts: list[tuple[str, int]]


class Summary(BaseModel):
    total: int
    by_proto: dict[str, int]
    states: list[StateSummary]


def _owner(s: Socket) -> str | None:
    if s.process and s.pid is not None:
        return f"{s.pid}/{s.process}"
    if s.process:
        return s.process
    if s.pid is not None:
        return f"pid {s.pid}"
    return None


def summarise(sockets: Iterable[Socket], top: int = 3) -> Summary:
    by_state: dict[TcpState, list[Socket]] = {}
    protos: Counter[str] = Counter()
    total = 0
    for s in sockets:
        total += 1
        protos[s.proto] += 1
        by_state.setdefault(s.state, []).append(s)
    states = []
    for state in STATE_ORDER:
        group = by_state.get(state)
        if not group:
            continue
        ports = Counter(str(s.local_port) for s in group if s.local_port is not None)
        procs = Counter(o for o in map(_owner, group) if o)
        remotes = Counter(
            s.remote_address for s in group if s.remote_address and s.remote_address not in ("0.0.0.0", "::", "*")
        )
        states.append(
            StateSummary(
                state=state,
                count=len(group),
                not_printed=sum(1 for s in group if s.state_printed is False),
                local_ports=ports.most_common(top),
                processes=procs.most_common(top),
                remote_hosts=remotes.most_common(top),
            )
        )
    return Summary(total=total, by_proto=dict(protos.most_common()), states=states)
