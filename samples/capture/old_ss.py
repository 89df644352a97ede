#!/usr/bin/env python3
"""Capture real output of *old* iproute2 ``ss`` builds next to a new one, over the same sockets.

Run as root (Python 3.11+, stdlib only), with the ``ss`` binaries built from iproute2 tags:

    python3 samples/capture/old_ss.py --ss v3.2.0=/tmp/ip-v3.2.0/misc/ss \\
        --ss v3.12.0=/tmp/ip312/misc/ss --ss v5.3.0=/tmp/ip-v5.3.0/misc/ss \\
        --ss v6.1.0=/usr/bin/ss [--out samples/linux]

How the binaries were built (Debian 12, gcc 12; only ``lib/`` and ``misc/`` are needed)::

    git -C iproute2 archive v3.2.0 | tar -x -C /tmp/ip-v3.2.0     # iproute2 git tag
    cd /tmp/ip-v3.2.0 && ./configure
    make SUBDIRS="lib misc" CCOPTS="-O2 -fcommon -w" WFLAGS=""  # needs bison + flex
    # (arpd/nstat fail to build there; misc/ss is built before them)

What it does: creates a network namespace ``np-oldss`` (only ``lo``), re-executes itself inside
it, opens the sockets below, runs each ``ss`` with LC_ALL=C and stdout on a pipe and writes
``<out>/oldss-<version>_ss<flags>.txt`` (exact stdout bytes) plus a ``.note``; then removes
the namespace.

Sockets (all on loopback inside the namespace):
  22022  two listeners of one service: IPv4 0.0.0.0 and IPv6-only [::] (IPV6_V6ONLY=1)
  18083  dual-stack TCP listener on :: (IPV6_V6ONLY=0) + an IPv4 client (accepted side is ::ffff:127.0.0.1)
  18080  TCP listener 127.0.0.1 + one established pair
  18085  TCP listener ::1 + one established pair
  18088  TCP listener 0.0.0.0 shared by two processes (fork after listen): two users:(...) tuples
  18081  UDP 0.0.0.0; 18095 UDP IPv6-only [::]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import socket
import subprocess
import sys
import time

NETNS = "np-oldss"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "linux"))
FLAGS = ["-tanp", "-tln", "-tlnp", "-uanp"]


def _listen(family: int, addr: str, port: int, v6only: bool | None = None) -> socket.socket:
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port))
    s.listen(16)
    return s


def _pair(server: socket.socket, family: int, addr: str, port: int) -> list[socket.socket]:
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, port))
    a, _ = server.accept()
    return [c, a]


def _inside(binaries: list[tuple[str, str]], out: str) -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    keep: list[socket.socket] = []
    # opened first, then fork: only this socket is held by two processes (two users:(...) tuples)
    shared = _listen(socket.AF_INET, "0.0.0.0", 18088)
    keep.append(shared)
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
    keep.append(_listen(socket.AF_INET, "0.0.0.0", 22022))
    keep.append(_listen(socket.AF_INET6, "::", 22022, v6only=True))
    dual = _listen(socket.AF_INET6, "::", 18083, v6only=False)
    keep += [dual, *_pair(dual, socket.AF_INET, "127.0.0.1", 18083)]
    lo4 = _listen(socket.AF_INET, "127.0.0.1", 18080)
    keep += [lo4, *_pair(lo4, socket.AF_INET, "127.0.0.1", 18080)]
    lo6 = _listen(socket.AF_INET6, "::1", 18085)
    keep += [lo6, *_pair(lo6, socket.AF_INET6, "::1", 18085)]
    u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u4.bind(("0.0.0.0", 18081))
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u6.bind(("::", 18095))
    keep += [u4, u6]
    time.sleep(0.3)
    env = dict(os.environ, LC_ALL="C")
    env.pop("COLUMNS", None)
    when = _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
    kernel = platform.release()
    for version, path in binaries:
        banner = subprocess.run([path, "-V"], capture_output=True, text=True).stdout.strip()
        for flags in FLAGS:
            proc = subprocess.run([path, *flags.split()], capture_output=True, env=env)
            stem = f"oldss-{version}_ss{flags}"
            with open(os.path.join(out, stem + ".txt"), "wb") as fh:
                fh.write(proc.stdout)
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            with open(os.path.join(out, stem + ".note"), "w", encoding="utf-8") as fh:
                fh.write(
                    f"source: captured locally by samples/capture/old_ss.py\n"
                    f"command: ip netns exec {NETNS} ss {flags}   with ss built from iproute2 git tag {version}\n"
                    f"tool: {banner}\n"
                    f"date: {when}; kernel {kernel}; Debian 12; root, LC_ALL=C, stdout a pipe\n"
                    f"exit status: {proc.returncode}\n"
                    f"file: exact stdout bytes; stderr: {stderr or 'empty'}\n"
                    f"sockets: see the docstring of samples/capture/old_ss.py (22022 = separate IPv4 and\n"
                    f"  IPv6-only listeners, 18083 = dual-stack, 18088 = listener shared by two processes)\n"
                )
    os.kill(child, 9)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ss", action="append", required=True, help="VERSION=PATH of an ss binary")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    binaries = [tuple(item.split("=", 1)) for item in args.ss]
    if args.inside:
        _inside(binaries, os.path.abspath(args.out))  # type: ignore[arg-type]
        return
    subprocess.run(["ip", "netns", "add", NETNS], check=True)
    try:
        cmd = ["ip", "netns", "exec", NETNS, sys.executable, os.path.abspath(__file__), "--inside",
               "--out", os.path.abspath(args.out)]
        for item in args.ss:
            cmd += ["--ss", item]
        subprocess.run(cmd, check=True)
    finally:
        subprocess.run(["ip", "netns", "del", NETNS])


if __name__ == "__main__":
    main()
