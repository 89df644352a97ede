"""Every network namespace of this machine, and a sock_diag socket inside each.

:func:`discover` finds the namespaces from ``/run/netns/*`` (``ip netns add`` names them there)
and ``/proc/*/ns/net`` (every process's), unique by inode. :func:`diag_socket` opens a
NETLINK_SOCK_DIAG socket *inside* one: a helper thread calls ``setns(2)`` through ctypes
(Python 3.11 has no ``os.setns``), creates the socket and ends; a socket keeps the namespace it
was created in, so the main thread then reads it as usual and never changes namespace itself.
That needs CAP_SYS_ADMIN; without it (or for a namespace with no process and no name) the
caller reads ``/proc/PID/net/*`` of a process inside instead.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from ..model import NetNs

CLONE_NEWNET = 0x40000000


@dataclass
class Namespace:
    inode: int
    name: str | None = None
    path: str | None = None  # something to open for setns: /run/netns/NAME or /proc/PID/ns/net
    pids: list[int] = field(default_factory=list)

    @property
    def record(self) -> NetNs:
        return NetNs(inode=self.inode, name=self.name)

    @property
    def label(self) -> str:
        return f"netns {self.name} ({self.inode})" if self.name else f"netns {self.inode}"


def current_inode(proc: str = "/proc") -> int | None:
    try:
        return os.stat(f"{proc}/thread-self/ns/net").st_ino
    except OSError:
        try:
            return os.stat(f"{proc}/self/ns/net").st_ino
        except OSError:
            return None


def discover(proc: str = "/proc", run_netns: str = "/run/netns") -> list[Namespace]:
    """Every namespace, this process's first, then named ones, then the rest by inode."""
    found: dict[int, Namespace] = {}
    try:
        names = sorted(os.listdir(run_netns))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(run_netns, name)
        try:
            ino = os.stat(path).st_ino
        except OSError:
            continue
        found.setdefault(ino, Namespace(ino, name, path))
    try:
        entries = list(os.scandir(proc))
    except OSError:
        entries = []
    for entry in entries:
        if not entry.name.isdecimal():
            continue
        path = f"{entry.path}/ns/net"
        try:
            ino = os.stat(path).st_ino
        except OSError:
            continue  # ended, or not ours to look at
        ns = found.setdefault(ino, Namespace(ino, None, path))
        ns.pids.append(int(entry.name))
    own = current_inode(proc)
    return sorted(found.values(), key=lambda n: (n.inode != own, n.name is None, n.name or "", n.inode))


def _libc():
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.setns.argtypes = (ctypes.c_int, ctypes.c_int)
    return libc


def in_namespace(path: str, make):
    """``make()`` run in a helper thread that has joined the network namespace at ``path``;
    returns its result (a socket keeps the namespace it was made in). Raises OSError."""
    import ctypes

    result: dict[str, object] = {}

    def run() -> None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            result["error"] = exc
            return
        try:
            if _libc().setns(fd, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                result["error"] = OSError(err, f"setns {path}: {os.strerror(err)}")
                return
            result["value"] = make()
        except Exception as exc:  # noqa: BLE001 - handed back to the caller's thread
            result["error"] = exc
        finally:
            os.close(fd)

    thread = threading.Thread(target=run, name="netparse-setns", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]
