from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, plural, size
from .facts import Facts
from .finding import Finding, Severity


class SendQueueBacklog(Rule):
    """Established connections to one peer with data piling up in Send-Q.

    What it detects
        ESTABLISHED sockets whose Send-Q (bytes sent but not yet acknowledged, plus bytes not
        yet sent) is at least ``min_bytes``, grouped by remote address, when a peer has
        ``min_sockets`` of them.

    Why it matters
        Send-Q grows when the peer does not read (its receive window is closed) or the path
        cannot carry the data (congestion, loss, retransmissions). Bulk transfers keep Send-Q
        high as a matter of course, which is why this is information, not a warning: several
        connections to the same peer all backed up point at that peer or the path to it.

    What to do
        Check the peer and the path: ss -ti dst ADDRESS shows retransmissions, the congestion
        window and the peer's receive window. A peer that stops reading will also show
        growing Recv-Q on its side (NP011 there).

    Sources
        No published threshold; 64 KiB and 3 sockets per peer are ours.
    """

    code = "NP012"
    name = "send-q-backlog"
    summary = "Established connections to one peer with data backed up: slow reader or congested path"
    severities = (Severity.INFO,)
    states = (TcpState.ESTABLISHED,)

    class Settings(RuleSettings):
        min_bytes: int = Field(65536, ge=1, description="Send-Q bytes for a socket to count (ours)")
        min_sockets: int = Field(3, ge=1, description="Counted sockets towards one peer for a finding (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        send_q, least = facts.send_q_of, settings.min_bytes
        full = (i for i in (facts.in_state(TcpState.ESTABLISHED) + facts.unprinted_connected).indices
                if (q := send_q(i)) is not None and q >= least)
        peers = facts.grouped(full, facts.remote_address_of)
        for peer, ix in peers.items():
            if len(ix) < settings.min_sockets:
                continue
            sockets = facts.group(ix)
            owners = Owners(sockets)
            queued = [send_q(i) or 0 for i in ix]
            message = (
                f"{plural(len(sockets), 'established connection')} to {peer} have data waiting to be delivered "
                f"(up to {size(max(queued))}, {size(sum(queued))} in all){owners.clause()}: the peer is reading "
                f"slowly or the path is congested, so check retransmissions with ss -ti dst {peer}"
            )
            yield self.finding(
                Severity.INFO,
                message,
                sockets,
                state=TcpState.ESTABLISHED,
                remote_address=peer,
                process=owners.process,
                pid=owners.pid,
            )
