from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, plural, somaxconn_advice
from .counter_trend import judged, latest_rise, listener_where, rate_text
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

OVERFLOWS = "TcpExtListenOverflows"


class ListenOverflowCounter(TrendRule):
    """The kernel's ListenOverflows counter rising between two snapshots, tied to the listener
    whose accept queue is at its backlog.

    What it detects
        In a log (or live samples) whose snapshots carry kernel counters (``nstat -az``,
        /proc/net/netstat, ``netstat -s``), how much TcpExtListenOverflows
        rose from the snapshot before the newest to the newest (totals since boot are never
        judged). It names the listeners of the newest socket table whose accept queue is at
        its backlog (ss: Recv-Q >= Send-Q on a LISTEN row), else those with connections
        waiting. ListenDrops rising more than ListenOverflows (drops for other causes: a full
        SYN queue, memory) is NP029's finding, not this rule's.

    Why it matters
        "When kernel receives a SYN from a client, and if the TCP accept queue is full, kernel
        will drop the SYN and add 1 to TcpExtListenOverflows" (kernel snmp_counter.rst, 4.10
        and later). Clients retransmit their SYN after 1 s, 3 s, 7 s ...: connections take
        seconds or time out while the service looks idle. The counter is global; only the
        socket table says which listener overflowed. ListenDrops also counts drops with no
        overflow ("e.g. a memory allocation fail", same document).

    What to do
        Make the application accept() faster (more workers or acceptor threads, an event loop
        that is not blocked), or give it a larger backlog: the listen() argument, capped by
        net.core.somaxconn (ip-sysctl). When the snapshot carries the sysctl, the advice says
        which of the two limits the listener.

    Sources
        Kernel Documentation/networking/snmp_counter.rst (TcpExtListenOverflows and
        TcpExtListenDrops); ip-sysctl.rst (somaxconn). Thresholds: warning at any overflow
        (the kernel dropped a handshake), critical at 5 or more a minute, after Netdata's
        1m_tcp_accept_queue_drops alert (warning above 1, critical above 5 over a minute);
        without timestamps, critical at ``critical`` overflows between the snapshots (ours).
        Real capture: samples/logs/counters-accept-overflow.log (listen(2), never accept()s,
        30 connects: +54) fires; counters-healthy.log (same burst, accepting) stays quiet.
    """

    code = "NP019"
    name = "listen-overflow-counter"
    summary = "ListenOverflows rising between snapshots: the listener at its backlog dropped handshakes"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.LISTEN,)

    class Settings(RuleSettings):
        ORDERED = (("warning", "critical"),)

        warning: int = Field(1, ge=1, description="Overflows between the two snapshots for a warning")
        critical_per_minute: float = Field(5.0, gt=0, description="Overflows a minute for critical (Netdata)")
        critical: int = Field(100, ge=1, description="Overflows for critical when the snapshots have no timestamps (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, OVERFLOWS)
        if rise is None:
            return
        overflows = rise.of(OVERFLOWS) or 0
        latest = rise.after
        full = [(k, q) for k, q in latest.listen_queues.items() if q[1] and q[0] >= q[1]]
        waiting = sorted(latest.listen_queues.items(), key=lambda kq: -kq[1][0])
        critical = judged(rise, overflows, settings.warning, settings.critical, settings.critical_per_minute)
        if critical is not None:
            shown = full or waiting[:3]
            if full:
                who = "; at its backlog: " + ", ".join(self._listener(series, k, q) for k, q in full[:3])
            elif waiting:
                who = ("; no listener is at its backlog in the newest listing (the queue emptied, or the listing "
                       "shows no backlog); connections waiting: " + ", ".join(self._listener(series, k, q) for k, q in waiting[:3]))
            else:
                who = "; no listener in the newest listing has connections waiting: the overflow was transient"
            backlog = shown[0][1][1] if len(shown) == 1 else None
            advice = somaxconn_advice(latest.settings.get("net.core.somaxconn"), backlog) if shown else ""
            message = (
                f"{OVERFLOWS} rose by {num(overflows)} {rise.between()}{rate_text(rise, overflows)}: the kernel dropped "
                f"{plural(overflows, 'handshake')} because an accept queue was full{who}"
                + (advice or "; make the application accept() faster or give it a larger listen() backlog")
            )
            yield self._finding(series, Severity.CRITICAL if critical else Severity.WARNING, message, overflows, shown)

    @staticmethod
    def _listener(series: Series, key: tuple, queue: tuple[int, int | None]) -> str:
        proto, address, port = key
        owner = series.latest.listeners.get(key) if series.latest else None
        queued, backlog = queue
        state = f"{num(queued)} waiting for a backlog of {num(backlog)}" if backlog else f"{num(queued)} waiting"
        return f"{listener_where(address, port, owner)}, {state}"

    def _finding(self, series: Series, severity: Severity, message: str, count: int, shown: list) -> Finding:
        latest = series.latest
        keys = [k for k, _ in shown] or list(latest.listeners)  # type: ignore[union-attr]
        lines = sorted({n for k in keys for n in series.listener_lines.get(k, [])})[:5]
        dims: dict[str, object] = {}
        if len(shown) == 1:
            (proto, address, port), _ = shown[0]
            owner = latest.listeners.get(shown[0][0])  # type: ignore[union-attr]
            dims = {"local_address": address, "local_port": port, "process": owner.process if owner else None,
                    "pid": owner.pid if owner else None}
        return Finding(rule=self.name, code=self.code, severity=severity, message=message, count=count,
                       evidence=lines, state=TcpState.LISTEN if lines else None, **dims)  # type: ignore[arg-type]
