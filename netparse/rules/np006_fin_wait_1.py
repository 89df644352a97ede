from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule
from .facts import Facts
from .finding import Finding, Severity
from .pileup import PileupSettings, pileups


class FinWait1Pileup(Rule):
    """Sockets stuck in FIN_WAIT_1: our FIN is not being acknowledged.

    What it detects
        Sockets in FIN_WAIT_1 per remote address, and on the whole host.

    Why it matters
        A socket enters FIN_WAIT_1 when the local application closes and the FIN is sent; it
        leaves as soon as the peer acknowledges the FIN, normally within one round trip. Data
        still queued in Send-Q must be delivered before the FIN, so a peer that stopped
        reading (a closed receive window) or that vanished keeps the socket here while the
        kernel retransmits. Most of these sockets are orphans (closed by their process); Linux
        limits their retries with tcp_orphan_retries (default 8) and their number with
        tcp_max_orphans, and each can hold up to about 64 KB of unswappable memory
        (ip-sysctl).

    What to do
        Look at the peers named in the finding: are they up, do they read, is the path losing
        packets (ss -tio state fin-wait-1 shows retransmissions and the peer's window)? On a
        loaded web server facing slow clients, the kernel documentation suggests lowering
        tcp_orphan_retries.

    Sources
        Catpaw's design notes call these states "rarely a bottleneck" and publish no
        threshold; 50 per peer and 500 on the host are ours.
    """

    code = "NP006"
    name = "fin-wait-1-pileup"
    summary = "FIN_WAIT_1 accumulating: peers not acknowledging our FIN"
    severities = (Severity.WARNING,)
    states = (TcpState.FIN_WAIT_1,)

    class Settings(PileupSettings):
        per_peer: int = Field(50, ge=1, description="FIN_WAIT_1 sockets towards one remote address (ours)")
        total: int = Field(500, ge=1, description="FIN_WAIT_1 sockets on the whole host (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        reason = (
            "this side closed but the peer does not acknowledge the FIN, so it is gone, not reading "
            "(a closed window) or behind a lossy path"
        )
        return pileups(self, facts, settings, TcpState.FIN_WAIT_1, Severity.WARNING, reason)
