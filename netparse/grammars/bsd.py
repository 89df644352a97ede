"""BSD-family ``netstat``: macOS, FreeBSD, OpenBSD/NetBSD (and AIX rows, see :mod:`.aix`).

Usage::

    netstat -anv | netparse parse --output json      # macOS
    netstat -an  | netparse                          # FreeBSD, OpenBSD

Reads (evidence in ``samples/{macos,freebsd,openbsd}/*.note``, CATALOG sections 4.1-4.4):

* ``-an``/``-a``: "Active Internet connections" with ``Proto Recv-Q Send-Q Local Address Foreign
  Address (state)`` (OpenBSD: ``TCP-State``, one block per protocol and family, UDP blocks without
  a state column);
* ``-A``: a leading ``Tcpcb`` (FreeBSD), ``Socket Flowhash`` (macOS) column, kept in ``extra``;
* ``-T`` (FreeBSD): ``Rexmit OOORcv 0-win`` instead of the queues; ``-x``: the buffer and timer
  columns after the addresses; ``-v``/``-b`` (macOS): ``rhiwat shiwat pid epid state options ...``
  or, on macOS 26, ``rxbytes txbytes rhiwat shiwat process:pid state options ...``. These columns
  are found **from the header**, so the hex ``state`` column is never read as a pid, and a process
  name with spaces (``Code Helper (Plu:17120``) is read up to the ``:pid`` at its right;
* ``-L`` listen queues ``qlen/incqlen/maxqlen`` (FreeBSD with a Proto column, macOS without):
  LISTEN records with ``extra`` keys ``qlen``, ``incqlen``, ``maxqlen`` (rule NP010 reads them);
* the unix section (``Address Type Recv-Q Send-Q Inode Conn Refs Nextref Addr``), macOS'
  Multipath section, kernel event (``kevt``) and kernel control (``kctl``) sockets, and the
  "Registered kernel control modules" table (records of proto ``kctl-module``): every row is a
  record of its own kind, nothing is dropped.

Traps handled:

* addresses are ``host.port`` with the **last** dot before the port (``127.0.0.1.631``, ``*.22``,
  ``*.*``, ``::1.631``, ``fe80::1%lo0.123``);
* ``tcp4``/``tcp6``/``tcp46`` carry the family (``46`` = dual-stack, read as inet6 like ``ss``'s
  ``*``); OpenBSD's plain ``tcp``/``udp`` blocks are IPv4 (``tcp6``/``udp6`` blocks are IPv6);
* addresses cut to fit the column carry no marker: a field exactly as wide as its column (22, or
  18 with ``-A``) or a host part of 16 characters (the host is cut at 16 before ``.port``) is
  flagged ``truncated``, as are cut IPv6 text and names ending in a dot (``waw02s05-in-f14..https``);
* UDP/ICMP rows print no state: ``UNCONNECTED`` when the peer is ``*.*``, ``ESTABLISHED`` otherwise
  (what ``ss`` says of the same socket); ``state_label`` stays null. Unix and kernel rows have no
  state at all (``NONE``).
"""

from __future__ import annotations

import re
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import state_labels
from ..model import Family
from ..states import TcpState
from .base import LEAD, R, SP, TRAIL, Context, Grammar, Marker, Row, label_regex
from .common import map_state, put_dot_endpoints

PLATFORM = "bsd-netstat"

PCB = R(r"[0-9a-f]{8,16}", "pcb")
FLOWHASH = R(r"[0-9a-f]{1,8}", "flowhash")
PROTO = R(r"(?:tcp|udp|icm|sctp|raw|rip|divert)(?:46|4|6)?(?![^\s])", "proto")
N1 = R(r"\d+", "n1")
N2 = R(r"\d+", "n2")
N3 = R(r"\d+", "n3")
# host.port: the last dot separates the port, and the port part holds no ':' (which tells a BSD
# endpoint from a Linux 'host:port' one, so header-less Linux rows never match here)
ENDPOINT = r"\S*\.[^\s.:]+"
LOCAL = R(ENDPOINT, "local")
REMOTE = R(ENDPOINT, "remote")
STATE = R(label_regex(state_labels(PLATFORM), r"[A-Z][A-Z0-9_]*") + r"(?![^\s])", "state")
TAIL = R(r"\S(?:[^\n]*\S)?", "tail")

