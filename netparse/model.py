"""The public records: what every grammar produces and every consumer reads.

These pydantic models are the contract. ``Socket`` serialises flat (one JSON object per socket,
no nesting except ``owners`` and the optional groups ``tcp_info``, ``memory``, ``netns`` and
``container``, left out when empty) so ``jq`` stays easy; ``netparse schema`` prints
``Socket.model_json_schema()``.
"""

from __future__ import annotations

import os
from datetime import datetime
from enum import StrEnum
from typing import Any, Iterator, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from .collector import collector_paused
from .counters import NetCounter, NetSetting
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


class TcpInfo(BaseModel):
    """The kernel's ``struct tcp_info`` of one TCP socket: filled by the netlink source
    (``INET_DIAG_INFO``) and parsed from ``ss -i`` text (``rtt:0.03/0.015 cwnd:10 ...``). Units
    are in the names; a field the source did not give stays null."""

    model_config = ConfigDict(extra="forbid")

    congestion: str | None = Field(default=None, description="Congestion control algorithm (cubic, bbr, reno ...)")
    ca_state: int | None = Field(default=None, description="tcpi_ca_state: 0 open, 1 disorder, 2 CWR, 3 recovery, 4 loss")
    options: list[str] | None = Field(default=None, description="Negotiated options: ts, sack, ecn, ecnseen, fastopen ...")
    snd_wscale: int | None = None
    rcv_wscale: int | None = None
    rto_ms: float | None = None
    ato_ms: float | None = None
    backoff: int | None = Field(default=None, description="Exponential backoff of the retransmission timer")
    probes: int | None = Field(default=None, description="Unanswered zero-window or keepalive probes")
    retransmits: int | None = Field(default=None, description="Consecutive retransmissions of the oldest segment")
    mss: int | None = Field(default=None, description="Send MSS, bytes")
    advmss: int | None = None
    rcv_mss: int | None = None
    pmtu: int | None = None
    rtt_ms: float | None = Field(default=None, description="Smoothed round-trip time, milliseconds")
    rttvar_ms: float | None = Field(default=None, description="Round-trip time variation, milliseconds")
    min_rtt_ms: float | None = None
    rcv_rtt_ms: float | None = None
    cwnd: int | None = Field(default=None, description="Congestion window, segments")
    ssthresh: int | None = Field(default=None, description="Slow-start threshold, segments (null: infinite)")
    rcv_ssthresh: int | None = None
    rcv_space: int | None = Field(default=None, description="Receive-buffer auto-tuning space, bytes")
    snd_wnd: int | None = Field(default=None, description="Peer's advertised receive window, bytes (0: the peer stopped reading)")
    rcv_wnd: int | None = Field(default=None, description="Our advertised receive window, bytes")
    unacked: int | None = Field(default=None, description="Segments sent, not acknowledged (LISTEN: accept queue)")
    sacked: int | None = Field(default=None, description="Segments SACKed (LISTEN: backlog)")
    lost: int | None = Field(default=None, description="Segments considered lost")
    retrans: int | None = Field(default=None, description="Segments retransmitted, not yet acknowledged")
    total_retrans: int | None = Field(default=None, description="Segments retransmitted over the connection's life")
    reordering: int | None = None
    bytes_sent: int | None = None
    bytes_acked: int | None = None
    bytes_received: int | None = None
    bytes_retrans: int | None = None
    notsent_bytes: int | None = None
    segs_out: int | None = None
    segs_in: int | None = None
    data_segs_out: int | None = None
    data_segs_in: int | None = None
    delivered: int | None = None
    delivery_rate_bps: int | None = Field(default=None, description="Delivery rate, bits per second")
    pacing_rate_bps: int | None = Field(default=None, description="Pacing rate, bits per second")
    send_rate_bps: int | None = Field(default=None, description="ss 'send': cwnd * mss / rtt, bits per second")
    app_limited: bool | None = None
    busy_ms: int | None = Field(default=None, description="Time with data in flight, milliseconds")
    rwnd_limited_ms: int | None = Field(default=None, description="Time limited by the peer's receive window, ms")
    sndbuf_limited_ms: int | None = Field(default=None, description="Time limited by our send buffer, ms")
    last_send_ms: int | None = Field(default=None, description="Time since data was last sent, milliseconds")
    last_recv_ms: int | None = Field(default=None, description="Time since data was last received, milliseconds")
    last_ack_ms: int | None = Field(default=None, description="Time since an acknowledgement was last received, ms")
    dsack_dups: int | None = None
    reord_seen: int | None = None
    rcv_ooopack: int | None = None


