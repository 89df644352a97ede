"""iproute2 ``ss``.

Usage::

    ss -tanp | netparse parse --output json

Reads ``-t -u -w -x -a -n -l -p -e -o -i -m -O -H`` output, with and without the ``Netid`` column
(``ss`` prints it only when more than one socket table is listed), and without the ``State``
column (a single-state filter such as ``ss -tan state time-wait``; the state then is not in the
text, so records say ``UNKNOWN`` and the header line gets one warning).

Traps handled (evidence in ``samples/linux/*.note``, facts from iproute2 ``misc/ss.c``):

* column widths are computed per run, so rows are read by whitespace, never by column;
* endpoints ``[::ffff:127.0.0.1]:80``, ``0.0.0.0%lo:53``, ``[fe80::1]%eth0:123``, ``*:*``
  (``*`` is a dual-stack ``::`` socket), old unbracketed IPv6 (``:::22``), unix ``path inode``;
* ``users:(("nginx",pid=1,fd=6),("nginx",pid=2,fd=6))`` becomes ``owners`` (and the first owner's
  ``pid``/``process``/``fd``); ``timer:(keepalive,119min,0)``, ``uid:``, ``ino:``, ``sk:``,
  ``cgroup:``, the shutdown mark ``<->`` become fields;
* ``timer:(timewait,9.068ms,0)`` means 9.068 **seconds** before iproute2 6.11;
* the tab-indented continuation lines of ``-i``/``-m``/``-e`` are attached to their socket
  (``info``); ``-O`` puts the same text on the row itself.
* Without ``Netid`` the protocol is not printed: it is inferred per block from the states
  (``UNCONN`` is a datagram socket, the TCP-only states are TCP).
"""

from __future__ import annotations

import re
from typing import Any

import pyparsing as pp

from ..locales import state_labels
from ..model import Family
from ..states import TCP_ONLY_STATES, TcpState
from .base import LEAD, NUM, R, SP, TRAIL, WORD, Context, Grammar, Marker, Row, label_regex
from .common import map_state, put_endpoints, ss_time_seconds
from .tcp_info import put as put_tcp_info

PLATFORM = "ss"

NETIDS = ["tcp", "udp", "raw", "nl", "p_raw", "p_dgr", "icmp6", "mptcp", "sctp", "dccp", "v_str", "v_dgr", "xdp", "tipc"]
UNIX_NETIDS = ["u_str", "u_dgr", "u_seq"]
_PROTO = {"nl": "netlink", "p_raw": "packet", "p_dgr": "packet", "v_str": "vsock", "v_dgr": "vsock"}
_FAMILY = {"nl": Family.NETLINK, "p_raw": Family.PACKET, "p_dgr": Family.PACKET, "v_str": Family.OTHER, "v_dgr": Family.OTHER}
_UNIX_TYPE = {"u_str": "stream", "u_dgr": "dgram", "u_seq": "seqpacket"}

STATE = R(label_regex(state_labels(PLATFORM), r"[A-Z][A-Z0-9_-]*+"), "state")
QUEUES = R(NUM, "recv_q") + SP + R(NUM, "send_q")
TAIL = pp.Opt(SP + R(r"\S(?:[^\n]*\S)?", "tail")) + TRAIL

NETID = R(label_regex(NETIDS), "netid")
_INET_REST = QUEUES + SP + R(WORD, "local") + SP + R(WORD, "peer") + TAIL
INET_ROW = LEAD + pp.Opt(NETID + SP) + STATE + SP + _INET_REST
# After a header without a State column (ss ... state time-wait): no state on the rows.
INET_ROW_NO_STATE = LEAD + pp.Opt(NETID + SP) + _INET_REST
UNIX_ROW = (
    LEAD
    + R(label_regex(UNIX_NETIDS), "netid")
    + SP
    + pp.Opt(STATE + SP)  # absent only after a header without State
    + QUEUES
    + SP
    + R(r"(?P<local>\S[^\n]*?) (?P<lport>\d+|\*)(?=[ \t])")
    + SP
    + R(r"(?P<peer>\S[^\n]*?) (?P<pport>\d+|\*)(?=[ \t]|\Z)")
    + TAIL
)

#: a quoted process name, ``\\"`` escapes allowed (written as an unrolled loop: ``re`` tries an
#: alternation per character otherwise, several times slower on every row of ``ss -p``)
_NAME = r'[^"\\]*+(?:\\.[^"\\]*+)*+'
_QUOTED = '"' + _NAME + '"'
_USERS = re.compile(r'users:\(((?:\(' + _QUOTED + r'(?:,\w+=[^,()]*+)*+\),?)*+)\)')
_OWNER = re.compile(r'\("(' + _NAME + r')"((?:,\w+=[^,()]*+)*+)\)')
_KEY_PAREN = re.compile(r"([A-Za-z_][\w-]*):\(")
_KEY_VALUE = re.compile(r"([A-Za-z_][\w-]*):(\S+)")
_SHUTDOWN = re.compile(r"[<-]-[>-](?=\s|\Z)")
_CORE_KEYS = {"uid", "ino", "sk", "cgroup"}
_EXTRA_KEYS = {"v6only", "fwmark", "tos", "class", "tclass", "priority", "dev"}


