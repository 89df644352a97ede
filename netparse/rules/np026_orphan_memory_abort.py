from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, num, plural
from .counter_trend import latest_rise, listing_evidence, rate_text
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

ABORTS = "TcpExtTCPAbortOnMemory"
PRESSURES = "TcpExtTCPMemoryPressures"
ORPHANS = "net.ipv4.tcp_max_orphans"
#: states a socket closed by its application (an orphan) can be in
ORPHAN_STATES = (TcpState.FIN_WAIT_1, TcpState.CLOSING, TcpState.LAST_ACK)


class OrphanMemoryAbort(TrendRule):
    """Connections reset for lack of memory or because too many closed sockets were still
    sending (orphans), between two snapshots.

    What it detects
        In a series whose snapshots carry kernel counters, how much TcpExtTCPAbortOnMemory
        (connections aborted because of too many orphan sockets or TCP memory exhausted) and
        TcpExtTCPMemoryPressures (TCP entered memory pressure) rose from the snapshot before the
        newest to the newest, beside the sockets of the newest listing in the states an orphan
        is in (FIN-WAIT-1, CLOSING, LAST-ACK) and net.ipv4.tcp_max_orphans when the snapshot
        carries it. Aborts are critical from ``critical`` on, else a warning; memory pressure
        alone is a warning.

    Why it matters
        An application that close()s a socket with data still queued leaves an orphan: the
        kernel keeps sending for it. Above tcp_max_orphans orphans, or when TCP's memory
        (net.ipv4.tcp_mem) is exhausted, the kernel resets such connections instead ("TCP: too
        many orphaned sockets" / "out of memory" in dmesg): the peers see resets and lose the
        end of what was sent. Memory pressure also shrinks every socket's buffers.

    What to do
        Find why the orphans do not drain: peers that stopped reading (the Send-Q of the
        FIN-WAIT-1 rows), a lossy path. Raise net.ipv4.tcp_max_orphans (each orphan costs up to
        about 64 KB of unswappable memory, ip-sysctl) or net.ipv4.tcp_mem when the machine has
        the memory; lower net.ipv4.tcp_orphan_retries so dead peers' orphans go sooner.

    Sources
        Kernel Documentation/networking/ip-sysctl.rst (tcp_max_orphans, tcp_mem,
        tcp_orphan_retries); net/ipv4/tcp.c (tcp_check_oom and tcp_close count
        LINUX_MIB_TCPABORTONMEMORY; tcp_enter_memory_pressure counts TCPMemoryPressures).
        Thresholds are ours. Real capture (samples/counters/capture_rules.py):
        counters-orphan-abort.log (40 clients fill their send buffer towards a server that
        never reads and close; the host's tcp_max_orphans lowered to 8 for the closes: +29
        aborts, 11 FIN-WAIT-1 rows) fires; counters-healthy.log stays quiet.
    """

    code = "NP026"
    name = "orphan-memory-abort"
    summary = "Connections reset for too many orphans or TCP memory pressure between snapshots"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = ORPHAN_STATES

    class Settings(RuleSettings):
        ORDERED = (("warning", "critical"),)

        warning: int = Field(1, ge=1, description="Aborts or memory pressures between the two snapshots for a warning (ours)")
        critical: int = Field(10, ge=1, description="Aborts between the two snapshots for critical (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        rise = latest_rise(series, ABORTS, PRESSURES)
        if rise is None:
            return
        aborts, pressures = rise.of(ABORTS) or 0, rise.of(PRESSURES) or 0
        if aborts < settings.warning and pressures < settings.warning:
            return
        latest = rise.after
        parts = []
        if aborts:
            parts.append(f"{ABORTS} rose by {num(aborts)} {rise.between()}{rate_text(rise, aborts)}: the kernel reset "
                         f"{plural(aborts, 'connection')} on close or on a timer because too many orphans were "
                         "sending or TCP's memory was exhausted")
        if pressures:
            parts.append(f"{PRESSURES} rose by {num(pressures)}{'' if parts else ' ' + rise.between()}: TCP entered memory pressure "
                         "(net.ipv4.tcp_mem), every socket's buffers shrink")
        held = {s: latest.count(s) for s in ORPHAN_STATES if latest.count(s)}
        closing = sum(held.values())
        limit = latest.settings.get(ORPHANS)
        states = ", ".join(f"{num(n)} {s.value}" for s, n in held.items())
        seen = f"; {states} in the newest listing (orphans are among them)" if closing else ""
        advice = (f"; {ORPHANS} is {num(limit)}: raise it if the memory allows" if limit is not None
                  else f"; take `sysctl {ORPHANS} net.ipv4.tcp_mem` with the listing")
        message = (f"{'; '.join(parts)}{seen}{advice}; find why the orphans do not drain "
                   "(peers not reading, a lossy path) and check dmesg")
        severity = Severity.CRITICAL if aborts >= settings.critical else Severity.WARNING
        yield Finding(rule=self.name, code=self.code, severity=severity, message=message, count=aborts or pressures,
                      evidence=latest.orphan_lines[:5] or listing_evidence(series, latest))
