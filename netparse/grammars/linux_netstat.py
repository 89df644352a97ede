"""Linux net-tools ``netstat``.

Usage::

    netstat -antp | netparse parse --output json

Reads ``-a -n -t -u -w -x -l -p -e -o -W`` in any combination: the "Active Internet connections"
section (protos ``tcp``/``tcp6``/``udp``/``udp6``/``raw``/``raw6``, optional ``User Inode``,
``PID/Program name`` and ``Timer`` columns) and the "Active UNIX domain sockets" section.
Header-less input (``netstat -an | grep 8080``) is recognised from the shape of its rows.

Traps handled (evidence in ``samples/linux/*.note``, facts from net-tools ``netstat.c``):

* without ``-W`` an address longer than its column is cut to fit (``fe80::fc:ff:fe00::18085``):
  the record keeps it as printed and says ``truncated: true``;
* the State column is empty for an unconnected UDP socket (state ``UNCONNECTED``) and holds a
  number for raw sockets (``7`` = not connected, ``1`` = connected);
* ``PID/Program name`` is ``-`` when no visible process owns the socket, and the program part can
  contain spaces (``864/redis-server 12``, ``600/sshd: /usr/sbin``);
* names instead of numbers without ``-n`` (``localhost:domain``, ``[::]:ssh``).

Output: :class:`netparse.model.Socket` records; ``proto`` loses the ``6`` (``tcp6`` becomes
``tcp`` with ``family: inet6``).
"""

from __future__ import annotations

from typing import Any

import pyparsing as pp

from ..locales import state_labels
from ..model import Family
from ..states import TcpState
from .base import SP, TRAIL, Context, Grammar, Marker, R, Row, label_regex
from .common import map_state, put_endpoints, put_nettools_timer, put_pid_program, to_int

PLATFORM = "linux-netstat"

TIMER_WORDS = r"(?:off|on|keepalive|timewait|probe|unkn-\d+)"

PROTO = R(r"(?:tcp|udp|udpl|sctp)6?", "proto")
RAW_PROTO = R(r"raw6?", "proto")
RECV_Q = R(r"\d+", "recv_q")
SEND_Q = R(r"\d+", "send_q")
LOCAL = R(r"\S+", "local")
REMOTE = R(r"\S+", "remote")
# A state is a known label, or (for other languages) an upper-case word; never a user name or
# a number, so that the optional columns after it stay unambiguous.
STATE = R(label_regex(state_labels(PLATFORM), r"[^\sa-z0-9/\-(][^\s(]*"), "state")
RAW_STATE = R(r"\d+", "state")
USER = R(r"\S+", "user")
INODE = R(r"\d+", "inode")
# PID/Program name may contain spaces; it ends where a timer starts or at the end of the line,
# and never swallows a timer (a tempered token, so regex backtracking cannot read more than
# pyparsing does).
_TIMER_AHEAD = r"[ \t]+" + TIMER_WORDS + r" \("
PIDPROG = R(r"(?:-|\d+/(?:(?!" + _TIMER_AHEAD + r")[^\n])*?)(?=" + _TIMER_AHEAD + r"|[ \t]*\Z)", "pidprog")
TIMER = R(TIMER_WORDS + r" \([^)]*\)", "timer")

_TAIL = pp.Opt(SP + USER + SP + INODE) + pp.Opt(SP + PIDPROG) + pp.Opt(SP + TIMER) + TRAIL
INET_ROW = PROTO + SP + RECV_Q + SP + SEND_Q + SP + LOCAL + SP + REMOTE + pp.Opt(SP + STATE) + _TAIL
RAW_ROW = RAW_PROTO + SP + RECV_Q + SP + SEND_Q + SP + LOCAL + SP + REMOTE + SP + RAW_STATE + _TAIL

UNIX_ROW = (
    R(r"unix", "proto")
    + SP
    + R(r"\d+", "refcnt")
    + SP
    + R(r"\[[^\]]*\]", "flags")
    + SP
    + R(r"[A-Z]+", "type")
    + pp.Opt(SP + R(label_regex(state_labels(PLATFORM), r"[^\sa-z0-9/\-@][^\s]*"), "state"))
    + SP
    + R(r"\d+", "inode")
    + pp.Opt(SP + R(r"\S(?:[^\n]*\S)?", "tail"))
    + TRAIL
)

#: net-tools' short_len (22) + the ':' (netstat.c addr_do_one)
CUT_WIDTH = 23


