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
  ``pid``/``process``/``fd``), as does the keyless ``users:(("sshd",1231,3))`` of iproute2 < 3.14;
* the era of each listing (one header to the next): before 4.13 ``*`` is IPv4 0.0.0.0 and IPv6 is
  unbracketed (``:::22``); from 4.13 ``*`` is a dual-stack ``::`` socket. Decided from the rows
  themselves (:func:`_era_evidence`: brackets, ``0.0.0.0``, ``*`` beside a plain IPv4 address,
  the owner syntax) and the ``Process`` header word (5.4+); a ``*`` row read before any evidence
  gets one row of look-ahead, and evidence that comes later is reported as a warning naming the
  rows. Records say which reading was used in ``dialect`` (``iproute2<4.13`` on every row of an
  old listing, ``iproute2>=4.13`` on ``*`` rows of a newer one); ``timer:(keepalive,119min,0)``, ``uid:``, ``ino:``, ``sk:``,
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

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import state_labels
from ..addresses import normalise_address
from ..model import Family, trusted_owner
from ..states import TCP_ONLY_STATES, TcpState
from .base import LEAD, NUM, R, SP, TRAIL, WORD, Context, Grammar, Marker, Row, compile_row, label_regex
from .common import kernel_side, kernel_words, map_state, put_endpoints, ss_time_seconds
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
_INET_PATTERN = compile_row(INET_ROW)
_INET_NO_STATE_PATTERN = compile_row(INET_ROW_NO_STATE)
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
_USERS = re.compile(r'users:\(((?:\(' + _QUOTED + r'(?:,(?:\w+=[^,()]*+|\d++))*+\),?)*+)\)')
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
#: iproute2 before 3.14 (misc/ss.c ``"(\"%s\",%d,%d),"``): name, pid, fd without keys
_OWNER_OLD = re.compile(r'\("(' + _NAME + r')",(\d++),(\d++)\)')
_OWNERS_OLD = re.compile(r'\(' + _QUOTED + r',\d++,\d++\)(?:,\(' + _QUOTED + r',\d++,\d++\))*+')
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
    if _OWNERS_OLD.fullmatch(body):  # ("sshd",1231,3): iproute2 < 3.14
        return [
            {"process": p.replace('\\"', '"') if "\\" in p else p, "pid": int(i), "fd": int(f)}
            for p, i, f in _OWNER_OLD.findall(body)
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
        rec["state_printed"] = False
    else:
        map_state(g.get("state"), PLATFORM, rec, warnings)


def _put_other(rec: dict[str, Any], side: str, text: str) -> None:
    addr, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    rec[f"{side}_address"] = addr
    if port.isdecimal():
        rec[f"{side}_port"] = int(port)
    elif port and port != "*":
        rec[f"{side}_interface"] = port


#: ``dialect`` of records read with the rules of iproute2 before 4.13 (commit aba9c23a, 2017-08):
#: ``*`` is the IPv4 wildcard 0.0.0.0, IPv6 is printed without brackets (``:::22``).
OLD_ERA = "iproute2<4.13"
#: ... and from 4.13 on: IPv6 in brackets, ``*`` is a dual-stack ``::`` socket (4.14, commit
#: 1267c0b9, prints an IPv4-only wildcard as ``0.0.0.0`` and an IPv6-only one as ``[::]``).
NEW_ERA = "iproute2>=4.13"
_MAX_UNDECIDED = 20
_IPV4_LITERAL = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:%[^:]*)?:")


def _era_evidence(local: str, peer: str, tail: str | None) -> tuple[str, str] | None:
    """What one row tells about the ss version that printed it: (era, why) or None.

    Old (< 4.13): IPv6 without brackets (``:::22``, ``::1:631``); ``*`` beside a plain IPv4
    address (``127.0.0.1:25  *:*``: from 4.14 an IPv4 peer wildcard prints ``0.0.0.0:*``, and
    in 4.13 ``*`` on an IPv4 socket only stood for 0.0.0.0 too); owners without ``pid=``/``fd=``
    (before 3.14, so before 4.13 too). New (>= 4.13): IPv6 in brackets, ``0.0.0.0`` printed,
    ``pid=`` owners. Not evidence: the missing ``Process`` header word (4.13-5.3 and >= 6.7
    without -p print none either)."""
    for text in (local, peer):
        if text[:1] == "[" or text.startswith("0.0.0.0"):
            return NEW_ERA, f"{text!r} is printed the iproute2 >= 4.13 way"
        if text.count(":") >= 2:
            return OLD_ERA, f"IPv6 {text!r} printed without brackets"
    if (local[:1] == "*" and _IPV4_LITERAL.match(peer)) or (peer[:1] == "*" and _IPV4_LITERAL.match(local)):
        return OLD_ERA, f"IPv4 {local!r} with the wildcard {peer!r}"
    if tail and "users:((" in tail:
        if ",pid=" in tail:
            return NEW_ERA, "owners printed with pid=/fd="
        if _USERS.search(tail) and _OWNER_OLD.search(tail):
            return OLD_ERA, "owners printed without pid=/fd= keys"
    return None


