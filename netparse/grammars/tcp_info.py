"""``ss -i`` / ``-m`` internal information as the :class:`~netparse.model.TcpInfo` and
:class:`~netparse.model.SocketMemory` fields the netlink source fills, so text and live records
agree. The verbatim text stays in ``info``.

The words are those of iproute2 ``misc/ss.c`` (``tcp_show_info``): ``rtt:0.03/0.015``
(smoothed/variance, ms), ``rto:204`` and ``ato:40`` (ms), ``cwnd:10``, ``ssthresh:7``,
``retrans:0/3`` (unacknowledged retransmitted segments / total over the connection),
``bytes_acked:…``, ``send 1.2Mbps``, ``pacing_rate …``, ``delivery_rate …`` (ss prints rates
in bit/s with K/M/G by 1000), ``lastsnd:``/``lastrcv:``/``lastack:`` (ms), ``busy:4ms``,
``rwnd_limited:2ms(50.0%)``, ``wscale:7,7`` (send, receive), ``skmem:(r0,rb131072,…)``, the
congestion algorithm as a bare word (``cubic``, ``bbr``), the options ``ts sack ecn ecnseen``.
Unknown words are left in ``info`` only. Reading never raises: a value that is not a number is
skipped.
"""

from __future__ import annotations

import re
from typing import Any

#: word:value -> field, with a kind: int, ms (float), or rate (bit/s)
_INT = {
    "cwnd": "cwnd", "ssthresh": "ssthresh", "mss": "mss", "advmss": "advmss", "rcvmss": "rcv_mss", "pmtu": "pmtu",
    "rcv_space": "rcv_space", "rcv_ssthresh": "rcv_ssthresh", "snd_wnd": "snd_wnd", "rcv_wnd": "rcv_wnd",
    "unacked": "unacked", "sacked": "sacked", "lost": "lost", "reordering": "reordering", "backoff": "backoff",
    "bytes_sent": "bytes_sent", "bytes_acked": "bytes_acked", "bytes_received": "bytes_received",
    "bytes_retrans": "bytes_retrans", "notsent": "notsent_bytes", "segs_out": "segs_out", "segs_in": "segs_in",
    "data_segs_out": "data_segs_out", "data_segs_in": "data_segs_in", "delivered": "delivered",
    "dsack_dups": "dsack_dups", "reord_seen": "reord_seen", "rcv_ooopack": "rcv_ooopack",
    "lastsnd": "last_send_ms", "lastrcv": "last_recv_ms", "lastack": "last_ack_ms",
}
_MS = {"rto": "rto_ms", "ato": "ato_ms", "minrtt": "min_rtt_ms", "rcv_rtt": "rcv_rtt_ms"}
_DURATION = {"busy": "busy_ms", "rwnd_limited": "rwnd_limited_ms", "sndbuf_limited": "sndbuf_limited_ms"}
_RATES = {"send": "send_rate_bps", "pacing_rate": "pacing_rate_bps", "delivery_rate": "delivery_rate_bps"}
_OPTIONS = ("ts", "sack", "ecn", "ecnseen", "fastopen", "syn_data")
#: the congestion algorithms Linux ships (net/ipv4/tcp_*.c), printed as a bare word by ss
CONGESTION = frozenset(
    "reno cubic bbr bbr2 bic htcp highspeed hybla illinois lp nv scalable vegas veno westwood yeah dctcp cdg".split()
)
_SKMEM = {"r": "rmem_alloc", "rb": "rcvbuf", "t": "wmem_alloc", "tb": "sndbuf", "f": "fwd_alloc",
          "w": "wmem_queued", "o": "optmem", "bl": "backlog", "d": "drops"}
_RATE = re.compile(r"(\d+(?:\.\d+)?)([KMG]?)bps")
_RATE_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "G": 1_000_000_000}
_SKMEM_ITEM = re.compile(r"([a-z]+)(\d+)")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _duration_ms(text: str) -> int | None:
    m = re.match(r"(\d+(?:\.\d+)?)(ms|s|sec|us)?", text)
    if not m:
        return None
    value = float(m.group(1))
    unit = m.group(2) or "ms"
    return int(value * 1000 if unit in ("s", "sec") else value / 1000 if unit == "us" else value)


def parse(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """(tcp_info fields, skmem fields) read from ss's internal-information text."""
    info: dict[str, Any] = {}
    memory: dict[str, int] = {}
    options: list[str] = []
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        key, sep, value = word.partition(":")
        if not sep:
            if word in _RATES and i < len(words):
                m = _RATE.fullmatch(words[i])
                if m:
                    info[_RATES[word]] = int(float(m.group(1)) * _RATE_SCALE[m.group(2)])
                    i += 1
            elif word in _OPTIONS:
                options.append(word)
            elif word in CONGESTION:
                info["congestion"] = word
            elif word == "app_limited":
                info["app_limited"] = True
            continue
        if key == "skmem" and value.startswith("(") and value.endswith(")"):
            for name, number in _SKMEM_ITEM.findall(value[1:-1]):
                if name in _SKMEM:
                    memory[_SKMEM[name]] = int(number)
        elif key in _INT:
            if value.isdecimal():
                info[_INT[key]] = int(value)
        elif key in _MS:
            n = _number(value)
            if n is not None:
                info[_MS[key]] = n
        elif key in _DURATION:
            n = _duration_ms(value)
            if n is not None:
                info[_DURATION[key]] = n
        elif key == "rtt":
            rtt, _, var = value.partition("/")
            a, b = _number(rtt), _number(var)
            if a is not None:
                info["rtt_ms"] = a
            if b is not None:
                info["rttvar_ms"] = b
        elif key == "retrans":
            now, _, total = value.partition("/")
            if now.isdecimal():
                info["retrans"] = int(now)
            if total.isdecimal():
                info["total_retrans"] = int(total)
        elif key == "wscale":
            snd, _, rcv = value.partition(",")
            if snd.isdecimal() and rcv.isdecimal():
                info["snd_wscale"], info["rcv_wscale"] = int(snd), int(rcv)
    if options:
        info["options"] = options
    return info, memory


def put(rec: dict[str, Any]) -> None:
    """Fill ``tcp_info`` (TCP records only) and ``memory`` from ``rec['info']``, if it says any."""
    text = rec.get("info")
    if not text:
        return
    info, memory = parse(text)
    if info and rec.get("proto", "tcp") == "tcp":
        rec["tcp_info"] = info
    if memory:
        rec["memory"] = memory
