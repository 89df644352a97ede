"""Windows ``netstat.exe``, in every display language the label tables know.

Usage::

    netstat -ano > conns.txt          (cmd: OEM code page; PowerShell 5: UTF-16)
    netparse parse conns.txt --output json

Reads ``-a -n -o -b -q -t -p PROTO`` in any combination: the title (``Active Connections``,
``Aktive Verbindungen``, ``Connexions actives`` ...), the header (``Proto  Local Address  Foreign
Address  State  [PID]  [Offload State]`` or its translation) and the rows ``TCP``/``UDP``
(``TCPv6``/``UDPv6`` with ``-p``), also header-less (``netstat -ano | findstr :8080``) and indented
(copied from a document). Titles, headers, state words and ``-b`` messages come from
``netparse/locales/*.tsv`` (platforms ``windows-netstat`` and ``reactos-netstat``); the title or
header that matched sets the snapshot's ``locale``.

Traps handled (evidence in ``samples/windows/*.note``):

* German translates the state words (``ABHÖREN``, ``HERGESTELLT``, ``WARTEND``,
  ``SCHLIESSEN_WARTEN`` ...) and they arrive mis-decoded (``ABH™REN``, ``ABH\\x99REN``,
  ``ABH?REN``, ``ABH\\ufffdREN``): the table has them, and the forms every usual wrong decode
  gives (:func:`netparse.decode.mojibake_variants`) are recognised for titles, headers, states
  and messages; ``state_label`` keeps the text as printed;
* other languages translate title and headers but print English states; real French ``-ano`` /
  ``-abo`` captures print PIDs under a header without ``PID``: the PID column is read whenever
  the row has it, whatever the header says;
* UDP rows have no state (``NONE``, ``state_label: ''``) and ``*:*`` as foreign address;
* a foreign ``0.0.0.0:0`` / ``[::]:0`` / ``HOST:0`` means "no peer": its port becomes null (like
  ``*``); ``-q``'s ``BOUND`` rows look like listeners, the state decides;
* ``-b``: the lines under a row, ``  RpcSs`` (component, two spaces) and `` [svchost.exe]``
  (executable, one space) or `` Can not obtain ownership information`` (translated), attach to
  the row as ``service`` / ``process`` / ``info``; indentation is compared with the row's own,
  so indented pastes work; ``-b -v`` (and ``-b`` on Windows XP / Server 2003) first lists the
  modules of the connection as paths (``c:\\windows\\system32\\WS2_32.dll``), then
  ``-- unknown component(s) --`` and ``[svchost.exe]``: the paths become ``modules``, in order;
* ``-t`` adds the offload state (``InHost`` ...) after the PID, separated by a tab;
* Windows never cuts an address to fit (it widens the column), so records are never
  ``truncated``; names appear without ``-n`` (``DESKTOP-1:49863``, ``104.18.13.33:https``).

Output: :class:`netparse.model.Socket` records, ``proto`` ``tcp``/``udp``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..inputs.decode import mojibake_variants
from ..locales import Label, all_labels, state_labels
from ..model import Family
from .base import NUM, SP, TRAIL, WS, Context, Grammar, Marker, R, Row, label_regex
from ..addresses import normalise_address
from .common import kernel_side, kernel_words, map_state, put_endpoints

PLATFORM = "windows-netstat"
#: ReactOS prints the same layout with its own translations (pl-PL.rc): read its titles/headers too.
LABEL_PLATFORMS = ("windows-netstat", "reactos-netstat")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _labels(kind: str) -> list[Label]:
    return [lab for lab in all_labels() if lab.platform in LABEL_PLATFORMS and lab.kind == kind and lab.label]


@lru_cache(maxsize=None)
def _forms(kind: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Every printed form of the labels of one kind (whitespace normalised, plus the forms the
    usual wrong decodes give) -> (canonical, languages that print it)."""
    table: dict[str, tuple[str, set[str]]] = {}
    for lab in _labels(kind):
        forms = {lab.label} | mojibake_variants(lab.label)
        if "\u2019" in lab.label:
            forms.add(lab.label.replace("\u2019", "'"))  # a typographic apostrophe retyped as ASCII
        for form in forms:
            table.setdefault(_norm(form), (lab.canonical, set()))[1].add(lab.language)
    return {k: (c, frozenset(langs)) for k, (c, langs) in table.items()}


