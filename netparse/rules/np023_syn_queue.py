from __future__ import annotations

from array import array
from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, num, percent
from .facts import WILDCARDS, Facts
from .finding import Finding, Severity


class SynQueueNearLimit(Rule):
    """A listener whose SYN queue (half-open handshakes) is near the kernel's limit.

    What it detects
        Per listening port, the SYN_RECEIVED sockets (request sockets: SYN received, SYN-ACK
        sent, no ACK yet) against the limit the kernel applies: the listener's backlog (Send-Q
        of its LISTEN row in ss and live mode) and, when ``max_syn_backlog`` is set to the
        machine's ``net.ipv4.tcp_max_syn_backlog``, three quarters of it (the point where Linux
        drops SYNs when syncookies are off). Warning at ``warning_ratio`` of the limit,
        critical at the limit.

    Why it matters
        A full SYN queue drops new connection attempts (ListenDrops) or answers them with
        syncookies, which lose TCP options (window scaling, SACK). Causes: a SYN flood, clients
        that never complete the handshake, or a path that loses SYN-ACKs or their ACKs.

    What to do
        Look at who sends the SYNs (the remote addresses of the SYN_RECEIVED rows): a flood asks
        for syncookies (net.ipv4.tcp_syncookies=1) and filtering; a busy legitimate service for a
        larger backlog and net.ipv4.tcp_max_syn_backlog. Watch ``nstat TcpExtListenDrops``.

    Sources
        Linux tcp_conn_request: drops when inet_csk_reqsk_queue_is_full (queue > backlog) or,
        without syncookies, when max_syn_backlog - queue < max_syn_backlog / 4. Our capture:
        100 SYNs from an address that never answers, into a netns with syncookies off and
        tcp_max_syn_backlog 64: the queue stopped at 49 (ListenDrops 51). The warning ratio is ours.
    """

    code = "NP023"
    name = "syn-queue-near-limit"
    summary = "SYN queue of a listener near the kernel's limit"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.SYN_RECEIVED, TcpState.LISTEN)

    class Settings(RuleSettings):
        warning_ratio: float = Field(0.5, gt=0, le=1, description="SYN queue / limit for a warning (ours)")
        max_syn_backlog: int | None = Field(None, ge=1, description="This machine's net.ipv4.tcp_max_syn_backlog "
                                            "(unset: only the listener's backlog is the limit)")
        min_queue: int = Field(8, ge=1, description="Half-open handshakes on a port before judging (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        half_open = Counter(facts.local_port_of(i) for i in facts.index(TcpState.SYN_RECEIVED))
        for n in facts.listeners.indices:
            queued = half_open.get(facts.local_port_of(n), 0)
            if queued < settings.min_queue:
                continue
            s = facts.socket(n)
            limits = []
            queue = facts.listen_queue(s)
            if queue is not None:
                limits.append((queue[1], f"the listener's backlog of {num(queue[1])}"))
            if settings.max_syn_backlog:
                cap = settings.max_syn_backlog - settings.max_syn_backlog // 4
                limits.append((cap, f"3/4 of tcp_max_syn_backlog {num(settings.max_syn_backlog)}"))
            if not limits:
                continue
            limit, why = min(limits)
            if queued >= limit:
                severity = Severity.CRITICAL
            elif queued >= settings.warning_ratio * limit:
                severity = Severity.WARNING
            else:
                continue
            syns = [i for i in facts.index(TcpState.SYN_RECEIVED) if facts.local_port_of(i) == s.local_port]
            peers = Counter(facts.remote_address_of(i) for i in syns)
            where = f"port {s.local_port}" if s.local_address in WILDCARDS else endpoint(s.local_address, s.local_port)
            top = ", ".join(f"{a} ({n})" for a, n in peers.most_common(3))
            message = (
                f"{num(queued)} half-open handshakes wait on {where}{Owners([s]).clause()}, {percent(queued, limit)} of "
                f"{why}: new SYNs are being dropped or answered with syncookies at the limit; most from {top}"
            )
            yield self.finding(severity, message, facts.group(array("i", [n, *syns])), count=queued, state=TcpState.SYN_RECEIVED,
                               local_address=s.local_address, local_port=s.local_port)
