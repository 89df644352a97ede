"""PowerShell ``Get-NetTCPConnection`` (default table view).

Usage::

    Get-NetTCPConnection | Out-String -Width 300 > conns.txt     (PowerShell 5: UTF-16LE)
    netparse parse conns.txt --output json

Reads the default table::

    LocalAddress   LocalPort RemoteAddress  RemotePort State       AppliedSetting OwningProcess
    ------------   --------- -------------  ---------- -----       -------------- -------------
    ::1            22        ::1            12699      Established Internet       5584
    0.0.0.0        22        0.0.0.0        0          Listen                     5584

Traps handled (evidence in ``samples/windows/ps-*.note``):

* column widths depend on the PowerShell version and the data (Windows PowerShell 5.1 pads
  addresses to 35, PowerShell 7 auto-sizes them), so rows are read by whitespace; no field
  contains a space;
* address and port are separate columns; IPv6 is unbracketed with its scope (``fe80::1%5``);
* ``AppliedSetting`` is blank for ``Listen``/``Bound``; it goes to ``extra.AppliedSetting``;
* ``State`` is the CIM enum name (``Listen``, ``Established``, ``TimeWait``, ``Bound`` ...), never
  translated; ``OwningProcess`` is the PID; a remote ``0.0.0.0``/``::`` with port 0 is "no peer"
  (port null).

Output: :class:`netparse.model.Socket` records, ``proto: tcp``.
"""

from __future__ import annotations

from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import all_labels, state_labels
from .base import LEAD, R, SP, TRAIL, Context, Grammar, Marker, Row, label_regex
from .common import map_state, put_endpoints

PLATFORM = "powershell"

_APPLIED = sorted({lab.label for lab in all_labels() if lab.platform == PLATFORM and lab.kind == "applied_setting"})

ADDRESS = r"[0-9A-Fa-f.:]*[0-9A-Fa-f:](?:%[\w.-]+)?"
ROW = (
    LEAD
    + R(ADDRESS, "local")
    + SP
    + R(r"\d+", "lport")
    + SP
    + R(ADDRESS, "remote")
    + SP
    + R(r"\d+", "rport")
    + SP
    + R(label_regex(state_labels(PLATFORM), r"[A-Z][A-Za-z0-9]*"), "state")
    + pp.Opt(SP + R(label_regex(_APPLIED, r"[A-Z][A-Za-z]*"), "applied"))
    + SP
    + R(r"\d+", "pid")
    + TRAIL
)


def _endpoint(address: str, port: str) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _build(g: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rec: dict[str, Any] = {"proto": "tcp"}
    put_endpoints(rec, _endpoint(g["local"], g["lport"]), _endpoint(g["remote"], g["rport"]), None)
    rec.pop("truncated", None)
    if rec.get("remote_port") == 0:
        rec["remote_port"] = None  # 0.0.0.0 / :: port 0: no peer
    warnings: list[str] = []
    map_state(g["state"], PLATFORM, rec, warnings)
    rec["pid"] = int(g["pid"])
    if g.get("applied"):
        rec["extra"] = {"AppliedSetting": g["applied"]}
    if warnings:
        rec["_warnings"] = warnings
    return rec


COLUMNS = ["LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "State", "AppliedSetting", "OwningProcess"]
HEADER = pp.And([pp.Keyword(name) for name in COLUMNS])
# the dash line under the header: one run of dashes per column, as long as the column name
UNDERLINE = pp.And([pp.Regex("-{%d}(?!-)" % len(name)) for name in COLUMNS])


class PowerShell(Grammar):
    name = "powershell"
    description = "PowerShell Get-NetTCPConnection (default table)"
    example = "Get-NetTCPConnection"
    shape_priority = 45
    markers = [
        Marker("header", "header", HEADER, "table", prefilter="RemoteAddress"),
        Marker("header", "underline", UNDERLINE, "table", prefilter="------------"),
    ]
    sections = {"table": [Row("connection", ROW, _build)]}
