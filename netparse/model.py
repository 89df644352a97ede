"""The public records: what every grammar produces and every consumer reads.

These pydantic models are the contract. ``Socket`` serialises flat (one JSON object per socket,
no nesting except ``owners``) so ``jq`` stays easy; ``netparse schema`` prints
``Socket.model_json_schema()``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .states import TcpState


class Family(StrEnum):
    INET = "inet"
    INET6 = "inet6"
    UNIX = "unix"
    NETLINK = "netlink"
    PACKET = "packet"
    OTHER = "other"


class Owner(BaseModel):
    """One process holding the socket (``ss -p`` can list several)."""

    model_config = ConfigDict(frozen=True)

    process: str | None = None
    pid: int | None = None
    fd: int | None = None


class Socket(BaseModel):
    """One socket, from one line (plus its continuation lines) of input."""

    model_config = ConfigDict(extra="forbid")

    proto: str = Field(description="tcp, udp, raw, unix, netlink, ... (tcp6 becomes tcp + family inet6)")
    family: Family | None = Field(default=None, description="inet, inet6, unix, ...")
    local_address: str | None = Field(
        default=None,
        description="Normalised address text (0.0.0.0, ::, 127.0.0.1, ::ffff:10.0.0.1), a host "
        "name when the output was not numeric, a unix socket path, or null",
    )
    local_port: int | None = Field(default=None, description="Port number; null for '*' or an unknown service name")
    local_service: str | None = Field(default=None, description="Service name as printed (ssh, domain) when not numeric")
    remote_address: str | None = None
    remote_port: int | None = None
    remote_service: str | None = None
    state: TcpState = Field(description="Canonical state (RFC 9293 names plus BOUND, UNCONNECTED, NONE, UNKNOWN ...)")
    state_label: str | None = Field(default=None, description="The state exactly as printed ('' when the column was empty)")
    state_printed: bool | None = Field(
        default=None,
        description="False when the listing's layout has no state column (FreeBSD netstat -T/-x, ss with a state "
        "filter): state is UNKNOWN because it was not printed, not because a label was not understood",
    )
    recv_q: int | None = None
    send_q: int | None = None
    pid: int | None = None
    process: str | None = None
    user: str | None = Field(default=None, description="User name or numeric uid as printed")
    inode: int | None = None
    timer: str | None = Field(default=None, description="Timer exactly as printed, e.g. 'keepalive (7179.98/0/0)'")
    timer_name: str | None = Field(default=None, description="off, on, keepalive, timewait, probe, persist ...")
    timer_seconds: float | None = Field(default=None, description="Time left on the timer, in seconds")
    timer_retrans: int | None = None
    line: int = Field(description="1-based number of the input line this record came from")

    # Format-specific extras, named so nothing printed is lost.
    fd: int | None = Field(default=None, description="ss: file descriptor of the (first) owner")
    owners: list[Owner] | None = Field(default=None, description="ss: every users:((...)) tuple")
    sk: str | None = Field(default=None, description="ss -e: kernel socket address (hex)")
    cgroup: str | None = Field(default=None, description="ss -e: cgroup path")
    local_interface: str | None = Field(default=None, description="ss: device the socket is bound to (0.0.0.0%lo)")
    remote_interface: str | None = None
    shutdown: str | None = Field(default=None, description="ss -e: shutdown mark, '<->' open, '<--' send side shut ...")
    path: str | None = Field(default=None, description="unix: socket path (abstract names start with @)")
    peer_inode: int | None = Field(default=None, description="ss -x: inode of the peer unix socket")
    refcnt: int | None = Field(default=None, description="netstat unix: reference count")
    flags: str | None = Field(default=None, description="netstat unix: flags such as ACC")
    type: str | None = Field(default=None, description="unix socket type: stream, dgram, seqpacket ...")
    info: str | None = Field(default=None, description="ss -i/-m/-e: internal information as printed")
    extra: dict[str, str] | None = Field(default=None, description="Other key:value fields as printed")
    service: str | None = Field(default=None, description="Windows -b: the component or service name")
    modules: list[str] | None = Field(
        default=None, description="Windows -b -v: the module paths printed before the owner, in order"
    )
    offload_state: str | None = Field(default=None, description="Windows -t: offload state")
    dialect: str | None = Field(
        default=None,
        description="Output variant the listing was decided to be, where it changes how this row reads: "
        "ss 'iproute2<4.13' ('*' is IPv4 0.0.0.0, IPv6 unbracketed) or 'iproute2>=4.13' ('*' is dual-stack ::)",
    )
    truncated: bool | None = Field(
        default=None,
        description="True when the tool cut an address to fit its column (netstat without -W), or when it is "
        "exactly at the cut width and so may have been cut",
    )


class ParseIssue(BaseModel):
    """A line netparse could not fully turn into a record."""

    line: int = Field(description="1-based input line number")
    text: str = Field(description="The line as read (cut to 200 characters)")
    reason: str
    kind: Literal["unparsed", "warning"] = Field(
        default="unparsed",
        description="unparsed: the line became no record; warning: it did, but something in it was not understood",
    )


class Snapshot(BaseModel):
    """One listing: the sockets of one command run, and every line that could not be used."""

    format: str = Field(description="Grammar that read most of the lines (linux-netstat, ss, ...)")
    formats: list[str] = Field(default_factory=list, description="Every grammar that produced a record")
    locale: str | None = Field(default=None, description="Display language of labels, when known")
    encoding: str | None = Field(default=None, description="How the bytes were decoded, when read from bytes")
    sockets: list[Socket] = Field(default_factory=list)
    issues: list[ParseIssue] = Field(default_factory=list)
    line_counts: dict[str, int] = Field(
        default_factory=dict,
        description="Lines by kind: record, continuation, title, header, blank, note, unparsed; they add up to total_lines",
    )
    total_lines: int = 0
    source: str | None = None
    timestamp: datetime | None = None
    host: str | None = None