INET_ROW = (
    LEAD
    + pp.Opt(PCB + SP + pp.Opt(FLOWHASH + SP))
    + PROTO
    + SP
    + pp.Opt(N1 + SP + N2 + SP + pp.Opt(N3 + SP))
    + LOCAL
    + SP
    + REMOTE
    + pp.Opt(SP + STATE)
    + pp.Opt(SP + TAIL)
    + TRAIL
)

HEX = r"[0-9a-f]+"
UNIX_ROW = (
    LEAD
    + R(r"[0-9a-f]{8,16}", "address")
    + SP
    + R(r"(?:stream|dgram|seqpac(?:ket)?|raw|rdm)(?![^\s])", "type")
    + SP
    + R(r"\d+", "recv_q")
    + SP
    + R(r"\d+", "send_q")
    + SP
    + R(HEX, "vnode")
    + SP
    + R(HEX, "conn")
    + SP
    + R(HEX, "refs")
    + SP
    + R(HEX, "nextref")
    + pp.Opt(SP + TAIL)
    + TRAIL
)

KERNEL_ROW = (
    LEAD
    + pp.Opt(PCB + SP)
    + R(r"(?:kevt|kctl)(?![^\s])", "proto")
    + SP
    + R(r"\d+", "recv_q")
    + SP
    + R(r"\d+", "send_q")
    + pp.Opt(SP + TAIL)
    + TRAIL
)

# "Registered kernel control modules": hex numbers (ids, flags, counts; unit may be -1), then a name
MODULE_ROW = LEAD + R(r"-?[0-9a-f]+(?=[ \t])(?:[ \t]+-?[0-9a-f]+(?=[ \t]))*", "numbers") + SP + R(r"\S+", "name") + TRAIL

LISTEN_ROW = LEAD + pp.Opt(PROTO + SP) + R(r"\d+/\d+/\d+", "queues") + SP + LOCAL + TRAIL

_PROTO_NAME = {"icm": "icmp"}
_SEQ = {"seqpac": "seqpacket"}
_PROCESS = re.compile(r".*:\d+")


def proto_family(text: str, plain: Family | None = Family.INET) -> tuple[str, Family | None]:
    """``tcp4`` -> (tcp, inet), ``udp6`` -> (udp, inet6), ``tcp46`` -> (tcp, inet6 dual-stack),
    ``icm4`` -> (icmp, inet); a plain ``tcp`` gets ``plain``."""
    base = text.rstrip("46")
    digits = text[len(base) :]
    family = {"4": Family.INET, "6": Family.INET6, "46": Family.INET6}.get(digits, plain)
    return _PROTO_NAME.get(base, base), family


def read_columns(names: list[str], tail: str) -> dict[str, str]:
    """Header-driven split of the columns after the fixed part of a row.

    ``names`` are the header's words. A ``process:pid`` (or ``eprocess:epid``) column takes the
    tokens up to one ending in ``:<digits>`` (a name may hold spaces); the last column, when it is
    ``Addr`` or ``name``, takes the rest of the line (paths may hold spaces). Missing trailing
    columns are left out."""
    tokens = tail.split()
    out: dict[str, str] = {}
    i = 0
    for k, name in enumerate(names):
        if i >= len(tokens):
            break
        if ":" in name:
            j = i
            while j < len(tokens) - 1 and not _PROCESS.fullmatch(tokens[j]):
                j += 1
            out[name] = " ".join(tokens[i : j + 1])
            i = j + 1
        elif k == len(names) - 1 and name in ("Addr", "name"):
            out[name] = " ".join(tokens[i:])
            i = len(tokens)
        else:
            out[name] = tokens[i]
            i += 1
    if i < len(tokens):
        out["_rest"] = " ".join(tokens[i:])
    return out


def put_columns(rec: dict[str, Any], cols: dict[str, str]) -> None:
    """Record fields from :func:`read_columns`: ``pid``, ``process:pid``, ``Addr`` become fields,
    everything else goes to ``extra`` under the header's name."""
    extra: dict[str, str] = rec.setdefault("extra", {})
    for name, value in cols.items():
        if name == "pid" and value.isdecimal():
            rec["pid"] = int(value)
        elif name == "process:pid":
            proc, _, pid = value.rpartition(":")
            if pid.isdecimal():
                rec["pid"] = int(pid)
            if proc.strip():
                rec["process"] = proc.strip()
        elif name == "Addr":
            rec["path"] = value
            rec["local_address"] = value
        elif name == "_rest":
            rec["info"] = value
        else:
            extra[name] = value
    if not extra:
        del rec["extra"]


