"""Kernel counters and settings: the records beside the sockets.

A socket table shows the present; the TCP/IP stack's counters (``nstat``, ``/proc/net/snmp``,
``netstat -s``) show what already went wrong, and its settings (``sysctl``, ``/proc/sys``) say
where the limits are. Grammars whose ``record_kind`` is ``counter`` or ``setting`` produce these
records; :class:`~netparse.parser.LineParser` keeps them in ``LineParser.side`` (never in its
``Socket | ParseIssue`` stream) and counts their lines as ``counter`` / ``setting``;
:class:`~netparse.model.Snapshot` carries them in ``counters`` and ``settings``.

``name`` is the Linux name as ``nstat`` prints it (section + field: ``TcpExtListenOverflows``),
whatever the input (``netstat -s`` labels are mapped back to it). ``canonical`` is the name
shared across platforms where the meaning is the same: the SNMP MIB object name for the MIB-II
counters Linux exports under the MIB's own field names (RFC 1213 ``ip*``/``icmp*``, RFC 4022
``tcp*``, RFC 4113 ``udp*``), else the Linux name.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

#: /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 sections (nstat name prefixes), longest
#: first so ``TcpExt`` wins over ``Tcp``.
SECTIONS = (
    "UdpLite6", "MPTcpExt", "IcmpMsg", "UdpLite", "TcpExt", "Icmp6", "IpExt", "Udp6", "Ip6", "Icmp",
    "Tcp", "Udp", "Ip", "Sctp", "TlsExt",
)

#: MIB-II field names (the kernel's /proc/net/snmp names are these objects' names without the
#: group prefix): RFC 1213 (ip, icmp), RFC 4022 (tcp), RFC 4113 (udp).
MIB_FIELDS: dict[str, frozenset[str]] = {
    "Ip": frozenset(
        "Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards "
        "InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs "
        "FragFails FragCreates".split()
    ),
    "Icmp": frozenset(
        "InMsgs InErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps "
        "InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutDestUnreachs OutTimeExcds "
        "OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks "
        "OutAddrMaskReps".split()
    ),
    "Tcp": frozenset(
        "RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs "
        "OutSegs RetransSegs InErrs OutRsts".split()
    ),
    "Udp": frozenset("InDatagrams NoPorts InErrors OutDatagrams".split()),
}


def split_name(name: str) -> tuple[str | None, str]:
    """'TcpExtListenOverflows' -> ('TcpExt', 'ListenOverflows'); unknown prefix -> (None, name)."""
    for section in SECTIONS:
        if name.startswith(section) and len(name) > len(section):
            return section, name[len(section) :]
    return None, name


def canonical_name(section: str | None, field: str) -> str:
    """The cross-platform name: 'tcpRetransSegs' for Tcp RetransSegs, else section + field."""
    if section in MIB_FIELDS and field in MIB_FIELDS[section]:
        return section.lower() + field  # type: ignore[union-attr]
    return f"{section or ''}{field}"


class NetCounter(BaseModel):
    """One counter of the network stack, from one input line (a /proc/net/snmp value line holds
    many: they share its ``line``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Linux name as nstat prints it: section + field, e.g. TcpExtListenOverflows")
    value: int = Field(description="The value as printed (a total since boot or since the counters were reset)")
    section: str | None = Field(default=None, description="Tcp, TcpExt, Udp, IpExt, Ip6 ... (netstat -s: its title)")
    label: str | None = Field(default=None, description="netstat -s: the line's text as printed, the number replaced by %llu")
    canonical: str = Field(description="Name shared across platforms: the MIB name (tcpRetransSegs) where there is one")
    rate: float | None = Field(default=None, description="nstat: its rate column (per second, over its own history)")
    line: int = Field(description="1-based number of the input line")


class NetSetting(BaseModel):
    """One kernel setting (``sysctl`` line or ``/proc/sys`` file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="sysctl name, dotted: net.core.somaxconn")
    value: str = Field(description="The value as printed (several numbers keep their tabs: '32768\\t60999')")
    numbers: list[int] | None = Field(default=None, description="The value's numbers, when it is only numbers")
    line: int = Field(description="1-based number of the input line")


def make_counter(name: str, value: int, line: int = 0, label: str | None = None, rate: float | None = None,
                 section: str | None = None) -> dict:
    """Fields of a :class:`NetCounter` (what counter grammars return) for a Linux name."""
    found, field = split_name(name)
    section = section or found
    if found is None and section and name.startswith(section):
        field = name[len(section) :]
    rec: dict = {"name": name, "value": value, "section": section, "canonical": canonical_name(found or section, field),
                 "line": line}
    if label is not None:
        rec["label"] = label
    if rate is not None:
        rec["rate"] = rate
    return rec


def make_setting(name: str, value: str, line: int = 0) -> dict:
    value = value.strip()
    parts = value.split()
    numbers = [int(p) for p in parts] if parts and all(p.lstrip("-").isdecimal() for p in parts) else None
    rec: dict = {"name": name, "value": value, "line": line}
    if numbers is not None:
        rec["numbers"] = numbers
    return rec


# ---------------------------------------------------------------------------- reading them

#: The counters the counter rules (NP019, NP020, NP024-NP029) and ``timeline --counters`` read: a
#: series keeps only these per snapshot (a week of snapshots a minute stays small).
RULE_COUNTERS = frozenset({
    "TcpExtListenOverflows", "TcpExtListenDrops", "UdpRcvbufErrors", "UdpInErrors", "Udp6RcvbufErrors",
    "Udp6InErrors", "TcpRetransSegs", "TcpOutSegs",
    "TcpExtTCPReqQFullDoCookies", "TcpExtTCPReqQFullDrop", "TcpExtSyncookiesSent", "TcpExtSyncookiesFailed",
    "TcpExtTW", "TcpExtTCPTimeWaitOverflow", "TcpExtTCPAbortOnMemory", "TcpExtTCPMemoryPressures",
    "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnClose", "TcpExtTCPAbortOnTimeout", "TcpEstabResets",
    "TcpAttemptFails", "TcpOutRsts", "TcpActiveOpens", "TcpPassiveOpens", "TcpExtTCPLostRetransmit",
    "TcpExtTCPTimeouts",
})

#: The settings those rules quote when a snapshot carries them.
RULE_SETTINGS = (
    "net.core.somaxconn", "net.core.rmem_default", "net.core.rmem_max", "net.ipv4.tcp_max_tw_buckets",
    "net.ipv4.tcp_max_orphans", "net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_orphan_retries",
)



def counter_values(counters: Iterable[NetCounter] | None) -> dict[str, int]:
    """name -> value (the last one printed wins: ``netstat -s`` prints Tcp again under Tcp6)."""
    return {c.name: c.value for c in counters or ()}


def linux_name(canonical: str) -> str:
    """The Linux (nstat) name of a canonical name: ``tcpRetransSegs`` -> ``TcpRetransSegs``;
    ``TcpExtListenOverflows`` stays."""
    return canonical[:1].upper() + canonical[1:]


def rule_counter_values(counters: Iterable[NetCounter] | None) -> dict[str, int]:
    """:func:`counter_values`, and each counter of another platform also under the Linux name
    of its canonical name where the input has no counter of that name (BSD
    ``tcps_listendrop`` as ``TcpExtListenOverflows``): the rules read Linux names. Linux and
    Windows counters already carry them."""
    values = counter_values(counters)
    for c in counters or ():
        if c.canonical and c.canonical != c.name:
            values.setdefault(linux_name(c.canonical), c.value)
    return values


def setting_values(settings: Iterable[NetSetting] | None) -> dict[str, NetSetting]:
    return {s.name: s for s in settings or ()}


def setting_number(settings: Mapping[str, NetSetting] | None, name: str, index: int = 0) -> int | None:
    """The ``index``-th number of a setting (``ip_local_port_range``'s low end is 0), or None."""
    if not settings or name not in settings:
        return None
    numbers = settings[name].numbers
    if not numbers or len(numbers) <= index:
        return None
    return numbers[index]


#: Values that are not counts of events: they may fall between two samples of totals
#: (/proc/net/snmp's CurrEstab, nstat's MPTcpExtMPCurrEstab, the constants of the Ip and Tcp lines).
GAUGES = frozenset({
    "TcpCurrEstab", "MPTcpExtMPCurrEstab", "IpForwarding", "IpDefaultTTL", "TcpRtoAlgorithm", "TcpRtoMin",
    "TcpRtoMax", "TcpMaxConn",
    # BSD/macOS netstat -s: the open-socket counts (sysctl net.inet.{tcp,udp}.pcbcount)
    "net.inet.tcp.pcbcount", "net.inet.udp.pcbcount",
})


def is_gauge(name: str) -> bool:
    """A value that may fall without a restart: :data:`GAUGES`, and the BSD/macOS lines the
    netstat -s tables do not know that say 'current' ('kctl:current kernel control sockets',
    'net_api:interfaces currently allocated')."""
    return name in GAUGES or (":" in name and "current" in name.casefold())

#: How two samples of the same counters relate (:func:`counter_change`).
TOTALS, RESET, INCREMENTS = "totals", "reset", "increments"


def counter_change(before: Mapping[str, int], after: Mapping[str, int]) -> tuple[dict[str, int], str]:
    """How much each counter in both samples rose from ``before`` to ``after``, and how the
    samples relate:

    * ``totals``: no counter fell; each rise is ``after - before`` (``nstat -az``, /proc/net/snmp,
      ``netstat -s``: totals since boot).
    * ``increments``: counters fell and neither sample prints a zero: what plain ``nstat`` gives
      (no ``-a``: increments since its previous run, which the text does not say; no ``-z``:
      counters that did not move are left out). Totals never fall, so the newer sample's values
      are the rises. (A pair of plain-nstat samples in which no counter fell cannot be told
      from totals: use ``nstat -az`` in logs.)
    * ``reset``: otherwise when counters fell: they restarted (reboot, namespace recreated,
      32-bit wrap). Each rise is the new value, what was counted since the restart (a lower
      bound of the real rise). ``nstat -az``, /proc/net/snmp and ``netstat -s`` print zeros, so
      their falls are always this.

    Counters only in one sample are left out, and so is a gauge (:func:`is_gauge`) that fell; gauges
    never decide between the three."""
    common = [n for n in after if n in before]
    fell = sum(1 for n in common if after[n] < before[n] and not is_gauge(n))
    if not fell:
        return {n: after[n] - before[n] for n in common if after[n] >= before[n]}, TOTALS
    zeros = any(v == 0 for v in before.values()) or any(v == 0 for v in after.values())
    kind = RESET if zeros else INCREMENTS
    return {n: after[n] for n in common}, kind

