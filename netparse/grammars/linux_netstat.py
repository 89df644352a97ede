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

import re
from dataclasses import dataclass
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import label_language, label_map, labels_of, state_labels
from ..model import Family
from ..states import TcpState
from .base import NUM, SP, TRAIL, WORD, Context, Grammar, Marker, R, Row, label_regex
from ..addresses import normalise_address
from .common import kernel_side, kernel_words, map_state, put_endpoints, put_nettools_timer, put_pid_program

PLATFORM = "linux-netstat"

def _timer_words() -> str:
    """Timer names as printed: English, plus gettext's translations from the label tables
    (``aus``, ``vyp``, ``オフ`` ..., kind ``timer``; canonical ``unkn`` is a prefix before a number)."""
    words = {"off", "on", "keepalive", "timewait", "probe"}
    prefixes = {"unkn-"}
    for lab in labels_of(PLATFORM, "timer"):
        (prefixes if lab.canonical == "unkn" else words).add(lab.label)
    alts = [re.escape(w) for w in sorted(words, key=len, reverse=True)]
    alts += [re.escape(p) + r"\d+" for p in sorted(prefixes, key=len, reverse=True)]
    return "(?:" + "|".join(alts) + ")"


TIMER_WORDS = _timer_words()

PROTO = R(r"(?:tcp|udp|udpl|sctp)6?", "proto")
RAW_PROTO = R(r"raw6?", "proto")
RECV_Q = R(NUM, "recv_q")
SEND_Q = R(NUM, "send_q")
LOCAL = R(WORD, "local")
REMOTE = R(WORD, "remote")
# A state is a known label, or (for other languages) an upper-case word; never a user name or
# a number, so that the optional columns after it stay unambiguous.
STATE = R(label_regex(state_labels(PLATFORM), r"[^\sa-z0-9/\-(][^\s(]*+"), "state")
RAW_STATE = R(NUM, "state")
USER = R(WORD, "user")
INODE = R(NUM, "inode")
# PID/Program name may contain spaces; it ends where a timer starts or at the end of the line,
# and never swallows a timer: words separated by blanks, none of them the start of a timer (so
# regex backtracking cannot read more than pyparsing does). The end-of-line test comes first: it
# is the usual case and cheaper than trying every timer word.
_TIMER_START = TIMER_WORDS + r" \("
PIDPROG = R(
    r"(?:-|\d+/[^ \t\n]*+(?:[ \t]++(?!" + _TIMER_START + r")[^ \t\n]++)*+)(?=[ \t]*+\Z|[ \t]+" + _TIMER_START + r")",
    "pidprog",
)
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
    if proto[-1] == "6":
        proto = proto[:-1]
        family = Family.INET6
    rec: dict[str, Any] = {"proto": proto, "recv_q": int(g["recv_q"]), "send_q": int(g["send_q"])}
    warnings: list[str] = []
    local, remote = g["local"], g["remote"]
    put_endpoints(rec, local, remote, family, raw=proto == "raw")
    if (len(local) == CUT_WIDTH or len(remote) == CUT_WIDTH) and not rec.get("truncated"):
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
        map_state(g["state"], PLATFORM, rec, warnings)
    user = g["user"]
    if user is not None:
        rec["user"] = user
        rec["inode"] = int(g["inode"])
    put_pid_program(rec, g["pidprog"])
    timer = g["timer"]
    if timer:
        put_nettools_timer(rec, timer, label_map(PLATFORM, "timer"))
    if warnings:
        rec["_warnings"] = warnings
    return rec


_KERNEL_PROTOS = {"tcp": ("tcp", Family.INET), "tcp6": ("tcp", Family.INET6),
                  "udp": ("udp", Family.INET), "udp6": ("udp", Family.INET6)}


