"""Linux ``/proc/net/tcp``, ``tcp6``, ``udp``, ``udp6``, ``raw``, ``raw6`` and ``unix``.

Usage::

    cat /proc/net/tcp /proc/net/tcp6 | netparse parse --output json
    netparse parse --format proc-net-be tcp-from-a-big-endian-host.txt
    netparse live                      # reads this machine's files itself (netparse.live)

Row layout (kernel ``Documentation/networking/proc_net_tcp.rst``, CATALOG 7; evidence in
``samples/proc/*.note``): ``sl: LOCAL:PORT REMOTE:PORT st tx_queue:rx_queue tr:tm->when retrnsmt
uid timeout inode ...``, every number hex except uid, timeout and inode.

* Addresses are the kernel's 32-bit words printed with ``%08X`` in **host byte order**: on a
  little-endian host (x86, arm64: the default here) ``0100007F`` is 127.0.0.1 and IPv6 is four
  such words. Files from a big-endian host (s390x, some POWER/MIPS) are read with the
  ``proc-net-be`` format (the ``ProcNet(byte_order="big")`` grammar). Ports are always the
  number in hex (``46A0`` = 18080).
* ``st`` codes map through ``netparse/locales/en.platforms.tsv``: platform ``linux-proc`` for
  TCP (``01`` ESTABLISHED ... ``0A`` LISTEN, ``0B`` CLOSING; request sockets print ``03``), platform
  ``linux-proc-dgram`` for udp/raw (``07`` = UNCONNECTED, ``01`` = connected), platform
  ``linux-proc-unix`` for ``/proc/net/unix`` (plus LISTEN when Flags has ``00010000``).
* ``tx_queue`` is ``send_q``, ``rx_queue`` is ``recv_q``; ``uid`` is ``user``; the timer
  (``tr``: 0 off, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe) is kept as printed
  in ``timer`` with ``timer_name`` (net-tools' words: off/on/keepalive/timewait/probe) and
  ``timer_seconds`` (``tm->when`` is in USER_HZ = 1/100 s clock ticks), ``retrnsmt`` in
  ``timer_retrans``.
* The udp and raw files have the same header (``... inode ref pointer drops``) and rows: text from
  one of them reads as ``udp``; ``proc-net-raw`` reads such text as ``raw`` (live mode knows the
  file it read).
"""

from __future__ import annotations

from functools import lru_cache
from socket import AF_INET, AF_INET6, inet_ntop
from typing import Any

from . import pexpr as pp  # pyparsing's building blocks, recorded (pyparsing loads when a line needs it)

from ..locales import state_labels
from ..model import Family
from ..states import TcpState
from .base import LEAD, R, SP, TRAIL, Context, Grammar, Marker, Row

HEXADDR = r"(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):[0-9A-Fa-f]{4}"
INET_ROW = (
    LEAD
    + R(r"\d+", "sl")
    + R(r":")
    + SP
    + R(HEXADDR, "local")
    + SP
    + R(HEXADDR, "remote")
    + SP
    + R(r"[0-9A-Fa-f]{2}", "st")
    + SP
    + R(r"[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8}", "queues")
    + SP
    + R(r"[0-9A-Fa-f]{2}:[0-9A-Fa-f]{8}", "timer")
    + SP
    + R(r"[0-9A-Fa-f]{8}", "retrnsmt")
    + SP
    + R(r"\d+", "uid")
    + SP
    + R(r"-?\d+", "timeout")
    + SP
    + R(r"\d+", "inode")
    + pp.Opt(SP + R(r"\S(?:[^\n]*\S)?", "tail"))
    + TRAIL
)
UNIX_ROW = (
    R(r"[0-9a-fA-F]{8,16}", "num")
    + R(r":")
    + SP
    + R(r"[0-9A-Fa-f]{8}", "refcount")
    + SP
    + R(r"[0-9A-Fa-f]{8}", "protocol")
    + SP
    + R(r"[0-9A-Fa-f]{8}", "flags")
    + SP
    + R(r"[0-9A-Fa-f]{4}", "type")
    + SP
    + R(r"[0-9A-Fa-f]{2}", "st")
    + SP
    + R(r"\d+", "inode")
    + pp.Opt(SP + R(r"\S(?:[^\n]*\S)?", "path"))
    + TRAIL
)

