"""AIX ``netstat -an`` and ``netstat -Aan``.

Usage::

    netstat -Aan | netparse parse --output json

The inet rows are BSD rows (dot notation, ``tcp``/``tcp4``/``tcp6``/``udp``/``udp4``, BSD state
words; see :mod:`.bsd`), so ``netstat -an`` without ``-A`` reads as ``bsd-netstat``. With ``-A``
(evidence: ``samples/aix/*.note``, CATALOG 5.2):

* the inet header starts ``PCB/ADDR``; the PCB address is kept in ``extra.pcb``;
* the unix header is ``SADR/PCB Type Recv-Q Send-Q Inode Conn Refs Nextref Addr`` and **each
  unix record is two lines**: the data line (socket address first, kept in ``extra.sadr``) and a
  line holding only the PCB address, attached to it as ``extra.pcb``;
* a plain ``tcp``/``udp`` proto does not say the family: a ``*`` address then reads as ``::``
  (the same rule as ``ss``'s ``*``);
* AIX 7.3 prints 21-wide address columns under an 18-wide header; an endpoint exactly 18 wide
  is flagged ``truncated`` (older AIX cut there: ``192.168.9.230.3277``).
"""

from __future__ import annotations

import re
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from .base import Context, Marker, Row
from .bsd import BSD, INET_ROW, UNIX_ROW, inet_header, unix_header, build_inet, build_unix

PLATFORM = "aix-netstat"

INET_HEADER = pp.Regex(
    r"(?P<prefix>PCB/ADDR\s+)Proto\s+(?P<queues>Recv-Q\s+Send-Q)\s+Local\s+Address\s+Foreign\s+Address(?P<rest>(?:\s+\S+)*)"
)
UNIX_HEADER = pp.Regex(r"SADR/PCB\s+Type\s+Recv-Q\s+Send-Q\s+Inode\s+Conn\s+Refs\s+Nextref(?P<rest>(?:\s+\S+)*)")
_PCB_LINE = re.compile(r"[ \t]*[0-9a-f]{8,16}[ \t]*")


def aix_unix_header(res: pp.ParseResults, ctx: Context) -> None:
    unix_header(res, ctx)
    ctx.values["address_name"] = "sadr"


def _build_inet(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return build_inet(g, ctx, platform=PLATFORM, plain=None)


class AIX(BSD):
    name = "aix-netstat"
    description = "AIX netstat -Aan (PCB columns, two-line unix records)"
    example = "netstat -Aan"
    shape_priority = 42
    markers = [
        Marker("header", "aix-inet-header", INET_HEADER, "inet", inet_header, prefilter="PCB/ADDR"),
        Marker("header", "aix-unix-header", UNIX_HEADER, "unix", aix_unix_header, prefilter="SADR/PCB"),
        *(m for m in BSD.markers if m.kind == "title" and m.name in ("inet-title", "unix-title")),
    ]
    sections = {
        "inet": [Row("aix-inet", INET_ROW, _build_inet)],
        "unix": [Row("aix-unix", UNIX_ROW, build_unix)],
    }
    shape_rows = ()  # header-less AIX rows are BSD rows: bsd-netstat reads them

    has_continuations = True

    def is_continuation(self, line: str, ctx: Context) -> bool:
        return ctx.section == "unix" and _PCB_LINE.fullmatch(line) is not None

    def attach(self, record: dict[str, Any], line: str, ctx: Context) -> None:
        record.setdefault("extra", {})["pcb"] = line.strip()
