"""``from_psutil()``: ``psutil.net_connections()`` as netparse records (optional extra ``psutil``).

>>> import netparse.psutil_source as ps
>>> sockets = ps.from_psutil("inet")              # doctest: +SKIP
>>> netparse.analyze(sockets)                     # doctest: +SKIP

Each ``sconn`` becomes a :class:`netparse.Socket`: ``type`` SOCK_STREAM -> ``tcp``, SOCK_DGRAM
-> ``udp`` (``unix`` for AF_UNIX), ``laddr``/``raddr`` -> endpoints (normalised like every
grammar's: ``::ffff:127.0.0.1`` stays mapped, an empty address is the family's wildcard),
``status`` -> state through the label table (platform ``psutil`` in
``netparse/locales/en.platforms.tsv``: ``CLOSE`` -> CLOSED, ``SYN_RECV`` -> SYN_RECEIVED,
``NONE`` -> NONE; a UDP socket's ``NONE`` is read as UNCONNECTED or ESTABLISHED from its peer,
as ``ss`` prints it), ``pid`` and ``fd`` as given, and the process name from
``psutil.Process(pid).name()`` where it can be read. ``line`` numbers the connections in the
order psutil returned them.
"""

from __future__ import annotations

import socket as _socket
from typing import Any, Iterable

from ..addresses import normalise_address
from ..locales import state_labels
from ..model import Family, Socket
from ..states import TcpState

PLATFORM = "psutil"
_FAMILY = {_socket.AF_INET: Family.INET, _socket.AF_INET6: Family.INET6}
if hasattr(_socket, "AF_UNIX"):
    _FAMILY[_socket.AF_UNIX] = Family.UNIX


def _import_psutil():
    try:
        import psutil
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("from_psutil() needs psutil: pip install 'netparse[psutil]'") from exc
    return psutil


def _endpoint(rec: dict[str, Any], side: str, addr: Any, family: Family | None) -> None:
    if family is Family.UNIX:
        if addr:
            rec[f"{side}_address"] = addr
            if side == "local":
                rec["path"] = addr
        return
    ip, port = (addr.ip, addr.port) if addr else ("", 0)
    address, _, _ = normalise_address(ip or "*", family)
    rec[f"{side}_address"] = address
    if port:
        rec[f"{side}_port"] = port


def convert(conns: Iterable[Any], names: dict[int, str] | None = None) -> list[Socket]:
    """``sconn`` tuples (or anything with their attributes) -> records."""
    names = names or {}
    table = state_labels(PLATFORM)
    out: list[Socket] = []
    for i, c in enumerate(conns, 1):
        family = _FAMILY.get(c.family, Family.OTHER)
        if family is Family.UNIX:
            proto = "unix"
        elif c.type == _socket.SOCK_STREAM:
            proto = "tcp"
        elif c.type == _socket.SOCK_DGRAM:
            proto = "udp"
        else:
            proto = "raw"
        rec: dict[str, Any] = {"proto": proto, "family": family, "line": i}
        if family is Family.UNIX:
            rec["type"] = {_socket.SOCK_STREAM: "stream", _socket.SOCK_DGRAM: "dgram"}.get(c.type, str(c.type))
        _endpoint(rec, "local", c.laddr, family)
        _endpoint(rec, "remote", c.raddr, family)
        status = str(c.status or "NONE")
        rec["state_label"] = status
        state = table.get(status, TcpState.UNKNOWN)
        if state is TcpState.NONE and proto in ("udp", "raw"):
            state = TcpState.ESTABLISHED if c.raddr else TcpState.UNCONNECTED
        rec["state"] = state
        if c.fd is not None and c.fd >= 0:
            rec["fd"] = c.fd
        pid = getattr(c, "pid", None)
        if pid is not None:
            rec["pid"] = pid
            if pid in names:
                rec["process"] = names[pid]
        out.append(Socket.model_validate(rec))
    return out


def from_psutil(kind: str = "inet") -> list[Socket]:
    """This machine's sockets through ``psutil.net_connections(kind)`` (``inet``, ``tcp``,
    ``udp``, ``unix``, ``all`` ...), as netparse records with process names where readable."""
    psutil = _import_psutil()
    conns = psutil.net_connections(kind=kind)
    names: dict[int, str] = {}
    for pid in {c.pid for c in conns if c.pid is not None}:
        try:
            names[pid] = psutil.Process(pid).name()
        except (psutil.Error, OSError):
            continue
    return convert(conns, names)
