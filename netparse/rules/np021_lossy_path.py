from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, RatioThresholds, Rule, num, percent, plural
from .facts import Facts
from .finding import Finding, Severity


class LossyPath(Rule):
    """Connections towards one peer retransmitting a large share of what they send.

    What it detects
        TCP connections whose tcp_info is known (live mode, ``ss -ti``), grouped by remote
        address: the segments retransmitted over their lives (``retrans:N/TOTAL`` in ss,
        ``tcpi_total_retrans``) against the segments sent (``segs_out``). A group with at least
        ``min_segments`` sent and a retransmitted share at or above ``warning_ratio`` is a
        warning, at or above ``critical_ratio`` critical.

    Why it matters
        Retransmissions mean lost (or badly reordered) segments. Spread over many connections
        to one peer they point at the path, not one application: a congested link, a duplex
        mismatch, a firewall or a shaper dropping. Throughput falls as the congestion window
        shrinks, and latency grows with every retransmission timeout.

    What to do
        Look at the path to that peer: ``mtr``/``ping`` for loss, interface error counters
        (``ip -s link``), the queueing of shapers on the way. ``ss -ti dst ADDRESS`` shows the
        live counters; ``nstat TcpRetransSegs`` the machine-wide rate.

    Sources
        Linux tcp_info (tcpi_total_retrans, tcpi_segs_out). The thresholds are ours: on a
        healthy LAN or loopback the share is near 0; 2% retransmitted is already felt by bulk
        transfers, 10% is a broken path. Our capture: three bulk transfers across a veth pair
        whose sender queue (tc tbf, 4 Mbit/s, 6 kB limit) drops, 38-39% retransmitted.
    """

    code = "NP021"
    name = "lossy-path"
    summary = "Connections towards one peer retransmitting a large share of their segments"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.ESTABLISHED,)

    class Settings(RatioThresholds):
        min_segments: int = Field(100, ge=1, description="Segments sent towards the peer before judging (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        def counted(i: int) -> bool:
            info = facts.tcp_info_of(i)
            return not (info is None or facts.state_of(i) is TcpState.LISTEN or info.total_retrans is None
                        or not info.segs_out)

        groups = facts.grouped((i for i in facts.with_tcp_info() if counted(i)),
                               lambda i: facts.remote_address_of(i) or "?")
        for peer, ix in groups.items():
            infos = [facts.tcp_info_of(i) for i in ix]
            sent = sum(info.segs_out for info in infos)  # type: ignore[union-attr]
            again = sum(info.total_retrans for info in infos)  # type: ignore[union-attr]
            if sent < settings.min_segments:
                continue
            sockets = facts.group(ix)
            severity = settings.severity(again / sent)
            if severity is None:
                continue
            lost = sum(info.lost or 0 for info in infos)  # type: ignore[union-attr]
            owners = Owners(sockets)
            message = (
                f"{plural(len(sockets), 'connection')} towards {peer} retransmitted {num(again)} of "
                f"{num(sent)} segments ({percent(again, sent)}){f', {num(lost)} now counted lost' if lost else ''}"
                f"{owners.clause()}: the path to that peer is losing packets (congestion, a shaper or "
                "a faulty link); check it with mtr and the interface error counters"
            )
            yield self.finding(severity, message, sockets, count=len(sockets), remote_address=peer,
                               process=owners.process, pid=owners.pid)
