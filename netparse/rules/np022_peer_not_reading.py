from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, num, size
from .facts import Facts
from .finding import Finding, Severity


class PeerNotReading(Rule):
    """Connections whose peer stopped reading: a zero receive window, the persist timer running.

    What it detects
        TCP connections with data waiting to be sent (Send-Q at least ``min_send_q`` bytes)
        while the peer advertises a zero window: the persist (zero-window probe) timer is
        running (``timer:(persist,…)`` in ``ss -o``, timer 4 in sock_diag), or tcp_info says
        ``snd_wnd`` 0 or the connection spent ``rwnd_limited_share`` of its busy time limited by
        the peer's window. Critical when Send-Q reaches ``critical_send_q``.

    Why it matters
        The peer's application is not reading its socket (blocked, overloaded, deadlocked), so
        its receive buffer is full and ours fills behind it: writers block or buffer without
        bound, and requests time out with the network idle.

    What to do
        Look at the peer process (``ss -tnp`` on the peer: its Recv-Q is full): why it does not
        read. On our side, bound what is buffered per connection and time out writes.

    Sources
        RFC 9293 3.8.6.1 (zero-window probing); Linux tcp_probe_timer (ICSK_TIME_PROBE0, shown by
        ss as 'persist'). Thresholds are ours. Our capture: a receiver with a 4 kB buffer that
        never reads, across a veth pair: 65,160 bytes queued, persist timer, rwnd_limited 100%.
    """

    code = "NP022"
    name = "peer-not-reading"
    summary = "Peer stopped reading: zero window, persist timer, Send-Q waiting"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.ESTABLISHED, TcpState.CLOSE_WAIT)

    class Settings(RuleSettings):
        min_send_q: int = Field(1, ge=1, description="Bytes waiting to be sent for a finding (ours)")
        critical_send_q: int = Field(4 * 1024 * 1024, ge=1, description="Bytes waiting for critical (ours)")
        rwnd_limited_share: float = Field(0.9, gt=0, le=1, description="Share of busy time limited by the peer's "
                                          "window that counts as a zero window (ours)")

    def _stalled(self, s, settings: Settings) -> bool:
        if s.timer_name == "persist" or s.timer_name == "probe":
            return True
        info = s.tcp_info
        if info is None:
            return False
        if info.snd_wnd == 0 and info.snd_wscale is not None:
            return True
        return bool(info.busy_ms and info.rwnd_limited_ms is not None
                    and info.rwnd_limited_ms >= settings.rwnd_limited_share * info.busy_ms)

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        for i in facts.with_rare():  # a stalled socket shows a timer or tcp_info: sockets with either
            if facts.state_of(i) not in self.states or (facts.send_q_of(i) or 0) < settings.min_send_q:
                continue
            s = facts.socket(i)
            if not self._stalled(s, settings):
                continue
            severity = Severity.CRITICAL if s.send_q >= settings.critical_send_q else Severity.WARNING
            owners = Owners([s])
            probes = f", {num(s.tcp_info.backoff)} zero-window probes backed off" if s.tcp_info and s.tcp_info.backoff else ""
            message = (
                f"The peer {endpoint(s.remote_address, s.remote_port)} of {endpoint(s.local_address, s.local_port)} "
                f"stopped reading: its receive window is zero and {size(s.send_q)} wait in Send-Q{probes}"
                f"{owners.clause()}; find why the peer's application does not read"
            )
            yield self.finding(severity, message, [s], count=1, state=s.state, local_address=s.local_address,
                               local_port=s.local_port, remote_address=s.remote_address, remote_port=s.remote_port,
                               process=owners.process, pid=owners.pid)
