"""Linux ``/proc/net/snmp`` and ``/proc/net/netstat``: a header line and a value line per section.

Usage::

    cat /proc/net/snmp /proc/net/netstat | netparse parse

Each section is two lines (kernel ``net/ipv4/proc.c``: ``snmp_seq_show``, ``netstat_seq_show``;
``Documentation/networking/snmp_counter.rst``)::

    Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens ...
    Tcp: 1 200 120000 -1 5 ...

The header line (``header`` in line counts) names the fields; the value line gives one counter
per name (``counter``), named section + field as nstat names them (``TcpActiveOpens``). Values
may be negative (``MaxConn`` -1). A value line with no header before it, or with more or fewer
values than names, is reported (the counters it can name are kept). Real captures:
``samples/counters/proc-net-snmp.txt``, ``proc-net-netstat.txt``.
"""

from __future__ import annotations

from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..counters import make_counter
from .base import R, Context, Grammar, Marker, Row

#: sections of /proc/net/snmp and /proc/net/netstat (kernel 6.x); value rows are only read for
#: these, so that other 'Word: 1 2' lines (ss -s 'Total: 206') are never taken for them
SECTION = r"(?:IcmpMsg|Icmp|IpExt|Ip|TcpExt|Tcp|UdpLite|Udp|MPTcpExt|Sctp)"
HEADER = pp.Regex(SECTION + r":(?: [A-Za-z][A-Za-z0-9_]*)+")
VALUES_ROW = R(SECTION, "section") + R(":") + R(r"(?: -?\d++)++", "values") + R(r"[ \t]*+")


def _names(res: pp.ParseResults, ctx: Context) -> None:
    section, _, names = res[0].partition(":")
    ctx.values.setdefault("names", {})[section] = names.split()


class ProcSnmp(Grammar):
    name = "proc-net-snmp"
    description = "Linux /proc/net/snmp and /proc/net/netstat counters (header + value lines)"
    example = "cat /proc/net/snmp /proc/net/netstat"
    shape_priority = 61
    record_kind = "counter"

    def __init__(self) -> None:
        self.markers = [Marker("header", "snmp-header", HEADER, "snmp", _names, prefilter=": ")]
        self.sections = {"snmp": [Row("snmp-values", VALUES_ROW, self._values)]}

    @staticmethod
    def _values(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        section = g["section"]
        names = ctx.values.get("names", {}).get(section)
        values = g["values"].split()
        if names is None:
            return f"{section}: values without the '{section}: NAME ...' header line before them"
        out = [make_counter(section + n, int(v), section=section) for n, v in zip(names, values)]
        if len(names) != len(values):
            reason = f"{section}: {len(values)} values for {len(names)} names in the header line"
            if not out:
                return reason
            out[0]["_warning"] = reason  # the counters zip could name are kept
        return out
