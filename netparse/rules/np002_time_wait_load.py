from __future__ import annotations

from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, Rule, num, plural, service_dims, service_key, service_text
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
        Nothing, if NP003 is quiet. To reduce churn, reuse connections (HTTP keep-alive,
        connection pools). Do not lower tcp_fin_timeout for this: on Linux TIME_WAIT lasts a
        hard-coded 60 s (TCP_TIMEWAIT_LEN) and that setting only affects orphaned FIN_WAIT_2.
        Never enable tcp_tw_recycle (removed in Linux 4.12); tcp_tw_reuse only helps outgoing
        connections.

    Sources
        Threshold 5000 is catpaw tcpstate's TIME_WAIT warning level (tildebin uses 1000); we
        report it as info (ours), following Bernat and Microsoft that the count alone is harmless.
    """

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
        groups = Counter(service_key(facts, s) for s in sockets)
        key, top = groups.most_common(1)[0]
        if top * 2 >= len(sockets):
            where = f", {num(top)} of them {service_text(key)}"
            dims = service_dims(key)
            evidence = [s for s in sockets if service_key(facts, s) == key]
        else:
            where = f", spread over {num(len(groups))} ports and destinations"
            dims, evidence = {}, sockets
        message = (
            f"{plural(len(sockets), 'socket')} in TIME_WAIT{where}: high connection churn, harmless by itself "
            f"({LINGER[facts.platform]}); reuse connections if ephemeral ports run short"
        )
        yield self.finding(Severity.INFO, message, evidence, count=len(sockets), state=TcpState.TIME_WAIT, **dims)
