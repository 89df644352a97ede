"""Windows ``netstat -s`` (and ``-e``, ``-s -p tcp``): per-protocol statistics, label ``=`` value.

Usage::

    netstat -s | netparse parse          (cmd.exe or PowerShell; any display language in the tables)

What it prints (real outputs: ``samples/counters/windows-en-netstat-es-rust-fixture.txt``, English, a
test fixture of DamianKocjan/net-process; ``samples/counters/windows-de-netstat-s-win81.txt``, German,
Windows 8.1)::

    TCP Statistics for IPv4                     <- a title per section

      Active Opens                        = 64644
      ...
      Segments Retransmitted              = 24199

    ICMPv4 Statistics

                                Received    Sent <- a column header
      Messages                  16443       22923

``netstat -e`` adds ``Interface Statistics`` (``Bytes  1279913096  89768387``, received then
sent; ``Unknown protocols`` has one column). The labels are the display language's
(``TCP-Statistik für IPv4``, ``Erneut übertragene Segmente``); the tables
``netparse/locales/*.windows-counters.tsv`` (platform ``windows-netstat-s``) map each to the
Linux field with the same meaning, so a counter's ``name`` and ``canonical`` are the Linux ones
(``Segments Retransmitted`` under ``TCP Statistics for IPv4`` is ``TcpRetransSegs``,
``tcpRetransSegs``): Microsoft's ``MIB_TCPSTATS``/``MIB_UDPSTATS``/``MIB_IPSTATS`` members,
which netstat prints in order, are the RFC 4022/4113/1213 objects Linux exports. IPv6 sections
are ``Ip6``/``Icmp6``/``Udp6`` (the Linux /proc/net/snmp6 names) and ``Tcp6`` (Linux has no
separate IPv6 TCP counters). A label the tables do not know is reported, its line kept.
Languages other than English and German: no real output was found, so none is read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..counters import make_counter
from ..locales import all_labels
from .base import LEAD, WS, R, Context, Grammar, Marker, Row, label_regex

PLATFORM = "windows-netstat-s"
#: section -> the label kind its rows use
ROW_KINDS = {"Ip": "counter", "Ip6": "counter", "Tcp": "counter", "Tcp6": "counter", "Udp": "counter",
             "Udp6": "counter", "Icmp": "counter-icmp", "Icmp6": "counter-icmp6", "If": "counter-if"}
#: Linux's snmp6 name where it is not section + the IPv4 field
LINUX_NAMES = {"Ip6ForwDatagrams": "Ip6OutForwDatagrams"}

#: words of letters and digits, each starting with a letter, one space or hyphens between (so a
#: socket row, with its addresses, is never one); no backtracking: pyparsing reads each terminal
#: on its own, so a lazy label would stop after its first letters there
LABEL = r"[^\W\d_](?:[^\W_]|-)*+(?: [^\W\d_](?:[^\W_]|-)*+)*+"
EQ_ROW = LEAD + R(LABEL, "label") + R(r"[ \t]*+=[ \t]*+") + R(r"\d++", "value")
PAIR_ROW = LEAD + R(LABEL, "label") + R(WS) + R(r"\d++", "received") + pp.Opt(R(WS) + R(r"\d++", "sent"))


@lru_cache(maxsize=1)
def tables() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], tuple[str, str]], list[str]]:
    """(title -> (section, language), (kind, label) -> (field, language), header labels)."""
    titles: dict[str, tuple[str, str]] = {}
    fields: dict[tuple[str, str], tuple[str, str]] = {}
    headers: list[str] = []
    # English first: a label German shares with it ('Echos') says nothing of the language
    for lab in sorted(all_labels(), key=lambda lab: lab.language != "en"):
        if lab.platform != PLATFORM:
            continue
        if lab.kind == "title":
            titles[lab.label] = (lab.canonical, lab.language)
        elif lab.kind == "header":
            headers.append(lab.label)
        else:
            fields.setdefault((lab.kind, lab.label), (lab.canonical, lab.language))
    return titles, fields, headers


def _title(res: pp.ParseResults, ctx: Context) -> None:
    section, language = tables()[0][res[0]]
    ctx.values["section"] = section
    if language != "en":
        ctx.language = language


class WindowsStats(Grammar):
    name = "windows-netstat-s"
    description = "Windows netstat -s / -e statistics (English, German)"
    example = "netstat -s"
    shape_priority = 64
    record_kind = "counter"

    def __init__(self) -> None:
        titles, _, headers = tables()
        header_words = "(?:" + "|".join(r"[ \t]+".join(map(re.escape, h.split())) for h in headers) + ")"
        self.markers = [
            Marker("title", "stats-title", pp.Regex(label_regex(titles)), "winstats", _title, prefilter="Statisti"),
            Marker("header", "in-out", pp.Regex(header_words), "winstats"),
        ]
        self.sections = {"winstats": [Row("stats-eq", EQ_ROW, self._row), Row("stats-pair", PAIR_ROW, self._row)]}

    def rows_for(self, ctx: Context) -> list[Row]:
        # only under a title: 'Label  = 12' alone is too common a shape to claim
        return self.sections["winstats"] if ctx.section == "winstats" else []

    @staticmethod
    def _row(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        section = ctx.values.get("section", "")
        kind = ROW_KINDS.get(section, "counter")
        label = g["label"]
        found = tables()[1].get((kind, label))
        if found is None:
            return f"no Windows netstat -s label reads {label!r} under the {section or 'no'} section"
        field, language = found
        if language != "en":
            ctx.language = language
        if g.get("value") is not None:
            if kind != "counter":
                return f"{label!r}: one '= value' where {section} prints received and sent columns"
            name = LINUX_NAMES.get(section + field, section + field)
            return [make_counter(name, int(g["value"]), label=label, section=section)]
        if kind == "counter":
            return f"{label!r}: received/sent columns where {section} prints 'label = value'"
        out = [make_counter(f"{section}In{field}", int(g["received"]), label=label, section=section)]
        if g.get("sent") is not None:
            out.append(make_counter(f"{section}Out{field}", int(g["sent"]), label=label, section=section))
        return out
