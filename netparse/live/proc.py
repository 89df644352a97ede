"""Live mode: the sockets of **this machine**, as the same records a parsed listing gives.

* On Linux, :func:`sample` reads ``/proc/net/{tcp,tcp6,udp,udp6,raw,raw6}`` (and ``unix`` on
  request) itself, in the host's byte order, and maps socket inodes to processes through the
  ``socket:[INODE]`` links in ``/proc/PID/fd``. Where permissions do not allow reading another
  user's fd table, those sockets stay without an owner, and :class:`Attribution` says how many
  and why (run as root to see all). Sockets with inode 0 (TIME_WAIT, request sockets) belong to
  no process by design and are counted apart.
* Elsewhere it runs the platform's ``netstat`` with a fixed argument list (:data:`NETSTAT_ARGS`,
  never through a shell, ``LC_ALL=C`` for English labels) and parses its output with the
  grammars (``bsd-netstat``, ``solaris-netstat``, ``aix-netstat``, ``windows-netstat``).

>>> from netparse.live import sample
>>> snap = sample().snapshot          # doctest: +SKIP
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ..api import parse
from ..grammars.base import compile_row
from ..grammars.proc_net import INET_ROW, UNIX_ROW, build_inet_record, build_unix_record
from ..model import Owner, ParseIssue, Snapshot, Socket

#: /proc/net files read by default (file name -> proto)
INET_FILES = (("tcp", "tcp"), ("tcp6", "tcp"), ("udp", "udp"), ("udp6", "udp"), ("raw", "raw"), ("raw6", "raw"))

#: platform.system() -> the netstat command run where there is no /proc/net (never a shell)
NETSTAT_ARGS: dict[str, list[str]] = {
    "Darwin": ["netstat", "-anv"],  # -v: the pid (macOS 26: process:pid) column
    "FreeBSD": ["netstat", "-an"],
    "OpenBSD": ["netstat", "-an"],
    "NetBSD": ["netstat", "-an"],
    "DragonFly": ["netstat", "-an"],
    "SunOS": ["netstat", "-an"],
    "AIX": ["netstat", "-Aan"],
    "Windows": ["netstat", "-ano"],
}
NETSTAT_TIMEOUT = 60

_INET = compile_row(INET_ROW)
_UNIX = compile_row(UNIX_ROW)


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


@dataclass
class LiveSample:
    snapshot: Snapshot
    attribution: Attribution | None = None
    command: list[str] | None = None
    issues: list[ParseIssue] = field(default_factory=list)


def owners_by_inode(proc: Path) -> tuple[dict[int, list[Owner]], int, int]:
    """inode -> owners, from ``/proc/PID/fd/*`` links; also (processes seen, processes unreadable)."""
    owners: dict[int, list[Owner]] = {}
    seen = unreadable = 0
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return owners, 0, 0
    for entry in entries:
        if not entry.name.isdecimal():
            continue
        pid = int(entry.name)
        fd_dir = os.path.join(entry.path, "fd")
        try:
            fds = os.listdir(fd_dir)
        except FileNotFoundError:
            continue  # the process ended
        except OSError:
            seen += 1
            unreadable += 1
            continue
        seen += 1
        comm = None
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if not target.startswith("socket:["):
                continue
            if comm is None:
                try:
                    comm = Path(entry.path, "comm").read_text(encoding="utf-8", errors="replace").strip()
                except OSError:
                    comm = ""
            inode = int(target[8:-1])
            owners.setdefault(inode, []).append(Owner(process=comm or None, pid=pid, fd=int(fd) if fd.isdecimal() else None))
    return owners, seen, unreadable


def read_proc_net(proc: Path, unix: bool = False, byte_order: str = sys.byteorder) -> tuple[list[dict], list[ParseIssue]]:
    """Record dicts (not validated yet) from the /proc/net files, and issues for rows that did not read."""
    records: list[dict] = []
    issues: list[ParseIssue] = []
    files = list(INET_FILES) + ([("unix", "unix")] if unix else [])
    lineno = 0
    for name, proto in files:
        path = proc / "net" / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # e.g. no IPv6 in this kernel
        for i, line in enumerate(text.splitlines()):
            if i == 0:
                continue  # the header
            lineno += 1
            m = (_UNIX if proto == "unix" else _INET).match(line)
            if m is None:
                issues.append(ParseIssue(line=lineno, text=line[:200], reason=f"not a {path} row"))
                continue
            rec = build_unix_record(m.groupdict()) if proto == "unix" else build_inet_record(m.groupdict(), proto, byte_order)
            rec.pop("_warnings", None)
            rec["line"] = lineno
            rec.setdefault("extra", {})["file"] = str(path)
            records.append(rec)
    return records, issues


def sample_proc(proc: Path | str = "/proc", unix: bool = False) -> LiveSample:
    """One look at this machine's sockets through ``/proc`` (Linux)."""
    proc = Path(proc)
    records, issues = read_proc_net(proc, unix)
    owners, seen, unreadable = owners_by_inode(proc)
    att = Attribution(processes=seen, unreadable_processes=unreadable, is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    sockets = []
    for rec in records:
        att.sockets += 1
        inode = rec.get("inode") or 0
        found = owners.get(inode) if inode else None
        if found:
            att.attributed += 1
            first = found[0]
            rec["pid"], rec["process"], rec["fd"] = first.pid, first.process, first.fd
            if len(found) > 1:
                rec["owners"] = found
        elif inode:
            att.unattributed += 1
        else:
            att.no_inode += 1
        sockets.append(Socket.model_validate(rec))
    snap = Snapshot(
        format="proc-net",
        formats=["proc-net"] if sockets else [],
        sockets=sockets,
        issues=issues,
        line_counts={"record": len(sockets), **({"unparsed": len(issues)} if issues else {})},
        total_lines=len(sockets) + len(issues),
        source=str(proc / "net"),
        timestamp=datetime.now(timezone.utc),
        host=platform.node() or None,
    )
    return LiveSample(snapshot=snap, attribution=att, issues=issues)


def netstat_command(system: str | None = None) -> list[str]:
    """The fixed argument list run on ``system`` (default: this one)."""
    system = system or platform.system()
    if system.startswith(("CYGWIN", "MSYS", "MINGW")):
        system = "Windows"
    return list(NETSTAT_ARGS.get(system, ["netstat", "-an"]))


def sample_netstat(argv: list[str] | None = None, runner=subprocess.run) -> LiveSample:
    """Run the platform's netstat (no shell) and parse what it printed."""
    argv = list(argv or netstat_command())
    env = dict(os.environ, LC_ALL="C", LANG="C")
    done = runner(argv, capture_output=True, timeout=NETSTAT_TIMEOUT, check=False, shell=False, env=env)
    if done.returncode != 0 and not done.stdout:
        err = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise OSError(f"{' '.join(argv)} exited with {done.returncode}" + (f": {err[0]}" if err else ""))
    snap = parse(done.stdout)
    snap.source = " ".join(argv)
    snap.timestamp = datetime.now(timezone.utc)
    snap.host = platform.node() or None
    return LiveSample(snapshot=snap, command=argv, issues=list(snap.issues))


def sample(proc: Path | str = "/proc", unix: bool = False) -> LiveSample:
    """This machine's sockets now: ``/proc`` where there is one, else the platform's netstat."""
    if Path(proc, "net", "tcp").exists():
        return sample_proc(proc, unix)
    return sample_netstat()


def samples(count: int, interval: float, proc: Path | str = "/proc", unix: bool = False, sleep=None) -> Iterable[LiveSample]:
    """``count`` samples, ``interval`` seconds apart (the first at once)."""
    sleep = sleep or time.sleep
    for i in range(count):
        if i:
            sleep(interval)
        yield sample(proc, unix)
