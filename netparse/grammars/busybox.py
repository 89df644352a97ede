"""BusyBox ``netstat`` (``-a -n -t -u -w -x -l -e``, and ``-W``/``-p`` where the build has them).

Usage::

    busybox netstat -tuan | netparse parse --output json

Same titles and nearly the same layout as net-tools (:mod:`.linux_netstat`, whose row pieces this
module reuses). The differences (CATALOG 2, BusyBox ``networking/netstat.c``; evidence in
``samples/busybox/*.note``):

* the header's ``State`` is padded to 12 (``State       ``) and every row ends with its state
  padded to 12; that padding is how BusyBox output is told from net-tools output (a paste that
  lost its trailing spaces reads as ``linux-netstat``, with the same records except raw rows);
* the proto is only ``tcp``, ``udp``, ``raw``: IPv6 rows are not labelled ``tcp6``, the address
  tells the family; IPv4-mapped addresses stay mapped (``::ffff:127.0.0.1``);
* raw rows print a number in the State column that is not a TCP state (it equals the protocol in
  real output: ``raw ... 0.0.0.0:1 0.0.0.0:* 1``): ``state_label`` keeps it, ``state`` is
  UNCONNECTED when the peer is a wildcard, ESTABLISHED otherwise (what BusyBox itself uses to
  decide whether a raw socket is "connected");
* raw6 rows may carry a garbage scope id that changes on every run (``::%2557848221:58``,
  ``raw_do_one`` does not clear its buffer): it is removed from the address and kept in
  ``extra.local_scope_printed``/``remote_scope_printed``;
* ``-p`` prints ``PID/argv0`` (cut at 20) right after the 12-wide state; the unix section's
  ``I-Node`` is right-aligned and followed by one space (``I-Node Path``), ``-p`` then
  ``%-20s`` before the path;
* ``-e`` changes nothing visible (BusyBox 1.35).

With ``-p`` the inet header is byte-identical to net-tools' (``State       PID/Program name``):
such output reads as ``linux-netstat``. No real BusyBox ``-p`` or ``-W`` output was found (Debian's
build rejects both); they are read from the format strings in BusyBox's source.
"""

from __future__ import annotations

import re
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import state_labels
from ..states import TcpState
from .base import SP, TRAIL, Context, Grammar, Marker, R, Row
from .common import map_state, put_endpoints, put_pid_program
from .linux_netstat import LOCAL, RECV_Q, REMOTE, SEND_Q, UNIX_ROW, unix_fields

PLATFORM = "busybox-netstat"

PROTO = R(r"(?:tcp|udp|raw)(?![^\s])", "proto")
# the state column is '%-12s' and ends the row (or is followed by '%.20s' PID/argv0 with -p); the
# separator before it is the lazy run of spaces after which exactly such a 12-character block
# follows, so regex and pyparsing split the same way
_BLOCK = r"(?:[A-Z0-9_][A-Z0-9_ ]{11}| {12})"
# header-less rows: only BusyBox's own state words padded to 12, ending the line (with -p a
# BusyBox row is byte-identical to a net-tools one: those are left to linux-netstat)
_BLOCK_FULL = "(?:" + "|".join(re.escape(lab.ljust(12)) for lab in sorted(state_labels(PLATFORM), key=len, reverse=True) if 0 < len(lab) <= 12) + ")"
SEP = R(r"[ \t]+?(?=" + _BLOCK + r"(?:\Z|-|\d+/))")
STATE12 = R(_BLOCK, "state")
SEP_FULL = R(r"[ \t]+?(?=" + _BLOCK_FULL + r"\Z)")
STATE12_FULL = R(_BLOCK_FULL, "state")
PIDPROG = R(r"(?:-|\d+/[^\n]*)", "pidprog")

_HEAD = PROTO + SP + RECV_Q + SP + SEND_Q + SP + LOCAL + SP + REMOTE
INET_ROW = _HEAD + SEP + STATE12 + pp.Opt(PIDPROG) + TRAIL
# for header-less input only rows with a state: net-tools' empty-state udp rows end in 12 spaces
# too (11 of padding + the separator), and net-tools -p rows look exactly like BusyBox -p rows
INET_ROW_STATED = _HEAD + SEP_FULL + STATE12_FULL + TRAIL

