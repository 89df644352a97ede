from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import CountThresholds, Owners, Rule, plural, service_dims, service_text
from .facts import Facts
from .finding import Finding, Severity

#: Recv-Q of a CLOSE_WAIT socket whose data has all been read: the peer's FIN (see the docstring).
FIN_ONLY = 1


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

        The peer's FIN is counted in Recv-Q: on Linux a CLOSE_WAIT socket with no data left to
        read shows Recv-Q 1, not 0, until the application's reads reach the end of the stream.
        ss (inet_diag) and netstat (/proc/net/tcp) report rcv_nxt - copied_seq, and the FIN
        occupies one sequence number, which rcv_nxt passes when the FIN arrives and copied_seq
        only when a read reaches it. That is what our real capture shows
        (samples/linux/problems_ss-tanp.txt: Recv-Q 31/32 on the 100 connections that sent a
        30/31-byte request, 1 on the 50 that sent nothing) and how the kernel computes the
        column (tcp_diag_get_info, get_tcp4_sock/get_tcp6_sock). So the rule counts a CLOSE_WAIT
        socket as holding unread data only when its Recv-Q is above 1. A listing cannot tell the
        FIN from one real byte, so a lone unread byte is not counted either (on any platform).

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
        groups = facts.grouped(
            facts.index(TcpState.CLOSE_WAIT), lambda i: (facts.service_key_at(i), facts.owner_of(i))
        )
        recv_q = facts.recv_q_of
        for (key, _owner), ix in groups.items():
            severity = settings.severity(len(ix))
            if severity is None:
                continue
            sockets = facts.group(ix)
            owners = Owners(sockets)
            peer = "its clients have" if key[0] == "port" else "the server has"
            unread = sum(1 for i in ix if (recv_q(i) or 0) > FIN_ONLY)
            unread_text = f"; {unread:,} still hold unread data besides the peer's FIN" if unread else ""
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
