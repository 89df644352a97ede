from __future__ import annotations

from array import array
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, common, plain_address, plural
from .facts import Facts, SocketGroup
from .finding import Finding, Severity
from .pileup import PileupSettings, pileups


class FinWait2Pileup(Rule):
    """Sockets waiting in FIN_WAIT_2 for the peer to close its side.

    What it detects
        Sockets in FIN_WAIT_2 per remote address, and on the whole host. The finding names the
        peer's port when this side is the client (towards 10.0.0.20:8080) or our port when it is
        the server, and the owning process when the listing shows one (orphaned FIN_WAIT_2
        sockets have none). When the other ends are in the same listing (a connection over
        loopback or between two local addresses), it counts them: CLOSE_WAIT sockets whose
        local and remote endpoints are ours swapped, with their port and process, which is
        where NP001 (close-wait-leak) points.

    Why it matters
        FIN_WAIT_2 follows FIN_WAIT_1 once the peer has acknowledged our FIN: our side is done
        sending and waits for the peer's FIN. If the peer application never closes, the peer
        sits in CLOSE_WAIT and this side in FIN_WAIT_2, so many of them towards one peer point
        at a leak in the peer's application. RFC 9293 sets no time limit; Linux aborts an
        orphaned FIN_WAIT_2 socket (one its process has closed) after tcp_fin_timeout (default
        60 s), but a socket the application only shut down for writing can stay for as long as
        the application keeps it.

    What to do
        Run netparse on the peer named in the finding: expect NP001 (close-wait-leak) there.
        On this side, make sure the application closes the socket instead of only calling
        shutdown(), so the kernel's timeout applies.

    Sources
        ip-sysctl tcp_fin_timeout. No published threshold; 100 per peer (from our research
        notes) and 1000 on the host are ours.
    """

    code = "NP007"
    name = "fin-wait-2-pileup"
    summary = "FIN_WAIT_2 accumulating: peers not closing their side (look for CLOSE_WAIT there)"
    severities = (Severity.INFO,)
    states = (TcpState.FIN_WAIT_2,)

    class Settings(PileupSettings):
        per_peer: int = Field(100, ge=1, description="FIN_WAIT_2 sockets towards one remote address (ours)")
        total: int = Field(1000, ge=1, description="FIN_WAIT_2 sockets on the whole host (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        ends: dict[tuple, int] = {}  # CLOSE_WAIT socket by its ends, made when a group needs it
        timeout = "Linux drops orphaned ones after tcp_fin_timeout (60 s)"

        def reason(group: SocketGroup) -> str:
            if not ends:
                ends.update((_ends(facts, i), i) for i in facts.index(TcpState.CLOSE_WAIT))
                ends.setdefault((), -1)  # made (a listing without CLOSE_WAIT too)
            # the other end of local:a -> remote:b is remote:b -> local:a
            found = (ends.get(_ends(facts, i, swapped=True), -1) for i in group.indices)
            paired = facts.group(array("i", (o for o in found if o >= 0)))
            if not paired:
                return (
                    "the peer acknowledged our close but its application has not closed its side (look for "
                    f"CLOSE_WAIT there); {timeout}"
                )
            port = common(facts.local_port_of(o) for o in paired.indices)
            where = f" on port {port}" if port is not None else ""
            return (
                "the peer acknowledged our close but its application has not closed its side; the other ends "
                f"are in this listing: {plural(len(paired), 'socket')} in CLOSE_WAIT{where}"
                f"{Owners(paired).clause()}; {timeout}"
            )

        return pileups(self, facts, settings, TcpState.FIN_WAIT_2, Severity.INFO, reason)


def _ends(facts: Facts, i: int, swapped: bool = False) -> tuple[object, ...]:
    local = (plain_address(facts.local_address_of(i)), facts.local_port_of(i))
    remote = (plain_address(facts.remote_address_of(i)), facts.remote_port_of(i))
    return remote + local if swapped else local + remote
