from __future__ import annotations

from array import array
from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, Rule, num, plural, service_dims, service_text
from .facts import Facts
from .finding import Finding, Severity

#: How long each platform keeps a socket in TIME_WAIT by default, for the message.
LINGER = {
    "linux": "Linux keeps each one 60 s",
    "windows": "Windows keeps each one 120 s or 240 s by default (TcpTimedWaitDelay)",
}


class TimeWaitLoad(Rule):
    """Many sockets in TIME_WAIT across the host: high connection churn.

    What it detects
        The host-wide number of TIME_WAIT sockets, and the port or destination most of them
        belong to.

    Why it matters
        TIME_WAIT is the normal end of every connection on the side that closed first; it keeps
        the connection's four-tuple reserved so late segments cannot corrupt a new connection.
        A large number is not a problem by itself (Vincent Bernat: "not a problem per se";
        Microsoft: it "doesn't always indicate that the server is currently out of ports"): it
        means many short connections. It becomes one when a single destination uses up the
        ephemeral ports, which NP003 (ephemeral-port-exhaustion) checks.

    What to do
        Nothing, if NP003 is quiet. The advice follows the side TIME_WAIT sits on. On a
        service port (a port that listens here) the server closed first: it costs the server
        no ephemeral port; let clients close first or keep connections open (HTTP keep-alive),
        and note tcp_tw_reuse does not apply there. On outgoing connections (an ephemeral
        local port) this host closed first: reuse connections (keep-alive, connection pools),
        and if ports run short widen ip_local_port_range. Do not lower tcp_fin_timeout for this: on Linux TIME_WAIT lasts a
        hard-coded 60 s (TCP_TIMEWAIT_LEN) and that setting only affects orphaned FIN_WAIT_2.
        Never enable tcp_tw_recycle (removed in Linux 4.12); tcp_tw_reuse only helps outgoing
        connections.

    Sources
        Threshold 5000 is catpaw tcpstate's TIME_WAIT warning level (tildebin uses 1000); we
        report it as info (ours), following Bernat and Microsoft that the count alone is harmless.
    """

    @staticmethod
    def _advice(server: int, client: int) -> str:
        """What to do, by the side TIME_WAIT sits on: on a service port the server closed
        first (client-side fixes do not apply); on outgoing connections this host did."""
        on_server = (
            "this server closes first (TIME_WAIT on its service port, which costs no ephemeral port): let clients "
            "close first or keep connections open (HTTP keep-alive); tcp_tw_reuse does not apply, it only helps "
            "outgoing connections"
        )
        on_client = (
            "this host's outgoing connections close first: reuse connections (keep-alive, connection pools); if "
            "ephemeral ports run short (NP003), widen ip_local_port_range or enable tcp_tw_reuse"
        )
        if client == 0:
            return on_server
        if server == 0:
            return on_client
        return f"{num(server)} on service ports: {on_server}; {num(client)} on outgoing connections: {on_client}"

    code = "NP002"
    name = "time-wait-load"
    summary = "Many TIME_WAIT sockets: high connection churn (harmless unless ports run short)"
    severities = (Severity.INFO,)
    states = (TcpState.TIME_WAIT,)

    class Settings(RuleSettings):
        threshold: int = Field(5000, ge=1, description="TIME_WAIT sockets on the host for an info finding (catpaw)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        sockets = facts.in_state(TcpState.TIME_WAIT)
        if len(sockets) < settings.threshold:
            return
        ix = sockets.indices
        service_key = facts.service_key_at
        groups = Counter(service_key(i) for i in ix)
        key, top = groups.most_common(1)[0]
        if top * 2 >= len(sockets):
            where = f", {num(top)} of them {service_text(key)}"
            dims = service_dims(key)
            evidence = facts.group(array("i", (i for i in ix if service_key(i) == key)))
        else:
            where = f", spread over {num(len(groups))} ports and destinations"
            dims, evidence = {}, sockets
        server = sum(1 for i in ix if facts.server_side_at(i))
        message = (
            f"{plural(len(sockets), 'socket')} in TIME_WAIT{where}: high connection churn, harmless by itself "
            f"({LINGER[facts.platform]}); {self._advice(server, len(sockets) - server)}"
        )
        yield self.finding(Severity.INFO, message, evidence, count=len(sockets), state=TcpState.TIME_WAIT, **dims)
