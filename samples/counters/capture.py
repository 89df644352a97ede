#!/usr/bin/env python3
"""Capture Linux kernel counters and settings, healthy and with problems provoked, as samples.

Run as root (Python 3.11+, stdlib only; iproute2 ``nstat``/``ss``, net-tools ``netstat``, procps
``sysctl``, and net-tools' ``.mo`` files for the localized ``netstat -s``)::

    python3 samples/counters/capture.py [--out samples/counters]

Everything runs inside a private network namespace ``np-cnt`` (``lo`` up only), whose counters
(/proc/net/snmp, netstat, snmp6 are per namespace) start at zero, so each capture shows what the
scenario itself did. Written (exact stdout bytes, each with a ``.note``):

* ``nstat-az.txt``, ``nstat.txt`` (``nstat`` with no options: increments since its last run),
  ``proc-net-snmp.txt``, ``proc-net-netstat.txt``, ``proc-net-snmp6.txt``, ``netstat-s.txt``
  (``LC_ALL=C``) and ``netstat-s-<lang>.txt`` for every language whose ``net-tools.mo`` is
  installed (``LC_ALL=C.UTF-8 LANGUAGE=<lang>``, as samples/linux-locale/capture.py does);
* ``sysctl-net.txt`` (``sysctl`` of the settings netparse reads), ``proc-sys-grep.txt``
  (``grep -H . /proc/sys/net/...``);
* logs under ``samples/logs/`` (``date; ss -tanp; nstat -az; sysctl ...`` run twice, around a scenario):
  ``counters-accept-overflow.log`` (a listener with backlog 2 that never accepts, then a burst
  of 30 connects), ``counters-healthy.log`` (a listener that accepts, the same burst),
  ``counters-udp-rcvbuf.log`` (a UDP socket with a 4 KiB receive buffer that is never read,
  then 200 datagrams of 1000 bytes).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import glob
import os
import subprocess
import sys
import time

NETNS = "np-cnt"
HERE = os.path.dirname(os.path.abspath(__file__))
LOGS = os.path.join(HERE, "..", "logs")

SYSCTLS = [
    "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_max_tw_buckets",
    "net.ipv4.tcp_syncookies", "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_synack_retries",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.core.rmem_max", "net.core.wmem_max",
    "net.ipv4.tcp_max_orphans",
]

LISTENER = r"""
import socket, sys, time, threading
port, backlog, accept = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "accept"
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(backlog)
print("ready", flush=True)
conns = []
while True:
    if accept:
        c, _ = s.accept(); conns.append(c)
    else:
        time.sleep(3600)
"""

BURST = r"""
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for _ in range(n):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    socks.append(c)
time.sleep(float(sys.argv[3]))
"""

UDP_SINK = r"""
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel doubles it (socket(7))
s.bind(("127.0.0.1", 5353)); print("ready", flush=True); time.sleep(3600)
"""

UDP_BURST = r"""
import socket
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(200):
    c.sendto(b"x" * 1000, ("127.0.0.1", 5353))
