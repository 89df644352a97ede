"""Linux ``NETLINK_SOCK_DIAG``: the kernel interface ``ss`` reads, with the standard library only.

``inet_diag`` dumps TCP, UDP and raw sockets (IPv4 and IPv6), ``unix_diag`` unix sockets. Each
answer becomes the same record dict a parsed listing gives (validated into
:class:`~netparse.model.Socket` by the caller, or written as JSON straight away by
:mod:`.stream`; no pydantic here: ``family`` is the text of the ``Family`` member), with what
``ss -tanpeim`` shows:

* queues: ``idiag_rqueue``/``idiag_wqueue``; for a LISTEN socket they are the accept queue and
  the backlog (``sk_ack_backlog``/``sk_max_ack_backlog``), as ``ss`` prints them as Recv-Q and
  Send-Q (``/proc/net/tcp`` prints the backlog as 0);
* timer, its time left and retransmits; uid; inode; ``sk`` (the socket cookie, as ``ss -e``);
  cgroup id (``INET_DIAG_CGROUP_ID``, kernel 5.7+); mark (root only); shutdown;
* with ``info=True``: ``skmeminfo`` (``memory``), the congestion algorithm and ``tcp_info``
  (``tcp_info``), the extensions ``ss -i -m`` asks for.

Why the standard library and not pyroute2: measured on this machine (kernel 6.18, Python 3.11,
``benchmarks/bench_live.py``), ``import pyroute2`` alone costs more than a whole dump of a
thousand sockets here, and the struct layout is a stable kernel ABI of a few dozen lines.

Filters go into the request where sock_diag allows: TCP states as the ``idiag_states`` bit mask
(:func:`states_mask`), ports as an ``INET_DIAG_REQ_BYTECODE`` program (:func:`port_bytecode`:
local or remote port equal to any of a few ports), so the kernel sends only what is kept.

Every structure is read with bounds: a short or odd message ends the dump with
:class:`NetlinkError` (the caller then falls back to /proc), never a wrong record.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
from typing import Any, Iterator

from ..errors import NetlinkError
from ..states import TcpState

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3

# inet_diag attributes (linux/inet_diag.h)
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG, INET_DIAG_TOS = 1, 2, 4, 5
INET_DIAG_SKMEMINFO, INET_DIAG_SHUTDOWN, INET_DIAG_PROTOCOL = 7, 8, 10
INET_DIAG_SKV6ONLY, INET_DIAG_MARK, INET_DIAG_CGROUP_ID = 11, 15, 21
#: attributes kept as bytes for decoding after the walk (the rest are read in place)
_KEPT_ATTRS = frozenset({INET_DIAG_INFO, INET_DIAG_CONG, INET_DIAG_SKMEMINFO, INET_DIAG_PROTOCOL})
# unix_diag show flags and attributes (linux/unix_diag.h)
UDIAG_SHOW_NAME, UDIAG_SHOW_VFS, UDIAG_SHOW_PEER, UDIAG_SHOW_RQLEN, UDIAG_SHOW_MEMINFO, UDIAG_SHOW_UID = (
    0x1, 0x2, 0x4, 0x10, 0x20, 0x40)
UNIX_DIAG_NAME, UNIX_DIAG_VFS, UNIX_DIAG_PEER, UNIX_DIAG_RQLEN, UNIX_DIAG_MEMINFO = 0, 1, 2, 4, 5
UNIX_DIAG_SHUTDOWN, UNIX_DIAG_UID = 6, 7

_NLMSGHDR = struct.Struct("=IHHII")
_RTATTR = struct.Struct("=HH")
# inet_diag_req_v2: family, protocol, ext, raw protocol (pad), states, then inet_diag_sockid
_INET_REQ = struct.Struct("=BBBBI48x")
INET_DIAG_REQ_BYTECODE = 1
# inet_diag_bc_op: code, yes, no; a port comparison is followed by one whose ``no`` is the port
_BC_OP = struct.Struct("=BBH")
INET_DIAG_BC_JMP, INET_DIAG_BC_S_GE, INET_DIAG_BC_S_LE, INET_DIAG_BC_D_GE, INET_DIAG_BC_D_LE = 1, 2, 3, 4, 5
# inet_diag_msg: family, state, timer, retrans, sockid (sport, dport big-endian, src[16], dst[16],
# if, cookie[2]), expires, rqueue, wqueue, uid, inode
_INET_MSG = struct.Struct("=BBBB2s2s16s16sIII5I")
# unix_diag_req: family, protocol, pad, states, ino, show, cookie[2]
_UNIX_REQ = struct.Struct("=BBHIIIII")
_UNIX_MSG = struct.Struct("=BBBxIII")  # family, type, state, pad, ino, cookie[2]
_U32 = struct.Struct("=I")
_U64 = struct.Struct("=Q")

ALL_STATES = 0xFFFFFFFF
#: TCP states by the kernel's number (include/net/tcp_states.h); 12 is TCP_NEW_SYN_RECV, the
#: request socket of a handshake in progress, which ss prints as SYN-RECV.
TCP_STATES = {
    1: TcpState.ESTABLISHED, 2: TcpState.SYN_SENT, 3: TcpState.SYN_RECEIVED, 4: TcpState.FIN_WAIT_1,
    5: TcpState.FIN_WAIT_2, 6: TcpState.TIME_WAIT, 7: TcpState.CLOSED, 8: TcpState.CLOSE_WAIT,
    9: TcpState.LAST_ACK, 10: TcpState.LISTEN, 11: TcpState.CLOSING, 12: TcpState.SYN_RECEIVED,
}
#: the same numbers for datagram sockets: 7 (TCP_CLOSE) is unconnected, 1 connected
DGRAM_STATES = {1: TcpState.ESTABLISHED, 7: TcpState.UNCONNECTED}
#: unix socket states: SS_UNCONNECTED=1 ... as unix_diag reports them (TCP numbers: 10 LISTEN)
UNIX_STATES = {1: TcpState.ESTABLISHED, 2: TcpState.SYN_SENT, 7: TcpState.UNCONNECTED, 8: TcpState.CLOSE_WAIT,
               10: TcpState.LISTEN}
UNIX_TYPES = {1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket"}
TIMER_NAMES = {0: "off", 1: "on", 2: "keepalive", 3: "timewait", 4: "probe"}
SHUTDOWN_MARKS = {0: "<->", 1: "-->", 2: "<--", 3: "---"}  # as ss -e prints: bit 0 (receive shut) drops the <, bit 1 (send) the >
PROTOCOLS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP, "raw": socket.IPPROTO_RAW}
#: tcpi_options bits (linux/tcp.h) and the words ss prints for them
TCPI_OPTIONS = ((1, "ts"), (2, "sack"), (8, "ecn"), (16, "ecnseen"), (32, "syn_data"), (64, "usec_ts"))


def open_socket() -> socket.socket:
    """A NETLINK_SOCK_DIAG socket in the calling thread's network namespace."""
    try:
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)
    except (OSError, AttributeError) as exc:
        raise NetlinkError(f"no sock_diag netlink socket: {exc}") from None