def _alternation(forms: Iterable[str]) -> str:
    """Regex alternation of label forms, longest first, any run of whitespace between words,
    each form ending at whitespace or the end of the text."""
    pats = sorted({f for f in forms if f}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in pats)
    return f"(?:{body})(?!\\S)"


def _header_column(canonical: str) -> pp.Regex:
    forms = [k for k, (c, _) in _forms("header").items() if c == canonical]
    return pp.Regex(_alternation(forms))


# -- rows --------------------------------------------------------------------------------------

OFFLOAD_WORDS = sorted({lab.label for lab in _labels("offload")}) or ["InHost"]
_STATE_FALLBACK = r"[^\s\d][^\s]*(?: (?!" + "|".join(OFFLOAD_WORDS) + r")[^\s\d][^\s]*)*"

LEAD = pp.Opt(R(WS, "lead"))
PROTO = R(r"(?:TCP|UDP)(?:v6)?", "proto")
# an endpoint always has a colon (0.0.0.0:135, [::]:0, *:*, HOST:https): 'TCP Statistics for
# IPv4' (netstat -s) is not a row
LOCAL = R(r"[^\s:]*:\S*+", "local")
REMOTE = R(r"[^\s:]*:\S*+", "remote")
STATE = R(label_regex(state_labels(PLATFORM), _STATE_FALLBACK), "state")
PID = R(NUM, "pid")
OFFLOAD = R(label_regex(OFFLOAD_WORDS), "offload")

ROW = LEAD + PROTO + SP + LOCAL + SP + REMOTE + pp.Opt(SP + STATE) + pp.Opt(SP + PID) + pp.Opt(SP + OFFLOAD) + TRAIL
ROW_PATTERN = re.compile(r"[ \t]*(?:TCP|UDP)(?:v6)?[ \t]+\S*:\S*[ \t]+\S*:")


@lru_cache(maxsize=1)
def _derived_states() -> dict[str, str]:
    """Mojibake forms of the state labels -> the label they come from."""
    table = state_labels(PLATFORM)
    out: dict[str, str] = {}
    for label in table:
        for form in mojibake_variants(label):
            if form not in table:
                out.setdefault(form, label)
    return out


@lru_cache(maxsize=1)
def _state_languages() -> dict[str, str]:
    """State label -> language, for labels only one non-English table has (ABHÖREN -> de)."""
    english = {lab.label for lab in _labels("state") if lab.language == "en"}
    langs: dict[str, set[str]] = {}
    for lab in _labels("state"):
        if lab.label not in english:
            for form in {lab.label} | mojibake_variants(lab.label):
                langs.setdefault(form, set()).add(lab.language)
    return {form: next(iter(ls)) for form, ls in langs.items() if len(ls) == 1}


def put_state(rec: dict[str, Any], label: str | None, ctx: Context, warnings: list[str]) -> None:
    """Canonical state of a printed Windows label (known, or a mis-decoded form of a known one);
    anything else is UNKNOWN with a warning (:func:`map_state`)."""
    text = label or ""
    table = state_labels(PLATFORM)
    state = table.get(text)
    if state is None:
        origin = _derived_states().get(text)
        if origin is not None:
            state = table[origin]
    if state is None:
        map_state(text, PLATFORM, rec, warnings)  # upper-case retry, else UNKNOWN + warning
    else:
        rec["state_label"] = text
        rec["state"] = state
    if ctx.language is None and text:
        lang = _state_languages().get(text)
        if lang:
            ctx.language = lang


_PROTOS = {"TCP": ("tcp", None), "UDP": ("udp", None), "TCPv6": ("tcp", Family.INET6), "UDPv6": ("udp", Family.INET6)}


#: ``[addr]:5432TIME_WAIT``: a port with a state word glued to it (no blank between the columns)
_GLUED = re.compile(r"(.*:\d+)([^\s\d:\]][^\s:]*)")


def _unglue(remote: str) -> tuple[str, str] | None:
    """(endpoint, state label) when ``remote`` is an endpoint with a known state label glued to
    its port; None otherwise."""
    m = _GLUED.fullmatch(remote)
    if m is None:
        return None
    label = m.group(2)
    if label in state_labels(PLATFORM) or label in _derived_states():
        return m.group(1), label
    return None