"""

SNAP = "date; ss -tanp; nstat -az; sysctl net.core.somaxconn net.ipv4.ip_local_port_range"
SNAP_UDP = "date; ss -uanp; nstat -az; sysctl net.core.rmem_default net.core.rmem_max"


def sh(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def ns(*argv: str, env=None) -> subprocess.CompletedProcess:
    return sh("ip", "netns", "exec", NETNS, *argv, env=env)


def spawn(code: str, *args: str) -> subprocess.Popen:
    p = subprocess.Popen(["ip", "netns", "exec", NETNS, sys.executable, "-c", code, *args], stdout=subprocess.PIPE)
    if "ready" in code:
        p.stdout.readline()
    return p


def versions() -> str:
    kernel = os.uname().release
    ip = sh("ip", "-V").stdout.decode().strip()
    nt = sh("netstat", "--version").stdout.decode().splitlines()[0]
    deb = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    return f"{ip}; {nt}; kernel {kernel}; Debian {deb}"


def write(out: str, stem: str, data: bytes, note: list[str], ext: str = ".txt") -> None:
    with open(os.path.join(out, stem + ext), "wb") as f:
        f.write(data)
    with open(os.path.join(out, stem + ".note"), "w", encoding="utf-8") as f:
        f.write("\n".join(note) + "\n")


def note(command: str, what: str, extra: list[str] | None = None) -> list[str]:
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        "source: captured locally by samples/counters/capture.py",
        f"command: {command}   (inside netns {NETNS}: lo up, nothing else)",
        f"date: {when}",
        f"tools: {versions()}",
        f"shows: {what}",
        "file: exact stdout bytes",
        *(extra or []),
    ]


def fresh_netns() -> None:
    sh("ip", "netns", "del", NETNS)
    sh("ip", "netns", "add", NETNS)
    ns("ip", "link", "set", "lo", "up")
    ns("rm", "-f", f"/tmp/.nstat.u{os.getuid()}")


def log_around(stem: str, snap: str, setup, provoke, what: str) -> None:
    fresh_netns()
    procs = setup()
    try:
        first = ns("sh", "-c", snap).stdout
        time.sleep(1)
        provoke()
        second = ns("sh", "-c", snap).stdout
    finally:
        for p in procs:
            p.kill()
    write(LOGS, stem, first + second, note(f"sh -c '{snap}'  (run twice, around the scenario)", what), ".log")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    try:
        # 1. plain captures, after some traffic (an accepting listener and 5 connections)
        fresh_netns()
        ns("nstat", "-n")  # history at zero traffic: the plain `nstat` below prints the increments since
        p = spawn(LISTENER, "8080", "16", "accept")
        b = spawn(BURST, "8080", "5", "0.5")
        b.wait()
        C = dict(os.environ, LC_ALL="C")
        for stem, argv, what in [
            ("nstat", ["nstat"], "nstat without options: increments since its previous run (nstat -n before the traffic)"),
            ("nstat-az", ["nstat", "-az"], "every counter, absolute, zeros included (iproute2 nstat -a -z)"),
            ("proc-net-snmp", ["cat", "/proc/net/snmp"], "/proc/net/snmp: header line + value line per section"),
            ("proc-net-netstat", ["cat", "/proc/net/netstat"], "/proc/net/netstat: TcpExt, IpExt, MPTcpExt (header + values)"),
            ("proc-net-snmp6", ["cat", "/proc/net/snmp6"], "/proc/net/snmp6: one 'name value' per line"),
            ("netstat-s", ["netstat", "-s"], "net-tools netstat -s, C locale"),
            ("sysctl-net", ["sysctl", *SYSCTLS], "sysctl NAME... of the settings netparse reads (namespace values)"),
            ("proc-sys-grep", ["grep", "-H", ".", *("/proc/sys/" + n.replace(".", "/") for n in SYSCTLS[:6])],
             "grep -H . /proc/sys/net/...: file:value lines"),
        ]:
            r = ns(*argv, env=C)
            write(out, stem, r.stdout, note(f"LC_ALL=C {' '.join(argv)}", what, [f"exit status: {r.returncode}"]))
        for mo in sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES/net-tools.mo")):
            lang = mo.split("/")[-3]
            env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=lang)
            env.pop("LANG", None)
            r = ns("netstat", "-s", env=env)
            write(out, f"netstat-s-{lang.replace('_', '-')}", r.stdout,
                  note(f"LC_ALL=C.UTF-8 LANGUAGE={lang} netstat -s", f"net-tools netstat -s in {lang}",
                       [f"translation: {mo} (Debian package net-tools); labels whose msgid no longer matches "
                        "net-tools 2.10's format strings print in English", f"exit status: {r.returncode}"]))
        p.kill()

        # 2. logs around provoked problems
        def overflow_setup():
            return [spawn(LISTENER, "8080", "2", "never")]

        held: list[subprocess.Popen] = []

        def burst_and_wait() -> None:
            held.append(spawn(BURST, "8080", "30", "10"))
            time.sleep(2)

        log_around("counters-accept-overflow", SNAP, overflow_setup, burst_and_wait,
                   "listener 127.0.0.1:8080, listen(2), never accept()s; between the runs 30 non-blocking "
                   "connects, the second run 2 s later while they are still open (clients whose SYN was "
                   "dropped sit in SYN-SENT, retransmitting)")
        for b in held:
            b.kill()

        def healthy_setup():
            return [spawn(LISTENER, "8080", "128", "accept")]

        log_around("counters-healthy", SNAP, healthy_setup,
                   burst_and_wait,
                   "listener 127.0.0.1:8080, listen(128), accept()s everything; the same burst of 30 connects, "
                   "the second run 2 s later while they are open")
        for b in held:
            b.kill()

        holder: list[subprocess.Popen] = []

        def udp_setup():
            holder.append(spawn(UDP_SINK))
            return holder

        log_around("counters-udp-rcvbuf", SNAP_UDP, udp_setup, lambda: spawn(UDP_BURST).wait(),
                   "UDP socket 127.0.0.1:5353 with SO_RCVBUF 4096 never read; between the runs 200 datagrams "
                   "of 1000 bytes sent to it")
    finally:
        sh("ip", "netns", "del", NETNS)


if __name__ == "__main__":
    main()