def kernel_inet(line: str) -> dict[str, Any] | None:
    """The row kernel of the inet section (see ``Grammar.kernel``): ``tcp``/``udp`` rows with
    numeric endpoints, a known state (or none), and ``-`` or one ``PID/name`` word; anything else
    (raw rows, ``-e``/``-o`` columns, names with blanks, names for ports, addresses at the cut
    width) is left to :func:`_build_inet`."""
    parts = kernel_words(line)
    if parts is None:
        return None
    n = len(parts)
    if n < 5 or n > 7:
        return None
    proto_family = _KERNEL_PROTOS.get(parts[0])
    rq, sq, local, remote = parts[1], parts[2], parts[3], parts[4]
    if proto_family is None or not (rq.isdecimal() and sq.isdecimal()) or len(local) == CUT_WIDTH or len(remote) == CUT_WIDTH:
        return None
    label = pidprog = None
    if n >= 6:
        word = parts[5]
        if word in _STATES:
            label = word
            if n == 7:
                pidprog = parts[6]
        elif n == 6:
            pidprog = word
        else:
            return None
    if pidprog is not None and pidprog != "-":
        pid, slash, _ = pidprog.partition("/")
        if not (slash and pid.isdecimal()):
            return None
    elif n == 7 and pidprog is None:
        return None
    ls = kernel_side(local)
    rs = kernel_side(remote)
    if ls is None or rs is None:
        return None
    proto, family = proto_family
    laddr, _, ltrunc = normalise_address(ls[0], family)
    raddr, _, rtrunc = normalise_address(rs[0], family)
    if ltrunc or rtrunc:
        return None
    # in the records' field order (rowjson.FIELDS): JSON writes such a row as it is
    rec: dict[str, Any] = {"proto": proto, "family": family, "local_address": laddr, "local_port": ls[1],
                           "remote_address": raddr, "remote_port": rs[1]}
    if label is None:
        warnings: list[str] = []
        map_state(None, PLATFORM, rec, warnings)
        if warnings:
            return None
    else:
        rec["state"] = _STATES[label]
        rec["state_label"] = label
    rec["recv_q"] = int(rq)
    rec["send_q"] = int(sq)
    put_pid_program(rec, pidprog)
    return rec


_STATES = state_labels(PLATFORM)


def unix_fields(g: dict[str, Any], platform: str, warnings: list[str]) -> dict[str, Any]:
    """The fields of a net-tools-style unix row before its PID/path tail (BusyBox shares them)."""
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "refcnt": int(g["refcnt"]),
        "flags": " ".join(g["flags"][1:-1].split()),
        "type": label_map(platform, "socket_type").get(g["type"], g["type"].lower()),
        "inode": int(g["inode"]),
    }
    map_state(g.get("state"), platform, rec, warnings)
    return rec


