"""iproute2 ``nstat`` output and ``/proc/net/snmp6``: one counter per line.

Usage::

    nstat -az | netparse parse          # every counter, absolute values, zeros too
    cat /proc/net/snmp6 | netparse parse

* ``nstat`` prints ``#kernel`` and then ``NAME VALUE RATE`` rows (``TcpExtListenOverflows  54
  0.0``): the name is the section (``TcpExt``, ``Tcp``, ``IpExt``, ``Ip6`` ...) joined to the
  kernel's field name, exactly as in /proc/net/snmp, netstat and snmp6. With ``-a`` the values
  are totals since boot; **without** ``-a`` they are increments since nstat's previous run (its
  history file), which the text does not say. The records keep the values as printed; where two
  samples are compared (counter rules, ``timeline --counters``, ``diff``, ``counters --delta``)
  :func:`netparse.counters.counter_change` takes falling values in samples without zeros (plain
  ``nstat`` omits them; ``-z`` prints them) as increments. Real captures:
  ``samples/counters/nstat-az.txt``, ``nstat.txt``, ``samples/logs/counters-nstat-plain.log``.
* ``/proc/net/snmp6`` prints ``NAME<spaces><tab>VALUE`` rows with no header; header-less rows
  are recognised by their section prefix (``Ip6``, ``Icmp6``, ``Udp6``, ``UdpLite6``). Real
  capture: ``samples/counters/proc-net-snmp6.txt``.
"""

from __future__ import annotations

from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..counters import make_counter
from .base import LEAD, NUM, R, SP, TRAIL, Context, Grammar, Marker, Row

NAME = r"[A-Z][A-Za-z0-9_]*+"
NSTAT_ROW = LEAD + R(NAME, "name") + SP + R(NUM, "value") + SP + R(r"\d++\.\d++", "rate") + TRAIL
SNMP6_ROW = LEAD + R(r"(?:Ip6|Icmp6|Udp6|UdpLite6)[A-Za-z0-9_]*+", "name") + SP + R(NUM, "value") + TRAIL


class Nstat(Grammar):
    name = "nstat"
    description = "iproute2 nstat (nstat -az) and /proc/net/snmp6 counters"
    example = "nstat -az"
    shape_priority = 60
    record_kind = "counter"

    def __init__(self) -> None:
        self.markers = [Marker("title", "kernel", pp.Literal("#kernel"), "nstat", prefilter="#kernel")]
        self.sections = {
            "nstat": [Row("nstat", NSTAT_ROW, self._nstat)],
            "snmp6": [Row("snmp6", SNMP6_ROW, self._snmp6)],
        }

    def rows_for(self, ctx: Context) -> list[Row]:
        # after '#kernel': nstat rows first, snmp6 rows too (a pasted file after it); header-less
        # input: both shapes
        return self.sections["nstat"] + self.sections["snmp6"]

    @staticmethod
    def _nstat(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
        return [make_counter(g["name"], int(g["value"]), rate=float(g["rate"]))]

    @staticmethod
    def _snmp6(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
        return [make_counter(g["name"], int(g["value"]))]
