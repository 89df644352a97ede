from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule
from .facts import Facts
from .finding import Finding, Severity
from .pileup import PileupSettings, pileups


class ClosingPileup(Rule):
    """Sockets stuck in CLOSING: both sides closed at once and the FINs' ACKs are lost.

    What it detects
        Sockets in CLOSING per remote address, and on the whole host.

    Why it matters
        CLOSING is the simultaneous close: each side sent its FIN before receiving the other's,
        and each now waits for the ACK of its own FIN (RFC 9293, section 3.6). It is short and
        rare. Sockets that stay in CLOSING mean those ACKs do not arrive: packet loss on the
        path, or a peer or middlebox that mishandles the exchange.

    What to do
        Look for loss towards the peers named in the finding (ss -tio shows retransmissions);
        check firewalls that track TCP state. Occasional CLOSING sockets need nothing.

    Sources
        No published threshold; 10 per peer and 50 on the host are ours, low because the state
        is rare.
    """

    code = "NP009"
    name = "closing-pileup"
    summary = "CLOSING accumulating: simultaneous closes whose ACKs are lost"
    severities = (Severity.INFO,)
    states = (TcpState.CLOSING,)

    class Settings(PileupSettings):
        per_peer: int = Field(10, ge=1, description="CLOSING sockets towards one remote address (ours)")
        total: int = Field(50, ge=1, description="CLOSING sockets on the whole host (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        reason = "both sides closed at once and the acknowledgements of the FINs are being lost on the path"
        return pileups(self, facts, settings, TcpState.CLOSING, Severity.INFO, reason)
