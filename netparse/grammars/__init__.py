"""One module per output format. ``GRAMMARS`` is the registry the parser and the CLI use."""

from __future__ import annotations

from .base import Grammar
from .linux_netstat import LinuxNetstat
from .ss import SS
from .windows import PowerShell, Windows

GRAMMARS: dict[str, Grammar] = {g.name: g for g in (SS(), LinuxNetstat(), Windows(), PowerShell())}


def get(name: str) -> Grammar:
    try:
        return GRAMMARS[name]
    except KeyError:
        known = ", ".join(sorted(GRAMMARS))
        raise KeyError(f"unknown format {name!r}; known formats: {known}") from None
