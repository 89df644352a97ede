from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from pydantic import Field

from ..model import Socket
from ..states import TcpState
from .base import CountThresholds, Owners, Rule, plural, service_dims, service_key, service_text
from .facts import Facts
from .finding import Finding, Severity


class CloseWaitLeak(Rule):
    """CLOSE_WAIT sockets piling up on one port (or towards one server) for one process.

    What it detects
        Sockets in CLOSE_WAIT grouped by local service port and process. For outgoing
        connections (the local port is not a listening port) the group is the remote address
        and port instead, so a leaking client connection pool is caught too.

    Why it matters
        CLOSE_WAIT means the peer has closed its side and the kernel is waiting for the local
        application to call close(). RFC 9293 leaves that to the "local user", and no kernel timer
        ages these sockets out (Linux tcp_fin_timeout covers only orphaned FIN_WAIT_2), so they
        only grow: each holds a file descriptor and memory until the process exits. Unread data in
        Recv-Q on such sockets is a further sign of a stuck handler.

    What to do
        Find the owner (ss -tnp state close-wait) and the code path that drops connections
        without closing them: a missing close() in an error path, a connection pool that never
        evicts closed connections, a handler blocked forever. Restarting the process only hides
        the leak. Raising timeouts or tuning sysctls does not help.

    Sources
        Thresholds: warning 100, critical 1000 sockets are the host-wide levels of catpaw's
        tcpstate plugin (100 is also the CLOSE_WAIT threshold of tildebin's socket state
        monitor); applying them per port and process is ours.
    """

    code = "NP001"
    name = "close-wait-leak"
    summary = "CLOSE_WAIT piling up per port and process: the application is not closing connections"
    severities = (Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.CLOSE_WAIT,)

    class Settings(CountThresholds):
        warning: int = Field(100, ge=1, description="CLOSE_WAIT sockets per (port, process) for a warning (catpaw)")
        critical: int = Field(1000, ge=1, description="CLOSE_WAIT sockets per (port, process) for critical (catpaw)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        groups: dict[tuple, list[Socket]] = defaultdict(list)
        for s in facts.in_state(TcpState.CLOSE_WAIT):
            groups[(service_key(facts, s), s.process or s.pid)].append(s)
        for (key, _owner), sockets in groups.items():
            severity = settings.severity(len(sockets))
            if severity is None:
                continue
            owners = Owners(sockets)
            peer = "its clients have" if key[0] == "port" else "the server has"
            unread = sum(1 for s in sockets if s.recv_q)
            unread_text = f"; {unread:,} still hold unread data" if unread else ""
            message = (
                f"{plural(len(sockets), 'socket')} in CLOSE_WAIT {service_text(key)}{owners.clause()}: "
                f"the application is not closing connections {peer} closed (these never time out{unread_text})"
            )
            yield self.finding(
                severity,
                message,
                sockets,
                state=TcpState.CLOSE_WAIT,
                process=owners.process,
                pid=owners.pid,
                **service_dims(key),
            )
