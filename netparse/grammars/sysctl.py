"""Kernel settings: ``sysctl`` lines and ``/proc/sys`` values printed with their file names.

Usage::

    sysctl net.core.somaxconn net.ipv4.ip_local_port_range | netparse parse
    sysctl -a | netparse parse
    grep -H . /proc/sys/net/ipv4/tcp_fin_timeout /proc/sys/net/core/somaxconn | netparse parse

* ``sysctl`` (procps) prints ``NAME = VALUE``; a value of several numbers keeps the tabs the
  kernel prints between them (``net.ipv4.ip_local_port_range = 32768<TAB>60999``). Real capture:
  ``samples/counters/sysctl-net.txt``.
* ``grep -H . /proc/sys/...`` prints ``/proc/sys/net/core/somaxconn:4096``; the path becomes the
  dotted name (``net.core.somaxconn``). Real capture: ``samples/counters/proc-sys-grep.txt``.
  A bare ``cat /proc/sys/...`` prints the value alone, which names nothing: it is not read.

Names must start with one of the top-level ``/proc/sys`` directories (abi, crypto, debug, dev,
fs, kernel, net, sunrpc, user, vm), so that other ``key = value`` text is never taken for a
setting. Each line is one :class:`~netparse.counters.NetSetting`.
"""

from __future__ import annotations

from typing import Any

from ..counters import make_setting
from .base import LEAD, R, Context, Grammar, Row

TOP = r"(?:abi|crypto|debug|dev|fs|kernel|net|sunrpc|user|vm)"
SYSCTL_ROW = LEAD + R(TOP + r"(?:\.[\w\-/:@+]++)++", "name") + R(r"[ \t]*+=") + R(r"(?:[ \t]*+\S[^\n]*+)?", "value")
PROC_SYS_ROW = LEAD + R(r"/proc/sys/" + TOP + r"(?:/[\w\-@+.]++)++", "path") + R(":") + R(r"[^\n]*+", "value")


class Sysctl(Grammar):
    name = "sysctl"
    description = "Kernel settings: sysctl NAME = VALUE lines, grep -H . /proc/sys/... lines"
    example = "sysctl net.core.somaxconn net.ipv4.ip_local_port_range"
    shape_priority = 62
    record_kind = "setting"

    def __init__(self) -> None:
        self.markers = []
        self.sections = {"sysctl": [Row("sysctl", SYSCTL_ROW, self._sysctl), Row("proc-sys", PROC_SYS_ROW, self._proc)]}

    @staticmethod
    def _sysctl(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
        return [make_setting(g["name"], g.get("value") or "")]

    @staticmethod
    def _proc(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
        # sysctl writes a dot inside a path part (a VLAN eth0.100) as '/': net.ipv4.conf.eth0/100.rp_filter
        parts = g["path"][len("/proc/sys/") :].split("/")
        return [make_setting(".".join(p.replace(".", "/") for p in parts), g.get("value") or "")]