def _paren_end(text: str, start: int) -> int:
    """Index just after the ')' closing the '(' at ``start`` (or len(text))."""
    depth = 0
    quoted = False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
    return len(text)


_OWNER_SIMPLE = re.compile(r'\("(' + _NAME + r')",pid=(\d++),fd=(\d++)\)')
_OWNERS_SIMPLE = re.compile(r'\(' + _QUOTED + r',pid=\d++,fd=\d++\)(?:,\(' + _QUOTED + r',pid=\d++,fd=\d++\))*+')


def _owners(body: str) -> list[dict[str, Any]]:
    """``("nginx",pid=1,fd=6),("nginx",pid=2,fd=6)`` -> owner dicts (validated with the record)."""
    one = _OWNER_SIMPLE.fullmatch(body)
    if one is not None:  # the usual case: one process
        p, i, f = one.groups()
        return [{"process": p.replace('\\"', '"') if "\\" in p else p, "pid": int(i), "fd": int(f)}]
    if _OWNERS_SIMPLE.fullmatch(body):
        return [
            {"process": p.replace('\\"', '"') if "\\" in p else p, "pid": int(i), "fd": int(f)}
            for p, i, f in _OWNER_SIMPLE.findall(body)
        ]
    owners = []
    for m in _OWNER.finditer(body):
        attrs = dict(kv.split("=", 1) for kv in m.group(2).split(",") if "=" in kv)
        owners.append(
            {
                "process": m.group(1).replace('\\"', '"'),
                "pid": int(attrs["pid"]) if attrs.get("pid", "").isdecimal() else None,
                "fd": int(attrs["fd"]) if attrs.get("fd", "").isdecimal() else None,
            }
        )
    return owners


def _put_owners(rec: dict[str, Any], body: str) -> None:
    owners = _owners(body)
    if owners:
        rec["owners"] = owners
        first = owners[0]
        rec["process"], rec["pid"], rec["fd"] = first["process"], first["pid"], first["fd"]


def put_tail(rec: dict[str, Any], tail: str) -> None:
    """Read the text after the peer column: process, timer, -e fields, then internal info."""
    if tail[:8] == "users:((":
        m = _USERS.match(tail)
        if m is not None and m.end() == len(tail):  # the usual tail of ss -p: nothing else
            _put_owners(rec, m.group(1))
            return
    info: list[str] = []
    extra: dict[str, str] = {}
    pos, n = 0, len(tail)
    while pos < n:
        if tail[pos] in " \t":
            pos += 1
            continue
        m = _USERS.match(tail, pos)
        if m:
            _put_owners(rec, m.group(1))
            pos = m.end()
            continue
        m = _KEY_PAREN.match(tail, pos)
        if m:
            end = _paren_end(tail, m.end() - 1)
            key, body = m.group(1), tail[m.end() : end - 1]
            if key == "timer":
                rec["timer"] = tail[pos:end]
                parts = body.split(",")
                rec["timer_name"] = parts[0]
                if len(parts) > 1:
                    rec["timer_seconds"] = ss_time_seconds(parts[1])
                if len(parts) > 2 and parts[2].isdecimal():
                    rec["timer_retrans"] = int(parts[2])
            else:
                info.append(tail[pos:end])
            pos = end
            continue
        m = _SHUTDOWN.match(tail, pos)
        if m:
            rec["shutdown"] = m.group(0)
            pos = m.end()
            continue
        m = _KEY_VALUE.match(tail, pos)
        if m and m.group(1) in _CORE_KEYS:
            key, value = m.groups()
            if key == "uid":
                rec["user"] = value
            elif key == "ino":
                rec["inode"] = int(value) if value.isdecimal() else None
            else:
                rec[key] = value
            pos = m.end()
            continue
        if m and m.group(1) in _EXTRA_KEYS:
            extra[m.group(1)] = m.group(2)
            pos = m.end()
            continue
        end = pos
        while end < n and tail[end] not in " \t":
            end += 1
        info.append(tail[pos:end])
        pos = end
    if info:
        rec["info"] = " ".join(info) if "info" not in rec else rec["info"] + " " + " ".join(info)
        put_tcp_info(rec)  # the same TcpInfo/SocketMemory fields live mode fills from netlink
    if extra:
        rec["extra"] = extra




def _state(g: dict[str, Any], ctx: Context, rec: dict[str, Any], warnings: list[str]) -> None:
    if g.get("state") is None and ctx.values.get("no_state_column"):
        rec["state"] = TcpState.UNKNOWN
        rec["state_label"] = None
    else:
        map_state(g.get("state"), PLATFORM, rec, warnings)


