"""One live snapshot, from the best source this machine has.

On Linux the sockets come from sock_diag netlink (:mod:`.netlink`, what ``ss`` reads); when
netlink is not usable (no such family, a sandbox that refuses it, an answer not understood)
from ``/proc/net/*`` (:mod:`.proc`); elsewhere from the platform's ``netstat``. The snapshot
says which in ``collector`` (``netlink``, or ``proc (netlink unavailable: …)``) and ``format``.
``NETPARSE_LIVE_SOURCE=proc`` (or ``source="proc"``) forces the fallback.

Owners (``/proc/*/fd``, :mod:`.owners`) are read only when asked for, once per snapshot, and
containers (:mod:`.containers`) from the owners' cgroups. With ``all_netns`` every network
namespace (:mod:`.netns`) is read and each record carries ``netns``.

With ``counters=True`` the snapshot also carries this network namespace's kernel counters
(``/proc/net/snmp``, ``/proc/net/netstat``, ``/proc/net/snmp6``, read by the same grammars as
pasted text) and the settings the rules read (:data:`SETTINGS`, from ``/proc/sys``), so the
counter rules see their rise between two samples (:func:`rates` gives it per second).
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ..counters import NetCounter, NetSetting, make_setting
from ..errors import SourceError
from ..model import Snapshot, Socket
from ..states import TcpState
from . import netlink
from .owners import Attribution, LiveSample, OwnerCache, attribute
from .owners import scan as scan_owners
from .stream import ENV_SOURCE, SOURCES, Query, Stream, choose_source, put_container  # noqa: F401 - re-exported

def _netlink_records(proc: str, unix: bool, info: bool, query: Query, issues: list, ns=None) -> list[dict]:
    if ns is None:
        sock = netlink.open_socket()
        base = proc
    else:
        sock = ns_socket(ns)
        base = str(Path(proc, str(ns.pids[0])) if ns.pids else Path(proc, "thread-self"))
    with sock:
        return list(query.records(sock, base, unix, info, issues))


def ns_socket(ns):
    from .netns import in_namespace

    if ns.path is None:
        raise netlink.NetlinkError(f"{ns.label}: nothing to open")
    return in_namespace(ns.path, netlink.open_socket)


def _proc_records(proc: str, unix: bool, ns=None) -> tuple[list[dict], list]:
    from .proc import read_proc_net

    base = Path(proc) if ns is None else Path(proc, str(ns.pids[0]))
    records, issues = read_proc_net(base, unix)
    for rec in records:
        rec.pop("line", None)
    return records, issues


#: /proc/net files of counters, read in this order (their sections do not overlap)
COUNTER_FILES = (("snmp", "netstat"), ("snmp6",))
#: the sysctls the rules read, and those their advice names (what `sysctl` would print)
SETTINGS = (
    "net.core.somaxconn", "net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max",
    "net.core.netdev_max_backlog", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_syncookies", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_synack_retries",
    "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_max_orphans", "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
    "net.ipv4.udp_mem", "net.ipv4.tcp_mem",
)


def read_kernel(proc: str = "/proc") -> tuple[list[NetCounter], list[NetSetting]]:
    """This network namespace's counters (totals since boot) and :data:`SETTINGS`; a file this
    kernel lacks (no IPv6: no snmp6) is left out."""
    return _kernel_records(*_kernel_texts(Path(proc, "net"), Path(proc, "sys")))


def _kernel_texts(net: Path, sysctl: Path | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The text of each group of :data:`COUNTER_FILES` under ``net`` and (name, value) of each
    of :data:`SETTINGS` under ``sysctl`` (None: none); what cannot be read is left out. Only
    reads: run in a thread that has entered another namespace, it reads that namespace's."""
    texts = []
    for group in COUNTER_FILES:
        text = ""
        for name in group:
            try:
                text += Path(net, name).read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
        if text:
            texts.append(text)
    values = []
    for name in SETTINGS if sysctl is not None else ():
        try:
            values.append((name, Path(sysctl, *name.split(".")).read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return texts, values


def _kernel_records(texts: list[str], values: list[tuple[str, str]]) -> tuple[list[NetCounter], list[NetSetting]]:
    from ..api import parse

    counters = [c for text in texts for c in parse(text).counters or ()]
    settings = [NetSetting.model_validate(make_setting(name, value, i)) for i, (name, value) in enumerate(values, 1)]
    return counters, settings


#: one namespace's kernel counters and settings (None: not read) and why not, if not
Kernel = tuple["list[NetCounter] | None", "list[NetSetting] | None", "str | None"]


def namespace_kernel(proc: str, ns, here: int | None) -> Kernel:
    """The counters and settings of the network namespace ``ns`` (a :class:`.netns.Namespace`;
    ``here``: the inode of netparse's own). Another namespace is read from a helper thread that
    has entered it (``/proc/thread-self/net`` and ``/proc/sys`` then show that namespace's); when
    it cannot be entered (not root), its counters from ``/proc/PID/net`` of a process inside, and
    no settings (``/proc/sys`` would show netparse's own). The third item says what was not read."""
    if ns.inode == here:
        return (*read_kernel(proc), None)
    from .netns import in_namespace

    problem: object = "nothing to open"
    if ns.path is not None:
        try:
            texts, values = in_namespace(
                ns.path, lambda: _kernel_texts(Path(proc, "thread-self", "net"), Path(proc, "sys"))
            )
            return (*_kernel_records(texts, values), None)
        except OSError as exc:
            problem = exc
    if ns.pids:
        counters, _ = _kernel_records(_kernel_texts(Path(proc, str(ns.pids[0]), "net"), None)[0], [])
        return counters, None, f"{ns.label}: counters read from /proc/{ns.pids[0]}/net, settings not read ({problem})"
    return None, None, f"{ns.label}: counters and settings not read ({problem})"


def rates(before: Snapshot, after: Snapshot, names: "Iterable[str] | None" = None) -> list[tuple[str, float]]:
    """Per second, how much each counter of ``after`` rose since ``before`` (a counter that fell
    was reset: left out), by name; only counters that rose, or only ``names``."""
    if not before.counters or not after.counters or before.timestamp is None or after.timestamp is None:
        return []
    seconds = (after.timestamp - before.timestamp).total_seconds()
    if seconds <= 0:
        return []
    old = {c.name: c.value for c in before.counters}
    wanted = set(names) if names is not None else None
    out = []
    for c in after.counters:
        prev = old.get(c.name)
        if prev is None or c.value < prev or (wanted is not None and c.name not in wanted):
            continue
        if c.value > prev or wanted is not None:
            out.append((c.name, (c.value - prev) / seconds))
    return out


def sample(
    proc: str = "/proc",
    unix: bool = False,
    *,
    owners: bool = True,
    info: bool = False,
    containers: bool = True,
    source: str | None = None,
    all_netns: bool = False,
    states: "set[TcpState] | None" = None,
    ports: "Iterable[int] | None" = None,
    cache: OwnerCache | None = None,
    counters: bool = False,
) -> LiveSample:
    """This machine's sockets now (see the module docstring). ``states``, ``ports``: only
    sockets in these states, with one of these local or remote ports are asked from the kernel
    (a filter, not a promise: other sources return every socket; the caller filters)."""
    proc = str(proc)
    chosen = choose_source(source, proc)
    if chosen == "netstat":
        from .proc import sample_netstat

        return sample_netstat()
    collector = chosen
    issues: list = []
    namespaces = None
    if all_netns:
        from .netns import discover

        namespaces = discover(proc)
    records: list[dict] = []
    query = Query(states, ports)
    if chosen == "netlink":
        try:
            if namespaces is None:
                records = _netlink_records(proc, unix, info, query, issues)
            else:
                for ns in namespaces:
                    got = _from_namespace(proc, unix, info, query, ns, issues)
                    records.extend(got)
        except OSError as exc:
            if source == "netlink":
                raise SourceError(f"netlink: {exc}") from None
            collector = f"proc (netlink unavailable: {exc})"
            chosen = "proc"
            records = []
    if chosen == "proc":
        if namespaces is None:
            records, issues = _proc_records(proc, unix)
        else:
            for ns in namespaces:
                if not ns.pids:
                    issues_note = f"{ns.label}: no process inside to read /proc/PID/net from"
                    issues.append(issues_note)
                    continue
                got, more = _proc_records(proc, unix, ns)
                for rec in got:
                    rec["netns"] = ns.record
                records.extend(got)
                issues.extend(more)
    att = None
    cache = cache if cache is not None else OwnerCache()
    if owners:
        wanted = {r["inode"] for r in records if r.get("inode")}
        att = attribute(records, scan_owners(proc, cache, wanted))
        if containers:
            for rec in records:
                put_container(rec, proc, cache)
    sockets = []
    for i, rec in enumerate(records, 1):
        rec["line"] = i
        sockets.append(Socket.model_validate(rec))
    notes = [i for i in issues if isinstance(i, str)]
    issues = [i for i in issues if not isinstance(i, str)]
    netlink_used = chosen == "netlink"
    kernel: dict[int | None, Kernel] = {}
    if counters and namespaces is not None:
        from .netns import current_inode

        here = current_inode(proc)
        for ns in namespaces:
            kernel[ns.inode] = namespace_kernel(proc, ns, here)
            if kernel[ns.inode][2]:
                notes.append(kernel[ns.inode][2])
        kernel_counters, kernel_settings, _ = kernel.get(here) or (*read_kernel(proc), None)
    elif counters:
        kernel_counters, kernel_settings = read_kernel(proc)
    else:
        kernel_counters = kernel_settings = None
    snap = Snapshot(
        format="netlink" if netlink_used else "proc-net",
        formats=(["netlink" if netlink_used else "proc-net"] if sockets else []),
        sockets=sockets,
        issues=issues,
        line_counts={"record": len(sockets), **({"unparsed": len(issues)} if issues else {})},
        total_lines=len(sockets) + len(issues),
        source="netlink sock_diag" if netlink_used else str(Path(proc, "net")),
        timestamp=datetime.now(timezone.utc),
        host=platform.node() or None,
        collector=collector + ("; " + "; ".join(notes) if notes else ""),
        counters=kernel_counters or None,
        settings=kernel_settings or None,
    )
    return LiveSample(snapshot=snap, attribution=att, issues=issues, kernel=kernel)


def _from_namespace(proc: str, unix: bool, info: bool, query: Query, ns, issues: list) -> list[dict]:
    """One namespace through netlink (its own, or entered), else /proc/PID/net of a process in it."""
    from .netns import current_inode

    try:
        got = _netlink_records(proc, unix, info, query, issues, None if ns.inode == current_inode(proc) else ns)
    except OSError as exc:
        if not ns.pids:
            issues.append(f"{ns.label}: not read ({exc})")
            return []
        got, more = _proc_records(proc, unix, ns)
        issues.append(f"{ns.label} read from /proc/{ns.pids[0]}/net ({exc})")
        issues.extend(more)
    for rec in got:
        rec["netns"] = ns.record
    return got


def samples(count: int, interval: float, proc: str = "/proc", unix: bool = False, sleep=None,
            **options) -> Iterable[LiveSample]:
    """``count`` samples, ``interval`` seconds apart (the first at once); owners' names and
    cgroups are cached across them by (pid, start time)."""
    import time

    sleep = sleep or time.sleep
    options.setdefault("cache", OwnerCache())
    for i in range(count):
        if i:
            sleep(interval)
        yield sample(proc, unix, **options)


def by_netns(snapshot: Snapshot, kernel: "dict[int | None, Kernel] | None" = None) -> list[Snapshot]:
    """One snapshot per network namespace (the rules then never mix two namespaces' ports);
    the snapshot itself when its records carry no namespace. Each carries its own namespace's
    counters and settings from ``kernel`` (:attr:`LiveSample.kernel`, by namespace inode); a
    namespace not in it has none (the snapshot's are netparse's own namespace's)."""
    groups: dict[object, list[Socket]] = {}
    for s in snapshot.sockets:
        groups.setdefault(s.netns, []).append(s)
    if list(groups) in ([], [None]):
        return [snapshot]
    from .netns import current_inode

    here = current_inode()
    out = []
    for ns, sockets in groups.items():
        where = "" if ns is None else (f" netns {ns.name} ({ns.inode})" if ns.name else f" netns {ns.inode}")
        update = {"sockets": sockets, "source": f"{snapshot.source}{where}", "line_counts": {"record": len(sockets)},
                  "total_lines": len(sockets)}
        if ns is not None and kernel and ns.inode in kernel:
            found, settings, _ = kernel[ns.inode]
            update.update(counters=found or None, settings=settings or None)
        elif ns is not None and ns.inode != here:  # the counters and sysctls read are this namespace's
            update.update(counters=None, settings=None)
        out.append(snapshot.model_copy(update=update))
    return out


__all__ = ["Attribution", "LiveSample", "SourceError", "Stream", "by_netns", "choose_source", "sample", "samples"]
