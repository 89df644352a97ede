"""Solaris / illumos ``netstat -an``.

Usage::

    netstat -an | netparse parse --output json

Reads (evidence in ``samples/solaris/*.note``, CATALOG 5.1):

* per-protocol sections ``TCP: IPv4``, ``TCP: IPv6``, ``UDP: IPv4``, ``UDP: IPv6``, each with its
  column header and dashed rule line, and the ``Active UNIX domain sockets`` section;
* TCP columns ``Local Address Remote Address Swind Send-Q Rwind Recv-Q State`` (Send before Recv,
  unlike BSD), the ``If`` column of IPv6 sections (``local_interface``), and the
  ``User Pid Command`` columns of ``netstat -u`` on illumos/OmniOS (``user``, ``pid``,
  ``process``); ``Swind``/``Rwind`` go to ``extra``;
* UDP rows ``Local Address [Remote Address] State`` with the mixed-case UDP states;
* header-less rows (``netstat -a | grep 34749``) by their shape.

States (``netparse/locales/en.platforms.tsv``, platform ``solaris-netstat``): TCP ``IDLE``
(opened, not yet bound) -> CLOSED, ``BOUND`` -> BOUND, ``SYN_RCVD`` -> SYN_RECEIVED; UDP ``Idle``
-> UNCONNECTED, ``Unbound`` -> CLOSED, ``Connected`` -> ESTABLISHED.

Unix rows ``Address Type Vnode Conn Local Addr Remote Addr`` have no state (``NONE``); a path
printed right after ``Conn`` (one space) is the local address, one printed further right is the
remote address only (``(socketpair)``, CATALOG 5.1).
"""

from __future__ import annotations

from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import state_labels
from ..model import Family
from ..states import TcpState
from .base import LEAD, R, SP, TRAIL, Context, Grammar, Marker, Row, label_regex
from .common import map_state, put_dot_endpoints

PLATFORM = "solaris-netstat"

ENDPOINT = r"\S*\.[^\s.:]+"
LOCAL = R(ENDPOINT, "local")
REMOTE = R(ENDPOINT, "remote")
_TCP_LABELS = [lab for lab in state_labels(PLATFORM) if lab.isupper()]
_UDP_LABELS = [lab for lab in state_labels(PLATFORM) if not lab.isupper()]
STATE = R(label_regex(_TCP_LABELS, r"[A-Z][A-Z0-9_]*") + r"(?![^\s])", "state")
UDP_STATE = R(label_regex(_UDP_LABELS) + r"(?![^\s])", "state")
# netstat -u: User Pid Command before Swind; a user name is never all digits, so a row without
# these columns never reads its Swind as a user
OWNER = R(r"(?!\d+(?![^\s]))\S+", "user") + SP + R(r"\d+", "pid") + SP + R(r"\S+", "command")
IFACE = R(r"\S+", "iface")

TCP_ROW = (
    LEAD
    + LOCAL
    + SP
    + REMOTE
    + pp.Opt(SP + OWNER)
    + SP
    + R(r"\d+", "swind")
    + SP
    + R(r"\d+", "send_q")
    + SP
    + R(r"\d+", "rwind")
    + SP
    + R(r"\d+", "recv_q")
    + SP
    + STATE
    + pp.Opt(SP + IFACE)
    + TRAIL
)
UDP_ROW = LEAD + LOCAL + pp.Opt(SP + REMOTE) + SP + UDP_STATE + pp.Opt(SP + IFACE) + TRAIL
UNIX_ROW = (
    LEAD
    + R(r"[0-9a-f]{6,16}", "address")
    + SP
    + R(r"[a-z][a-z-]*", "type")
    + SP
    + R(r"[0-9a-f]+", "vnode")
    + SP
    + R(r"[0-9a-f]+", "conn")
    + pp.Opt(R(r"[ \t]+(?=\S)", "gap") + R(r"\S(?:[^\n]*\S)?", "paths"))
    + TRAIL
)


def _family(ctx: Context) -> Family | None:
    return ctx.values.get("family")