def _decide_era(ctx: Context, rec: dict[str, Any], g: dict[str, Any], warnings: list[str]) -> str | None:
    """The listing's era, deciding it from this row if it is still open."""
    era = ctx.values.get("era")
    if era is not None:
        return era
    found = _era_evidence(g["local"], g["peer"], g.get("tail"))
    if found is None:
        return None
    era, why = found
    ctx.values["era"] = era
    early = ctx.values.pop("undecided", [])
    more = ctx.values.pop("undecided_more", 0)
    if era == OLD_ERA and early:
        lines = ", ".join(str(r.get("line", "?")) for r in early) + (f" and {more} more" if more else "")
        warnings.append(
            f"this listing is iproute2 < 4.13 output ({why}): '*' on line(s) {lines} was read before "
            "this evidence as a dual-stack '::' socket, but in this layout '*' is IPv4 0.0.0.0"
        )
    return era


def _reread_old(rec: dict[str, Any], local: str, peer: str) -> None:
    """Read a row's endpoints again with the pre-4.13 rule (``*`` is IPv4 0.0.0.0)."""
    for key in ("local_address", "local_port", "local_service", "local_interface", "remote_address",
                "remote_port", "remote_service", "remote_interface", "family", "truncated"):
        rec.pop(key, None)
    put_endpoints(rec, _old_star(local), _old_star(peer), None, raw=rec["proto"] in ("raw", "icmp6"))
    rec["dialect"] = OLD_ERA


def _old_star(text: str) -> str:
    return "0.0.0.0" + text[1:] if text[:1] == "*" else text


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
        local, peer = g["local"], g["peer"]
        era = _decide_era(ctx, rec, g, warnings)
        star = local[:1] == "*" or peer[:1] == "*"
        if era == OLD_ERA:
            if star:
                local, peer = _old_star(local), _old_star(peer)
            rec["dialect"] = OLD_ERA
        elif star:
            if era is None:
                # read as dual-stack for now; the next row may still decide (see SS.is_continuation)
                early = ctx.values.setdefault("undecided", [])
                if len(early) < _MAX_UNDECIDED:
                    early.append(rec)
                else:  # only named in the warning: keep the first few, count the rest
                    ctx.values["undecided_more"] = ctx.values.get("undecided_more", 0) + 1
                ctx.values["star_pending"] = (rec, g["local"], g["peer"])
            else:
                rec["dialect"] = era
        put_endpoints(rec, local, peer, family, raw=proto in ("raw", "icmp6"))
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



_STATES = state_labels(PLATFORM)
#: the Netid words the row kernel reads (IP sockets with numeric endpoints); the others
#: (netlink, packet, vsock, sctp's association lines ...) go through the builder
_KERNEL_NETIDS = frozenset(("tcp", "udp", "raw", "mptcp"))


#: ``users:(("name",pid=N,fd=N))`` (the name without escapes: the kernel leaves those to the builder)
_USERS_ONE = re.compile(r'users:\(\("([^"\\]*+)",pid=(\d++),fd=(\d++)\)\)')


def _kernel_owners(word: str) -> list[Any] | None:
    """The owners of a ``users:(("name",pid=N,fd=N),...)`` word, or None for any other form
    (escaped quotes, the keyless pre-3.14 tuples, other keys)."""
    if "\\" in word:
        return None
    one = _USERS_ONE.fullmatch(word)
    if one is not None:  # the usual case: one process
        p, i, f = one.groups()
        return [trusted_owner(p, int(i), int(f))]
    m = _USERS.fullmatch(word)
    if m is None:
        return None
    body = m.group(1)
    if _OWNERS_SIMPLE.fullmatch(body):
        return [trusted_owner(p, int(i), int(f)) for p, i, f in _OWNER_SIMPLE.findall(body)]
    return None