class SocketMemory(BaseModel):
    """``skmeminfo`` (``ss -m``: ``skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)``), bytes."""

    model_config = ConfigDict(extra="forbid")

    rmem_alloc: int | None = Field(default=None, description="r: receive memory allocated")
    rcvbuf: int | None = Field(default=None, description="rb: receive buffer size")
    wmem_alloc: int | None = Field(default=None, description="t: transmit memory allocated")
    sndbuf: int | None = Field(default=None, description="tb: send buffer size")
    fwd_alloc: int | None = Field(default=None, description="f: forward-allocated memory")
    wmem_queued: int | None = Field(default=None, description="w: queued for sending")
    optmem: int | None = Field(default=None, description="o: option memory")
    backlog: int | None = Field(default=None, description="bl: socket backlog queue")
    drops: int | None = Field(default=None, description="d: packets dropped")


class NetNs(BaseModel):
    """The network namespace a socket lives in (``--all-netns``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inode: int = Field(description="Inode of the namespace (ls -L -i /proc/PID/ns/net)")
    name: str | None = Field(default=None, description="Its name under /run/netns (ip netns), when it has one")


class Container(BaseModel):
    """The container whose cgroup owns the socket, derived from the cgroup path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    runtime: str = Field(description="docker, containerd, cri-o, podman, systemd-nspawn, lxc, kubernetes ...")
    id: str = Field(description="Container id (64 hex for docker/containerd/podman) or machine name")
    short_id: str | None = Field(default=None, description="The first 12 characters, as docker ps prints")
    pod_uid: str | None = Field(default=None, description="Kubernetes pod uid, from the kubepods cgroup path")


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
    cgroup_id: int | None = Field(default=None, description="netlink: inode of the socket's cgroup (v2)")
    mark: int | None = Field(default=None, description="netlink/ss -e: firewall mark (fwmark)")
    tcp_info: TcpInfo | None = Field(default=None, description="tcp_info: from netlink, or parsed from ss -i text")
    memory: SocketMemory | None = Field(default=None, description="skmeminfo: from netlink, or parsed from ss -m text")
    netns: NetNs | None = Field(default=None, description="Network namespace (live --all-netns)")
    container: Container | None = Field(default=None, description="Container owning the socket, from its cgroup")
    truncated: bool | None = Field(
        default=None,
        description="True when the tool cut an address to fit its column (netstat without -W), or when it is "
        "exactly at the cut width and so may have been cut",
    )


#: every Socket field with its default, in field order (the models' defaults are all immutable)
SOCKET_DEFAULTS: dict[str, Any] = {name: f.default for name, f in Socket.model_fields.items()}
#: NETPARSE_VALIDATE=1 in the environment: rows are validated by pydantic when they become
#: models, instead of trusted (slower; for checking the kernels)
VALIDATE = os.environ.get("NETPARSE_VALIDATE", "") not in ("", "0")

_new = object.__new__
_setattr = object.__setattr__
_validate_socket = Socket.__pydantic_validator__.validate_python
_OWNER_FIELDS = frozenset(("process", "pid", "fd"))


def trusted_socket(row: dict[str, Any]) -> Socket:
    """The ``Socket`` of a row (a dict of field values already typed as the model holds them:
    what the grammars' row kernels make), built without validation: equal to
    ``Socket.model_validate(row)``, with the same ``model_fields_set`` (``VALIDATE``: validated)."""
    if VALIDATE:
        return _validate_socket(row)
    sock = _new(Socket)
    _setattr(sock, "__dict__", {**SOCKET_DEFAULTS, **row})  # (faster than copy() + update())
    _setattr(sock, "__pydantic_fields_set__", set(row))
    _setattr(sock, "__pydantic_extra__", None)
    _setattr(sock, "__pydantic_private__", None)
    return sock


def trusted_owner(process: str, pid: int, fd: int) -> Owner:
    """``Owner(process=process, pid=pid, fd=fd)`` without validation (a row kernel's owner)."""
    if VALIDATE:
        return Owner(process=process, pid=pid, fd=fd)
    owner = _new(Owner)
    _setattr(owner, "__dict__", {"process": process, "pid": pid, "fd": fd})
    _setattr(owner, "__pydantic_fields_set__", set(_OWNER_FIELDS))
    _setattr(owner, "__pydantic_extra__", None)
    _setattr(owner, "__pydantic_private__", None)
    return owner


