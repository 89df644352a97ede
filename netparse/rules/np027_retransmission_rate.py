from __future__ import annotations

from typing import Iterator

from pydantic import Field

from .base import RatioThresholds, num, percent
from .counter_trend import connections_text, latest_rise, listing_evidence, peer_dims, rate_text
from .facts import Series, SnapshotPoint
from .finding import Finding, Severity
from .trend import TrendRule

RETRANS = "TcpRetransSegs"
OUT = "TcpOutSegs"


class RetransmissionRate(TrendRule):
    """The machine retransmitting a large share of the TCP segments it sent between two
    snapshots.

    What it detects
        In a series whose snapshots carry kernel counters, the rise of TcpRetransSegs against
        the rise of TcpOutSegs from the snapshot before the newest to the newest (the same
        counters as netstat -s "segments retransmitted" and "segments sent out"; Windows
        "Segments Retransmitted"). At least ``min_segments`` sent in between, a share at or
        above ``warning_ratio`` is a warning, at or above ``critical_ratio`` critical. The
        message says what the newest listing shows of where: the connections whose tcp_info
        (``ss -ti``) counts retransmissions, per service port and peer with their process; with
        tcp_info but none retransmitting, that; without tcp_info, only the busiest established
        peer (most bytes in Send-Q, then most connections), not as the one retransmitting.

    Why it matters
        Retransmissions mean segments lost or badly reordered on the way: congestion, a shaper
        or policer dropping, a faulty link or a duplex mismatch. Throughput falls as the
        congestion windows shrink and every retransmission timeout adds latency. The counters
        are machine-wide: the share says that something loses, not where.

    What to do
        Find the path: NP021 names the peers whose connections retransmit when the listing
        carries tcp_info (``ss -ti``); ``ip -s link`` and ``tc -s qdisc`` show drops on this
        machine's interfaces and queues; mtr to the busy peers shows loss on the way.

    Sources
        RFC 4022 (tcpRetransSegs, tcpOutSegs: "the number of segments retransmitted" and
        "sent ... excluding those containing only retransmitted octets"), kernel
        Documentation/networking/snmp_counter.rst (TcpRetransSegs, TcpOutSegs). Thresholds are
        ours, the same as NP021's (2% is felt by bulk transfers, 10% is a broken path). Real
        captures (samples/counters/capture_rules.py): counters-retrans.log (three 4 MB transfers
        through a tc tbf queue that drops: +6,327 retransmitted for +11,569 sent) fires;
        counters-retrans-healthy.log (no shaper: +0 for +8,304) stays quiet;
        counters-retrans-ti.log (the newest listing taken during the transfers with ``ss -tanpi``)
        names the connection on port 8080 towards 10.99.0.1 whose tcp_info says retrans:0/747;
        counters-retrans-busy.log (the same without -i) names only the busiest peer.
    """

    code = "NP027"
    name = "retransmission-rate"
    summary = "A large share of the TCP segments sent between snapshots was retransmitted"
    severities = (Severity.WARNING, Severity.CRITICAL)

    class Settings(RatioThresholds):
        min_segments: int = Field(1000, ge=1, description="Segments sent between the snapshots before judging (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, RETRANS)
        if rise is None:
            return
        again, sent = rise.of(RETRANS), rise.of(OUT)
        if again is None or not sent or sent < settings.min_segments:
            return
        severity = settings.severity(again / sent)
        if severity is None:
            return
        latest = rise.after
        who, dims, lines = self._who(latest)
        look = ("mtr towards them" if latest.retransmitting
                else "`ss -ti` for the peers that retransmit (NP021), mtr towards them")
        message = (
            f"{RETRANS} rose by {num(again)} for {num(sent)} segments sent ({OUT}) {rise.between()}"
            f"{rate_text(rise, again)}: retransmissions were {percent(again, sent)} of the segments sent; {who}; "
            "something on the way loses segments (congestion, a shaper, a faulty link): `tc -s qdisc` and "
            f"`ip -s link` for local drops, {look}"
        )
        yield Finding(rule=self.name, code=self.code, severity=severity, message=message, count=again,
                      evidence=lines or listing_evidence(series, latest), **dims)

    @staticmethod
    def _who(point: SnapshotPoint) -> tuple[str, dict[str, object], list[int]]:
        """(what the newest listing says of where the retransmissions are, the finding's fields,
        evidence lines): the connections whose tcp_info counts retransmissions, else the busiest
        established peer, each only as far as the listing shows it."""
        if point.retransmitting:
            named = list(point.retransmitting.items())[:3]
            parts = [f"{connections_text(k, g)} retransmitted {num(g.retrans or 0)} of the {num(g.segs_out or 0)} "
                     f"segments sent {'in its life' if g.connections == 1 else 'in their lives'}" for k, g in named]
            more = len(point.retransmitting) - len(named)
            text = "in the newest listing's tcp_info, " + "; ".join(parts) + (
                f"; and {num(more)} more peers" if more > 0 else "")
            key, top = named[0]
            lines = sorted({n for _, g in named for n in g.lines})[:5]
            return text, peer_dims(key, top), lines
        if point.tcp_info_connections == 1:
            return "the one connection with tcp_info in the newest listing shows no retransmission", {}, []
        if point.tcp_info_connections:
            return (f"none of the {num(point.tcp_info_connections)} connections with tcp_info in the newest listing "
                    "shows a retransmission"), {}, []
        if point.busiest:
            key, top = next(iter(point.busiest.items()))
            queued = f", {num(top.send_q)} bytes in Send-Q" if top.send_q else ""
            return (f"the newest listing has no tcp_info to tell which connections retransmit; its busiest established "
                    f"peer: {connections_text(key, top)}{queued}"), {}, []
        return ("the newest listing has neither tcp_info nor an established connection to tell which peer "
                "retransmitted"), {}, []
