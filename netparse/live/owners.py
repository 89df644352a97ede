"""Which process holds which socket: one pass over ``/proc/*/fd`` with ``os.scandir``.

A socket's fd links read ``socket:[INODE]``; the inode is what ``/proc/net/*`` and sock_diag
report. :func:`scan` reads every fd table once per snapshot (``ss -p`` does the same) and the
process name from ``/proc/PID/stat`` only for processes that hold a socket. :class:`OwnerCache`
keeps, across ``--watch`` refreshes, what does not change while a process lives (its name and
cgroup), keyed by (pid, start time) so a reused pid is never taken for the old process.

:class:`Attribution` counts how many sockets got an owner and why the others did not; its
:meth:`~Attribution.notice` is the one line worth printing, and only when it changes the
answer: some sockets have no owner *and* some fd tables could not be read (not root).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the annotations only: the jsonl stream runs without pydantic
    from ..model import ParseIssue, Snapshot


@dataclass
class Attribution:
    """How many sockets could be given an owning process, and why the others could not."""

    sockets: int = 0
    attributed: int = 0
    no_inode: int = 0  # inode 0: TIME_WAIT and request sockets belong to no process
    unattributed: int = 0  # an inode no readable fd table points at
    processes: int = 0
    unreadable_processes: int = 0  # /proc/PID/fd not readable (another user's process)
    is_root: bool = False

    def message(self) -> str | None:
        """One line for people, or None when every socket that can have an owner has one."""
        if not self.unattributed:
            return None
        why = []
        if self.unreadable_processes:
            why.append(
                f"the fd tables of {self.unreadable_processes} of {self.processes} processes are not readable"
                + ("" if self.is_root else " (run as root to see all)")
            )
        else:
            why.append("no readable process holds them (closed in between, or kernel sockets)")
        text = f"{self.unattributed} of {self.sockets} sockets could not be attributed to a process: " + "; ".join(why)
        if self.no_inode:
            text += f"; {self.no_inode} more have no inode (TIME_WAIT, request sockets) and so no owner"
        return text

    def notice(self) -> str | None:
        """:meth:`message` when it changes the answer, else None: sockets without an owner that a
        process we could not look into may hold. Kernel sockets and sockets closed between the
        two reads have no owner whoever looks, so they are not worth a line."""
        if self.unattributed and self.unreadable_processes:
            return self.message()
        return None


@dataclass
class LiveSample:
    snapshot: Snapshot
    attribution: Attribution | None = None
    command: list[str] | None = None
    issues: list[ParseIssue] = field(default_factory=list)
    #: with ``all_netns`` and ``counters``: each namespace's (counters, settings, what was not
    #: read) by namespace inode, for :func:`netparse.live.collect.by_netns`
    kernel: dict = field(default_factory=dict)


@dataclass
class Process:
    """What a (pid, start time) keeps while it lives."""

    name: str | None
    cgroup: str | None = None
    cgroup_read: bool = False


def _stat(proc: str, pid: str) -> tuple[str | None, str | None]:
    """(process name, start time) from /proc/PID/stat; the name may hold spaces and ')'."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None, None
    head, sep, rest = data.rpartition(b")")
    if not sep:
        return None, None
    name = head.partition(b"(")[2].decode("utf-8", "replace")
    fields = rest.split()
    return name, (fields[19].decode() if len(fields) > 19 else None)  # field 22: starttime