_SCOPE = re.compile(r"%(\d+)(?=:[^:]*\Z)")


def _strip_scope(text: str, side: str, extra: dict[str, str]) -> str:
    m = _SCOPE.search(text)
    if m is None:
        return text
    extra[f"{side}_scope_printed"] = m.group(1)
    return text[: m.start()] + text[m.end() :]


def _build_inet(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    proto = g["proto"]
    rec: dict[str, Any] = {"proto": proto, "recv_q": int(g["recv_q"]), "send_q": int(g["send_q"])}
    label = g["state"].rstrip()
    warnings: list[str] = []
    local, remote = g["local"], g["remote"]
    if proto == "raw":
        extra: dict[str, str] = {}
        local = _strip_scope(local, "local", extra)
        remote = _strip_scope(remote, "remote", extra)
        if extra:
            rec["extra"] = extra
    put_endpoints(rec, local, remote, None, raw=proto == "raw")
    if proto == "raw":
        rec["state_label"] = label
        wildcard = rec.get("remote_address") in ("0.0.0.0", "::") and rec.get("remote_port") is None
        rec["state"] = TcpState.UNCONNECTED if wildcard else TcpState.ESTABLISHED
    else:
        map_state(label, PLATFORM, rec, warnings)
    put_pid_program(rec, g.get("pidprog"))
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    warnings: list[str] = []
    rec = unix_fields(g, PLATFORM, warnings)
    tail = g.get("tail")
    if tail:
        path = tail
        if "pid" in ctx.columns:
            # '%-20s' PID/argv0, then the path with no separator
            owner, path = tail[:20], tail[20:]
            put_pid_program(rec, owner.strip())
        path = path.strip()
        if path:
            rec["path"] = rec["local_address"] = path
    if warnings:
        rec["_warnings"] = warnings
    return rec


class _RawMarker(Marker):
    """A marker matched against the line as printed, trailing spaces included (they are what
    tells BusyBox from net-tools)."""

    raw = True


def _unix_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.columns = frozenset({"pid"} if res.get("p") else set())


TITLE = pp.Regex(
    r"Active (?P<what>Internet connections|UNIX domain sockets) "
    r"\((?:servers and established|only servers|w/o servers)\)"
)
INET_HEADER = pp.Regex(
    r"Proto Recv-Q Send-Q Local Address {2,}Foreign Address {2,}State {7}"
)  # with -p it is byte-identical to net-tools' header: left to linux-netstat
UNIX_HEADER = pp.Regex(r"Proto RefCnt Flags {7}Type {7}State {9}I-Node (?P<p>PID/Program name {4})?Path")


def _title(res: pp.ParseResults, ctx: Context) -> None:
    ctx.section = "inet" if res["what"].startswith("Internet") else "unix"


class BusyBox(Grammar):
    name = "busybox-netstat"
    description = "BusyBox netstat (state padded to 12, no tcp6/udp6 protos)"
    example = "busybox netstat -tuan"
    # before linux-netstat (20): its titles are claimed here first, so that its 12-wide header is
    # seen; a net-tools header then switches to linux-netstat
    shape_priority = 15
    markers = [
        Marker("title", "title", TITLE, None, _title, prefilter="Active "),
        _RawMarker("header", "inet-header", INET_HEADER, "inet", None, prefilter="State       "),
        _RawMarker("header", "unix-header", UNIX_HEADER, "unix", _unix_header, prefilter="I-Node "),
    ]
    sections = {
        "inet": [Row("inet", INET_ROW, _build_inet)],
        "unix": [Row("unix", UNIX_ROW, _build_unix)],
        "shape": [Row("inet-stated", INET_ROW_STATED, _build_inet)],
    }

    def rows_for(self, ctx: Context) -> list[Row]:
        if ctx.section in ("inet", "unix"):
            return self.sections[ctx.section]
        return self.sections["shape"]