def _build_inet(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    proto = g["proto"]
    family = Family.INET
    if proto.endswith("6"):
        proto = proto[:-1]
        family = Family.INET6
    rec: dict[str, Any] = {"proto": proto, "recv_q": int(g["recv_q"]), "send_q": int(g["send_q"])}
    warnings: list[str] = []
    put_endpoints(rec, g["local"], g["remote"], family, raw=proto == "raw")
    if CUT_WIDTH in (len(g["local"]), len(g["remote"])) and not rec.get("truncated"):
        # net-tools without -W cuts ADDR so that ADDR:PORT is exactly 23 characters; at exactly
        # that width a name or IPv6 address may have been cut (an IPv4 endpoint never is)
        for side in ("local", "remote"):
            if len(g[side]) == CUT_WIDTH and rec.get(f"{side}_address", "").count(".") != 3:
                rec["truncated"] = True
    if proto == "raw":
        label = g["state"]
        rec["state_label"] = label
        rec["state"] = TcpState.ESTABLISHED if label == "1" else TcpState.UNCONNECTED
    else:
        map_state(g.get("state"), PLATFORM, rec, warnings)
    if g.get("user") is not None:
        rec["user"] = g["user"]
        rec["inode"] = int(g["inode"])
    put_pid_program(rec, g.get("pidprog"))
    put_nettools_timer(rec, g.get("timer"))
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "refcnt": int(g["refcnt"]),
        "flags": " ".join(g["flags"][1:-1].split()),
        "type": g["type"].lower(),
        "inode": int(g["inode"]),
    }
    warnings: list[str] = []
    map_state(g.get("state"), PLATFORM, rec, warnings)
    tail = g.get("tail")
    if tail:
        path = tail
        if "pid" in ctx.columns or tail[0] == "-" or (tail.split("/", 1)[0].isdigit() and "/" in tail):
            # PID/Program name is printed %-20s, so a path starts 21 columns further on
            owner, path = tail[:20], tail[21:] if len(tail) > 21 else ""
            if len(tail) > 20 and tail[20] != " ":
                # cut or collapsed whitespace: split at the first run of spaces before '/' or '@'
                owner, _, path = tail.partition("  ")
            put_pid_program(rec, owner.strip())
        path = path.strip()
        if path:
            rec["path"] = path
            rec["local_address"] = path
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _inet_header(res: pp.ParseResults, ctx: Context) -> None:
    cols = {"proto", "recv_q", "send_q", "local", "remote", "state"}
    if res.get("e"):
        cols |= {"user", "inode"}
    if res.get("p"):
        cols.add("pid")
    if res.get("o"):
        cols.add("timer")
    ctx.columns = frozenset(cols)


def _unix_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.columns = frozenset({"pid"} if res.get("p") else set())


_SUFFIX = pp.Literal("(") + pp.one_of(["servers and established", "only servers", "w/o servers"]) + pp.Literal(")")
INET_TITLE = pp.Literal("Active Internet connections") + _SUFFIX
UNIX_TITLE = pp.Literal("Active UNIX domain sockets") + _SUFFIX
INET_HEADER = (
    pp.Literal("Proto")
    + "Recv-Q"
    + "Send-Q"
    + "Local Address"
    + "Foreign Address"
    + "State"
    + pp.Opt(pp.Literal("User") + "Inode")("e")
    + pp.Opt(pp.Literal("PID/Program name"))("p")
    + pp.Opt(pp.Literal("Timer"))("o")
)
UNIX_HEADER = (
    pp.Literal("Proto")
    + "RefCnt"
    + "Flags"
    + "Type"
    + "State"
    + "I-Node"
    + pp.Opt(pp.Literal("PID/Program name"))("p")
    + "Path"
)


class LinuxNetstat(Grammar):
    name = "linux-netstat"
    description = "Linux net-tools netstat (inet and unix sections)"
    example = "netstat -antp"
    shape_priority = 20
    markers = [
        Marker("title", "inet-title", INET_TITLE, "inet", prefilter="Active Internet"),
        Marker("title", "unix-title", UNIX_TITLE, "unix", prefilter="Active UNIX"),
        Marker("header", "inet-header", INET_HEADER, "inet", _inet_header, prefilter="Recv-Q"),
        Marker("header", "unix-header", UNIX_HEADER, "unix", _unix_header, prefilter="RefCnt"),
    ]
    sections = {
        "inet": [Row("inet", INET_ROW, _build_inet), Row("raw", RAW_ROW, _build_inet)],
        "unix": [Row("unix", UNIX_ROW, _build_unix)],
    }
