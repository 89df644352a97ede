from __future__ import annotations

from heapq import nlargest
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import (
    Owners,
    Rule,
    RuleSettings,
    accept_queue,
    backlog_advice,
    backlog_hidden_by,
    container_label,
    endpoint,
    num,
    percent,
    plural,
)
from .facts import WILDCARDS, Facts
from .finding import Finding, Severity


class ListenQueueOverflow(Rule):
    """A listening socket whose accept queue is full or nearly full.

    What it detects
        LISTEN sockets whose queue of connections waiting for accept() is close to the
        backlog. ss shows them on LISTEN rows: Recv-Q is the accept queue, Send-Q the backlog
        (the kernel's sk_ack_backlog and sk_max_ack_backlog). BSD and macOS netstat -L show
        qlen/maxqlen; the rule reads them from fields of those names when a grammar provides
        them. net-tools and BusyBox netstat read /proc/net/tcp, whose LISTEN rows carry the
        accept queue as Recv-Q but always 0 as Send-Q: the backlog is unknown, so the rule
        cannot say the queue is full. It reports instead, as information, a listener with at
        least ``waiting_without_backlog`` connections waiting to be accepted, and asks for
        ``ss -ltn``, which shows the backlog. That finding is never the critical "full" one,
        and it is one finding for all such listeners of a listing (the advice is the same),
        naming the longest queues, the listener itself when there is one.

    Why it matters
        Connections that finished the handshake wait in this queue until the application
        accepts them. When it is full, Linux drops new handshakes (counted as ListenOverflows
        and ListenDrops), and clients see timeouts and retries while the service looks idle.

    What to do
        Make the application accept faster (more acceptor threads or workers, a blocked event
        loop unblocked), or give it a larger backlog: the listen() argument, capped by
        net.core.somaxconn (4096 since Linux 5.4, 128 before). Watch ListenOverflows in nstat.
        When the input carries net.core.somaxconn (a sysctl line), the advice says whether the
        backlog is the application's choice or the sysctl's cap, with its value; NP019 reads
        the ListenOverflows counter itself.

    Sources
        ip-sysctl somaxconn; serverfault 432022 and Red Hat solution 663923 for the meaning of
        Recv-Q/Send-Q on LISTEN rows; Linux get_tcp4_sock/get_tcp6_sock print sk_ack_backlog as
        the rx_queue of a LISTEN row in /proc/net/tcp and no backlog. Critical when the queue
        reaches the backlog (the kernel then drops); the warning at 50% of the backlog is ours.
        Without a backlog, info at 5 waiting connections is ours: 5 is the smallest backlog in
        common use (Python socketserver's request_queue_size), and it keeps the 3 connections
        waiting on a backlog of 8 in our real captures (samples/linux/ss-tln.txt,
        netstat-lnt.txt) quiet, as they are for ss. Netdata and catpaw alert on the
        ListenOverflows counter, which a socket listing does not show.
    """

    code = "NP010"
    name = "listen-queue-overflow"
    summary = "Accept queue of a listening socket full or nearly full"
    severities = (Severity.INFO, Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.LISTEN,)

    class Settings(RuleSettings):
        ORDERED = (("warning_ratio", "critical_ratio"),)

        warning_ratio: float = Field(0.5, gt=0, le=1, description="Queue / backlog for a warning (ours)")
        critical_ratio: float = Field(1.0, gt=0, le=1, description="Queue / backlog for critical (kernel: full)")
        waiting_without_backlog: int = Field(
            5, ge=1, description="Connections waiting on a LISTEN row that shows no backlog (netstat) for info (ours)"
        )

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        unknown = _Unknown()  # listeners with connections waiting and no backlog shown: one finding
        for n, s in enumerate(facts.listeners + facts.unprinted_unconnected):
            queue = accept_queue(facts, s)
            if queue is None:
                continue
            queued, backlog = queue
            owners = Owners([s])
            where = f"port {s.local_port}" if s.local_address in WILDCARDS else endpoint(s.local_address, s.local_port)
            owner = ", ".join(x for x in (s.process, f"pid {s.pid}" if s.pid is not None else "") if x)
            container = container_label([s])
            owner = ", ".join(x for x in (owner, container) if x)
            who = f"{where} ({owner})" if owner else where
            if backlog is None:
                if queued >= settings.waiting_without_backlog:
                    unknown.add(n, s, queued, who)
                continue
            if queued / backlog >= settings.critical_ratio:
                severity = Severity.CRITICAL
                message = (
                    f"The accept queue of {who} is full, {num(queued)} connections waiting for a backlog of "
                    f"{num(backlog)}: new connections are being dropped because the application does not accept() "
                    f"them fast enough or its backlog is too small{backlog_advice(facts, backlog)}"
                )
            elif queued / backlog >= settings.warning_ratio:
                severity = Severity.WARNING
                message = (
                    f"The accept queue of {who} is {percent(queued, backlog)} full, {num(queued)} of "
                    f"{num(backlog)} connections waiting: the application is falling behind accepting connections"
                    f"{backlog_advice(facts, backlog)}"
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
        if unknown.count:
            yield self._unknown_finding(facts, unknown)

    def _unknown_finding(self, facts: Facts, unknown: "_Unknown") -> Finding:
        """One INFO finding for every listener whose queue shows connections waiting where the
        output prints no backlog (netstat): the advice is the same for all of them, so a listing
        with many such listeners gets it once, naming the longest queues."""
        hidden = f"the backlog is not in {backlog_hidden_by(facts)} output"
        top = unknown.longest()
        if unknown.count == 1:
            (queued, _, s, who), = top
            message = (
                f"{plural(queued, 'connection')} {'is' if queued == 1 else 'are'} waiting to be accepted on {who}; "
                f"{hidden}, so whether the queue is full is unknown: take `ss -ltn` to see it (Send-Q of the "
                "LISTEN row)"
            )
            owners = Owners([s])
            return self.finding(Severity.INFO, message, [s], count=queued, state=TcpState.LISTEN,
                                local_address=s.local_address, local_port=s.local_port,
                                process=owners.process, pid=owners.pid)
        shown = ", ".join(f"{num(q)} on {who}" for q, _, _, who in top[:3])
        more = unknown.count - min(3, unknown.count)
        message = (
            f"{num(unknown.count)} listeners have connections waiting to be accepted, {num(unknown.total)} in all; "
            f"the longest queues: {shown}{f' and {num(more)} more' if more else ''}; {hidden}, so whether "
            "their queues are full is unknown: take `ss -ltn` to see them (Send-Q of the LISTEN rows)"
        )
        return self.finding(Severity.INFO, message, [s for _, _, s, _ in top], count=unknown.total,
                            state=TcpState.LISTEN, local_port=unknown.port, process=unknown.process,
                            pid=unknown.pid)


class _Unknown:
    """Listeners with connections waiting and no backlog shown, counted; only the few longest
    queues are kept (a generated listing has 77,000 such listeners)."""

    KEEP = 5
    _MIXED = object()

    def __init__(self) -> None:
        self.count = 0
        self.total = 0
        self._kept: list[tuple[int, int, object, str]] = []
        self._port: object = None
        self._owner: object = None

    def add(self, n: int, s, queued: int, who: str) -> None:
        self.count += 1
        self.total += queued
        self._port = s.local_port if self.count == 1 else (self._port if self._port == s.local_port else self._MIXED)
        owner = (s.process, s.pid)
        self._owner = owner if self.count == 1 else (self._owner if self._owner == owner else self._MIXED)
        self._kept.append((queued, -n, s, who))
        if len(self._kept) > 4 * self.KEEP:
            self._kept = self.longest()

    def longest(self) -> list[tuple[int, int, object, str]]:
        """The longest queues first, in input order among equals."""
        return nlargest(self.KEEP, self._kept, key=lambda k: (k[0], k[1]))

    @property
    def port(self) -> int | None:
        return None if self._port is self._MIXED else self._port  # type: ignore[return-value]

    @property
    def process(self) -> str | None:
        return None if self._owner is self._MIXED or self._owner is None else self._owner[0]  # type: ignore[index]

    @property
    def pid(self) -> int | None:
        return None if self._owner is self._MIXED or self._owner is None else self._owner[1]  # type: ignore[index]
