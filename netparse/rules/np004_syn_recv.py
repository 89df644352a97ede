from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Rule, RuleSettings, num, plural
from .facts import Facts
from .finding import Finding, Severity


class SynRecvFlood(Rule):
    """Half-open connections (SYN_RECEIVED) piling up on one listening port.

    What it detects
        Sockets in SYN_RECEIVED (ss SYN-RECV, netstat SYN_RECV) per local port, with the number
        of distinct source addresses. Critical when they reach the listener's backlog, which
        ss shows as Send-Q of the LISTEN row.

    Why it matters
        A server enters SYN_RECEIVED when it answers a SYN with SYN,ACK and waits for the
        client's ACK. Many of them mean a SYN flood (many, often spoofed, sources), or clients
        whose ACKs never arrive (a firewall, asymmetric routing), or a scanner. When the queue of
        pending handshakes is full, Linux drops new SYNs or falls back to SYN cookies, and real
        clients see slow or failed connects. Linux retransmits the SYN,ACK tcp_synack_retries
        times (default 5, about 63 s in all) before giving up on one.

    What to do
        Check how spread the sources are (the message says). Make sure net.ipv4.tcp_syncookies is
        on (default 1), compare ListenDrops and TCPReqQFullDrop / TCPReqQFullDoCookies in nstat,
        and raise the listen() backlog with net.core.somaxconn and tcp_max_syn_backlog if the
        traffic is real. For a flood, filter upstream. For a few sources, find what drops
        their ACKs.

    Sources
        Warning at 100 per port follows tildebin's host-wide SYN_RECV threshold; critical at
        the listener's backlog is ours (Linux compares pending handshakes with the backlog;
        tcp_max_syn_backlog is documented in ip-sysctl).
    """

    code = "NP004"
    name = "syn-recv-flood"
    summary = "Half-open connections piling up on a listening port: SYN flood or lost ACKs"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.SYN_RECEIVED,)

    class Settings(RuleSettings):
        warning: int = Field(100, ge=1, description="SYN_RECEIVED sockets per local port for a warning (tildebin)")
        critical_at_backlog: bool = Field(
            True, description="Critical when the count reaches the LISTEN socket's backlog, if the input shows it (ours)"
        )
        spread_ratio: float = Field(
            0.5, gt=0, le=1, description="Distinct sources per socket above which the message says flood (ours)"
        )

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        groups = facts.grouped(facts.index(TcpState.SYN_RECEIVED), facts.local_port_of)
        for port, ix in groups.items():
            sockets = facts.group(ix)
            n = len(sockets)
            listener = facts.listener(port)
            queue = facts.listen_queue(listener) if listener is not None else None
            backlog = queue[1] if queue else None
            full = settings.critical_at_backlog and backlog is not None and n >= backlog
            if n < settings.warning and not full:
                continue
            sources = {facts.remote_address_of(i) for i in ix}
            backlog_text = f", reaching the listen backlog of {num(backlog)}" if full else ""
            if len(sources) >= max(2, settings.spread_ratio * n):
                why = (
                    "this looks like a SYN flood, so make sure net.ipv4.tcp_syncookies is on and check "
                    "ListenDrops and TCPReqQFullDrop with nstat"
                )
            else:
                why = (
                    "these clients' handshakes are not completing (their ACKs are lost to a firewall or "
                    "asymmetric routing, or it is a scan)"
                )
            message = (
                f"{plural(n, 'half-open connection')} (SYN_RECEIVED) on port {port} from "
                f"{plural(len(sources), 'address', 'addresses')}{backlog_text}: {why}"
            )
            yield self.finding(
                Severity.CRITICAL if full else Severity.WARNING,
                message,
                sockets,
                state=TcpState.SYN_RECEIVED,
                local_port=port,
                remote_address=next(iter(sources)) if len(sources) == 1 else None,
            )
