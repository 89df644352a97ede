from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import Owners, Rule, RuleSettings
from .facts import WILDCARDS, Facts, SocketView
from .finding import Finding, Severity

#: Services usually kept off public interfaces: port -> (name, what an exposed one risks).
SERVICES: dict[int, tuple[str, str]] = {
    23: ("Telnet", "it sends passwords in clear text"),
    445: ("SMB", "file sharing is a frequent worm and ransomware entry point"),
    2375: ("Docker API", "the unencrypted Docker API gives root on this host to anyone who reaches it"),
    2376: ("Docker API (TLS)", "it controls the Docker daemon, so only trusted networks should reach it"),
    2379: ("etcd", "it holds the cluster's configuration and secrets"),
    2380: ("etcd peer", "it is meant for the other etcd members only"),
    3306: ("MySQL", "database servers are scanned and brute-forced constantly"),
    3389: ("RDP", "remote desktop logins are brute-forced constantly"),
    5432: ("PostgreSQL", "database servers are scanned and brute-forced constantly"),
    6379: ("Redis", "Redis accepts commands without a password unless one is set"),
    9200: ("Elasticsearch HTTP", "older versions have no authentication by default"),
    9300: ("Elasticsearch transport", "it is meant for the other cluster nodes only"),
    10250: ("kubelet", "the kubelet API can run commands in pods when anonymous access is allowed"),
    11211: ("Memcached", "it has no authentication by default and its UDP port has been used to amplify DDoS attacks"),
    27017: ("MongoDB", "MongoDB does not enforce authentication unless configured"),
}


class ExposedService(Rule):
    """A service that is usually kept local, listening on every address.

    What it detects
        TCP LISTEN sockets and unconnected UDP sockets bound to a wildcard address (0.0.0.0,
        ::, *) on the ports of services usually kept local or private: Telnet 23, SMB 445,
        Docker API 2375/2376, etcd 2379/2380, MySQL 3306, RDP 3389, PostgreSQL 5432, Redis
        6379, Elasticsearch 9200/9300, kubelet 10250, Memcached 11211, MongoDB 27017.
        Sockets bound to the loopback device (ss 0.0.0.0%lo) are not counted.

    Why it matters
        A wildcard bind accepts connections on every interface, public ones included. These
        services have been mass-exploited when reachable: Redis without a password, the Docker
        API (root on the host: docker.com "Protect the Docker daemon socket"), open Memcached
        used for UDP amplification, MongoDB and Elasticsearch databases wiped for ransom.
        Several projects changed their defaults for this reason: Redis added protected mode,
        MongoDB binds to localhost unless told otherwise ("IP Binding"), Elasticsearch binds
        to localhost until network.host is set, memcached 1.5.6 turned UDP off.

    What to do
        Bind the service to 127.0.0.1 or a private address (Redis bind, MongoDB net.bindIp,
        Elasticsearch network.host, memcached -l), or make sure a firewall keeps the port
        closed to untrusted networks. The finding cannot see firewalls: if one already blocks
        the port, disable the rule or trim its port list.

    Sources
        Port list and the Docker API as critical follow our research notes (Docker, Redis,
        MongoDB, Elastic and memcached documentation); the other ports, and SMB and RDP as
        info because Windows listens on them on every address by default (System, pid 4, for
        445) behind its own firewall, are ours.
    """

    code = "NP013"
    name = "exposed-service"
    summary = "Services usually kept local (Redis, Docker API, databases ...) listening on every address"
    severities = (Severity.INFO, Severity.WARNING, Severity.CRITICAL)
    states = (TcpState.LISTEN,)

    class Settings(RuleSettings):
        ports: list[int] = Field(sorted(SERVICES), description="Ports of services that should not listen on a wildcard")
        critical_ports: list[int] = Field([2375], description="Of those, the ones reported as critical")
        info_ports: list[int] = Field(
            [445, 3389], description="Of those, the ones reported as info: Windows opens them on every address by default"
        )

    def check(self, facts: Facts, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        watched = set(settings.ports) | set(settings.critical_ports) | set(settings.info_ports)
        groups: dict[int, list[SocketView]] = defaultdict(list)
        for i in range(facts.size):
            if facts.local_port_of(i) not in watched or facts.local_address_of(i) not in WILDCARDS:
                continue
            s = facts.socket(i)
            if s.local_interface == "lo":
                continue
            if s.proto == "tcp":
                # a TCP row of a layout without a state column: listening unless it has a peer
                listening = s.state is TcpState.LISTEN or (s.state_printed is False and s.remote_port is None)
            else:
                listening = s.remote_port is None
            if listening:
                groups[s.local_port].append(s)  # type: ignore[index]
        for port, sockets in sorted(groups.items()):
            name, risk = SERVICES.get(port, (f"The service on port {port}", ""))
            label = f"{name} (port {port})" if port in SERVICES else name
            protos = "/".join(sorted({s.proto for s in sockets}))
            addresses = " and ".join(sorted({s.local_address or "*" for s in sockets}))
            owners = Owners(sockets)
            risk_text = f" ({risk})" if risk else ""
            message = (
                f"{label} listens on every address ({addresses}, {protos}){owners.clause()}: bind it to 127.0.0.1 "
                f"or a private address, or make sure a firewall blocks the port{risk_text}"
            )
            if port in settings.critical_ports:
                severity = Severity.CRITICAL
            elif port in settings.info_ports:
                severity = Severity.INFO
            else:
                severity = Severity.WARNING
            yield self.finding(
                severity,
                message,
                sockets,
                state=TcpState.LISTEN if any(s.proto == "tcp" for s in sockets) else None,
                local_address=sockets[0].local_address if len({s.local_address for s in sockets}) == 1 else None,
                local_port=port,
                process=owners.process,
                pid=owners.pid,
            )
