from __future__ import annotations

from typing import Iterator

from pydantic import Field

from .base import RuleSettings, endpoint, num, plural, size
from .counter_trend import latest_rise
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule

#: (receive-buffer counter, its protocol's InErrors) for IPv4 and IPv6 UDP
COUNTERS = (("UdpRcvbufErrors", "UdpInErrors"), ("Udp6RcvbufErrors", "Udp6InErrors"))


class UdpRcvbufCounter(TrendRule):
    """UDP datagrams dropped for a full receive buffer between two snapshots, tied to the UDP
    socket whose Recv-Q is filling.

    What it detects
        In a series whose snapshots carry kernel counters, the rise of UdpRcvbufErrors (and
        Udp6RcvbufErrors) from the snapshot before the newest to the newest, with the UDP
        sockets of the newest listing that have data waiting (Recv-Q > 0), fullest first.

    Why it matters
        UdpRcvbufErrors counts datagrams the kernel dropped because the socket's receive
        buffer was full (they are counted in UdpInErrors too): the application does not read
        fast enough or its buffer is small. UDP has no retransmission: each one is lost data
        (DNS queries, syslog, metrics, media).

    What to do
        Read faster (more reader threads, no blocking work in the receive loop), or raise the
        socket's buffer: SO_RCVBUF in the application, capped by net.core.rmem_max
        (net.core.rmem_default for sockets that do not set it) (ip-sysctl / socket(7)). When
        the snapshot carries those sysctls, the message gives their values.

    Sources
        Kernel net/ipv4/udp.c counts a datagram refused for a full receive buffer (-ENOMEM)
        in UDP_MIB_RCVBUFERRORS and UDP_MIB_INERRORS; the real capture below shows both rise
        by the same 197. socket(7) SO_RCVBUF and ip-sysctl rmem_max/rmem_default. Warning at any drop (ours: UDP loses data silently), critical at 1,000
        between the snapshots (ours). Real capture: samples/logs/counters-udp-rcvbuf.log
        (SO_RCVBUF 4096, never read, 200 datagrams of 1000 bytes: +197).
    """

    code = "NP020"
    name = "udp-rcvbuf-counter"
    summary = "UDP receive-buffer drops rising between snapshots: the UDP socket that does not read fast enough"
    severities = (Severity.WARNING, Severity.CRITICAL)

    class Settings(RuleSettings):
        warning: int = Field(1, ge=1, description="Datagrams dropped between the two snapshots for a warning (ours)")
        critical: int = Field(1000, ge=1, description="Datagrams dropped between the two snapshots for critical (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        for rcvbuf, _ in COUNTERS:
            rise = latest_rise(series, rcvbuf)
            if rise is None:
                continue
            dropped = rise.of(rcvbuf) or 0
            if dropped < settings.warning:
                continue
            latest = rise.after
            queues = list(latest.udp_queues.items())
            if queues:
                who = "; data waiting on " + ", ".join(
                    f"{endpoint(a, p)}{f' ({proc}, pid {pid})' if proc and pid else f' ({proc})' if proc else ''}: "
                    f"Recv-Q {size(q)}" for (a, p), (q, proc, pid, _) in queues[:3]
                )
            else:
                who = "; no UDP socket in the newest listing has data waiting (take `ss -uanp` with the counters)"
            limits = [f"{n} = {num(latest.settings[n])}" for n in ("net.core.rmem_default", "net.core.rmem_max") if n in latest.settings]
            limit_text = f" ({', '.join(limits)})" if limits else ""
            message = (
                f"{rcvbuf} rose by {num(dropped)} {rise.between()}: the kernel dropped "
                f"{plural(dropped, 'datagram')} because a UDP socket's receive buffer was full{who}; read faster or "
                f"raise SO_RCVBUF, capped by net.core.rmem_max{limit_text}"
            )
            dims: dict[str, object] = {}
            if len(queues) == 1:
                (address, port), (_, proc, pid, _) = queues[0]
                dims = {"local_address": address, "local_port": port, "process": proc, "pid": pid}
            yield Finding(rule=self.name, code=self.code, severity=Severity.CRITICAL if dropped >= settings.critical else Severity.WARNING,
                          message=message, count=dropped, evidence=sorted(line for *_, line in (v for _, v in queues))[:5],
                          **dims)  # type: ignore[arg-type]
