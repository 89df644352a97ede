"""net-tools ``netstat -s`` (Linux): per-protocol statistics as sentences, in any gettext language.

Usage::

    netstat -s | netparse parse
    LANGUAGE=ja netstat -s | netparse parse

net-tools reads /proc/net/snmp and /proc/net/netstat (``netstat -s -6``: /proc/net/snmp6) and
prints, under a title per section (``Tcp:``), one line per field (``statistics.c``):

* a sentence from its tables with the number in it (``    54 times the listen queue of a socket
  overflowed``, ``    Quick ack mode was activated 3 times``): the label tables
  ``netparse/locales/*.counters.tsv`` (platform ``linux-netstat-s``, ``linux-netstat-s6``) map
  the sentence, the number replaced by ``%llu``, back to the kernel's field;
* ``Name: value`` for fields its tables do not know (``    TCPOrigDataSent: 5``,
  ``        InType3: 1`` under ``IcmpMsg:``);
* ICMP histograms: a title (``ICMP input histogram:``) and ``destination unreachable: 1``
  lines, the same sentence naming InDestUnreachs under the input histogram and OutDestUnreachs
  under the output one.

Fields that are 0 are left out for most TcpExt and Ip fields (``opt_number``), so a ``netstat
-s`` shows fewer counters than ``nstat -az``. Translations: net-tools 2.10's ``.mo`` files
translate only the histogram titles (their msgids for the sentences are older, ``%u``/``%d``
forms that no longer match): real captures ``samples/counters/netstat-s-{cs,de,et,fr,ja,pt-BR}.txt``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..counters import make_counter
from ..locales import all_labels
from .base import LEAD, R, Context, Grammar, Marker, Row, label_regex

TITLES = ("Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite", "Sctp", "TcpExt", "IpExt", "MPTcpExt", "TlsExt",
          "Ip6", "Icmp6", "Udp6", "UdpLite6", "Tcp6")
_TITLES = "(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + "):"
TITLE = pp.Regex(_TITLES)
#: any line with a number in it that is not a title ('Icmp6:' has a digit)
LINE_ROW = LEAD + R(rf"(?!{_TITLES}[ \t]*$)(?=[^\n]*\d)\S[^\n]*", "text")
NAME_VALUE = re.compile(r"([A-Za-z][A-Za-z0-9_]*): (\d+)")
NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")
PLATFORMS = ("linux-netstat-s", "linux-netstat-s6")


@lru_cache(maxsize=1)
def templates() -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(section, kind, template) -> (field, language or None for English)."""
    table: dict[tuple[str, str, str], tuple[str, str | None]] = {}
    for lab in all_labels():
        if lab.platform in PLATFORMS and lab.kind.startswith("counter"):
            section, _, field = lab.canonical.partition(":")
            table.setdefault((section, lab.kind, lab.label), (field, None if lab.language == "en" else lab.language))
    return table


@lru_cache(maxsize=1)
def histogram_titles() -> dict[str, tuple[str, str]]:
    """Printed histogram title -> ('in' or 'out', language)."""
    return {lab.label: (lab.canonical.rpartition("-")[2], lab.language) for lab in all_labels()
            if lab.platform == "linux-netstat-s" and lab.kind == "title"}


def _title(res: pp.ParseResults, ctx: Context) -> None:
    ctx.values["section"] = res[0][:-1]


def _histogram(res: pp.ParseResults, ctx: Context) -> None:
    way, language = histogram_titles()[res[0]]
    ctx.values["histogram"] = way
    if language != "en":
        ctx.language = language


class NetstatStats(Grammar):
    name = "linux-netstat-s"
    description = "net-tools netstat -s (Linux) statistics, any gettext language"
    example = "netstat -s"
    shape_priority = 63
    record_kind = "counter"

    def __init__(self) -> None:
        self.markers = [
            Marker("title", "section", TITLE, "stats", _title, prefilter=":"),
            # translations may drop the colon (fr, pt-BR 'Histograma de saída ICMP'): the known titles only
            Marker("header", "histogram", pp.Regex(label_regex(histogram_titles())), None, self._histogram_title,
                   prefilter="ICMP"),
        ]
        self.sections = {"stats": [Row("stats-line", LINE_ROW, self._line)]}

    @staticmethod
    def _histogram_title(res: pp.ParseResults, ctx: Context) -> None:
        _histogram(res, ctx)

    def rows_for(self, ctx: Context) -> list[Row]:
        # only under a section title: indented sentences with a number are too common a shape
        # to claim header-less
        return self.sections["stats"] if ctx.section == "stats" else []

    @staticmethod
    def _line(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        text = g["text"]
        section = ctx.values.get("section", "")
        m = NAME_VALUE.fullmatch(text)
        if m:
            name = m.group(1)
            full = name if section and name.startswith(section) else section + name
            return [make_counter(full, int(m.group(2)), label=f"{name}: %llu", section=section)]
        table = templates()
        way = ctx.values.get("histogram")
        kinds = (f"counter-{way}", "counter") if way else ("counter",)
        for number in NUMBER.finditer(text):
            template = text[: number.start()] + "%llu" + text[number.end() :]
            for kind in kinds:
                found = table.get((section, kind, template))
                if found is None:
                    continue
                field, language = found
                if kind == "counter":
                    ctx.values.pop("histogram", None)
                if language:
                    ctx.language = language
                full = field if field.startswith(section) else section + field
                return [make_counter(full, int(number.group()), label=template, section=section)]
        return f"no net-tools netstat -s label reads this line under {section or 'no section'}:"