def read_cgroup(proc: str, pid: int) -> str | None:
    """The cgroup v2 path of a process (``0::/system.slice/docker-….scope``), or the first v1
    path that names a container, from /proc/PID/cgroup."""
    try:
        with open(f"{proc}/{pid}/cgroup", "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    fallback = None
    for line in text.splitlines():
        hier, _, rest = line.partition(":")
        _controllers, _, path = rest.partition(":")
        if hier == "0":
            return path
        if fallback is None or "name=systemd" in rest:
            fallback = path
    return fallback


class OwnerCache:
    """Process names and cgroups by (pid, start time), kept across samples."""

    def __init__(self) -> None:
        self.processes: dict[tuple[int, str | None], Process] = {}
        self.current: dict[int, Process] = {}  # this snapshot's: /proc/PID/stat read once per pid

    def begin(self) -> None:
        """A new snapshot: pids may have been reused since the last one."""
        self.current = {}

    def process(self, proc: str, pid: int) -> Process:
        got = self.current.get(pid)
        if got is not None:
            return got
        got = self.current[pid] = self._process(proc, pid)
        return got

    def _process(self, proc: str, pid: int) -> Process:
        name, start = _stat(proc, str(pid))
        key = (pid, start)
        got = self.processes.get(key)
        if got is None or start is None:
            if name is None:  # no stat (another procfs layout, a test tree): try comm
                try:
                    with open(f"{proc}/{pid}/comm", "rb") as fh:
                        name = fh.read().decode("utf-8", "replace").strip() or None
                except OSError:
                    name = None
            got = self.processes[key] = Process(name)
        return got

    def cgroup(self, proc: str, pid: int) -> str | None:
        got = self.process(proc, pid)
        if not got.cgroup_read:
            got.cgroup, got.cgroup_read = read_cgroup(proc, pid), True
        return got.cgroup

    def prune(self, live_pids: set[int]) -> None:
        for key in [k for k in self.processes if k[0] not in live_pids]:
            del self.processes[key]


@dataclass
class OwnerScan:
    """``owners``: inode -> the fields of each :class:`~netparse.model.Owner` (plain dicts, in
    the model's field order, nulls left out: validated with the record, or written as JSON)."""

    owners: dict[int, list[dict[str, Any]]]
    processes: int
    unreadable: int
    pids: set[int]


def scan(proc: str = "/proc", cache: OwnerCache | None = None, wanted: set[int] | None = None) -> OwnerScan:
    """inode -> owners from every ``/proc/PID/fd``; ``wanted``: only these inodes are kept
    (every table is still read, as a socket can be shared by several processes)."""
    cache = cache if cache is not None else OwnerCache()
    found: dict[int, list[tuple[int, int]]] = {}
    seen = unreadable = 0
    pids: set[int] = set()
    if wanted is not None and not wanted:
        return OwnerScan({}, 0, 0, pids)  # nothing to attribute: no table worth reading
    cache.begin()
    readlink, listdir, open_dir, close = os.readlink, os.listdir, os.open, os.close
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
    try:
        entries = os.scandir(proc)
    except OSError:
        return OwnerScan({}, 0, 0, pids)
    with entries:
        for entry in entries:
            name = entry.name
            if not name.isdecimal():
                continue
            pid = int(name)
            try:
                dirfd = open_dir(f"{entry.path}/fd", flags)
            except FileNotFoundError:
                continue  # the process ended
            except OSError:
                seen += 1
                unreadable += 1
                continue
            seen += 1
            pids.add(pid)
            try:
                try:
                    names = listdir(dirfd)
                except OSError:
                    continue  # ended while being read
                for fd in names:
                    try:  # relative to the directory's fd: no path walk per link
                        target = readlink(fd, dir_fd=dirfd)
                    except OSError:
                        continue
                    if target[:8] != "socket:[":
                        continue
                    inode = int(target[8:-1])
                    if wanted is not None and inode not in wanted:
                        continue
                    found.setdefault(inode, []).append((pid, int(fd) if fd.isdecimal() else -1))
            finally:
                close(dirfd)
    owners: dict[int, list[dict[str, Any]]] = {}
    for inode, holders in found.items():
        owners[inode] = [owner_fields(cache.process(proc, pid).name, pid, fd) for pid, fd in holders]
    cache.prune(pids)
    return OwnerScan(owners, seen, unreadable, pids)


def owner_fields(process: str | None, pid: int, fd: int) -> dict[str, Any]:
    out: dict[str, Any] = {"process": process, "pid": pid} if process is not None else {"pid": pid}
    if fd >= 0:
        out["fd"] = fd
    return out


def attribute(records: list[dict], found: OwnerScan, att: Attribution | None = None) -> Attribution:
    """Put pid/process/fd (and ``owners`` when several hold one) on record dicts; counts are
    added to ``att`` when given (a stream attributes one record at a time)."""
    if att is None:
        att = Attribution(processes=found.processes, unreadable_processes=found.unreadable,
                          is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    owners = found.owners
    for rec in records:
        att.sockets += 1
        inode = rec.get("inode") or 0
        got = owners.get(inode) if inode else None
        if got:
            att.attributed += 1
            first = got[0]
            rec["pid"], rec["process"], rec["fd"] = first["pid"], first.get("process"), first.get("fd")
            if len(got) > 1:
                rec["owners"] = got
        elif inode:
            att.unattributed += 1
        else:
            att.no_inode += 1
    return att