def _put_other(rec: dict[str, Any], side: str, text: str) -> None:
    addr, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    rec[f"{side}_address"] = addr
    if port.isdecimal():
        rec[f"{side}_port"] = int(port)
    elif port and port != "*":
        rec[f"{side}_interface"] = port


def _build_inet(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {"recv_q": int(g["recv_q"]), "send_q": int(g["send_q"])}
    warnings: list[str] = []
    _state(g, ctx, rec, warnings)
    netid = g.get("netid")
    if netid:
        proto = _PROTO.get(netid, netid)
        family = _FAMILY.get(netid)
    else:
        # no Netid column: one socket table per block; infer it from the states seen so far
        state = rec["state"]
        proto = ctx.values.get("proto")
        if state in TCP_ONLY_STATES:
            proto = ctx.values["proto"] = "tcp"
        elif state is TcpState.UNCONNECTED and proto is None:
            proto = ctx.values["proto"] = "udp"
        proto = proto or "tcp"
        family = None
    rec["proto"] = proto
    if family in (Family.NETLINK, Family.PACKET):
        # 'protocol:portid' (netlink) or '*:device' (packet): not IP endpoints, kept as printed
        _put_other(rec, "local", g["local"])
        _put_other(rec, "remote", g["peer"])
        rec["family"] = family
    else:
        put_endpoints(rec, g["local"], g["peer"], family, raw=proto in ("raw", "icmp6"))
    tail = g.get("tail")
    if tail:
        put_tail(rec, tail)
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "type": _UNIX_TYPE[g["netid"]],
        "recv_q": int(g["recv_q"]),
        "send_q": int(g["send_q"]),
    }
    warnings: list[str] = []
    _state(g, ctx, rec, warnings)
    local = g["local"]
    if local != "*":
        rec["path"] = local
        rec["local_address"] = local
    if g["lport"] != "*":
        rec["inode"] = int(g["lport"])
    if g["peer"] != "*":
        rec["remote_address"] = g["peer"]
    if g["pport"] not in ("*", "0"):
        rec["peer_inode"] = int(g["pport"])
    tail = g.get("tail")
    if tail:
        put_tail(rec, tail)
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _header(res: pp.ParseResults, ctx: Context) -> None:
    cols = set()
    if res.get("netid"):
        cols.add("netid")
    if res.get("state"):
        cols.add("state")
    else:
        ctx.values["no_state_column"] = True
        ctx.values["header_warning"] = (
            "no State column (ss with a single-state filter such as 'state time-wait'): "
            "the state is not in the text, records get UNKNOWN"
        )
    ctx.columns = frozenset(cols)


HEADER = (
    pp.Opt(pp.Literal("Netid"))("netid")
    + pp.Opt(pp.Literal("State"))("state")
    + pp.Opt(pp.Literal("Recv-Q") + "Send-Q")
    + pp.Literal("Local Address:Port")
    + pp.Literal("Peer Address:Port")
    + pp.Opt(pp.Literal("Process"))
)


# ss -s (summary statistics): not sockets, but recognised, so they are not reported as errors.
SUMMARY_TOTAL = pp.Regex(r"Total: \d+.*")
SUMMARY_TCP = pp.Regex(r"TCP: +\d+ \(estab \d+, closed \d+, orphaned \d+, (?:synrecv \d+, )?timewait \d+(?:/\d+)?\).*")
SUMMARY_HEADER = pp.Literal("Transport") + "Total" + "IP" + "IPv6"
SUMMARY_ROW = pp.Regex(r"[A-Z0-9]+\t *(?:\d+|-|\*) +(?:\d+|-|\*) +(?:\d+|-|\*)")


class SS(Grammar):
    name = "ss"
    description = "iproute2 ss (socket statistics)"
    example = "ss -tanp"
    shape_priority = 30
    markers = [
        Marker("header", "header", HEADER, "all", _header, prefilter="Address:Port"),
        Marker("summary", "summary-total", SUMMARY_TOTAL, None, prefilter="Total: "),
        Marker("summary", "summary-tcp", SUMMARY_TCP, None, prefilter="TCP: "),
        Marker("summary", "summary-header", SUMMARY_HEADER, None, prefilter="Transport"),
        Marker("summary", "summary-row", SUMMARY_ROW, None, prefilter="\t", strip=False),
    ]
    sections = {
        "all": [Row("inet", INET_ROW, _build_inet), Row("unix", UNIX_ROW, _build_unix)],
        "no-state": [Row("inet-no-state", INET_ROW_NO_STATE, _build_inet), Row("unix", UNIX_ROW, _build_unix)],
    }

    def rows_for(self, ctx: Context) -> list[Row]:
        return self.sections["no-state" if ctx.values.get("no_state_column") else "all"]

    has_continuations = True

    def is_continuation(self, line: str, ctx: Context) -> bool:
        return line.startswith("\t")

    def attach(self, record: dict[str, Any], line: str, ctx: Context) -> None:
        text = line.strip()
        if text:
            put_tail(record, text)
