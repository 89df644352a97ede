from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from pydantic import Field

from ..model import Socket
from ..states import TcpState
from .base import Owners, Rule, RuleSettings, endpoint, plural
from .facts import Facts
from .finding import Finding, Severity


#: How long a caller waits, where the platform's default is documented (Linux tcp_syn_retries 6).
WAIT = {"linux": ", and each caller waits about 127 s (the Linux default) before connect() fails"}


class SynSentStuck(Rule):
    """Outgoing connection attempts (SYN_SENT) to one destination that get no answer.

    What it detects
        Sockets in SYN_SENT grouped by remote address and port.

    Why it matters
        A client sits in SYN_SENT from its SYN until the SYN,ACK arrives, normally one round
        trip. Several at once towards the same destination mean it does not answer: the service
        is down or its host unreachable, a firewall drops the SYNs silently (a rejecting one
        would send a reset and the attempt would fail at once), or its accept backlog is full.
        The callers wait: Linux retransmits the SYN tcp_syn_retries times (default 6), about
        127 s in all, before connect() fails.

    What to do
        Test the destination from this host (nc -vz HOST PORT), check the firewalls and
        security groups between, and look at the destination's listen queue (NP010). Make the
        callers use a connect timeout shorter than the kernel's.

    Sources
        No published threshold exists (netdata#2169 asks for SYN-SENT towards a broken upstream
        as the example of a useful histogram); 10 per destination is ours.
    """

    code = "NP005"
    name = "syn-sent-stuck"
    summary = "Connection attempts to one destination get no answer"
    severities = (Severity.WARNING,)
    states = (TcpState.SYN_SENT,)

    class Settings(RuleSettings):
        warning: int = Field(10, ge=1, description="SYN_SENT sockets towards one remote address and port (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        groups: dict[tuple, list[Socket]] = defaultdict(list)
        for s in facts.in_state(TcpState.SYN_SENT):
            groups[(s.remote_address, s.remote_port)].append(s)
        for (address, port), sockets in groups.items():
            if len(sockets) < settings.warning:
                continue
            owners = Owners(sockets)
            message = (
                f"{plural(len(sockets), 'connection attempt')} to {endpoint(address, port)} waiting in SYN_SENT"
                f"{owners.clause()}: the destination does not answer (down, unreachable, or a firewall drops "
                f"the SYNs){WAIT.get(facts.platform, '')}"
            )
            yield self.finding(
                Severity.WARNING,
                message,
                sockets,
                state=TcpState.SYN_SENT,
                remote_address=address,
                remote_port=port,
                process=owners.process,
                pid=owners.pid,
            )
