from __future__ import annotations

from typing import Iterator

from pydantic import Field

from .base import RatioThresholds, num, percent
from .counter_trend import latest_rise, listing_evidence, rate_text
from .facts import Series
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
        above ``warning_ratio`` is a warning, at or above ``critical_ratio`` critical.

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
        counters-retrans-healthy.log (no shaper: +0 for +8,304) stays quiet.
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
        message = (
            f"{RETRANS} rose by {num(again)} for {num(sent)} segments sent ({OUT}) {rise.between()}"
            f"{rate_text(rise, again)}: retransmissions were {percent(again, sent)} of the segments sent; "
            "something on the way loses segments (congestion, a shaper, a faulty link): `tc -s qdisc` and "
            "`ip -s link` for local drops, `ss -ti` for the peers that retransmit (NP021), mtr towards them"
        )
        yield Finding(rule=self.name, code=self.code, severity=severity, message=message, count=again,
                      evidence=listing_evidence(series, rise.after))
