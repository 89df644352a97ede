"""Which sockets to keep: the ``--state/--port/--proto/--pid`` predicate of ``parse``, ``live``
and the worker processes of ``--jobs`` (which import this, not the CLI). It reads a
:class:`~netparse.model.Socket` or a row (a dict of its fields, a missing key None) alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .errors import FilterError
from .locales import resolve_state
from .rows import as_row

if TYPE_CHECKING:  # annotations only: live -o jsonl filters rows without loading pydantic
    from .model import Socket

SocketFilter = Callable[["Socket"], bool]


def keep_all(s: Socket) -> bool:
    """The filter of a run without --state/--port/--proto/--pid (callers may skip calling it)."""
    return True


def _proto_key(text: str) -> str:
    p = text.lower()
    return p[:-1] if p in ("tcp6", "udp6") else p.rstrip("46")


def port_numbers(texts: Iterable[object]) -> list[int]:
    """``--port`` values as numbers: a number (1-65535) or a service name (http, ssh, as in
    /etc/services). Raises :class:`~netparse.errors.FilterError` naming a value that is neither."""
    import socket

    out = []
    for text in texts:
        value = str(text).strip()
        if value.isdecimal():
            number = int(value)
            if not 0 < number < 65536:
                raise FilterError(f"{value!r} is not a port: use 1-65535 or a service name")
            out.append(number)
            continue
        for proto in ("tcp", "udp"):
            try:
                out.append(socket.getservbyname(value.lower(), proto))
                break
            except OSError:
                continue
        else:
            raise FilterError(f"{value!r} is neither a port number nor a known service name (/etc/services)")
    return out


def socket_filter(
    state: Iterable[str] = (), port: Iterable[int] = (), proto: Iterable[str] = (), pid: Iterable[int] = ()
) -> SocketFilter:
    """A predicate keeping sockets in any of ``state`` (any platform's label: time-wait, ESTAB,
    LISTENING ...), with ``port`` as local or remote port, of ``proto`` (tcp6 = tcp) and owned
    by ``pid``; each criterion given must hold. :func:`keep_all` when none is given.
    Raises :class:`~netparse.errors.FilterError` for a state label no platform prints."""
    states = set()
    for text in state:
        resolved = resolve_state(text)
        if resolved is None:
            raise FilterError(f"unknown state {text!r} (try 'netparse explain')")
        states.add(resolved)
    ports = set(port)
    protos = {_proto_key(p) for p in proto}
    pids = set(pid)
    if not (states or ports or protos or pids):
        return keep_all

    def keep(s: "Socket | Mapping[str, Any]") -> bool:  # a Socket or a row (a dict of its fields)
        get = as_row(s).get
        if states and get("state") not in states:
            return False
        if ports and get("local_port") not in ports and get("remote_port") not in ports:
            return False
        if protos and get("proto") not in protos:
            return False
        if pids and get("pid") not in pids:
            return False
        return True

    return keep
