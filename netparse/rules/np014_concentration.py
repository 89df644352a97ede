from __future__ import annotations

import ipaddress
from array import array
from collections import Counter
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings, num, percent
from .facts import WILDCARDS, Facts
from .finding import Finding, Severity


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address == "localhost"
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


class RemoteConcentration(Rule):
    """One remote address holding an outsized share of a service port's connections.

    What it detects
        For each local service port (one that listens), the remote address holding the most
        ESTABLISHED connections to it, when it holds at least ``min_connections`` of them and
        at least ``share`` of the port's established connections. Loopback peers (a local proxy) and the
        addresses in ``ignore_addresses`` are left out.

    Why it matters
        A healthy public service has connections from many clients. One address holding most
        of them is a misbehaving client (a retry loop, a connection leak), a scraper, or an
        attack that exhausts workers and file descriptors; it can also be a load balancer,
        reverse proxy or NAT gateway in front of the service, which is expected.

    What to do
        Identify the address. If it is your own load balancer or proxy, add it to
        ignore_addresses. Otherwise rate-limit or cap connections per client (web server or
        firewall connection limits) and contact the client's owner.

    Sources
        min_connections 150 is the per-address connection limit of ddos-deflate
        (NO_OF_CONNECTIONS); the 50% share is ours.
    """

    code = "NP014"
    name = "remote-concentration"
    summary = "One remote address holds most of a port's connections"
    severities = (Severity.WARNING,)
    states = (TcpState.ESTABLISHED,)

    class Settings(RuleSettings):
        min_connections: int = Field(
            150, ge=1, description="Connections the top remote address must hold (ddos-deflate NO_OF_CONNECTIONS)"
        )
        share: float = Field(0.5, gt=0, le=1, description="Share of the port's connections it must hold (ours)")
        ignore_loopback: bool = Field(True, description="Leave out loopback peers (local proxies)")
        ignore_addresses: list[str] = Field([], description="Remote addresses to leave out (load balancers, proxies)")

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        ignored = set(settings.ignore_addresses)
        remote = facts.remote_address_of

        def served(i: int) -> bool:
            address = remote(i)
            if facts.local_port_of(i) is None or not address:
                return False
            return address not in WILDCARDS and facts.server_side_at(i)

        ports = facts.grouped((i for i in facts.index(TcpState.ESTABLISHED) if served(i)), facts.local_port_of)
        for port, ix in sorted(ports.items()):
            sockets = facts.group(ix)
            counts = Counter(remote(i) for i in ix)
            for address, n in counts.most_common():
                if address in ignored or (settings.ignore_loopback and _is_loopback(address)):
                    continue
                if n < settings.min_connections or n < settings.share * len(sockets):
                    break
                group = facts.group(array("i", (i for i in ix if remote(i) == address)))
                owners = Owners(group)
                message = (
                    f"{address} holds {num(n)} of the {num(len(sockets))} established connections on port {port} "
                    f"({percent(n, len(sockets))}){owners.clause()}: one client is taking an outsized share "
                    f"(a misbehaving client, a scraper or an attack), unless it is a load balancer, proxy or "
                    f"NAT gateway, which ignore_addresses can leave out"
                )
                yield self.finding(
                    Severity.WARNING,
                    message,
                    group,
                    local_port=port,
                    remote_address=address,
                    process=owners.process,
                    pid=owners.pid,
                )
                break
