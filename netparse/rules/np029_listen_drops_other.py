from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, plural
from .counter_trend import busiest_syn_port, latest_rise, listener_dims, listener_evidence, listener_text, rate_text
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

DROPS = "TcpExtListenDrops"
OVERFLOWS = "TcpExtListenOverflows"
QFULL = "TcpExtTCPReqQFullDrop"
MAX_SYN = "net.ipv4.tcp_max_syn_backlog"
COOKIES = "net.ipv4.tcp_syncookies"


class ListenDropsOther(TrendRule):
    """SYNs dropped by listeners for other reasons than a full accept queue or a full SYN
    queue, between two snapshots.

    What it detects
        In a series whose snapshots carry kernel counters, the rise of TcpExtListenDrops from
        the snapshot before the newest to the newest, less what TcpExtListenOverflows (a full
        accept queue: NP019) and TcpExtTCPReqQFullDrop (a full SYN queue: NP024) explain. At
        ``warning`` or more unexplained drops: a warning. When the newest listing's half-open
        handshakes (SYN_RECEIVED) on a port reach three quarters of net.ipv4.tcp_max_syn_backlog
        with tcp_syncookies 0, the message says that is the cause.

    Why it matters
        "TcpExtListenDrops ... Besides the accept queue overflow, a memory allocation failure
        also increases it" (snmp_counter.rst, abridged). In the kernel's tcp_conn_request, a
        SYN is also dropped without any other counter when syncookies are off and the SYN queue
        holds more than three quarters of tcp_max_syn_backlog, and a handshake's final ACK is
        dropped when the new socket cannot be made (memory, no route). Clients retransmit
        their SYN after 1 s, 3 s ...: connections are slow while no queue looks full.

    What to do
        With syncookies off and many half-open handshakes: turn net.ipv4.tcp_syncookies on (1)
        or raise net.ipv4.tcp_max_syn_backlog, and look at the sources (a flood?). Otherwise
        look at memory (TCPMemoryPressures, dmesg) and routing towards the clients.

    Sources
        Kernel Documentation/networking/snmp_counter.rst (TcpExtListenOverflows and
        TcpExtListenDrops); net/ipv4/tcp_input.c tcp_conn_request (the max_syn_backlog
        check when syncookies are off); ip-sysctl.rst (tcp_max_syn_backlog, tcp_syncookies).
        The threshold is ours. Real capture (samples/counters/capture_rules.py):
        counters-syn-backlog-drop.log (tcp_syncookies=0, tcp_max_syn_backlog=64, listen(128),
        200 SYNs from an address that never answers: ListenDrops +151, no overflow, no
        ReqQFullDrop, 49 SYN-RECV rows) fires; counters-syn-drop.log (the drops are
        TCPReqQFullDrop: NP024's) and counters-healthy.log stay quiet.
    """

    code = "NP029"
    name = "listen-drops-other"
    summary = "ListenDrops rising beyond overflows and SYN-queue drops: SYNs lost for other reasons"
    severities = (Severity.WARNING,)
    states = (TcpState.SYN_RECEIVED, TcpState.LISTEN)

    class Settings(RuleSettings):
        warning: int = Field(10, ge=1, description="Unexplained drops between the two snapshots for a warning (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, DROPS)
        if rise is None:
            return
        drops = rise.of(DROPS) or 0
        overflows, qfull = rise.of(OVERFLOWS) or 0, rise.of(QFULL) or 0
        other = drops - overflows - qfull
        if other < settings.warning:
            return
        latest = rise.after
        port, syns = busiest_syn_port(latest)
        explained = []
        if overflows:
            explained.append(f"{num(overflows)} by {OVERFLOWS}")
        if qfull:
            explained.append(f"{num(qfull)} by {QFULL}")
        less = f" ({', '.join(explained)})" if explained else f" (neither {OVERFLOWS} nor {QFULL} rose)"
        limit, cookies = latest.settings.get(MAX_SYN), latest.settings.get(COOKIES)
        half_open = latest.count(TcpState.SYN_RECEIVED)
        if port is not None and limit and cookies == 0 and half_open >= limit - limit // 4:
            why = (f": {plural(half_open, 'half-open handshake')} in the newest listing ({num(sum(n for _, n in syns))} on "
                   f"{listener_text(series, latest, port)}) reach 3/4 of {MAX_SYN} = {num(limit)} with "
                   f"{COOKIES} = 0, where the kernel drops SYNs; turn syncookies on (1) or raise {MAX_SYN}, and "
                   "look at who sends the SYNs")
        else:
            seen = (f"; {plural(half_open, 'half-open handshake')} on {listener_text(series, latest, port)} in the "
                    "newest listing") if port is not None else ""
            why = (f"{seen}: besides full queues the kernel drops SYNs when memory allocation fails, the route "
                   f"back fails, or (tcp_syncookies 0) the SYN queue passes 3/4 of {MAX_SYN}; check "
                   "TCPMemoryPressures, dmesg and the sysctls")
        message = (f"{DROPS} rose by {num(drops)} {rise.between()}{rate_text(rise, drops)}, {num(other)} more than "
                   f"full queues explain{less}{why}")
        dims = listener_dims(latest, port) if port is not None else {}
        yield Finding(rule=self.name, code=self.code, severity=Severity.WARNING, message=message, count=other,
                      state=TcpState.LISTEN if port is not None else None,
                      evidence=listener_evidence(series, [port]) if port is not None else [], **dims)  # type: ignore[arg-type]
