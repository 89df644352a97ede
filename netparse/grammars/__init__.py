"""One module per output format. ``GRAMMARS`` is the registry the parser and the CLI use."""

from __future__ import annotations

from ..errors import UnknownFormatError
from .base import Grammar
from .linux_netstat import LinuxNetstat
from .netstat_stats import NetstatStats
from .nstat import Nstat
from .snmp import ProcSnmp
from .sysctl import Sysctl
from .ss import SS
from .aix import AIX
from .bsd import BSD
from .busybox import BusyBox
from .proc_net import ProcNet
from .solaris import Solaris
from .windows import PowerShell, Windows
from .windows_stats import WindowsStats

GRAMMARS: dict[str, Grammar] = {g.name: g for g in (SS(), LinuxNetstat(), Windows(), PowerShell(), BSD(), AIX(), Solaris(), BusyBox(),
                                                ProcNet(), ProcNet("big", name="proc-net-be"), ProcNet(dgram_proto="raw", name="proc-net-raw"),
                                                Nstat(), ProcSnmp(), NetstatStats(), Sysctl(), WindowsStats())}


def get(name: str) -> Grammar:
    """The grammar called ``name``; :class:`~netparse.errors.UnknownFormatError` if none is."""
    grammar = GRAMMARS.get(name)
    if grammar is None:
        raise UnknownFormatError(name, sorted(GRAMMARS))
    return grammar
