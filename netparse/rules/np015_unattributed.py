from __future__ import annotations

from array import array
from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule, RuleSettings, num, percent
from .facts import Facts, SocketGroup
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
        Unowned ESTABLISHED sockets on a listening port whose listener has connections
        waiting (Recv-Q of the LISTEN row) are that accept queue: the finding says so and
        points at NP010 (listen-queue-overflow) instead of suggesting root. For the rest: take
        the listing as root (sudo ss -tanp, sudo netstat -antp) to see every owner; when the
        listing was read as root (netparse live knows its uid) the finding says they are not
        hidden by permissions but not yet accepted or held by the kernel.

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
        candidates = 0
        found = array("i")
        for i in range(facts.size):
            if facts.state_of(i) not in ignored:
                candidates += 1
                if not facts.has_owner_at(i):
                    found.append(i)
        orphans = facts.group(found)
        if len(orphans) < settings.min_count:
            return
        states = Counter(facts.state_of(i) for i in found)
        breakdown = ", ".join(f"{num(n)} {state}" for state, n in states.most_common())
        queued, waiting_ports = self._queued(facts, orphans)
        rest = len(orphans) - len(queued)
        parts = [
            f"{num(len(orphans))} of {num(candidates)} sockets ({percent(len(orphans), candidates)}) "
            f"show no owning process although others do ({breakdown})"
        ]
        if queued:
            ports = ", ".join(map(str, sorted(waiting_ports)))
            parts.append(
                f"{num(len(queued))} of them are ESTABLISHED on port{'s' if len(waiting_ports) > 1 else ''} {ports} "
                f"whose listener has connections waiting to be accepted: they are that queue (see NP010), not "
                f"hidden owners"
            )
        if rest:
            others = "the other " + num(rest) if queued else ("it" if rest == 1 else "they")
            if facts.root is True:
                parts.append(
                    f"this listing was read as root, so {others} {'is' if others == 'it' else 'are'} not hidden by "
                    f"permissions: connections not yet accepted, or sockets the kernel holds without a process "
                    f"(NFS, iSCSI, sockets being torn down)"
                )
            elif facts.root is False:
                parts.append(f"run as root (sudo netparse live) to see the owner of {others}")
            else:
                parts.append(
                    f"if the listing was not taken as root, take it as root (sudo ss -tanp, sudo netstat -antp) "
                    f"to see every owner; otherwise {others} {'is' if others == 'it' else 'are'} still waiting "
                    f"to be accepted or held by the kernel"
                )
        state = next(iter(states)) if len(states) == 1 else None
        yield self.finding(Severity.INFO, ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if parts[2:] else ""),
                           orphans, state=state)

    @staticmethod
    def _queued(facts: Facts, orphans: SocketGroup) -> tuple[list, set[int]]:
        """The unowned ESTABLISHED sockets that are a listener's accept queue: on a listening
        port whose listener reports connections waiting, at most that many per port."""
        room: dict[int, int] = {}
        for listener in facts.listeners:
            queue = facts.listen_queue(listener)
            waiting = queue[0] if queue else (listener.recv_q or 0)
            if waiting > 0 and listener.local_port is not None:
                room[listener.local_port] = room.get(listener.local_port, 0) + waiting
        queued, ports = [], set()
        if not room:
            return queued, ports
        for i in orphans.indices:
            port = facts.local_port_of(i)
            if port is not None and room.get(port, 0) > 0 and facts.state_of(i) is TcpState.ESTABLISHED:
                room[port] -= 1
                queued.append(i)
                ports.add(port)
        return queued, ports
