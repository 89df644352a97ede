"""Field builders shared by several grammars: endpoints, states, owners, timers.

Grammars call these so that one fact is normalised in one place: an endpoint printed by net-tools,
``ss`` or Windows ends up in the same fields the same way.
"""

from __future__ import annotations

import re
from typing import Any

from ..addresses import normalise_address, port_of, split_endpoint
from ..locales import state_labels
from ..model import Family
from ..states import TcpState


_KEYS = {
    side: (f"{side}_address", f"{side}_port", f"{side}_service", f"{side}_interface") for side in ("local", "remote")
}
_LOCAL, _REMOTE = _KEYS["local"], _KEYS["remote"]


def _put_side(
    rec: dict[str, Any], text: str, family: Family | None, raw: bool, keys: tuple[str, str, str, str]
) -> tuple[Family | None, bool]:
    """Write the fields of one printed endpoint into ``rec``; return (family seen, truncated).

    This runs twice per row, so it writes straight into the record. Whole endpoints rarely
    repeat (ephemeral ports), so they are not cached; addresses are
    (:func:`normalise_address`), and a numeric port needs no look-up at all."""
    k_addr, k_port, k_service, k_iface = keys
    if "[" in text or "%" in text:
        addr, port_text, iface = split_endpoint(text)
        if iface is not None:
            rec[k_iface] = iface
    else:
        addr, colon, port_text = text.rpartition(":")
        if not colon:
            addr, port_text = text, None
    address, fam, truncated = normalise_address(addr, family)
    rec[k_addr] = address
    if port_text is not None:
        if port_text.isdecimal():
            rec[k_port] = int(port_text)
        else:
            port, service = port_of(port_text, raw)
            rec[k_port] = port
            if service is not None:
                rec[k_service] = service
                truncated = truncated or (port is None and service.endswith("-"))
    return fam, truncated


def put_endpoints(rec: dict[str, Any], local: str, remote: str | None, family: Family | None, raw: bool = False) -> None:
    """Fill local_*/remote_*/family/truncated from two printed endpoints."""
    fam, truncated = _put_side(rec, local, family, raw, _LOCAL)
    fam = family or fam
    if remote is not None:
        rfam, rtruncated = _put_side(rec, remote, fam, raw, _REMOTE)
        if fam is None and rfam is not None:
            # the local side did not tell the family ('*'): the peer does
            fam = rfam
            if local[:1] == "*":
                _put_side(rec, local, fam, raw, _LOCAL)
        truncated = truncated or rtruncated
    rec["family"] = fam
    if truncated:
        rec["truncated"] = True


def kernel_words(line: str) -> list[str] | None:
    """A row kernel's words of ``line`` (``str.split``), or None for anything but printable
    ASCII: there ``split`` could split where the grammar's whitespace (``[ \\t]``) does not
    (``\\x0b``, NBSP), and lines with tabs are left to the grammar too."""
    if line.isascii() and line.isprintable():
        return line.split()
    return None


def kernel_side(text: str) -> tuple[str, int | None] | None:
    """A row kernel's endpoint: (address as printed, port) for ``ADDR:PORT``, ``[ADDR]:PORT`` or
    ``ADDR:*``; None for anything :func:`put_endpoints` reads with more rules (zones and device
    bindings, service names, no port), which the kernel then leaves to the builder."""
    if text[0] == "[":
        close = text.find("]")
        if close < 0 or text[close + 1 : close + 2] != ":":
            return None
        addr, port = text[1:close], text[close + 2 :]
    else:
        addr, colon, port = text.rpartition(":")
        if not colon:
            return None
    if "%" in addr:
        return None
    if port.isdecimal():
        return addr, int(port)
    if port == "*":
        return addr, None
    return None


