from __future__ import annotations

from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule, RuleSettings, num, percent
from .facts import Facts, has_owner
from .finding import Finding, Severity

#: States whose sockets normally have no owning process: TIME_WAIT and half-open handshakes
#: never have one; the closing states usually belong to sockets their process already closed.
OWNERLESS = [
    TcpState.TIME_WAIT,
    TcpState.SYN_RECEIVED,
    TcpState.FIN_WAIT_1,
    TcpState.FIN_WAIT_2,
    TcpState.CLOSING,
    TcpState.LAST_ACK,
]


class UnattributedSockets(Rule):
    """Sockets with no owning process, in a listing that shows owners for others.

    What it detects
        When the input has a process column (netstat -p, ss -p, netstat -o/-b on Windows) and
        at least one socket names its process, the TCP and UDP sockets that name none, except
        in states where no owner is normal (``ignore_states``): TIME_WAIT never has one, nor
        does a half-open handshake (SYN_RECEIVED); sockets in FIN_WAIT_1, FIN_WAIT_2, CLOSING
        and LAST_ACK are usually orphans their process has already closed.

    Why it matters
        A listener or an established connection without an owner usually means the listing
        was not taken as root, so other users' processes are hidden (netstat(8): "you would
        have to be root to see it all"); or the connection waits in a listen queue and no
        process has accepted it yet. Either way the per-process figures of the other findings
        are incomplete.

    What to do
        Take the listing as root (sudo ss -tanp, sudo netstat -antp) to see every owner. If
        ESTABLISHED sockets on a listening port still have none, they are waiting to be
        accepted: see NP010 (listen-queue-overflow).

    Sources
        Our research notes (TIME_WAIT never has an owner; otherwise rerun as root, or the
        socket is orphaned). The ignored states, the info level and the one-socket threshold
        are ours.
    """

    code = "NP015"
    name = "unattributed-sockets"
    summary = "Sockets with no owning process although the listing shows owners"
    severities = (Severity.INFO,)
    states = ()

    class Settings(RuleSettings):
        min_count: int = Field(1, ge=1, description="Sockets without an owner for a finding (ours)")
        ignore_states: list[TcpState] = Field(OWNERLESS, description="States where no owner is normal")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        if not facts.has_owners:
            return
        ignored = set(settings.ignore_states)
        candidates = [s for s in facts.inet if s.state not in ignored]
        orphans = [s for s in candidates if not has_owner(s)]
        if len(orphans) < settings.min_count:
            return
        states = Counter(s.state for s in orphans)
        breakdown = ", ".join(f"{num(n)} {state}" for state, n in states.most_common())
        message = (
            f"{num(len(orphans))} of {num(len(candidates))} sockets ({percent(len(orphans), len(candidates))}) "
            f"show no owning process although others do ({breakdown}): take the listing as root to see every "
            f"owner, or these connections are still waiting to be accepted"
        )
        state = next(iter(states)) if len(states) == 1 else None
        yield self.finding(Severity.INFO, message, orphans, state=state)
