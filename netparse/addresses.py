"""Endpoint text -> (address, port, service, interface), normalised the same way for every format.

Rules (the same for every grammar, so that ``ss`` and ``netstat`` output of one moment compare equal):

* IPv4 stays dotted-quad; IPv6 is compressed (``ipaddress``' form); a zone (``%4``) stays on the
  address; a device binding printed after the address (``ss``: ``0.0.0.0%lo:53``) goes to
  ``*_interface``.
* An IPv4 address on an IPv6 socket (net-tools prints ``tcp6 ... 127.0.0.1:80`` for an IPv4-mapped
  peer) becomes ``::ffff:127.0.0.1``, as ``ss`` prints it.
* The wildcard ``*`` becomes the family's wildcard (``0.0.0.0`` or ``::``); ``ss`` prints ``*`` for a
  dual-stack ``::`` socket, so with no other hint ``*`` means ``::``.
* Port ``*`` (or ``0`` printed as a wildcard) is ``None``; a service name (``ssh``) is kept in
  ``*_service`` and mapped to its well-known number from ``data/services.tsv``.
* An address that cannot be an address (``fe80::fc:ff:fe00:`` cut by net-tools without ``-W``, a
  host name cut to ``ec2-54-93-54-143.``) is kept as printed and flagged ``truncated``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from socket import AF_INET, AF_INET6, inet_ntop, inet_pton

from .model import Family


def _load_table(name: str) -> dict[str, int]:
    table: dict[str, int] = {}
    text = resources.files("netparse.data").joinpath(name).read_text(encoding="utf-8")
    for row in text.splitlines():
        if not row or row.startswith("#"):
            continue
        cols = row.split("\t")
        number = int(cols[1])
        table.setdefault(cols[0], number)
        if len(cols) > 3 and cols[3]:
            for alias in cols[3].split(","):
                table.setdefault(alias, number)
    return table


@lru_cache(maxsize=1)
def services() -> dict[str, int]:
    """Well-known service name -> port number."""
    return _load_table("services.tsv")


@lru_cache(maxsize=1)
def protocols() -> dict[str, int]:
    """IP protocol name -> number (raw sockets print these in the port position)."""
    return _load_table("protocols.tsv")


_IPV4_CHARS = frozenset("0123456789.")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF:.")


@lru_cache(maxsize=4096)
def port_of(text: str, raw: bool = False) -> tuple[int | None, str | None]:
    """``'22'`` -> (22, None); ``'ssh'`` -> (22, 'ssh'); ``'*'`` -> (None, None)."""
    if text.isdecimal():
        return int(text), None
    if text in ("*", ""):
        return None, None
    table = protocols() if raw else services()
    return table.get(text), text


def _ipv6_text(text: str) -> str | None:
    """Canonical text of an IPv6 address (RFC 5952 as inet_ntop writes it: compressed, lower
    case, IPv4-mapped as ``::ffff:1.2.3.4``), or None when it is not an address."""
    try:
        return inet_ntop(AF_INET6, inet_pton(AF_INET6, text))
    except (OSError, ValueError):
        return None


#: a busy server talks to tens of thousands of peers; a smaller cache keeps missing on them
@lru_cache(maxsize=1 << 16)
def normalise_address(addr: str, family: Family | None) -> tuple[str, Family | None, bool]:
    """Return (address, family, truncated) for an address as printed (brackets already removed)."""
    if addr == "*":
        if family is Family.INET:
            return "0.0.0.0", family, False
        return "::", Family.INET6, False
    zone = ""
    base = addr
    if "%" in addr:
        base, zone = addr.split("%", 1)
        zone = "%" + zone
    try:
        inet_pton(AF_INET, base)
    except OSError:
        pass
    else:
        if family is Family.INET6:
            return "::ffff:" + base + zone, family, False
        return base + zone, Family.INET, False
    if ":" in base:
        text = _ipv6_text(base)
        if text is not None:
            return text + zone, Family.INET6, False
        if _HEX_CHARS.issuperset(base):
            return addr, Family.INET6, True  # an IPv6 address cut to fit its column
    elif base and _IPV4_CHARS.issuperset(base):
        # digits and dots but not a valid dotted quad: a cut IPv4 address (old AIX/BSD widths)
        return addr, family or Family.INET, True
    # A host or service name (output without -n). Resolvers' names never end in '-' or '.'
    # except when the tool cut them to fit the column.
    return addr, family, addr.endswith((".", "-"))


def split_endpoint(text: str) -> tuple[str, str | None, str | None]:
    """Split ``ADDR:PORT`` as printed by net-tools, Windows or ss into (addr, port, interface).

    Handles ``[::1]:80``, ``[fe80::1%4]:139``, ``[fe80::1]%eth0:123``, ``0.0.0.0%lo:53``,
    ``:::22``, ``::1:631`` (last colon separates the port), ``*:*`` and ``*`` (no port: ss
    netlink peers).
    """
    iface = None
    if text.startswith("["):
        close = text.find("]")
        if close > 0:
            addr = text[1:close]
            rest = text[close + 1 :]
            if rest.startswith("%"):
                colon = rest.rfind(":")
                if colon > 0:
                    iface, rest = rest[1:colon], rest[colon:]
                else:
                    iface, rest = rest[1:], ""
            port = rest[1:] if rest.startswith(":") else None
            return addr, port, iface
    addr, colon, port = text.rpartition(":")
    if not colon:
        return text, None, None
    if "%" in addr and ":" not in addr:
        # IPv4 or '*' bound to a device: 127.0.0.53%lo
        addr, iface = addr.split("%", 1)
    return addr, port, iface
