"""netparse: socket listings (netstat, ss, ...) from any platform into typed records.

>>> import netparse
>>> snap = netparse.parse("tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN")
>>> snap.sockets[0].state, snap.sockets[0].local_port
(<TcpState.LISTEN: 'LISTEN'>, 22)

Public API: :func:`parse`, :func:`parse_file`, :func:`iter_records`, :func:`iter_rows`,
:func:`analyze`, :func:`explain`, the models in :mod:`netparse.model`, :class:`Finding`,
:class:`ParseError`. A parsed ``Snapshot`` builds its ``sockets`` when first read;
``Snapshot.iter_rows()`` reads its records as dicts without building them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .api import iter_records, iter_rows, parse, parse_file
    from .logs.reader import LogReader, iter_snapshots, parse_log, parse_log_file
    from .errors import NetparseError, ParseError
    from .model import Family, Owner, ParseIssue, Snapshot, Socket
    from .explain import StateInfo, explain
    from .live.psutil_source import from_psutil
    from .rules.engine import analyze
    from .rules.finding import Finding, Severity
    from .states import TcpState

_LAZY = {
    "parse": "api",
    "parse_file": "api",
    "iter_records": "api",
    "iter_rows": "api",
    "parse_log": "logs.reader",
    "parse_log_file": "logs.reader",
    "iter_snapshots": "logs.reader",
    "LogReader": "logs.reader",
    "ParseError": "errors",
    "NetparseError": "errors",
    "Socket": "model",
    "Snapshot": "model",
    "ParseIssue": "model",
    "Owner": "model",
    "Family": "model",
    "TcpState": "states",
    "analyze": "rules.engine",
    "Finding": "rules.finding",
    "Severity": "rules.finding",
    "explain": "explain",
    "StateInfo": "explain",
    "from_psutil": "live.psutil_source",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    # Lazy imports keep 'netparse --help' and 'import netparse' fast.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'netparse' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