#: macOS ``-v`` columns after the state, by network_cmds layout (CATALOG 4.2): up to 698.x, and
#: 726+ ("macOS 26"). Used for rows read without their header (``netstat -anv | grep 443``).
V_COLUMNS_OLD = ["rhiwat", "shiwat", "pid", "epid", "state", "options"]
V_COLUMNS_726 = ["rxbytes", "txbytes", "rhiwat", "shiwat", "process:pid", "state", "options", "gencnt", "flags",
                 "flags1", "usecnt", "rtncnt", "fltrs"]
_HEXNUM = re.compile(r"[0-9a-f]+")
_0XHEX = re.compile(r"0x[0-9a-f]+")


def shape_columns(tail: str) -> list[str] | None:
    """The ``-v`` layout a header-less row's tail has, by column count and types, or None.

    Up to 698.x: four decimals (rhiwat shiwat pid epid), then ``0x`` state and options
    (``131072 131072  46834      0 0x0100 0x00000106``). 726+: four decimals (rxbytes txbytes
    rhiwat shiwat), a ``name:pid`` whose name may hold spaces, then five hex, two decimal and one
    hex column (``... Python:25873  00000 00000006 000000000900d388 00000000 00000800 1 0 000000``).
    The 641-696 layouts (six more columns after options) have no real sample here and are not guessed."""
    tokens = tail.split()
    if len(tokens) < 6 or not all(t.isdecimal() for t in tokens[:4]):
        return None
    if len(tokens) == 6 and _0XHEX.fullmatch(tokens[4]) and _0XHEX.fullmatch(tokens[5]):
        return V_COLUMNS_OLD
    if len(tokens) >= 13:
        last = tokens[-8:]
        if (
            all(_HEXNUM.fullmatch(t) for t in last[:5] + last[7:])
            and last[5].isdecimal()
            and last[6].isdecimal()
            and _PROCESS.fullmatch(tokens[-9])
        ):
            return V_COLUMNS_726
    return None


def _cut(text: str, width: int) -> bool:
    """True when a printed endpoint may have been cut to fit its column."""
    if len(text) == width:
        return True
    host = text.rpartition(".")[0]
    # the host is printed with '%.16s' before '.port': 16 characters may be a cut (an IPv4
    # dotted quad is at most 15, so it never is)
    return len(host) == 16


def build_inet(g: dict[str, Any], ctx: Context, platform: str = PLATFORM, plain: Family | None = Family.INET) -> dict[str, Any]:
    proto, family = proto_family(g["proto"], plain)
    rec: dict[str, Any] = {"proto": proto}
    extra: dict[str, str] = {}
    queues = ctx.values.get("queues", ("recv_q", "send_q"))
    numbers = [g.get("n1"), g.get("n2"), g.get("n3")]
    for name, value in zip(queues, numbers):
        if value is None:
            continue
        if name in ("recv_q", "send_q"):
            rec[name] = int(value)
        else:
            extra[name] = value
    if g.get("pcb"):
        extra[ctx.values.get("pcb_name", "pcb")] = g["pcb"]
    if g.get("flowhash"):
        extra["flowhash"] = g["flowhash"]
    put_dot_endpoints(rec, g["local"], g["remote"], family, raw=proto in ("icmp", "raw", "divert"))
    width = ctx.values.get("width", 22)
    if _cut(g["local"], width) or _cut(g["remote"], width):
        rec["truncated"] = True
    warnings: list[str] = []
    label = g.get("state")
    if label is not None:
        map_state(label, platform, rec, warnings)
    elif proto == "tcp":
        rec["state"] = TcpState.UNKNOWN  # a header without a state column (FreeBSD -T, -x)
        rec["state_printed"] = False
    else:
        # datagram rows print no state: connected when the peer is known
        rec["state"] = TcpState.UNCONNECTED if g["remote"] == "*.*" else TcpState.ESTABLISHED
    tail = g.get("tail")
    if tail:
        # no header read (a grep'd row): the -v columns are recognised by their count and types
        names = ctx.values["tail"] if "tail" in ctx.values else shape_columns(tail)
        if names:
            put_columns(rec, read_columns(names, tail))
        else:
            rec["info"] = tail
    if extra:
        rec["extra"] = {**extra, **rec.get("extra", {})}
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_inet(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return build_inet(g, ctx)


def build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    kind = g["type"]
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "type": _SEQ.get(kind, kind),
        "recv_q": int(g["recv_q"]),
        "send_q": int(g["send_q"]),
        "state": TcpState.NONE,
        "extra": {
            ctx.values.get("address_name", "address"): g["address"],
            "inode": g["vnode"],
            "conn": g["conn"],
            "refs": g["refs"],
            "nextref": g["nextref"],
        },
    }
    tail = g.get("tail")
    if tail:
        put_columns(rec, read_columns(ctx.values.get("tail") or ["Addr"], tail))
    return rec