def _build_tcp(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {"proto": "tcp", "recv_q": int(g["recv_q"]), "send_q": int(g["send_q"])}
    put_dot_endpoints(rec, g["local"], g["remote"], _family(ctx))
    warnings: list[str] = []
    map_state(g["state"], PLATFORM, rec, warnings)
    rec["extra"] = {"swind": g["swind"], "rwind": g["rwind"]}
    if g.get("user") is not None:
        rec["user"] = g["user"]
        rec["pid"] = int(g["pid"])
        rec["process"] = g["command"]
    if g.get("iface"):
        rec["local_interface"] = g["iface"]
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_udp(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {"proto": "udp"}
    put_dot_endpoints(rec, g["local"], g.get("remote"), _family(ctx))
    warnings: list[str] = []
    map_state(g["state"], PLATFORM, rec, warnings)
    if g.get("iface"):
        rec["local_interface"] = g["iface"]
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "type": g["type"],
        "state": TcpState.NONE,
        "extra": {"address": g["address"], "vnode": g["vnode"], "conn": g["conn"]},
    }
    paths = (g.get("paths") or "").split()
    if paths:
        if g["gap"] == " ":
            rec["path"] = rec["local_address"] = paths.pop(0)
        if paths:
            rec["remote_address"] = " ".join(paths)
    return rec


# -- titles and headers --------------------------------------------------------------------------------


def _title(res: pp.ParseResults, ctx: Context) -> None:
    proto = res["proto"].lower()
    ctx.section = "tcp" if proto == "tcp" else "udp"
    ctx.values["family"] = Family.INET6 if res["ip"] == "IPv6" else Family.INET


def _header(section: str):
    def on_match(res: pp.ParseResults, ctx: Context) -> None:
        ctx.section = section

    return on_match


# "<p>" before a title: an HTML paragraph tag left in a blog paste of this output (samples/solaris)
TITLE = pp.Regex(r"(?:<p>)?(?P<proto>TCP|UDP): (?P<ip>IPv4|IPv6)")
UNIX_TITLE = pp.Regex(r"Active UNIX domain sockets")
TCP_HEADER = pp.Regex(
    r"Local\s+Address\s+Remote\s+Address(?:\s+User\s+Pid\s+Command)?\s+Swind\s+Send-Q\s+Rwind\s+Recv-Q\s+State(?:\s+If)?"
)
UDP_HEADER = pp.Regex(r"Local\s+Address\s+Remote\s+Address\s+State(?:\s+If)?")
RULE = pp.Regex(r"-{5,}(?:\s+-+)+")
UNIX_HEADER = pp.Regex(r"Address\s+Type\s+Vnode\s+Conn\s+Local\s+Addr\s+Remote\s+Addr")


class Solaris(Grammar):
    name = "solaris-netstat"
    description = "Solaris / illumos netstat (TCP/UDP per-family sections, unix section, -u owners)"
    example = "netstat -an"
    shape_priority = 45
    markers = [
        Marker("title", "section-title", TITLE, None, _title, prefilter=": IPv"),
        Marker("title", "unix-title", UNIX_TITLE, "unix", prefilter="UNIX domain"),
        Marker("header", "tcp-header", TCP_HEADER, "tcp", _header("tcp"), prefilter="Swind"),
        Marker("header", "udp-header", UDP_HEADER, "udp", _header("udp"), prefilter="Remote Address"),
        Marker("header", "rule", RULE, None, prefilter="-----"),
        Marker("header", "unix-header", UNIX_HEADER, "unix", prefilter="Vnode"),
    ]
    sections = {
        "tcp": [Row("tcp", TCP_ROW, _build_tcp)],
        "udp": [Row("udp", UDP_ROW, _build_udp)],
        "unix": [Row("unix", UNIX_ROW, _build_unix)],
    }

    def rows_for(self, ctx: Context) -> list[Row]:
        if ctx.section in self.sections:
            return self.sections[ctx.section]
        return self.sections["tcp"] + self.sections["udp"]
