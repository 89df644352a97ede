"""One module per output format. ``GRAMMARS`` is the registry the parser and the CLI use."""

from __future__ import annotations

from ..errors import UnknownFormatError
from .base import Grammar
from .linux_netstat import LinuxNetstat
from .ss import SS
from .aix import AIX
from .bsd import BSD
from .busybox import BusyBox
from .proc_net import ProcNet
from .solaris import Solaris
from .windows import PowerShell, Windows

GRAMMARS: dict[str, Grammar] = {g.name: g for g in (SS(), LinuxNetstat(), Windows(), PowerShell(), BSD(), AIX(), Solaris(), BusyBox(),
                                                ProcNet(), ProcNet("big", name="proc-net-be"), ProcNet(dgram_proto="raw", name="proc-net-raw"))}


def get(name: str) -> Grammar:
    """The grammar called ``name``; :class:`~netparse.errors.UnknownFormatError` if none is."""
    grammar = GRAMMARS.get(name)
    if grammar is None:
        raise UnknownFormatError(name, sorted(GRAMMARS))
    return grammar
