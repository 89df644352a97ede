from __future__ import annotations

from typing import Iterator

from pydantic import Field, model_validator

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, num, percent
from .facts import WILDCARDS, Facts
from .finding import Finding, Severity


class ListenQueueOverflow(Rule):
    """A listening socket whose accept queue is full or nearly full.

    What it detects
        LISTEN sockets whose queue of connections waiting for accept() is close to the
        backlog. ss shows them on LISTEN rows: Recv-Q is the accept queue, Send-Q the backlog
        (the kernel's sk_ack_backlog and sk_max_ack_backlog). BSD and macOS netstat -L show
        qlen/maxqlen; the rule reads them from fields of those names when a grammar provides
        them. net-tools netstat shows no backlog (Send-Q 0), so its LISTEN rows are skipped.

    Why it matters
        Connections that finished the handshake wait in this queue until the application
        accepts them. When it is full, Linux drops new handshakes (counted as ListenOverflows
        and ListenDrops), and clients see timeouts and retries while the service looks idle.

    What to do
        Make the application accept faster (more acceptor threads or workers, a blocked event
        loop unblocked), or give it a larger backlog: the listen() argument, capped by
        net.core.somaxconn (4096 since Linux 5.4, 128 before). Watch ListenOverflows in nstat.

    Sources
        ip-sysctl somaxconn; serverfault 432022 and Red Hat solution 663923 for the meaning of
        Recv-Q/Send-Q on LISTEN rows. Critical when the queue reaches the backlog (the kernel
        then drops); the warning at 50% of the backlog is ours. Netdata and catpaw alert on the
        ListenOverflows counter, which a socket listing does not show.
    """

    code = "NP010"
    name = "listen-queue-overflow"
    summary = "Accept queue of a listening socket full or nearly full"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.LISTEN,)

    class Settings(RuleSettings):
        warning_ratio: float = Field(0.5, gt=0, le=1, description="Queue / backlog for a warning (ours)")
        critical_ratio: float = Field(1.0, gt=0, le=1, description="Queue / backlog for critical (kernel: full)")

        @model_validator(mode="after")
        def _ordered(self) -> "ListenQueueOverflow.Settings":
            if self.warning_ratio > self.critical_ratio:
                raise ValueError("warning_ratio must not be above critical_ratio")
            return self

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        for s in facts.listeners:
            queue = facts.listen_queue(s)
            if queue is None or queue[1] <= 0:
                continue
            queued, backlog = queue
            ratio = queued / backlog
            owners = Owners([s])
            where = f"port {s.local_port}" if s.local_address in WILDCARDS else endpoint(s.local_address, s.local_port)
            owner = ", ".join(x for x in (s.process, f"pid {s.pid}" if s.pid is not None else "") if x)
            who = f"{where} ({owner})" if owner else where
            if ratio >= settings.critical_ratio:
                severity = Severity.CRITICAL
                message = (
                    f"The accept queue of {who} is full, {num(queued)} connections waiting for a backlog of "
                    f"{num(backlog)}: new connections are being dropped because the application does not accept() "
                    f"them fast enough or its backlog is too small"
                )
            elif ratio >= settings.warning_ratio:
                severity = Severity.WARNING
                message = (
                    f"The accept queue of {who} is {percent(queued, backlog)} full, {num(queued)} of "
                    f"{num(backlog)} connections waiting: the application is falling behind accepting connections"
                )
            else:
                continue
            yield self.finding(
                severity,
                message,
                [s],
                count=queued,
                state=TcpState.LISTEN,
                local_address=s.local_address,
                local_port=s.local_port,
                process=owners.process,
                pid=owners.pid,
            )
