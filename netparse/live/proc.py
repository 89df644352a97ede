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
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from ..model import Owner, ParseIssue, Snapshot, Socket
from .owners import Attribution, LiveSample, OwnerCache, attribute  # noqa: F401 - Attribution was defined here: still importable
from .owners import scan as scan_owners

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



@lru_cache(maxsize=1)
def _rows():
    """The /proc/net row grammars, compiled on first use (pyparsing is slow to import)."""
    from ..grammars.base import compile_row
    from ..grammars.proc_net import INET_ROW, UNIX_ROW, build_inet_record, build_unix_record

    return compile_row(INET_ROW), compile_row(UNIX_ROW), build_inet_record, build_unix_record


def owners_by_inode(proc: Path) -> tuple[dict[int, list[Owner]], int, int]:
    """inode -> owners, from ``/proc/PID/fd/*`` links; also (processes seen, processes unreadable)."""
    found = scan_owners(str(proc))
    return ({inode: [Owner(**o) for o in got] for inode, got in found.owners.items()}, found.processes,
            found.unreadable)



def read_proc_net(proc: Path, unix: bool = False, byte_order: str = sys.byteorder,
                  files: "list[tuple[str, str]] | None" = None) -> tuple[list[dict], list[ParseIssue]]:
    """Record dicts (not validated yet) from the /proc/net files, and issues for rows that did not read."""
    records: list[dict] = []
    issues: list[ParseIssue] = []
    if files is None:
        files = list(INET_FILES) + ([("unix", "unix")] if unix else [])
    lineno = 0
    for name, proto in files:
        path = Path(proc) / "net" / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # e.g. no IPv6 in this kernel
        lines = text.splitlines()
        if len(lines) < 2:
            continue  # the header only: no need to load the grammars
        _INET, _UNIX, build_inet_record, build_unix_record = _rows()
        for i, line in enumerate(lines):
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


def sample_proc(proc: Path | str = "/proc", unix: bool = False, owners: bool = True,
                cache: OwnerCache | None = None) -> LiveSample:
    """One look at this machine's sockets through ``/proc`` (Linux)."""
    proc = Path(proc)
    records, issues = read_proc_net(proc, unix)
    att = attribute(records, scan_owners(str(proc), cache)) if owners else None
    sockets = [Socket.model_validate(rec) for rec in records]
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
        collector="proc",
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
    from ..api import parse

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
    snap.collector = "netstat"
    return LiveSample(snapshot=snap, command=argv, issues=list(snap.issues))


def sample(proc: Path | str = "/proc", unix: bool = False) -> LiveSample:
    """This machine's sockets now: ``/proc`` where there is one, else the platform's netstat."""
    if Path(proc, "net", "tcp").exists():
        return sample_proc(proc, unix)
    return sample_netstat()


def samples(count: int, interval: float, proc: Path | str = "/proc", unix: bool = False, sleep=None) -> Iterable[LiveSample]:
    """``count`` samples, ``interval`` seconds apart (the first at once)."""
    import time

    sleep = sleep or time.sleep
    for i in range(count):
        if i:
            sleep(interval)
        yield sample(proc, unix)