def row_of(item: "dict[str, Any] | Socket") -> dict[str, Any]:
    """One record as a row: a kernel row as it is; a ``Socket`` as the dict of its non-null fields."""
    if item.__class__ is dict:
        return item  # type: ignore[return-value]
    return {k: v for k, v in item.__dict__.items() if v is not None}


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

    # (the docstring is the JSON Schema's description: how it works is said here instead)
    # Models on access: a snapshot made by ``of_rows`` (what netparse.parse and parse_file
    # return) keeps its records as rows and builds the Socket list the first time ``sockets``
    # is read (once; the rows are then dropped). Until then it holds a fraction of the memory,
    # and ``iter_rows`` reads the records without models. Everything that looks at the fields
    # (``sockets``, model_dump/model_dump_json, the serialiser inside another model, ==,
    # copy/model_copy, repr, dict()) sees the same snapshot as one built with the list;
    # pickling keeps the rows.

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
    counters: list[NetCounter] | None = Field(
        default=None, description="Network stack counters in the input (nstat, /proc/net/snmp, netstat -s), when any"
    )
    settings: list[NetSetting] | None = Field(default=None, description="Kernel settings in the input (sysctl), when any")
    collector: str | None = Field(
        default=None,
        description="Live mode: how the sockets were read (netlink, proc, netstat), and why a fallback was used",
    )

    #: the records not yet built as models (kernel row dicts and validated ``Socket``s), or None
    _rows: list[Any] | None = PrivateAttr(default=None)

    @classmethod
    def of_rows(cls, rows: list[Any], **fields: Any) -> "Snapshot":
        """A snapshot whose ``sockets`` are ``rows`` (row dicts, see :mod:`netparse.rows`, or
        ``Socket``s), built into models when first read. ``fields``: the other fields. The
        snapshot owns the list: it becomes ``sockets``, each row replaced by its model."""
        snap = cls(**fields)
        snap.__pydantic_private__["_rows"] = rows  # type: ignore[index]
        del snap.__dict__["sockets"]
        snap.__pydantic_fields_set__.add("sockets")
        return snap

    def _built(self) -> None:
        """Build the models of the kept rows, once (``sockets`` in its place among the fields)."""
        if "sockets" in self.__dict__:
            return
        private = self.__pydantic_private__
        rows = private.get("_rows") if private else None
        built: list[Any] = [] if rows is None else rows
        # in place: each row is let go as its model is made (peak memory: the models, not both);
        # with the cyclic collector paused, as the parser does while it reads (records hold no
        # cycles; walking the growing list every few hundred allocations made this 2x slower)
        with collector_paused():
            for i, item in enumerate(built):
                if item.__class__ is dict:
                    built[i] = trusted_socket(item)
        values = self.__dict__
        _setattr(self, "__dict__", {name: built if name == "sockets" else values[name]
                                    for name in type(self).model_fields if name == "sockets" or name in values})
        if private:
            private["_rows"] = None

    def __getattr__(self, name: str) -> Any:
        if name == "sockets":
            self._built()
            return self.__dict__["sockets"]
        return super().__getattr__(name)  # type: ignore[misc]

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "sockets":
            self._built()
        super().__setattr__(name, value)

    @property
    def built(self) -> bool:
        """False while the records are rows (``sockets`` not read yet)."""
        return "sockets" in self.__dict__

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """The records as rows (dicts of ``Socket`` field values, a missing key meaning None),
        without building models: the fast way through a big listing. Treat them as read-only."""
        if "sockets" in self.__dict__:
            return map(row_of, self.__dict__["sockets"])
        return map(row_of, self.__pydantic_private__["_rows"])  # type: ignore[index]

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler) -> Any:
        self._built()  # model_dump, model_dump_json, and this snapshot inside another model
        return handler(self)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        # the serialiser above writes the fields unchanged: the schema is the fields' schema in
        # both modes (pydantic would otherwise describe the serialiser's untyped return)
        return handler({k: v for k, v in core_schema.items() if k != "serialization"})

    def __eq__(self, other: object) -> bool:
        self._built()
        if isinstance(other, Snapshot):
            other._built()
        return super().__eq__(other)

    def __copy__(self) -> "Snapshot":
        self._built()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> "Snapshot":
        self._built()
        return super().__deepcopy__(memo)

    def __repr_args__(self) -> Any:
        self._built()
        return super().__repr_args__()

    def __iter__(self) -> Any:
        self._built()
        return super().__iter__()
