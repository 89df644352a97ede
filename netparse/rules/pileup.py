"""Shared by the four closing-state rules (NP006-NP009): count one state per peer and host-wide.

A peer with at least ``per_peer`` sockets in the state gets its own finding; when no peer does but
the host as a whole has at least ``total``, one host-wide finding names the busiest peer.

A peer's finding also says which service the sockets belong to, so it can be matched with the
other rules' findings: the peer's port when this side is the client ("towards 10.0.0.20:8080",
and ``remote_port`` set), our port when this side is the server ("towards 10.0.0.20 from local
port 443", and ``local_port`` set), or the port most of them share when at least half do.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, num, plural
from .facts import Facts, SocketGroup
from .finding import Finding, Severity


class PileupSettings(RuleSettings):
    ORDERED = (("per_peer", "total"),)

    per_peer: int = Field(100, ge=1, description="Sockets in the state towards one remote address")
    total: int = Field(1000, ge=1, description="Sockets in the state on the whole host")



def towards(facts: Facts, peer: str | None, group: SocketGroup) -> tuple[str, dict[str, object]]:
    """'towards PEER[:PORT] ...' for sockets towards one peer, and the finding fields it pins down."""
    keys = Counter(facts.service_key_at(i) for i in group.indices)
    (kind, a, b), n = keys.most_common(1)[0]
    if kind == "remote":  # this side is the client: the peer's port is the service
        if n == len(group):
            return f"towards {endpoint(peer, b)}", {"remote_port": b}  # type: ignore[arg-type]
        if 2 * n >= len(group):
            return f"towards {peer} ({num(n)} of them to port {b})", {}
    else:  # this side is the server: our port is the service
        if n == len(group):
            return f"towards {peer} from local port {a}", {"local_port": a}
        if 2 * n >= len(group):
            return f"towards {peer} ({num(n)} of them from local port {a})", {}
    return f"towards {peer}", {}


def pileups(
    rule: Rule,
    facts: Facts,
    settings: PileupSettings,
    state: TcpState,
    severity: Severity,
    reason: str | Callable[[SocketGroup], str],
) -> Iterator[Finding]:
    """``reason`` is the text after the colon, or a function giving it for one peer's sockets."""
    sockets = facts.in_state(state)
    peers = facts.grouped(sockets.indices, facts.remote_address_of)
    busy = {peer: facts.group(ix) for peer, ix in peers.items() if len(ix) >= settings.per_peer}
    for peer, group in busy.items():
        owners = Owners(group)
        where, dims = towards(facts, peer, group)
        why = reason(group) if callable(reason) else reason
        message = f"{plural(len(group), 'socket')} in {state} {where}{owners.clause()}: {why}"
        yield rule.finding(
            severity,
            message,
            group,
            state=state,
            remote_address=peer,
            process=owners.process,
            pid=owners.pid,
            **dims,
        )
    if busy or len(sockets) < settings.total:
        return
    if callable(reason):
        reason = reason(sockets)
    top, group = max(peers.items(), key=lambda item: len(item[1]))
    owners = Owners(sockets)
    message = (
        f"{plural(len(sockets), 'socket')} in {state} towards {plural(len(peers), 'peer')} "
        f"(most: {top}, {num(len(group))}){owners.clause()}: {reason}"
    )
    yield rule.finding(severity, message, sockets, state=state, process=owners.process, pid=owners.pid)