def _build_unix(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    warnings: list[str] = []
    rec = unix_fields(g, PLATFORM, warnings)
    tail = g.get("tail")
    if tail:
        path = tail
        if "pid" in ctx.columns or tail[0] == "-" or (tail.split("/", 1)[0].isdecimal() and "/" in tail):
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


# -- titles and headers: English from net-tools' source, translations from the label tables --------
#
# gettext translates the title, its suffix, the header line and its optional parts separately
# (Debian's de/et/fr/ja/pt_BR .mo files leave the unix header line English but translate "Path"),
# so each part is an alternation of the English text and every translation in netparse/locales
# (platform linux-netstat, kinds title / title_suffix / header / timer). Any run of whitespace may
# separate words: translations are padded by bytes, not characters.


def _words(text: str) -> str:
    return r"\s+".join(re.escape(w) for w in text.split())


def _alternatives(labels: list[str], end_at_space: bool = True) -> pp.Regex:
    pats = sorted({" ".join(lab.split()) for lab in labels if lab.strip()}, key=len, reverse=True)
    return pp.Regex("(?:" + "|".join(_words(p) for p in pats) + ")" + (r"(?!\S)" if end_at_space else ""))


def _table(kind: str, canonical: str | None = None) -> list[str]:
    return [lab.label for lab in labels_of(PLATFORM, kind) if canonical is None or lab.canonical == canonical]


def _language(res: pp.ParseResults, kinds: dict[str, str], ctx: Context) -> None:
    """Set the block's language from the first translated part of a title or header."""
    for name, kind in kinds.items():
        text = res.get(name)
        if isinstance(text, str):
            lang = _label_languages(kind).get(" ".join(text.split()))
            if lang and lang != "en":
                ctx.language = lang
                return


_LANG_CACHE: dict[str, dict[str, str]] = {}


def _label_languages(kind: str) -> dict[str, str]:
    if kind not in _LANG_CACHE:
        _LANG_CACHE[kind] = {
            " ".join(lab.label.split()): label_language(PLATFORM, kind, lab.label) or ""
            for lab in labels_of(PLATFORM, kind)
        }
    return _LANG_CACHE[kind]


def _inet_header(res: pp.ParseResults, ctx: Context) -> None:
    cols = {"proto", "recv_q", "send_q", "local", "remote", "state"}
    if res.get("e"):
        cols |= {"user", "inode"}
    if res.get("p"):
        cols.add("pid")
    if res.get("o"):
        cols.add("timer")
    ctx.columns = frozenset(cols)
    _language(res, {"line": "header", "e": "header", "o": "header"}, ctx)


def _unix_header(res: pp.ParseResults, ctx: Context) -> None:
    ctx.columns = frozenset({"pid"} if res.get("p") else set())
    _language(res, {"line": "header", "path": "header"}, ctx)


def _title(res: pp.ParseResults, ctx: Context) -> None:
    _language(res, {"title": "title", "suffix": "title_suffix"}, ctx)


_SUFFIX = _alternatives(
    ["(servers and established)", "(only servers)", "(w/o servers)"] + _table("title_suffix"), end_at_space=False
)
INET_TITLE = _alternatives(["Active Internet connections"] + _table("title", "active_internet_connections"), False)(
    "title"
) + _SUFFIX("suffix")
UNIX_TITLE = _alternatives(["Active UNIX domain sockets"] + _table("title", "active_unix_domain_sockets"), False)(
    "title"
) + _SUFFIX("suffix")
INET_HEADER = (
    _alternatives(["Proto Recv-Q Send-Q Local Address Foreign Address State"] + _table("header", "inet_header"))("line")
    + pp.Opt(_alternatives(["User Inode"] + _table("header", "user_inode")))("e")
    + pp.Opt(pp.Literal("PID/Program name"))("p")
    + pp.Opt(_alternatives(["Timer"] + _table("header", "timer")))("o")
)
UNIX_HEADER = (
    _alternatives(["Proto RefCnt Flags Type State I-Node"] + _table("header", "unix_header"))("line")
    + pp.Opt(pp.Literal("PID/Program name"))("p")
    + _alternatives(["Path"] + _table("header", "path"))("path")
)


@dataclass
class _QuickMarker(Marker):
    """A marker whose cheap prefilter is a regex search (any of the labels) instead of a substring."""

    quick: re.Pattern[str] | None = None

    def match(self, line: str) -> pp.ParseResults | None:
        if self.quick is not None and self.quick.search(line) is None:
            return None
        return super().match(line)


def _quick(labels: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(_words(lab) for lab in sorted(set(labels), key=len, reverse=True)))


class LinuxNetstat(Grammar):
    name = "linux-netstat"
    description = "Linux net-tools netstat (inet and unix sections)"
    example = "netstat -antp"
    shape_priority = 20
    markers = [
        _QuickMarker("title", "inet-title", INET_TITLE, "inet", _title,
                     quick=_quick(["Active Internet"] + _table("title", "active_internet_connections"))),
        _QuickMarker("title", "unix-title", UNIX_TITLE, "unix", _title,
                     quick=_quick(["Active UNIX"] + _table("title", "active_unix_domain_sockets"))),
        _QuickMarker("header", "inet-header", INET_HEADER, "inet", _inet_header,
                     quick=_quick(["Proto Recv-Q"] + [" ".join(h.split()[:2]) for h in _table("header", "inet_header")])),
        _QuickMarker("header", "unix-header", UNIX_HEADER, "unix", _unix_header,
                     quick=_quick(["RefCnt"] + [" ".join(h.split()[:2]) for h in _table("header", "unix_header")])),
    ]
    def kernel(self, ctx: Context):
        return kernel_inet if ctx.section in ("inet", None) else None

    sections = {
        "inet": [Row("inet", INET_ROW, _build_inet), Row("raw", RAW_ROW, _build_inet)],
        "unix": [Row("unix", UNIX_ROW, _build_unix)],
    }
