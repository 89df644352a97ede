from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule
from .facts import Facts
from .finding import Finding, Severity
from .pileup import PileupSettings, pileups


class LastAckPileup(Rule):
    """Sockets stuck in LAST_ACK: the peer closed first, we closed, our FIN gets no ACK.

    What it detects
        Sockets in LAST_ACK per remote address, and on the whole host.

    Why it matters
        The passive closer goes CLOSE_WAIT -> LAST_ACK when its application closes and sends
        its FIN; the peer's ACK normally ends the connection one round trip later. Sockets that
        stay mean the peer is no longer there to answer: it crashed or rebooted, or a NAT or
        firewall between has already forgotten the connection and drops the FIN. The kernel
        retransmits the FIN until its retries run out (tcp_orphan_retries for orphans), holding
        memory meanwhile.

    What to do
        Check the peers named in the finding and the stateful devices on the path (NAT and
        firewall idle timeouts shorter than the connections' lifetime are a common cause). A
        handful is normal and transient.

    Sources
        Catpaw calls the closing states "rarely a bottleneck" and publishes no threshold; 50 per
        peer and 500 on the host are ours.
    """

    code = "NP008"
    name = "last-ack-pileup"
    summary = "LAST_ACK accumulating: peers gone before acknowledging our FIN"
    severities = (Severity.INFO,)
    states = (TcpState.LAST_ACK,)

    class Settings(PileupSettings):
        per_peer: int = Field(50, ge=1, description="LAST_ACK sockets towards one remote address (ours)")
        total: int = Field(500, ge=1, description="LAST_ACK sockets on the whole host (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        reason = (
            "the peer closed first and no longer acknowledges our FIN, so it went away or a NAT or "
            "firewall on the path forgot the connection"
        )
        return pileups(self, facts, settings, TcpState.LAST_ACK, Severity.INFO, reason)
