"""Shared by the four closing-state rules (NP006-NP009): count one state per peer and host-wide.

A peer with at least ``per_peer`` sockets in the state gets its own finding; when no peer does but
the host as a whole has at least ``total``, one host-wide finding names the busiest peer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from pydantic import Field, model_validator

from ..model import Socket
from ..states import TcpState
from .base import Owners, Rule, RuleSettings, num, plural
from .facts import Facts
from .finding import Finding, Severity


class PileupSettings(RuleSettings):
    per_peer: int = Field(100, ge=1, description="Sockets in the state towards one remote address")
    total: int = Field(1000, ge=1, description="Sockets in the state on the whole host")

    @model_validator(mode="after")
    def _ordered(self) -> "PileupSettings":
        if self.per_peer > self.total:
            raise ValueError(f"per_peer ({self.per_peer}) must not be above total ({self.total})")
        return self


def pileups(
    rule: Rule, facts: Facts, settings: PileupSettings, state: TcpState, severity: Severity, reason: str
) -> Iterator[Finding]:
    sockets = facts.in_state(state)
    peers: dict[str | None, list[Socket]] = defaultdict(list)
    for s in sockets:
        peers[s.remote_address].append(s)
    busy = {peer: group for peer, group in peers.items() if len(group) >= settings.per_peer}
    for peer, group in busy.items():
        owners = Owners(group)
        message = f"{plural(len(group), 'socket')} in {state} towards {peer}{owners.clause()}: {reason}"
        yield rule.finding(
            severity, message, group, state=state, remote_address=peer, process=owners.process, pid=owners.pid
        )
    if busy or len(sockets) < settings.total:
        return
    top, group = max(peers.items(), key=lambda item: len(item[1]))
    owners = Owners(sockets)
    message = (
        f"{plural(len(sockets), 'socket')} in {state} towards {plural(len(peers), 'peer')} "
        f"(most: {top}, {num(len(group))}){owners.clause()}: {reason}"
    )
    yield rule.finding(severity, message, sockets, state=state, process=owners.process, pid=owners.pid)
