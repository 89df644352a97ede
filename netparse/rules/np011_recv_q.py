from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, plural, service_dims, service_text, size
from .facts import Facts
from .finding import Finding, Severity


class RecvQueueBacklog(Rule):
    """Established connections holding data the application has not read.

    What it detects
        ESTABLISHED sockets whose Recv-Q (bytes received but not yet read by the application)
        is at least ``min_bytes``, grouped by process and service port (or destination, for
        outgoing connections). A group needs ``min_sockets`` of them, so one momentary burst
        does not count.

    Why it matters
        The kernel acknowledges data as it arrives; Recv-Q grows only when the application does
        not call read() fast enough. Several connections of one process with data waiting at
        the same moment point at a blocked or overloaded handler, a stuck thread pool or an
        event loop busy elsewhere. When the buffer is full the window closes and the peers
        stall too.

    What to do
        Look at the process named in the finding: thread dumps, event-loop lag, locks, a
        downstream call it waits on. Snapshots a few seconds apart tell a stuck reader
        (Recv-Q stays) from a slow one (it moves).

    Sources
        No published threshold (node_exporter exports only totals). 64 KiB is ours: half of
        Linux's default initial receive buffer (tcp_rmem default 131072 bytes, ip-sysctl);
        3 sockets per group is ours.
    """

    code = "NP011"
    name = "recv-q-backlog"
    summary = "Established connections with unread data: the application is not reading"
    severities = (Severity.WARNING,)
    states = (TcpState.ESTABLISHED,)

    class Settings(RuleSettings):
        min_bytes: int = Field(65536, ge=1, description="Recv-Q bytes for a socket to count (ours)")
        min_sockets: int = Field(3, ge=1, description="Counted sockets in one group for a warning (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        recv_q, least = facts.recv_q_of, settings.min_bytes
        full = (i for i in (facts.in_state(TcpState.ESTABLISHED) + facts.unprinted_connected).indices
                if (q := recv_q(i)) is not None and q >= least)
        groups = facts.grouped(full, lambda i: (facts.owner_of(i), facts.service_key_at(i)))
        for (_owner, key), ix in groups.items():
            if len(ix) < settings.min_sockets:
                continue
            sockets = facts.group(ix)
            owners = Owners(sockets)
            queued = [recv_q(i) or 0 for i in ix]
            message = (
                f"{plural(len(sockets), 'established connection')} {service_text(key)} hold unread data "
                f"(up to {size(max(queued))}, {size(sum(queued))} in all){owners.clause()}: the application is not "
                f"reading them, so look for a blocked or overloaded handler"
            )
            yield self.finding(
                Severity.WARNING,
                message,
                sockets,
                state=TcpState.ESTABLISHED,
                process=owners.process,
                pid=owners.pid,
                **service_dims(key),
            )