def make_kernel(ctx: Context):
    """The row kernel of ``ss`` inet rows (see ``Grammar.kernel``): ``[Netid] State Recv-Q
    Send-Q Local Peer [users:((...))]`` with a known state, ``tcp``/``udp``/``raw``/``mptcp`` or
    no Netid, numeric endpoints (``ADDR:PORT``, ``[ADDR]:PORT``, ``:*``) and the usual owner
    word. It reads and updates ``ctx`` the way :func:`_build_inet` does (the era of the listing,
    the protocol of a block without Netid) and leaves to the builder every line it does not
    take: unix rows, continuation text, ``-e``/``-o``/``-i`` columns, names with blanks, service
    names, device bindings (``%lo``), and ``*`` while the era is still open."""
    values = ctx.values

    def kernel(line: str) -> dict[str, Any] | None:
        parts = kernel_words(line)
        if parts is None or len(parts) < 5:
            return None
        n = len(parts)
        first = parts[0]
        if first in _KERNEL_NETIDS:
            netid, at = first, 1
        else:
            netid, at = None, 0
        if n - at not in (5, 6):
            return None
        label = parts[at]
        state = _STATES.get(label)
        rq, sq, local, peer = parts[at + 1], parts[at + 2], parts[at + 3], parts[at + 4]
        if state is None or not (rq.isdecimal() and sq.isdecimal()):
            return None
        tail = parts[at + 5] if n - at == 6 else None
        owners = None
        if tail is not None:
            owners = _kernel_owners(tail)
            if owners is None:
                return None
        ls = kernel_side(local)
        rs = kernel_side(peer)
        if ls is None or rs is None:
            return None
        era = values.get("era")
        decided = None
        if era is None:
            found = _era_evidence(local, peer, tail)
            if found is not None:
                if values.get("undecided"):
                    return None  # the builder names the rows read before the evidence
                era = decided = found[0]
        star = local[0] == "*" or peer[0] == "*"
        laddr, raddr = ls[0], rs[0]
        if star:
            if era is None:
                return None  # the builder keeps the row for one line of look-ahead
            if era == OLD_ERA:
                laddr = "0.0.0.0" if laddr == "*" else laddr
                raddr = "0.0.0.0" if raddr == "*" else raddr
        if ("*" in laddr and laddr != "*") or ("*" in raddr and raddr != "*"):
            return None  # a '*' inside an address: the builder's reading
        laddr, lfam, ltrunc = normalise_address(laddr, None)
        raddr, rfam, rtrunc = normalise_address(raddr, lfam)
        if ltrunc or rtrunc:
            return None
        if netid is not None:
            proto = netid
        else:
            proto = values.get("proto")
            if state in TCP_ONLY_STATES:
                proto = values["proto"] = "tcp"
            elif state is TcpState.UNCONNECTED and proto is None:
                proto = values["proto"] = "udp"
            proto = proto or "tcp"
        if decided is not None:
            values["era"] = decided
            values.pop("undecided", None)
            values.pop("undecided_more", None)
        # the record in the records' field order (rowjson.FIELDS), ``line`` in its place (the
        # parser sets it): JSON writes such a row as it is
        rec: dict[str, Any] = {"proto": proto, "family": lfam or rfam, "local_address": laddr, "local_port": ls[1],
                               "remote_address": raddr, "remote_port": rs[1], "state": state, "state_label": label,
                               "recv_q": int(rq), "send_q": int(sq)}
        if owners is not None:
            first_owner = owners[0].__dict__
            rec["pid"], rec["process"], rec["line"], rec["fd"] = (first_owner["pid"], first_owner["process"], 0,
                                                                   first_owner["fd"])
            rec["owners"] = owners
        if era == OLD_ERA or (star and era is not None):
            rec["line"] = 0
            rec["dialect"] = era
        return rec

    return kernel


def _header(res: pp.ParseResults, ctx: Context) -> None:
    # a header starts a listing: the era (and the protocol of rows without Netid) is decided
    # again for each one
    for key in ("era", "undecided", "undecided_more", "star_pending", "proto"):
        ctx.values.pop(key, None)
    if res.get("process"):
        ctx.values["era"] = NEW_ERA  # the Process header word exists since iproute2 5.4 (commit 5883c6eb)
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
    + pp.Opt(pp.Literal("Process"))("process")
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

    def kernel(self, ctx: Context):
        return None if ctx.values.get("no_state_column") else make_kernel(ctx)

    has_continuations = True

    def is_continuation(self, line: str, ctx: Context) -> bool:
        if line.startswith("\t"):
            return True
        pending = ctx.values.pop("star_pending", None)
        if pending is not None and ctx.values.get("era") is None:
            # A '*' row whose era is still open is the parser's pending record: one row of look-ahead.
            # If this next row shows the old layout, the pending row is read again the old way.
            m = (_INET_NO_STATE_PATTERN if ctx.values.get("no_state_column") else _INET_PATTERN).match(line)
            if m is not None:
                found = _era_evidence(m.group("local"), m.group("peer"), m.group("tail"))
                if found is not None and found[0] == OLD_ERA:
                    rec, local, peer = pending
                    _reread_old(rec, local, peer)
                    ctx.values["undecided"] = [r for r in ctx.values.get("undecided", []) if r is not rec]
                elif found is not None:
                    pending[0]["dialect"] = found[0]
        return False

    def attach(self, record: dict[str, Any], line: str, ctx: Context) -> None:
        text = line.strip()
        if text:
            put_tail(record, text)