def _build(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    proto, family = _PROTOS[g["proto"]]
    rec: dict[str, Any] = {"proto": proto}
    warnings: list[str] = []
    remote = g["remote"]
    if g["state"] is None and remote[-1:].isalpha():
        glued = _unglue(remote)
        if glued is not None:
            remote, g = glued[0], dict(g, state=glued[1])
            warnings.append(f"state {glued[1]!r} glued to the foreign address {remote!r}: split at the port")
    put_endpoints(rec, g["local"], remote, family)
    # Windows widens a column rather than cutting an address: nothing is ever truncated.
    if "truncated" in rec:
        del rec["truncated"]
    if rec.get("remote_port") == 0:
        rec["remote_port"] = None  # 0.0.0.0:0, [::]:0, HOST:0: no peer
    put_state(rec, g["state"], ctx, warnings)
    pid = g["pid"]
    if pid is not None:
        rec["pid"] = int(pid)
    if g["offload"]:
        rec["offload_state"] = g["offload"]
    lead = g["lead"]
    ctx.values["indent"] = len(lead.expandtabs()) if lead else 0
    if warnings:
        rec["_warnings"] = warnings
    return rec


def _kernel(ctx: Context):
    """The row kernel (see ``Grammar.kernel``) for ``ctx``: ``TCP``/``UDP`` rows with numeric
    endpoints, an optional one-word state and an optional PID; anything else (``-t``'s offload
    column, states of more than one word, names, zones, glued columns) goes to :func:`_build`."""
    states = state_labels(PLATFORM)
    languages = _state_languages()
    values = ctx.values

    def kernel(line: str) -> dict[str, Any] | None:
        parts = kernel_words(line)
        if parts is None:
            return None
        n = len(parts)
        if n < 3 or n > 5:
            return None
        proto_family = _PROTOS.get(parts[0])
        if proto_family is None:
            return None
        label = pid = None
        if n == 5:
            label, pid = parts[3], parts[4]
            if not pid.isdecimal():
                return None
        elif n == 4:
            word = parts[3]
            if word.isdecimal():
                pid = word
            else:
                label = word
        if label is not None and (label not in states or (ctx.language is None and label in languages)):
            return None
        ls = kernel_side(parts[1])
        rs = kernel_side(parts[2])
        if ls is None or rs is None:
            return None
        proto, family = proto_family
        laddr, fam, _ = normalise_address(ls[0], family)
        fam = family or fam
        if fam is None:
            return None
        raddr, _, _ = normalise_address(rs[0], fam)
        rport = rs[1]
        # in the records' field order (rowjson.FIELDS): JSON writes such a row as it is
        rec: dict[str, Any] = {"proto": proto, "family": fam, "local_address": laddr, "local_port": ls[1],
                               "remote_address": raddr, "remote_port": None if rport == 0 else rport}
        if label is None:
            warnings: list[str] = []
            put_state(rec, None, ctx, warnings)
            if warnings:
                return None
        else:
            rec["state"] = states[label]
            rec["state_label"] = label
        if pid is not None:
            rec["pid"] = int(pid)
        values["indent"] = len(line) - len(line.lstrip(" "))
        return rec

    return kernel


# -- titles and headers ---------------------------------------------------------------------------


@dataclass
class LabelMarker(Marker):
    """A marker whose cheap prefilter is a regex search (one of many labels) instead of a substring."""

    quick: re.Pattern[str] | None = None

    def match(self, line: str) -> pp.ParseResults | None:
        if self.quick is not None and self.quick.search(line) is None:
            return None
        return super().match(line)


def _choose_language(candidates: set[str], ctx: Context) -> str | None:
    if not candidates:
        return None
    if ctx.language in candidates:
        return ctx.language
    # several languages print this label and nothing narrowed it: deterministic, English first
    return sorted(candidates, key=lambda lang: (lang != "en", lang))[0]


def _languages_of(kind: str, text: str) -> frozenset[str]:
    found = _forms(kind).get(_norm(text))
    return frozenset() if found is None else found[1]


def _on_title(res: pp.ParseResults, ctx: Context) -> None:
    ctx.language = _choose_language(set(_languages_of("title", res["title"])), ctx)


def _on_header(res: pp.ParseResults, ctx: Context) -> None:
    candidates: set[str] | None = None
    for key, kind in (("local", "header"), ("foreign", "header"), ("state", "header"), ("proto", "header")):
        if key not in res:
            continue
        langs = _languages_of(kind, res[key])
        if not langs:
            continue
        narrowed = set(langs) if candidates is None else candidates & langs
        if narrowed:
            candidates = narrowed
    lang = _choose_language(candidates or set(), ctx)
    if lang is not None:
        ctx.language = lang
    cols = {"proto", "local", "remote", "state"}
    if "pid" in res:
        cols.add("pid")
    if "offload" in res:
        cols.add("offload")
    ctx.columns = frozenset(cols)


TITLE_FORMS = _forms("title")
TITLE = pp.Regex(_alternation(TITLE_FORMS))("title")
HEADER = (
    _header_column("proto")("proto")
    + _header_column("local_address")("local")
    + _header_column("foreign_address")("foreign")
    + _header_column("state")("state")
    + pp.Opt(_header_column("pid")("pid"))
    + pp.Opt(_header_column("offload_state")("offload"))
)
_LOCAL_QUICK = re.compile(
    _alternation(k for k, (c, _) in _forms("header").items() if c == "local_address").removesuffix(r"(?!\S)")
)
_TITLE_QUICK = re.compile(r"^\s*" + _alternation(TITLE_FORMS) + r"\s*$")


# -- -b lines -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    return {form: canonical for form, (canonical, _) in _forms("message").items()}


_SERVICE = re.compile(r"[A-Za-z0-9_.$@{}\-]*[A-Za-z][A-Za-z0-9_.$@{}\-]*")
#: ``-b -v``: a module of the owning process, as a full path (``c:\windows\system32\WS2_32.dll``)
_MODULE = re.compile(r"[A-Za-z]:\\[^\\/:*?\"<>|]+(?:\\[^\\/:*?\"<>|]+)*+")
_WORDS_ONLY = re.compile(r"[^\d:\\/<>|=#\[\]]+")


def _bracketed(text: str) -> bool:
    return len(text) > 2 and text[0] == "[" and text[-1] == "]" and any(c.isalnum() for c in text)


class Windows(Grammar):
    name = "windows-netstat"
    description = "Windows netstat.exe (any display language; -a -n -o -b -q -t -p)"
    example = "netstat -ano"
    shape_priority = 40
    has_continuations = True
    markers = [
        LabelMarker("title", "title", TITLE, "connections", _on_title, quick=_TITLE_QUICK),
        LabelMarker("header", "header", HEADER, "connections", _on_header, quick=_LOCAL_QUICK),
    ]
    sections = {"connections": [Row("connection", ROW, _build)]}

    def kernel(self, ctx: Context):
        return _kernel(ctx)

    def is_continuation(self, line: str, ctx: Context) -> bool:
        """A ``-b`` line: ``[exe]``, a component name indented like the row, or the
        "can not obtain ownership" message (known, or an unknown translation indented one less
        than the row, the way netstat prints it)."""
        text = line.strip()
        if not text or ROW_PATTERN.match(line):
            return False
        if _bracketed(text) or _norm(text) in _messages():
            return True
        indent = len(line) - len(line.lstrip())
        row_indent = ctx.values.get("indent", 2)
        if indent == row_indent and (_SERVICE.fullmatch(text) or _MODULE.fullmatch(text)):
            return True
        return (
            ctx.values.get("b_seen", False)
            and row_indent >= 1
            and indent == row_indent - 1
            and " " in text
            and _WORDS_ONLY.fullmatch(text) is not None
        )

    def attach(self, record: dict[str, Any], line: str, ctx: Context) -> None:
        text = line.strip()
        ctx.values["b_seen"] = True
        if _bracketed(text):
            if record.get("process"):
                # -v lists more components in brackets; the executable comes last
                _add_service(record, record["process"])
            record["process"] = text[1:-1]
        elif _SERVICE.fullmatch(text) and _norm(text) not in _messages():
            _add_service(record, text)
        elif _MODULE.fullmatch(text):
            record.setdefault("modules", []).append(text)
        else:
            record["info"] = text if not record.get("info") else f"{record['info']}; {text}"


def _add_service(record: dict[str, Any], name: str) -> None:
    record["service"] = name if not record.get("service") else f"{record['service']}, {name}"


from .powershell import PowerShell  # noqa: E402  (re-exported: one import registers both grammars)

__all__ = ["PowerShell", "Windows", "put_state"]