def _chunks(sock: socket.socket, request: bytes, seq: int) -> Iterator[tuple[bytearray, list[tuple[int, int]]]]:
    """Send one dump request; yield, per datagram read, the buffer and the (start, end) of each
    answer's payload in it. The buffer is reused by the next read: a caller takes what it needs
    out of one batch before asking for the next."""
    hdr = _NLMSGHDR.pack(_NLMSGHDR.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
    try:
        sock.sendto(hdr + request, (0, 0))
    except OSError as exc:
        raise NetlinkError(f"sock_diag request refused: {exc}") from None
    buf = bytearray(1 << 16)
    header = _NLMSGHDR.unpack_from
    while True:
        try:
            n = sock.recv_into(buf)
        except OSError as exc:
            raise NetlinkError(f"sock_diag answer not read: {exc}") from None
        spans = []
        pos = 0
        while pos + 16 <= n:
            length, kind, _flags, rseq, _pid = header(buf, pos)
            if length < 16 or pos + length > n:
                raise NetlinkError(f"sock_diag message of length {length} at {pos} of {n} bytes")
            if rseq == seq:
                if kind == SOCK_DIAG_BY_FAMILY:
                    spans.append((pos + 16, pos + length))
                elif kind in (NLMSG_DONE, NLMSG_ERROR):
                    # both carry an int: 0, or minus an errno (DONE with -ENOENT: no such
                    # diag module in this kernel, e.g. raw_diag not built)
                    code = -struct.unpack_from("=i", buf, pos + 16)[0] if length >= 20 else 0
                    if code > 0:
                        raise NetlinkError(code, f"sock_diag: {os.strerror(code)}")
                    if kind == NLMSG_DONE:
                        yield buf, spans
                        return
            pos += (length + 3) & ~3
        yield buf, spans


def _dump(sock: socket.socket, request: bytes, seq: int) -> Iterator[tuple[memoryview, int, int]]:
    """Send one dump request; yield (buffer, start, end) of each answer's payload."""
    for buf, spans in _chunks(sock, request, seq):
        view = memoryview(buf)
        for start, end in spans:
            yield view, start, end
        # keep no reference into buf across recv_into: the caller copied what it needed
        del view


def _attrs(view: memoryview, pos: int, end: int) -> dict[int, memoryview]:
    out: dict[int, memoryview] = {}
    while pos + 4 <= end:
        length, kind = _RTATTR.unpack_from(view, pos)
        if length < 4 or pos + length > end:
            break
        out[kind & 0x3FFF] = view[pos + 4 : pos + length]
        pos += (length + 3) & ~3
    return out


# ---------------------------------------------------------------------------- tcp_info

#: (name, struct format, offset, scale) of the struct tcp_info fields read; a kernel that sends a
#: shorter struct (older) leaves the later fields out.
_TCP_INFO_FIELDS = (
    ("ca_state", "B", 1, None), ("retransmits", "B", 2, None), ("probes", "B", 3, None), ("backoff", "B", 4, None),
    ("rto_ms", "I", 8, 1e-3), ("ato_ms", "I", 12, 1e-3), ("mss", "I", 16, None), ("rcv_mss", "I", 20, None),
    ("unacked", "I", 24, None), ("sacked", "I", 28, None), ("lost", "I", 32, None), ("retrans", "I", 36, None),
    ("last_send_ms", "I", 44, None), ("last_recv_ms", "I", 52, None), ("last_ack_ms", "I", 56, None),
    ("pmtu", "I", 60, None), ("rcv_ssthresh", "I", 64, None), ("rtt_ms", "I", 68, 1e-3), ("rttvar_ms", "I", 72, 1e-3),
    ("ssthresh", "I", 76, None), ("cwnd", "I", 80, None), ("advmss", "I", 84, None), ("reordering", "I", 88, None),
    ("rcv_rtt_ms", "I", 92, 1e-3), ("rcv_space", "I", 96, None), ("total_retrans", "I", 100, None),
    ("pacing_rate_bps", "Q", 104, 8), ("bytes_acked", "Q", 120, None), ("bytes_received", "Q", 128, None),
    ("segs_out", "I", 136, None), ("segs_in", "I", 140, None), ("notsent_bytes", "I", 144, None),
    ("min_rtt_ms", "I", 148, 1e-3), ("data_segs_in", "I", 152, None), ("data_segs_out", "I", 156, None),
    ("delivery_rate_bps", "Q", 160, 8), ("busy_ms", "Q", 168, 1e-3), ("rwnd_limited_ms", "Q", 176, 1e-3),
    ("sndbuf_limited_ms", "Q", 184, 1e-3), ("delivered", "I", 192, None), ("bytes_sent", "Q", 200, None),
    ("bytes_retrans", "Q", 208, None), ("dsack_dups", "I", 216, None), ("reord_seen", "I", 220, None),
    ("rcv_ooopack", "I", 224, None), ("snd_wnd", "I", 228, None), ("rcv_wnd", "I", 232, None),
)
_TCP_INFO_STRUCTS = [(name, struct.Struct("=" + fmt), off, scale) for name, fmt, off, scale in _TCP_INFO_FIELDS]
_INFINITE_SSTHRESH = 0x7FFFFFFF


def decode_tcp_info(data: bytes | memoryview, congestion: str | None = None) -> dict[str, Any]:
    """``struct tcp_info`` bytes -> the fields of :class:`~netparse.model.TcpInfo`."""
    n = len(data)
    out: dict[str, Any] = {}
    if congestion:
        out["congestion"] = congestion
    if n >= 8:
        options = data[5]
        out["options"] = [word for bit, word in TCPI_OPTIONS if options & bit]
        out["snd_wscale"], out["rcv_wscale"] = data[6] & 0x0F, data[6] >> 4
        out["app_limited"] = bool(data[7] & 1)
    for name, st, off, scale in _TCP_INFO_STRUCTS:
        if off + st.size > n:
            break
        value = st.unpack_from(data, off)[0]
        if name == "ssthresh" and value >= _INFINITE_SSTHRESH:
            continue  # infinite: ss prints no ssthresh
        if scale == 8:  # bytes per second -> bits per second
            if value == 0xFFFFFFFFFFFFFFFF:
                continue  # ~0: unlimited (ss prints none)
            value *= 8
        elif scale is not None:  # microseconds -> milliseconds
            value = round(value / 1000, 3) if name.endswith(("rtt_ms", "rttvar_ms", "rto_ms", "ato_ms")) else value // 1000
        out[name] = value
    if out.get("rtt_ms") and out.get("cwnd") and out.get("mss"):
        out["send_rate_bps"] = int(out["cwnd"] * out["mss"] * 8 / (out["rtt_ms"] / 1000))
    return {k: out[k] for k in TCP_INFO_ORDER if k in out}


#: TcpInfo's fields in the model's order (the JSON of a record lists them so; a test checks it)
TCP_INFO_ORDER = (
    "congestion", "ca_state", "options", "snd_wscale", "rcv_wscale", "rto_ms", "ato_ms", "backoff", "probes",
    "retransmits", "mss", "advmss", "rcv_mss", "pmtu", "rtt_ms", "rttvar_ms", "min_rtt_ms", "rcv_rtt_ms", "cwnd",
    "ssthresh", "rcv_ssthresh", "rcv_space", "snd_wnd", "rcv_wnd", "unacked", "sacked", "lost", "retrans",
    "total_retrans", "reordering", "bytes_sent", "bytes_acked", "bytes_received", "bytes_retrans", "notsent_bytes",
    "segs_out", "segs_in", "data_segs_out", "data_segs_in", "delivered", "delivery_rate_bps", "pacing_rate_bps",
    "send_rate_bps", "app_limited", "busy_ms", "rwnd_limited_ms", "sndbuf_limited_ms", "last_send_ms", "last_recv_ms",
    "last_ack_ms", "dsack_dups", "reord_seen", "rcv_ooopack",
)


_SKMEM = ("rmem_alloc", "rcvbuf", "wmem_alloc", "sndbuf", "fwd_alloc", "wmem_queued", "optmem", "backlog", "drops")


def decode_skmeminfo(data: bytes | memoryview) -> dict[str, int]:
    count = min(len(data) // 4, len(_SKMEM))
    return dict(zip(_SKMEM, struct.unpack_from(f"={count}I", data, 0)))


# ---------------------------------------------------------------------------- inet_diag


FAMILY_TEXT = {socket.AF_INET: "inet", socket.AF_INET6: "inet6"}
#: kernel state number -> the hex label /proc/net/tcp prints (the record's state_label)
_STATE_LABELS = [f"{n:02X}" for n in range(256)]
_BIG_PORT = struct.Struct(">H")


def port_bytecode(ports: "set[int] | list[int] | None") -> bytes | None:
    """An ``INET_DIAG_REQ_BYTECODE`` program keeping sockets whose local or remote port is one
    of ``ports``, or None (no ports; more than the program's 16-bit offsets hold: the caller
    filters in Python, as it always does anyway).

    The program is built as ``ss`` builds ``sport = :P or dport = :P``: an op jumps ``yes``
    bytes ahead when it holds, ``no`` bytes when not; running off the end exactly accepts the
    socket, 4 bytes past it rejects it. Each alternative is ``port >= P`` and ``port <= P`` (the
    comparisons every kernel with inet_diag has; ``S_EQ`` came later), 16 bytes, its failures
    jumping to the next alternative; between two alternatives a ``JMP`` to the end accepts
    what the first let through. The kernel audits that every jump lands on an op reached along
    the ``yes`` path, which this layout keeps."""
    if not ports:
        return None
    alternatives = [(code, port) for port in sorted(set(ports)) for code in (INET_DIAG_BC_S_GE, INET_DIAG_BC_D_GE)]
    total = 20 * len(alternatives) - 4
    if total + 4 > 0xFFFF:
        return None
    out = bytearray()
    for k, (ge, port) in enumerate(alternatives):
        if k:  # the previous alternative held: on to the end (JMP always takes ``no``)
            out += _BC_OP.pack(INET_DIAG_BC_JMP, 4, total - len(out))
        # failing either test: 4 bytes past this alternative's end, which is the next
        # alternative's start (past the JMP) or, after the last, the reject offset
        out += _BC_OP.pack(ge, 8, 20) + _BC_OP.pack(0, 0, port)
        out += _BC_OP.pack(ge + 1, 8, 12) + _BC_OP.pack(0, 0, port)
    return bytes(out)


def inet_records(sock: socket.socket, proto: str, family: int, info: bool = False, seq: int = 1,
                 states: int = ALL_STATES, bytecode: bytes | None = None) -> Iterator[dict[str, Any]]:
    """Record dicts of every ``proto`` socket of ``family`` (AF_INET/AF_INET6); ``states`` (a
    bit mask) and ``bytecode`` (:func:`port_bytecode`) are filters the kernel applies."""
    ext = 0
    if info:
        ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1))
    ipproto = PROTOCOLS[proto]
    # raw sockets: the fourth byte (sdiag_raw_protocol) IPPROTO_RAW asks for every raw socket
    request = _INET_REQ.pack(family, ipproto, ext, ipproto if proto == "raw" else 0, states)
    if bytecode:
        request += _RTATTR.pack(4 + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
    fam = FAMILY_TEXT[family]
    tcp = proto == "tcp"
    raw = proto == "raw"
    table = TCP_STATES if tcp else DGRAM_STATES
    unknown = TcpState.UNKNOWN
    time_wait, listen = TcpState.TIME_WAIT, TcpState.LISTEN
    unpack = _INET_MSG.unpack_from
    port_of = _BIG_PORT.unpack
    size = _INET_MSG.size
    labels = _STATE_LABELS
    ntop = socket.inet_ntop
    v4 = family == socket.AF_INET
    addresses: dict[bytes, str] = {}  # the same few addresses recur on every row
    users: dict[int, str] = {}
    rtattr = _RTATTR.unpack_from
    u32, u64 = _U32.unpack_from, _U64.unpack_from
    marks = SHUTDOWN_MARKS
    for buf, spans in _chunks(sock, request, seq):
        for pos, end in spans:
            if end - pos < size:
                raise NetlinkError(f"inet_diag answer of {end - pos} bytes, {size} expected")
            (mfam, st, timer, retrans, sport, dport, src, dst, ifindex, c0, c1,
             expires, rqueue, wqueue, uid, inode) = unpack(buf, pos)
            local = addresses.get(src)
            if local is None:
                if len(addresses) > 4096:
                    addresses.clear()
                local = addresses[src] = ntop(mfam, src[:4] if v4 else src)
            remote = addresses.get(dst)
            if remote is None:
                remote = addresses[dst] = ntop(mfam, dst[:4] if v4 else dst)
            user = users.get(uid)
            if user is None:
                user = users[uid] = str(uid)
            state = table.get(st, unknown)
            rec: dict[str, Any] = {
                "proto": proto,
                "family": fam,
                "local_address": local,
                "local_port": port_of(sport)[0],
                "remote_address": remote,
                "state": state,
                "state_label": labels[st],
                "recv_q": rqueue,
                "send_q": wqueue,
                "user": user,
                "inode": inode,
            }
            rport = port_of(dport)[0]
            if rport:
                rec["remote_port"] = rport
            if timer:
                rec["timer_name"] = TIMER_NAMES.get(timer, str(timer))
                rec["timer_seconds"] = round(expires / 1000, 3)
                rec["timer_retrans"] = retrans
            rec["sk"] = f"{(c1 << 32) | c0:x}"
            if ifindex:
                rec["extra"] = {"ifindex": str(ifindex)}
            # the attributes, read in place (the kernel sends shutdown, mark, cgroup id and
            # socket options on every answer); the larger ones are kept for below
            more = None
            at = pos + size
            while at + 4 <= end:
                alen, akind = rtattr(buf, at)
                if alen < 4 or at + alen > end:
                    break
                akind &= 0x3FFF
                if akind == INET_DIAG_SHUTDOWN:
                    if alen >= 5:
                        rec["shutdown"] = marks.get(buf[at + 4] & 3, "<->")
                elif akind == INET_DIAG_CGROUP_ID:
                    if alen >= 12:
                        rec["cgroup_id"] = u64(buf, at + 4)[0]
                elif akind == INET_DIAG_MARK:
                    if alen >= 8:
                        mark = u32(buf, at + 4)[0]
                        if mark:
                            rec["mark"] = mark
                elif akind in _KEPT_ATTRS:
                    if more is None:
                        more = {}
                    more[akind] = bytes(buf[at + 4 : at + alen])
                at += (alen + 3) & ~3
            if more is not None:
                a = more.get(INET_DIAG_PROTOCOL)
                if raw and a:
                    rec.setdefault("extra", {})["protocol"] = str(a[0])
                a = more.get(INET_DIAG_INFO)
                if a is not None and tcp and state is not time_wait:
                    cong = more.get(INET_DIAG_CONG)
                    name = cong.split(b"\0", 1)[0].decode("ascii", "replace") if cong is not None else None
                    if state is listen:  # no connection: only what ss -i shows for it
                        rec["tcp_info"] = {k: v for k, v in (("congestion", name or None),
                                                              ("cwnd", u32(a, 80)[0] if len(a) >= 84 else None))
                                           if v is not None}
                    else:
                        rec["tcp_info"] = decode_tcp_info(a, name or None)
                a = more.get(INET_DIAG_SKMEMINFO)
                if a is not None:
                    rec["memory"] = decode_skmeminfo(a)
            yield rec


# ---------------------------------------------------------------------------- unix_diag


def unix_records(sock: socket.socket, seq: int = 100, info: bool = False) -> Iterator[dict[str, Any]]:
    """Record dicts of every unix socket."""
    show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID
    if info:
        show |= UDIAG_SHOW_MEMINFO
    request = _UNIX_REQ.pack(socket.AF_UNIX, 0, 0, ALL_STATES, 0, show, 0xFFFFFFFF, 0xFFFFFFFF)
    size = _UNIX_MSG.size
    for view, pos, end in _dump(sock, request, seq):
        if end - pos < size:
            raise NetlinkError(f"unix_diag answer of {end - pos} bytes, {size} expected")
        _fam, typ, st, ino, c0, c1 = _UNIX_MSG.unpack_from(view, pos)
        rec: dict[str, Any] = {
            "proto": "unix",
            "family": "unix",
            "type": UNIX_TYPES.get(typ, str(typ)),
            "state": UNIX_STATES.get(st, TcpState.UNKNOWN),
            "state_label": f"{st:02X}",
            "inode": ino,
            "sk": f"{(c1 << 32) | c0:x}",
        }
        attrs = _attrs(view, pos + size, end)
        a = attrs.get(UNIX_DIAG_NAME)
        if a is not None and len(a):
            raw = bytes(a)  # abstract names start with a NUL byte, which ss prints as @
            path = "@" + raw[1:].decode("utf-8", "replace") if raw[:1] == b"\0" else raw.split(b"\0", 1)[0].decode(
                "utf-8", "replace")
            rec["path"] = rec["local_address"] = path
        a = attrs.get(UNIX_DIAG_PEER)
        if a is not None and len(a) >= 4:
            peer = _U32.unpack_from(a)[0]
            if peer:
                rec["peer_inode"] = peer
        a = attrs.get(UNIX_DIAG_RQLEN)
        if a is not None and len(a) >= 8:
            rec["recv_q"], rec["send_q"] = struct.unpack_from("=II", a)
        a = attrs.get(UNIX_DIAG_UID)
        if a is not None and len(a) >= 4:
            rec["user"] = str(_U32.unpack_from(a)[0])
        a = attrs.get(UNIX_DIAG_SHUTDOWN)
        if a is not None and len(a) >= 1:
            rec["shutdown"] = SHUTDOWN_MARKS.get(a[0] & 3, "<->")
        a = attrs.get(UNIX_DIAG_MEMINFO)
        if a is not None:
            rec["memory"] = decode_skmeminfo(a)
        yield rec


INET_TABLES = (("tcp", socket.AF_INET), ("tcp", socket.AF_INET6), ("udp", socket.AF_INET), ("udp", socket.AF_INET6),
               ("raw", socket.AF_INET), ("raw", socket.AF_INET6))


def records(sock: socket.socket | None = None, unix: bool = False, info: bool = False,
            protos: tuple[str, ...] = ("tcp", "udp", "raw"), states: int = ALL_STATES,
            missing=None, bytecode: bytes | None = None, dgram_states: int = ALL_STATES) -> Iterator[dict[str, Any]]:
    """Every socket of the socket's network namespace (this one when ``sock`` is None), in the
    order ss lists them: tcp, udp, raw (v4 then v6), then unix. ``states`` (TCP's bit mask),
    ``dgram_states`` (UDP's and raw's; 0: none wanted, the tables are not read) and ``bytecode``
    (:func:`port_bytecode`; inet sockets) ask the kernel for fewer sockets; a caller filters what
    it keeps anyway, as other sources return everything.

    A table whose diag module this kernel lacks (raw_diag is often not built: the dump ends with
    ENOENT) is read through ``missing(proto, family)`` instead, as ``ss`` falls back to
    /proc/net/raw; without ``missing`` it is an error."""
    own = sock is None
    sock = sock or open_socket()
    try:
        seq = 1
        for proto, family in INET_TABLES:
            mask = states if proto == "tcp" else dgram_states
            if proto in protos and mask:
                try:
                    yield from inet_records(sock, proto, family, info, seq, mask, bytecode)
                except NetlinkError as exc:
                    if missing is None or exc.errno not in (errno.ENOENT, errno.EOPNOTSUPP) or proto == "tcp":
                        raise
                    yield from missing(proto, family)
            seq += 1
        if unix:
            yield from unix_records(sock, seq, info)
    finally:
        if own:
            sock.close()


def _mask(states: "set[TcpState] | None", numbers: dict[int, TcpState]) -> int:
    if not states:
        return ALL_STATES
    mask = 0
    for number, state in numbers.items():
        if state in states:
            mask |= 1 << number
    return mask


def states_mask(states: "set[TcpState] | None") -> int:
    """The idiag_states bit mask that asks the kernel for these TCP states only: all when
    None, 0 when none of ``states`` is a TCP state (the table is then not read)."""
    return _mask(states, TCP_STATES)


def dgram_mask(states: "set[TcpState] | None") -> int:
    """The idiag_states mask for UDP and raw sockets (their states are TCP's numbers: 1
    connected, 7 unconnected): all when None, 0 when none of ``states`` is a datagram state."""
    return _mask(states, DGRAM_STATES)
