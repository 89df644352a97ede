from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, accept_queue, backlog_hidden_by, endpoint, plain_address, plural
from .facts import WILDCARDS, Facts, SocketView
from .finding import Finding, Severity


#: How long connect() waits on Linux with the defaults (tcp_syn_retries 6), by kernel version, as the
#: kernel's Documentation/networking/ip-sysctl.rst gives it: 131 s where tcp_syn_linear_timeouts
#: (default 4: the first retransmissions 1 s apart) exists, Linux 6.5 and later; 127 s before.
LINUX_SYN_TIMEOUT = "about 131 s on Linux 6.5 and later, 127 s before (the defaults)"
#: How long a caller waits, where the platform's default is documented.
WAIT = {"linux": f", and each caller's connect() fails after {LINUX_SYN_TIMEOUT}"}
#: What callers of a local listener with a full accept queue do (the listing is Linux: ss or /proc).
RETRY = f"; each caller retries until the application accepts, or connect() fails after {LINUX_SYN_TIMEOUT}"


def _loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "localhost")


def local_addresses(facts: Facts) -> set[str]:
    """The addresses this host's own sockets use (wildcards left out)."""
    return {a for address in facts.local_addresses() if (a := plain_address(address)) and a not in WILDCARDS}


def local_listener(facts: Facts, local: set[str], address: str | None, port: int | None) -> SocketView | None:
    """The LISTEN socket in this listing that a connection to address:port reaches, when the
    address is this host's (loopback, or one its sockets use): bound to it or to a wildcard."""
    target = plain_address(address)
    if target is None or port is None or not (_loopback(target) or target in local):
        return None
    for i in facts.listeners_on(port):
        address = facts.local_address_of(i)
        if plain_address(address) == target or address in WILDCARDS:
            return facts.socket(i)
    return None


class SynSentStuck(Rule):
    """Outgoing connection attempts (SYN_SENT) to one destination that get no answer.

    What it detects
        Sockets in SYN_SENT grouped by remote address and port. When the destination is a
        listener in the same listing (a loopback address or an address local sockets use, and a
        LISTEN row on that port) whose accept queue is full (ss: LISTEN Recv-Q >= Send-Q, the
        backlog), the finding names that listener instead of the network causes. net-tools
        netstat shows no backlog, so there any connection waiting on that listener (LISTEN
        Recv-Q > 0) is taken as the likely cause, and the message says the backlog is unknown.

    Why it matters
        A client sits in SYN_SENT from its SYN until the SYN,ACK arrives, normally one round
        trip. Several at once towards the same destination mean it does not answer: the service
        is down or its host unreachable, a firewall drops the SYNs silently (a rejecting one
        would send a reset and the attempt would fail at once), or its accept queue is full:
        Linux then drops the SYN (counted as ListenOverflows) and the client retransmits it
        until the application accepts. The callers wait: Linux retransmits the SYN
        tcp_syn_retries times (default 6) before connect() fails, after about 131 s on Linux
        6.5 and later (tcp_syn_linear_timeouts, default 4, keeps the first retransmissions
        1 s apart) and about 127 s before (doubling from 1 s), as the kernel's ip-sysctl
        documentation gives both.

    What to do
        For a local listener with a full queue, see NP010: make its application accept faster
        or give it a larger backlog. Otherwise test the destination from this host (nc -vz HOST
        PORT), check the firewalls and security groups between, and look at the destination's
        listen queue there. Make the callers use a connect timeout shorter than the kernel's.

    Sources
        Timeouts: Linux Documentation/networking/ip-sysctl.rst, tcp_syn_retries (131 s with
        tcp_syn_linear_timeouts, added in 6.5; 127 s in the text of earlier kernels).
        No published threshold exists (netdata#2169 asks for SYN-SENT towards a broken upstream
        as the example of a useful histogram); 10 per destination is ours. The full-queue case
        is the one staged in samples/linux/problems_ss-tanp.txt (LISTEN 127.0.0.1:9090 Recv-Q 9,
        Send-Q 8, and 11 SYN-SENT towards it).
    """

    code = "NP005"
    name = "syn-sent-stuck"
    summary = "Connection attempts to one destination get no answer"
    severities = (Severity.WARNING,)
    states = (TcpState.SYN_SENT,)

    class Settings(RuleSettings):
        warning: int = Field(10, ge=1, description="SYN_SENT sockets towards one remote address and port (ours)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        groups = facts.grouped(
            facts.index(TcpState.SYN_SENT), lambda i: (facts.remote_address_of(i), facts.remote_port_of(i))
        )
        local = local_addresses(facts)
        for (address, port), ix in groups.items():
            if len(ix) < settings.warning:
                continue
            sockets = facts.group(ix)
            owners = Owners(sockets)
            cause = (
                f"the destination does not answer (down, unreachable, or a firewall drops the SYNs)"
                f"{WAIT.get(facts.platform, '')}"
            )
            listener = local_listener(facts, local, address, port)
            queue = accept_queue(facts, listener) if listener is not None else None
            if listener is not None and queue is not None:
                queued, backlog = queue
                there = f"the local listener {endpoint(listener.local_address, listener.local_port)}"
                if backlog is not None and queued >= backlog:
                    cause = f"{there} has a full accept queue (see NP010), so the kernel drops their SYNs{RETRY}"
                elif backlog is None and queued > 0:
                    cause = (
                        f"{there} has {plural(queued, 'connection')} waiting to be accepted and "
                        f"{backlog_hidden_by(facts)} does not show its backlog: its accept queue is probably full, "
                        f"so the kernel drops their SYNs{RETRY}"
                    )
            message = (
                f"{plural(len(sockets), 'connection attempt')} to {endpoint(address, port)} waiting in SYN_SENT"
                f"{owners.clause()}: {cause}"
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
