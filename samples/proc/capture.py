"""Capture real /proc/net/* and BusyBox netstat output on this machine (issue 4 samples).

Opens sockets on loopback only (LISTEN, ESTABLISHED, FIN_WAIT_2/CLOSE_WAIT by half-close,
TIME_WAIT, IPv6 LISTEN/ESTABLISHED, UDP bound and connected (IPv4), UDP bound (IPv6), a listening unix socket), then
writes the exact stdout bytes of each command to samples/proc/ and samples/busybox/ with a
.note beside each. Run: python3 samples/proc/capture.py (needs busybox: apt-get install busybox).
"""

from __future__ import annotations

import datetime
import os
import platform
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUSYBOX_DIR = HERE.parent / "busybox"


def open_sockets() -> list[socket.socket]:
    keep: list[socket.socket] = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    keep.append(srv)
    a = socket.create_connection(("127.0.0.1", port))
    a_srv, _ = srv.accept()
    b = socket.create_connection(("127.0.0.1", port))
    b_srv, _ = srv.accept()
    b.shutdown(socket.SHUT_WR)  # b: FIN_WAIT_2, b_srv: CLOSE_WAIT
    c = socket.create_connection(("127.0.0.1", port))
    c_srv, _ = srv.accept()
    c.close()  # active close: c -> TIME_WAIT once c_srv closes
    time.sleep(0.05)
    c_srv.close()
    keep += [a, a_srv, b, b_srv]
    srv6 = socket.socket(socket.AF_INET6)
    srv6.bind(("::1", 0))
    srv6.listen(4)
    d = socket.create_connection(("::1", srv6.getsockname()[1]))
    d_srv, _ = srv6.accept()
    keep += [srv6, d, d_srv]
    u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u1.bind(("127.0.0.1", 0))
    u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u2.connect(u1.getsockname())
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.bind(("::1", 0))
    keep += [u1, u2, u6]
    path = os.path.join(tempfile.mkdtemp(prefix="np-cap4-"), "demo.sock")
    us = socket.socket(socket.AF_UNIX)
    us.bind(path)
    us.listen(1)
    keep.append(us)
    time.sleep(0.2)
    return keep


def run(argv: list[str]) -> bytes:
    return subprocess.run(argv, capture_output=True, check=False, env=dict(os.environ, LC_ALL="C")).stdout


def main() -> None:
    keep = open_sockets()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    bb = run(["busybox"]).split(b"\n", 1)[0].decode()
    env = f"{platform.platform()}, kernel {platform.release()}, {bb}"
    jobs = [(HERE / f"capture-proc_net_{n}", ["cat", f"/proc/net/{n}"]) for n in ("tcp", "tcp6", "udp", "udp6", "unix")]
    jobs += [(BUSYBOX_DIR / "capture-busybox_netstat-tuan", ["busybox", "netstat", "-tuan"]),
             (BUSYBOX_DIR / "capture-busybox_netstat-lx", ["busybox", "netstat", "-lx"])]
    for stem, argv in jobs:
        stem.with_suffix(".txt").write_bytes(run(argv))
        stem.with_suffix(".note").write_text(
            f"source: local capture, '{' '.join(argv)}' run by samples/proc/capture.py on {when}\n"
            f"environment: {env}\n"
            "sockets: opened by the script on loopback (127.0.0.1, ::1): LISTEN, ESTABLISHED pairs, "
            "FIN_WAIT_2/CLOSE_WAIT by half-close, TIME_WAIT, UDP bound and connected (IPv4), UDP bound (IPv6), a listening unix socket; "
            "other rows are this machine's own sockets\n")
    for s in keep:
        s.close()


if __name__ == "__main__":
    main()