TIMER_NAMES = {0: "off", 1: "on", 2: "keepalive", 3: "timewait", 4: "probe"}
UNIX_TYPES = {1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket"}
SO_ACCEPTCON = 0x10000
USER_HZ = 100


@lru_cache(maxsize=8192)
def decode_address(text: str, byte_order: str = "little") -> tuple[str, Family]:
    """``0100007F`` -> ('127.0.0.1', inet) on a little-endian host's file; 32 hex digits are IPv6,
    four host-order 32-bit words."""
    raw = bytes.fromhex(text)
    if byte_order == "little":
        raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    if len(raw) == 4:
        return inet_ntop(AF_INET, raw), Family.INET
    return inet_ntop(AF_INET6, raw), Family.INET6


def put_hex_endpoint(rec: dict[str, Any], side: str, text: str, byte_order: str) -> Family:
    addr, _, port = text.partition(":")
    address, family = decode_address(addr.upper(), byte_order)
    rec[f"{side}_address"] = address
    number = int(port, 16)
    if number:  # 0 is no port (net-tools and ss print '*')
        rec[f"{side}_port"] = number
    return family


def build_inet_record(g: dict[str, Any], proto: str, byte_order: str = "little") -> dict[str, Any]:
    """Record fields of one /proc/net/{tcp,udp,raw}{,6} row; ``proto`` says which file it is."""
    rec: dict[str, Any] = {"proto": proto}
    family = put_hex_endpoint(rec, "local", g["local"], byte_order)
    put_hex_endpoint(rec, "remote", g["remote"], byte_order)
    rec["family"] = family
    st = g["st"].upper()
    rec["state_label"] = st
    table = state_labels("linux-proc" if proto == "tcp" else "linux-proc-dgram")
    rec["state"] = table.get(st, TcpState.UNKNOWN)
    tx, _, rx = g["queues"].partition(":")
    rec["send_q"], rec["recv_q"] = int(tx, 16), int(rx, 16)
    tr, _, when = g["timer"].partition(":")
    rec["timer"] = g["timer"]
    rec["timer_name"] = TIMER_NAMES.get(int(tr, 16), tr)
    rec["timer_seconds"] = round(int(when, 16) / USER_HZ, 2)
    rec["timer_retrans"] = int(g["retrnsmt"], 16)
    rec["user"] = g["uid"]
    rec["inode"] = int(g["inode"])
    extra = {"sl": g["sl"], "timeout": g["timeout"]}
    tail = (g.get("tail") or "").split()
    for name, value in zip(("ref", "pointer") + (("drops",) if proto != "tcp" else ("rto", "ato", "qack", "cwnd", "ssthresh")), tail):
        extra[name] = value
    rec["extra"] = extra
    if rec["state"] is TcpState.UNKNOWN:
        rec["_warnings"] = [f"unknown st code {st!r} for {proto}"]
    return rec


def build_unix_record(g: dict[str, Any]) -> dict[str, Any]:
    flags = int(g["flags"], 16)
    st = g["st"].upper()
    rec: dict[str, Any] = {
        "proto": "unix",
        "family": Family.UNIX,
        "refcnt": int(g["refcount"], 16),
        "type": UNIX_TYPES.get(int(g["type"], 16), g["type"]),
        "inode": int(g["inode"]),
        "state_label": st,
        "flags": "ACC" if flags & SO_ACCEPTCON else "",
        "extra": {"num": g["num"], "flags": g["flags"], "protocol": g["protocol"]},
    }
    if flags & SO_ACCEPTCON and st == "01":
        rec["state"] = TcpState.LISTEN
    else:
        rec["state"] = state_labels("linux-proc-unix").get(st, TcpState.UNKNOWN)
    path = g.get("path")
    if path:
        rec["path"] = rec["local_address"] = path
    if rec["state"] is TcpState.UNKNOWN:
        rec["_warnings"] = [f"unknown unix St code {st!r}"]
    return rec


def _set_proto(proto: str):
    def on_match(res: pp.ParseResults, ctx: Context) -> None:
        ctx.values["proto"] = proto

    return on_match


_HEAD = r"sl\s+local_address\s+rem(?:ote)?_address\s+st\s+tx_queue\s+rx_queue\s+tr\s+tm->when\s+retrnsmt\s+uid\s+timeout\s+inode"
TCP_HEADER = pp.Regex(_HEAD)
DGRAM_HEADER = pp.Regex(_HEAD + r"\s+ref\s+pointer\s+drops")
UNIX_HEADER = pp.Regex(r"Num\s+RefCount\s+Protocol\s+Flags\s+Type\s+St\s+Inode\s+Path")


class ProcNet(Grammar):
    """``/proc/net/*`` text. ``byte_order``: the byte order of the host that wrote the file;
    ``dgram_proto``: what a udp/raw header means (the two files cannot be told apart)."""

    example = "cat /proc/net/tcp"
    shape_priority = 50

    def __init__(self, byte_order: str = "little", dgram_proto: str = "udp", name: str = "proc-net") -> None:
        self.byte_order = byte_order
        self.shape_priority = 50 + (byte_order == "big") + 2 * (dgram_proto != "udp")
        self.dgram_proto = dgram_proto
        self.name = name
        self.description = (
            f"Linux /proc/net/tcp, tcp6, udp, udp6, raw, raw6, unix ({byte_order}-endian host"
            + (f"; udp/raw rows read as {dgram_proto}" if dgram_proto != "udp" else "")
            + ")"
        )
        if byte_order == "big":
            self.example = "cat /proc/net/tcp"
        elif dgram_proto == "raw":
            self.example = "cat /proc/net/raw"
        self.markers = [
            Marker("header", "dgram-header", DGRAM_HEADER, "inet", _set_proto(dgram_proto), prefilter="drops"),
            Marker("header", "tcp-header", TCP_HEADER, "inet", _set_proto("tcp"), prefilter="local_address"),
            Marker("header", "unix-header", UNIX_HEADER, "unix", None, prefilter="RefCount"),
        ]
        self.sections = {
            "inet": [Row("proc-inet", INET_ROW, self._build_inet)],
            "unix": [Row("proc-unix", UNIX_ROW, self._build_unix)],
        }

    def _build_inet(self, g: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return build_inet_record(g, ctx.values.get("proto", "tcp"), self.byte_order)

    def _build_unix(self, g: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return build_unix_record(g)