def _build_kernel(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "proto": g["proto"],
        "family": Family.OTHER,
        "recv_q": int(g["recv_q"]),
        "send_q": int(g["send_q"]),
        "state": TcpState.NONE,
    }
    if g.get("pcb"):
        rec["extra"] = {"pcb": g["pcb"]}
    tail = g.get("tail")
    if tail:
        default = ["vendor", "class", "subcla"] if g["proto"] == "kevt" else ["unit", "id", "name"]
        put_columns(rec, read_columns(ctx.values.get("tail") or default, tail))
    return rec


def _build_module(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    names = ctx.values.get("module_columns") or ["id", "flags", "pcbcount", "rcvbuf", "sndbuf", "name"]
    values = g["numbers"].split() + [g["name"]]
    rec: dict[str, Any] = {"proto": "kctl-module", "family": Family.OTHER, "state": TcpState.NONE}
    extra = dict(zip(names[:-1], values[:-1])) if len(values) == len(names) else {"numbers": g["numbers"]}
    extra["name"] = g["name"]
    rec["extra"] = extra
    return rec


def _build_listen(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    proto, family = proto_family(g["proto"], None) if g.get("proto") else ("tcp", None)
    qlen, incqlen, maxqlen = g["queues"].split("/")
    rec: dict[str, Any] = {
        "proto": proto,
        "state": TcpState.LISTEN,
        "extra": {"qlen": qlen, "incqlen": incqlen, "maxqlen": maxqlen},
    }
    put_dot_endpoints(rec, g["local"], None, family)
    return rec


# -- titles and headers --------------------------------------------------------------------------------


def _set(section: str):
    def on_match(res: pp.ParseResults, ctx: Context) -> None:
        ctx.section = section

    return on_match


def _rest_words(text: str | None) -> list[str]:
    return (text or "").split()


def inet_header(res: pp.ParseResults, ctx: Context) -> None:
    prefix = res.get("prefix") or ""
    ctx.values.clear()
    ctx.values["width"] = 18 if prefix else 22
    if prefix:
        ctx.values["pcb_name"] = {"Tcpcb": "tcpcb", "Socket": "socket", "PCB/ADDR": "pcb"}[prefix.split()[0]]
    queues = " ".join((res.get("queues") or "").split())
    if queues.startswith("Rexmit"):
        ctx.values["queues"] = ("rexmit", "ooorcv", "0-win")
    words = _rest_words(res.get("rest"))
    state = bool(words) and words[0] in ("(state)", "TCP-State")
    if state:
        words = words[1:]
    ctx.values["tail"] = words
    ctx.columns = frozenset({"state"} if state else set())
    if not state and (words or queues.startswith("Rexmit")):
        ctx.values["header_warning"] = (
            "no (state) column (FreeBSD netstat -T or -x): the state of TCP sockets is not in the text, "
            "their records get UNKNOWN"
        )


def _tail_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.values.clear()
    ctx.values["tail"] = _rest_words(res.get("rest"))


def unix_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.values.clear()
    ctx.values["tail"] = _rest_words(res.get("rest")) or ["Addr"]


def _module_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.values.clear()
    ctx.values["module_columns"] = (res.get("line") or "").split()


def header_regex(text: str) -> pp.Regex:
    """A header as a regex where any run of spaces may separate words."""
    return pp.Regex(text.replace(" ", r"\s+"))


INET_HEADER = pp.Regex(
    r"(?P<prefix>(?:Tcpcb|Socket\s+Flowhash)\s+)?Proto\s+(?P<queues>Recv-Q\s+Send-Q|Rexmit\s+OOORcv\s+0-win)"
    r"\s+Local\s+Address\s+Foreign\s+Address(?!\s+State\b)(?P<rest>(?:\s+\S+)*)"
)
MULTIPATH_HEADER = header_regex(r"Proto/ID Flags Local Address Foreign Address (?:\(state\))?")
UNIX_HEADER = pp.Regex(r"Address\s+Type\s+Recv-Q\s+Send-Q\s+Inode\s+Conn\s+Refs\s+Nextref(?P<rest>(?:\s+\S+)*)")
KEVT_HEADER = pp.Regex(r"(?:pcb\s+)?Proto\s+Recv-Q\s+Send-Q(?P<rest>\s+vendor\s+class\s+subcl\w*(?:\s+\S+)*)")
KCTL_HEADER = pp.Regex(r"(?:pcb\s+)?Proto\s+Recv-Q\s+Send-Q(?P<rest>(?:\s+\S+)*?\s+unit\s+id\s+name)")
MODULE_HEADER = pp.Regex(r"(?P<line>(?:kctlref\s+)?id(?:\s+(?:unit|flags|pcbcount|rcvbuf|sndbuf))*\s+name)")
LISTEN_HEADER = pp.Regex(r"(?:Proto\s+)?Listen\s+Local\s+Address")

TITLES = [
    ("inet-title", r"Active Internet connections(?: \((?:including servers|only servers)\))?", "inet", "Active Internet"),
    ("multipath-title", r"Active Multipath Internet connections", "multipath", "Multipath"),
    ("unix-title", r"Active (?:LOCAL \(UNIX\)|UNIX) domain sockets", "unix", "domain sockets"),
    ("kctl-module-title", r"Registered kernel control modules", "kctl-module", "kernel control modules"),
    ("kevt-title", r"Active kernel event sockets", "kevt", "kernel event"),
    ("kctl-title", r"Active kernel control sockets", "kctl", "kernel control sockets"),
    ("listen-title", r"Current listen queue sizes \(qlen/incqlen/maxqlen\)", "listen", "listen queue"),
]


class BSD(Grammar):
    name = "bsd-netstat"
    description = "macOS, FreeBSD, OpenBSD/NetBSD netstat (inet, unix, kernel, listen-queue sections)"
    example = "netstat -anv"
    shape_priority = 40
    markers = [
        *(Marker("title", name, pp.Regex(rx), section, _set(section), prefilter=pre) for name, rx, section, pre in TITLES),
        Marker("header", "inet-header", INET_HEADER, "inet", inet_header, prefilter="Foreign Address"),
        Marker("header", "multipath-header", MULTIPATH_HEADER, "multipath", inet_header, prefilter="Proto/ID"),
        Marker("header", "unix-header", UNIX_HEADER, "unix", unix_header, prefilter="Nextref"),
        Marker("header", "kevt-header", KEVT_HEADER, "kevt", _tail_header, prefilter="vendor"),
        Marker("header", "kctl-header", KCTL_HEADER, "kctl", _tail_header, prefilter="unit"),
        Marker("header", "kctl-module-header", MODULE_HEADER, "kctl-module", _module_header, prefilter="name"),
        Marker("header", "listen-header", LISTEN_HEADER, "listen", None, prefilter="Listen"),
        # macOS network_cmds may append this after the tcp block (CATALOG 4.2)
        Marker("note", "sockets-changed", pp.Regex(r"Some tcp sockets may have been created or deleted\."), None,
               prefilter="Some tcp"),
    ]
    sections = {
        "inet": [Row("inet", INET_ROW, _build_inet)],
        "multipath": [Row("inet", INET_ROW, _build_inet)],
        "unix": [Row("unix", UNIX_ROW, build_unix)],
        "kevt": [Row("kernel", KERNEL_ROW, _build_kernel)],
        "kctl": [Row("kernel", KERNEL_ROW, _build_kernel)],
        "kctl-module": [Row("kctl-module", MODULE_ROW, _build_module)],
        "listen": [Row("listen", LISTEN_ROW, _build_listen)],
    }
    #: rows tried for header-less input (the module table's shape is too loose to guess from)
    shape_rows = ("inet", "listen", "unix", "kevt")

    def rows_for(self, ctx: Context) -> list[Row]:
        if ctx.section and ctx.section in self.sections:
            return self.sections[ctx.section]
        return [self.sections[s][0] for s in self.shape_rows]
