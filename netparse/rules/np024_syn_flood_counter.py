from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, plural
from .counter_trend import busiest_syn_port, judged, latest_rise, listener_dims, listener_evidence, listener_text, rate_text, setting_text
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

COOKIES = "TcpExtTCPReqQFullDoCookies"
DROPS = "TcpExtTCPReqQFullDrop"
SENT = "TcpExtSyncookiesSent"


class SynFloodCounter(TrendRule):
    """A listener's SYN queue full between two snapshots: handshakes answered with syncookies
    or dropped, tied to the port and the sources of the half-open handshakes.

    What it detects
        In a series whose snapshots carry kernel counters, how much TcpExtTCPReqQFullDoCookies
        (SYN queue full, a syncookie sent instead) and TcpExtTCPReqQFullDrop (SYN queue full,
        the SYN dropped: syncookies off) rose from the snapshot before the newest to the newest,
        with the SYN_RECEIVED sockets of the newest listing per port and source address. Drops
        are a warning, critical at ``critical_per_minute`` (or ``critical`` between snapshots
        without timestamps); cookies alone are a warning.

    Why it matters
        A listener's SYN queue holds at most its listen() backlog of half-open handshakes
        (capped by net.core.somaxconn). When it is full, the kernel answers with a syncookie
        (net.ipv4.tcp_syncookies=1: the connection works, but ip-sysctl warns that syncookies
        "do not allow to use TCP extensions") or drops the SYN (tcp_syncookies=0: the client
        retransmits it after 1 s, 3 s ...; the drop counts in ListenDrops too). A queue that fills with
        handshakes that never complete is the mark of a SYN flood or of a path that loses the
        SYN-ACKs; the sources of the SYN_RECEIVED rows tell which.

    What to do
        A flood from few sources: filter them; keep net.ipv4.tcp_syncookies at 1 (the default)
        so legitimate clients still connect. A busy service: raise the listen() backlog and
        net.core.somaxconn, and net.ipv4.tcp_max_syn_backlog. The message gives the settings the
        snapshot carries.

    Sources
        Kernel Documentation/networking/snmp_counter.rst (TcpExtSyncookiesSent,
        TcpExtTCPReqQFullDoCookies, TcpExtTCPReqQFullDrop; net/ipv4/tcp_input.c
        tcp_conn_request counts them when inet_csk_reqsk_queue_is_full); ip-sysctl.rst
        (tcp_syncookies, tcp_max_syn_backlog). Thresholds are ours. Real captures
        (samples/counters/capture_rules.py): counters-syn-cookies.log (listen(16), 200 SYNs from
        an address that never answers, tcp_syncookies=1: +183 cookies, 17 SYN-RECV rows) and
        counters-syn-drop.log (the same, tcp_syncookies=0: +183 drops) fire; counters-healthy.log
        stays quiet.
    """

    code = "NP024"
    name = "syn-flood-counter"
    summary = "SYN queue full between snapshots: handshakes answered with syncookies or dropped"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.SYN_RECEIVED, TcpState.LISTEN)

    class Settings(RuleSettings):
        ORDERED = (("warning", "critical"),)

        warning: int = Field(1, ge=1, description="Cookies or drops between the two snapshots for a finding (ours)")
        critical_per_minute: float = Field(60.0, gt=0, description="Drops a minute for critical (ours)")
        critical: int = Field(100, ge=1, description="Drops for critical when the snapshots have no timestamps (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, COOKIES, DROPS)
        if rise is None:
            return
        cookies = rise.of(COOKIES) or 0
        drops = rise.of(DROPS) or 0
        critical = judged(rise, drops, settings.warning, settings.critical, settings.critical_per_minute)
        if critical is None and cookies < settings.warning:
            return
        latest = rise.after
        port, syns = busiest_syn_port(latest)
        what = []
        if drops:
            what.append(f"{DROPS} rose by {num(drops)}{rate_text(rise, drops)} (SYNs dropped)")
        if cookies:
            sent = rise.of(SENT)
            what.append(f"{COOKIES} {'by' if what else 'rose by'} {num(cookies)}{rate_text(rise, cookies)} "
                        "(answered with syncookies" + (f"; {SENT} +{num(sent)}" if sent is not None else "") + ")")
        half_open = latest.count(TcpState.SYN_RECEIVED)
        if syns:
            peers = ", ".join(f"{peer} ({num(n)})" for peer, n in syns[:3])
            who = (f"; {plural(half_open, 'half-open handshake')} in the newest listing, on "
                   f"{listener_text(series, latest, port)} from {peers}")
        else:
            who = "; no SYN_RECEIVED socket in the newest listing (the flood had passed, or the listing is `ss -tan` without it)"
        advice = ("; the SYN queue holds the listen() backlog, capped by " + setting_text(latest, "net.core.somaxconn")
                  + f"; {setting_text(latest, 'net.ipv4.tcp_max_syn_backlog')}")
        cookies_on = latest.settings.get("net.ipv4.tcp_syncookies")
        if drops and cookies_on == 0:
            advice += "; net.ipv4.tcp_syncookies = 0: turn syncookies on (1) so clients still connect while it is full"
        message = (f"{' and '.join(what)} {rise.between()}: a listener's SYN queue was full{who}{advice}; "
                   "filter the sources if it is a flood")
        dims = listener_dims(latest, port) if port is not None else {}
        yield Finding(rule=self.name, code=self.code, severity=Severity.CRITICAL if critical else Severity.WARNING,
                      message=message, count=drops + cookies, state=TcpState.LISTEN if port is not None else None,
                      evidence=listener_evidence(series, [port]) if port is not None else [], **dims)  # type: ignore[arg-type]