def map_state(label: str | None, platform: str, rec: dict[str, Any], warnings: list[str]) -> None:
    """Set ``state``/``state_label`` from a printed label; unknown labels become UNKNOWN + a warning."""
    text = "" if label is None else label
    rec["state_label"] = text
    table = state_labels(platform)
    state = table.get(text)
    if state is None:
        state = table.get(text.upper())
    if state is None:
        rec["state"] = TcpState.UNKNOWN
        warnings.append(f"unknown state label {text!r} for {platform}")
    else:
        rec["state"] = state


def put_pid_program(rec: dict[str, Any], text: str | None) -> None:
    """net-tools ``PID/Program name``: ``1234/nginx: master`` or ``-``."""
    if not text or text == "-":
        return
    pid, _, prog = text.partition("/")
    if pid.isdecimal():
        rec["pid"] = int(pid)
        prog = prog.strip()
        if prog:
            rec["process"] = prog
    else:
        rec["process"] = text.strip()


_UNIT = {"ms": 0.001, "sec": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_SS_TIME = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)min)?(?:(\d+(?:\.\d+)?)(sec|ms))?$")


def ss_time_seconds(text: str) -> float | None:
    """Seconds of an ``ss`` timer value: ``119min``, ``26sec``, ``976ms``, ``1min30sec``.

    iproute2 before 6.11 printed 1-9 s with a fraction as ``9.068ms`` (it means 9.068 *seconds*:
    the fraction is only ever printed for seconds, commit 3e807112), so an ``ms`` value with a
    decimal point is read as seconds.
    """
    m = _SS_TIME.match(text)
    if not m or not any(m.groups()):
        return None
    days, hours, mins, val, unit = m.groups()
    total = 0.0
    if days:
        total += int(days) * 86400
    if hours:
        total += int(hours) * 3600
    if mins:
        total += int(mins) * 60
    if val:
        if unit == "ms" and "." in val:
            total += float(val)
        else:
            total += float(val) * _UNIT[unit]
    return round(total, 6)


def _timer_name(name: str, names: dict[str, str]) -> str:
    """Translated timer word -> English; 'unkn-%d' style words (label ends in '-') keep their number."""
    if name in names:
        return names[name]
    for label, english in names.items():
        if label.endswith("-") and name.startswith(label):
            return f"{english}-{name[len(label):]}"
    return name


def put_nettools_timer(rec: dict[str, Any], text: str | None, names: dict[str, str] | None = None) -> None:
    """net-tools ``-o``: ``keepalive (7179.98/0/0)`` = name (seconds/retransmits/probes).

    ``names`` maps translated timer words to English (Czech ``vyp`` is ``off``); the Estonian
    translation doubles the parenthesis (``eikäi ((0.00/0/0)``), so both ends are stripped."""
    if not text:
        return
    rec["timer"] = text
    name, _, rest = text.partition(" (")
    if names:
        rec["timer_name"] = _timer_name(name, names)
    else:
        rec["timer_name"] = name
    parts = rest.strip("()").split("/")
    try:
        rec["timer_seconds"] = float(parts[0])
        rec["timer_retrans"] = int(parts[1])
    except (ValueError, IndexError):
        pass

def dot_endpoint(text: str) -> str:
    """``host.port`` as BSD-derived netstats print it -> ``host:port`` (what :func:`put_endpoints`
    reads). The **last** dot separates the port: ``127.0.0.1.631``, ``::1.631``,
    ``fe80::1%lo0.123``, ``*.22``, ``*.*``; a host name cut before its ``.port`` keeps its trailing
    dot (``waw02s05-in-f14..https``), which marks it truncated. Text with no dot is an address alone."""
    host, dot, port = text.rpartition(".")
    if not dot:
        return text
    return f"{host}:{port}"


def put_dot_endpoints(
    rec: dict[str, Any], local: str, remote: str | None, family: Family | None, raw: bool = False
) -> None:
    """:func:`put_endpoints` for endpoints in BSD dot notation."""
    put_endpoints(rec, dot_endpoint(local), None if remote is None else dot_endpoint(remote), family, raw)
