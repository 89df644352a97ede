#!/usr/bin/env python3
"""Capture logs for the counter rules NP024-NP029: each a problem provoked between two runs of
``date; ss -tanp; nstat -az; sysctl ...`` (and a healthy twin where one makes sense).

Run as root (Python 3.11+, stdlib only; iproute2 ``ip``/``ss``/``nstat``/``tc``, procps ``sysctl``)::

    python3 samples/counters/capture_rules.py [SCENARIO ...]

Two network namespaces joined by a veth pair: ``np-srv`` (10.99.0.2/24, the server, where the
snapshots are taken unless said otherwise) and ``np-cli`` (10.99.0.1/24, the clients). Counters
are per namespace, so each log shows what the scenario did. Written to ``samples/logs/`` with a
``.note`` each (exact stdout bytes of the two runs, concatenated):

* ``counters-syn-cookies.log``: tcp_syncookies=1, a listener with backlog 16 that never
  accepts, 200 SYNs (raw socket) from 10.99.0.77, an address nobody answers for (no neighbour:
  the SYN-ACKs go nowhere): the SYN queue fills, the rest get cookies (TCPReqQFullDoCookies).
* ``counters-syn-drop.log``: the same with tcp_syncookies=0: the rest are dropped (TCPReqQFullDrop).
* ``counters-syn-backlog-drop.log``: tcp_syncookies=0, tcp_max_syn_backlog=64, listen(128): the
  kernel drops SYNs at 3/4 of tcp_max_syn_backlog: ListenDrops rise, no overflow, no ReqQFull counter.
* ``counters-timewait-overflow.log``: tcp_max_tw_buckets=16, a server that accepts and closes
  first, 100 short connections from np-cli: TIME_WAIT beyond 16 is not kept (TCPTimeWaitOverflow).
* ``counters-timewait-healthy.log``: the same with the default tcp_max_tw_buckets.
* ``counters-timewait-overflow-spread.log``: tcp_max_tw_buckets=16, three servers that close
  first (8080-8082), 99 connections to them in turn: the TIME_WAIT kept spread over the three.
* ``counters-timewait-overflow-ports.log``: the same with six servers (8080-8085), 102 connections.
* ``counters-timewait-overflow-client.log``: the client side: tcp_max_tw_buckets=16 in np-cli,
  100 connections np-cli closes first (a server that reads to EOF), one idle connection to :8081
  held throughout: snapshots in np-cli.
* ``counters-orphan-abort.log``: 40 connections to a server that never reads, each client
  fills its send buffer and close()s (an orphan in FIN-WAIT-1 with data queued); before the
  close, **the host's** net.ipv4.tcp_max_orphans (global, not per namespace) is lowered to the
  orphans already on the machine + 8 for about two seconds (the closes are paced 20 ms apart) and restored after the second run:
  closes beyond the limit are aborted (TCPAbortOnMemory). Snapshot in np-cli; its sysctl line
  is read in the initial namespace (the setting has no file inside a namespace).
* ``counters-retrans.log``: np-srv's veth egress shaped by tc tbf (4 Mbit/s, 6 kB queue), three
  bulk transfers of 4 MB from np-srv: the tbf queue drops, TCP retransmits.
* ``counters-retrans-healthy.log``: the same transfers without the shaper.
* ``counters-retrans-ti.log``: the shaped transfers again, three clients at once, the second run
  taken while they are under way with ``ss -tanpi`` (tcp_info: which connections retransmit).
* ``counters-retrans-busy.log``: the same with ``ss -tanp`` (no tcp_info: the listing shows the
  established connections and their Send-Q only).
* ``counters-retrans-after.log``: one shaped transfer, over before the second run (``ss
  -tanpi``), and an idle connection opened after it: tcp_info without retransmissions.
* ``counters-nstat-plain.log``: plain ``nstat`` (increments) around two bursts of connects (20,
  then 5) to a listen(1) that never accepts: the second run prints fewer overflows than the first.
* ``counters-resets.log``: 30 connects to a closed port (refused: AttemptFails), 20 connections
  the client closes with SO_LINGER 0 (RST: the server's EstabResets), 20 the server closes with
  unread data (TCPAbortOnClose; the SO_LINGER 0 closes count TCPAbortOnData); all inside np-srv over its own address, so one netns counts all.
"""
from __future__ import annotations

import datetime as _dt
import os
import random
import socket
import struct
import subprocess
import sys
import time

SRV, CLI = "np-srv", "np-cli"
SRV_IP, CLI_IP, SPOOF = "10.99.0.2", "10.99.0.1", "10.99.0.77"
HERE = os.path.dirname(os.path.abspath(__file__))
LOGS = os.path.normpath(os.path.join(HERE, "..", "logs"))

SYN_SYSCTLS = "net.core.somaxconn net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog"


def snap(extra: str = "") -> str:
    return "date; ss -tanp; nstat -az" + (f"; sysctl {extra}" if extra else "")


def sh(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def ns(name: str, *argv: str) -> subprocess.CompletedProcess:
    r = sh("ip", "netns", "exec", name, *argv)
    if r.returncode and argv[0] not in ("sh",):
        raise RuntimeError(f"{name}: {' '.join(argv)}: {r.stderr.decode().strip()}")
    return r


def spawn(name: str, code: str, *args: str) -> subprocess.Popen:
    p = subprocess.Popen(["ip", "netns", "exec", name, sys.executable, "-c", code, *args],
                         stdout=subprocess.PIPE, env=dict(os.environ, LC_ALL="C"))
    if "ready" in code:
        p.stdout.readline()
    return p


def setup() -> None:
    teardown()
    sh("ip", "netns", "add", SRV)
    sh("ip", "netns", "add", CLI)
    sh("ip", "link", "add", "np-v0", "netns", SRV, "type", "veth", "peer", "name", "np-v1", "netns", CLI)
    for name, dev, ip in ((SRV, "np-v0", SRV_IP), (CLI, "np-v1", CLI_IP)):
        ns(name, "ip", "link", "set", "lo", "up")
        ns(name, "ip", "addr", "add", f"{ip}/24", "dev", dev)
        ns(name, "ip", "link", "set", dev, "up")
    time.sleep(1.5)  # veth carrier up, IPv6 DAD done


def teardown() -> None:
    sh("ip", "netns", "del", SRV)
    sh("ip", "netns", "del", CLI)


def versions() -> str:
    ip = sh("ip", "-V").stdout.decode().strip()
    deb = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    return f"{ip}; kernel {os.uname().release}; Debian {deb}"


def run_snap(where: str, command: str, host_sysctl: str | None = None) -> bytes:
    out = ns(where, "sh", "-c", command).stdout
    if host_sysctl:
        out += sh("sysctl", host_sysctl).stdout
    return out


def write_log(stem: str, data: bytes, command: str, where: str, what: str, numbers: str) -> None:
    with open(os.path.join(LOGS, stem + ".log"), "wb") as f:
        f.write(data)
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        "source: captured locally by samples/counters/capture_rules.py",
        f"command: sh -c '{command}'  (run twice, around the scenario, inside netns {where})",
        f"setup: netns {SRV} ({SRV_IP}/24) and {CLI} ({CLI_IP}/24) joined by a veth pair, nothing else",
        f"date: {when}",
        f"tools: {versions()}",
        f"shows: {what}",
        f"measured: {numbers}",
        "file: exact stdout bytes of the two runs, concatenated",
    ]
    with open(os.path.join(LOGS, stem + ".note"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def nstat_value(text: bytes, name: str) -> int:
    for line in text.decode().splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return int(parts[1])
    return 0


def rises(first: bytes, second: bytes, names: list[str]) -> str:
    return ", ".join(f"{n} +{nstat_value(second, n) - nstat_value(first, n)}" for n in names)


# ------------------------------------------------------------------------- helpers (run in a netns)

LISTENER = r"""
import socket, sys, time
ip, port, backlog, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode == "noread":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind((ip, port)); s.listen(backlog)
print("ready", flush=True)
conns = []
while True:
    if mode == "never":
        time.sleep(3600)
    c, _ = s.accept()
    if mode == "close-first":      # answer and close first: TIME_WAIT on this side
        c.sendall(b"bye\n"); c.close()
    elif mode == "send":           # bulk sender: 4 MB, then close
        c.sendall(b"x" * 4_000_000); c.close()
    elif mode == "read-to-eof":    # read until the client closes, then close: TIME_WAIT on the client
        while c.recv(4096):
            pass
        c.close()
    elif mode == "abort-unread":   # read nothing, close with the client's bytes unread: RST
        time.sleep(0.05); c.close()
    else:                          # hold (noread / accept)
        conns.append(c)
"""

RAW_SYNS = r"""
import random, socket, struct, sys
src, dst, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
S, D = socket.inet_aton(src), socket.inet_aton(dst)
for i in range(n):
    sport = 40000 + i
    opts = struct.pack("!BBH", 2, 4, 1460)                   # MSS 1460
    tcp = struct.pack("!HHIIBBHHH", sport, port, random.getrandbits(32), 0, (6 << 4), 0x02, 64240, 0, 0) + opts
    c = csum(S + D + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, S, D)
    raw.sendto(ip + tcp, (dst, 0))
"""

CLOSE_FIRST = r"""
import socket, sys, time
ip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(n):                  # the client closes first: TIME_WAIT on this side
    c = socket.create_connection((ip, port)); c.sendall(b"GET\n"); c.close(); time.sleep(0.005)
"""

SHORT_CONNS = r"""
import socket, sys
ip, ports, n = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], int(sys.argv[3])
for i in range(n):                  # one port after the other, round robin
    c = socket.create_connection((ip, ports[i % len(ports)])); c.recv(16); c.close()
"""

IDLE = r"""
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
time.sleep(3600)
"""

FETCH = r"""
import socket, sys
ip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(n):
    c = socket.create_connection((ip, port)); got = 0
    while True:
        b = c.recv(65536)
        if not b: break
        got += len(b)
    c.close()
"""

ORPHANS = r"""
import socket, sys, time
ip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    c = socket.create_connection((ip, port)); c.setblocking(False)
    try:
        while True: c.send(b"x" * 65536)
    except BlockingIOError:
        pass
    socks.append(c)
print("ready", flush=True)
sys.stdin.readline()               # the parent lowers tcp_max_orphans, then says go
for c in socks:
    c.close(); time.sleep(0.02)   # paced 20 ms apart (closed all at once, every close was aborted)
print("closed", flush=True)
time.sleep(3600)
"""

RESETS = r"""
import socket, struct, sys, time
ip = sys.argv[1]
for _ in range(30):                 # refused: RST to a SYN (AttemptFails)
    c = socket.socket()
    try: c.connect((ip, 9))
    except ConnectionRefusedError: pass
    c.close()
held = []
for _ in range(20):                 # linger 0: close sends RST (the server's EstabResets)
    c = socket.create_connection((ip, 8080)); held.append(c)
time.sleep(0.2)
for c in held:
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
for _ in range(20):                 # the server closes with our bytes unread (its TCPAbortOnClose)
    c = socket.create_connection((ip, 8081)); c.sendall(b"request that nobody reads\n")
    time.sleep(0.1); c.close()
"""


# ------------------------------------------------------------------------- scenarios

def syn_flood(stem: str, cookies: int, max_syn_backlog: int, backlog: int, what: str) -> None:
    setup()
    ns(SRV, "sysctl", "-qw", f"net.ipv4.tcp_syncookies={cookies}", f"net.ipv4.tcp_max_syn_backlog={max_syn_backlog}",
       "net.ipv4.tcp_synack_retries=5")
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", str(backlog), "never")
    command = snap(SYN_SYSCTLS)
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        ns(CLI, sys.executable, "-c", RAW_SYNS, SPOOF, SRV_IP, "8080", "200")
        time.sleep(1)
        second = run_snap(SRV, command)
    finally:
        lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDoCookies",
                                    "TcpExtTCPReqQFullDrop", "TcpExtSyncookiesSent"])
    numbers += f"; SYN-RECV rows in the second run: {second.decode().count('SYN-RECV')}"
    write_log(stem, first + second, command, SRV, what, numbers)


def time_wait(stem: str, buckets: int | None, what: str, ports: tuple[int, ...] = (8080,), n: int = 100) -> None:
    """Servers that close first on ``ports``, ``n`` short connections to them in turn."""
    setup()
    if buckets is not None:
        ns(SRV, "sysctl", "-qw", f"net.ipv4.tcp_max_tw_buckets={buckets}")
    servers = [spawn(SRV, LISTENER, SRV_IP, str(port), "128", "close-first") for port in ports]
    command = snap("net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_fin_timeout")
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        ns(CLI, sys.executable, "-c", SHORT_CONNS, SRV_IP, ",".join(map(str, ports)), str(n))
        time.sleep(0.5)
        second = run_snap(SRV, command)
    finally:
        for p in servers:
            p.kill()
        teardown()
    numbers = rises(first, second, ["TcpExtTW", "TcpExtTCPTimeWaitOverflow", "TcpPassiveOpens"])
    text = second.decode()
    numbers += f"; TIME-WAIT rows in the second run: {text.count('TIME-WAIT')}"
    if len(ports) > 1:
        numbers += ": " + ", ".join(
            f"{sum(1 for line in text.splitlines() if line.startswith('TIME-WAIT') and f'{SRV_IP}:{port} ' in line)}"
            f" on {port}" for port in ports)
    write_log(stem, first + second, command, SRV, what, numbers)


def time_wait_client(stem: str, buckets: int, what: str) -> None:
    """The client side: np-cli closes first (its TIME_WAIT) with tcp_max_tw_buckets lowered
    there; the snapshots are taken in np-cli."""
    setup()
    ns(CLI, "sysctl", "-qw", f"net.ipv4.tcp_max_tw_buckets={buckets}")
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "read-to-eof")
    held = spawn(SRV, LISTENER, SRV_IP, "8081", "128", "accept")
    # one idle connection kept open throughout, so the first listing of np-cli is not empty
    idle = spawn(CLI, IDLE, SRV_IP, "8081")
    command = snap("net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_fin_timeout")
    try:
        first = run_snap(CLI, command)
        time.sleep(1)
        ns(CLI, sys.executable, "-c", CLOSE_FIRST, SRV_IP, "8080", "100")
        time.sleep(0.5)
        second = run_snap(CLI, command)
    finally:
        idle.kill(); held.kill(); lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpExtTW", "TcpExtTCPTimeWaitOverflow", "TcpActiveOpens"])
    numbers += f"; TIME-WAIT rows in the second run: {second.decode().count('TIME-WAIT')}"
    write_log(stem, first + second, command, CLI, what, numbers)


def orphans(stem: str) -> None:
    setup()
    old = sh("sysctl", "-n", "net.ipv4.tcp_max_orphans").stdout.decode().strip()
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "noread")
    cli = subprocess.Popen(["ip", "netns", "exec", CLI, sys.executable, "-c", ORPHANS, SRV_IP, "8080", "40"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    cli.stdout.readline()
    command = snap()
    try:
        first = run_snap(CLI, command, "net.ipv4.tcp_max_orphans")
        time.sleep(1)
        now = int(open("/proc/net/sockstat").read().split("orphan ")[1].split()[0])
        limit = now + 8
        sh("sysctl", "-qw", f"net.ipv4.tcp_max_orphans={limit}")
        try:
            cli.stdin.write(b"go\n"); cli.stdin.flush()
            cli.stdout.readline()
            time.sleep(0.3)
            second = run_snap(CLI, command, "net.ipv4.tcp_max_orphans")
        finally:
            sh("sysctl", "-qw", f"net.ipv4.tcp_max_orphans={old}")
    finally:
        cli.kill(); lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpExtTCPAbortOnMemory", "TcpExtTCPMemoryPressures", "TcpOutRsts"])
    numbers += (f"; orphans on the host before: {now}, tcp_max_orphans lowered to {limit} (restored to {old}); "
                f"FIN-WAIT-1 rows in the second run: {second.decode().count('FIN-WAIT-1')}")
    write_log(stem, first + second, command + "; (initial netns) sysctl net.ipv4.tcp_max_orphans", CLI,
              "40 clients in np-cli fill their send buffer towards a server in np-srv that never reads "
              "(SO_RCVBUF 4096), then close(): orphans in FIN-WAIT-1; the host's tcp_max_orphans was lowered "
              "to the orphans already there + 8 just before the closes, so the closes beyond it abort", numbers)


def retrans(stem: str, shaped: bool) -> None:
    setup()
    if shaped:
        ns(SRV, "tc", "qdisc", "add", "dev", "np-v0", "root", "tbf", "rate", "4mbit", "burst", "6k", "limit", "6k")
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "send")
    command = snap()
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        fetch = subprocess.Popen(["ip", "netns", "exec", CLI, sys.executable, "-c", FETCH, SRV_IP, "8080", "3"])
        fetch.wait(timeout=120)
        second = run_snap(SRV, command)
    finally:
        lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpOutSegs", "TcpRetransSegs", "TcpExtTCPLostRetransmit", "TcpExtTCPTimeouts"])
    what = ("three transfers of 4 MB from a server in np-srv to a client in np-cli" +
            (", np-srv's veth egress shaped by tc tbf rate 4mbit burst 6k limit 6k (its queue drops)" if shaped
             else ", no shaper"))
    write_log(stem, first + second, command, SRV, what, numbers)


def retrans_during(stem: str, info: bool) -> None:
    """Three clients fetch 4 MB each at once through np-srv's dropping tbf queue; the second run
    is taken 4 s in, while the connections are established and retransmitting."""
    setup()
    ns(SRV, "tc", "qdisc", "add", "dev", "np-v0", "root", "tbf", "rate", "4mbit", "burst", "6k", "limit", "6k")
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "send")
    command = "date; ss -tanpi; nstat -az" if info else snap()
    fetches = []
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        fetches = [subprocess.Popen(["ip", "netns", "exec", CLI, sys.executable, "-c", FETCH, SRV_IP, "8080", "1"])
                   for _ in range(3)]
        time.sleep(4)
        second = run_snap(SRV, command)
        for f in fetches:
            f.wait(timeout=120)
    finally:
        for f in fetches:
            f.kill()
        lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpOutSegs", "TcpRetransSegs", "TcpExtTCPLostRetransmit", "TcpExtTCPTimeouts"])
    numbers += f"; ESTAB rows in the second run: {second.decode().count('ESTAB')}"
    what = ("three clients in np-cli fetch 4 MB each at once from a server in np-srv, np-srv's veth egress shaped by "
            "tc tbf rate 4mbit burst 6k limit 6k (its queue drops); the second run 4 s in, the transfers under way" +
            ("; ss -i: tcp_info of each connection" if info else "; no -i: no tcp_info"))
    write_log(stem, first + second, command, SRV, what, numbers)


def retrans_after(stem: str) -> None:
    """One 4 MB transfer through the dropping tbf queue, finished before the second run; an
    idle connection opened after it: the listing has tcp_info, none of it retransmitted."""
    setup()
    ns(SRV, "tc", "qdisc", "add", "dev", "np-v0", "root", "tbf", "rate", "4mbit", "burst", "6k", "limit", "6k")
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "send")
    held = spawn(SRV, LISTENER, SRV_IP, "8081", "128", "accept")
    command = "date; ss -tanpi; nstat -az"
    idle = None
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        ns(CLI, sys.executable, "-c", FETCH, SRV_IP, "8080", "1")
        idle = spawn(CLI, IDLE, SRV_IP, "8081")
        time.sleep(0.5)
        second = run_snap(SRV, command)
    finally:
        if idle is not None:
            idle.kill()
        held.kill(); lis.kill()
        teardown()
    numbers = rises(first, second, ["TcpOutSegs", "TcpRetransSegs", "TcpExtTCPLostRetransmit", "TcpExtTCPTimeouts"])
    numbers += f"; ESTAB rows in the second run: {second.decode().count('ESTAB')}, retrans fields: {second.decode().count('retrans:')}"
    write_log(stem, first + second, command, SRV,
              "one client in np-cli fetches 4 MB from a server in np-srv whose veth egress is shaped by tc tbf rate "
              "4mbit burst 6k limit 6k (its queue drops); after it ends the client opens an idle connection to "
              "10.99.0.2:8081 (a server that holds it); the second run then, with ss -i (tcp_info)", numbers)


def resets(stem: str) -> None:
    setup()
    a = spawn(SRV, LISTENER, SRV_IP, "8080", "128", "accept")
    b = spawn(SRV, LISTENER, SRV_IP, "8081", "128", "abort-unread")
    command = snap()
    try:
        first = run_snap(SRV, command)
        time.sleep(1)
        ns(SRV, sys.executable, "-c", RESETS, SRV_IP)
        time.sleep(0.5)
        second = run_snap(SRV, command)
    finally:
        a.kill(); b.kill()
        teardown()
    numbers = rises(first, second, ["TcpAttemptFails", "TcpEstabResets", "TcpExtTCPAbortOnData", "TcpOutRsts",
                                    "TcpExtTCPAbortOnClose", "TcpActiveOpens"])
    write_log(stem, first + second, command, SRV,
              f"inside np-srv over {SRV_IP}: 30 connects to port 9 (closed: refused), 20 connections to 8080 "
              "(a server that accepts and holds) closed by the client with SO_LINGER 0, 20 to 8081 (a server "
              "that accepts and closes after 50 ms with the request unread)", numbers)


BURST = r"""
import socket, sys, time
ip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect((ip, port))
    except BlockingIOError:
        pass
    socks.append(c)
time.sleep(1.5)
"""


def nstat_plain(stem: str) -> None:
    """Plain ``nstat`` (increments since its previous run): a listener with backlog 1 that never
    accepts, a burst of 20 connects before the first run, 5 before the second."""
    setup()
    lis = spawn(SRV, LISTENER, SRV_IP, "8080", "1", "never")
    command = "date; ss -tanp; nstat; sysctl net.core.somaxconn"
    try:
        ns(SRV, "nstat", "-n")  # history now: the first run prints the increments since
        ns(SRV, sys.executable, "-c", BURST, SRV_IP, "8080", "20")
        first = run_snap(SRV, command)
        time.sleep(1)
        ns(SRV, sys.executable, "-c", BURST, SRV_IP, "8080", "5")
        second = run_snap(SRV, command)
    finally:
        lis.kill()
        teardown()
    numbers = (f"TcpExtListenOverflows printed {nstat_value(first, 'TcpExtListenOverflows')} then "
               f"{nstat_value(second, 'TcpExtListenOverflows')} (each the increment since the run before)")
    write_log(stem, first + second, command, SRV,
              "plain nstat (no -a: increments since its previous run; nstat -n set its history first); listener "
              "10.99.0.2:8080 listen(1), never accept()s; 20 non-blocking connects (held 1.5 s) before the first "
              "run, 5 before the second", numbers)


SCENARIOS = {
    "nstat-plain": lambda: nstat_plain("counters-nstat-plain"),
    "syn-cookies": lambda: syn_flood(
        "counters-syn-cookies", 1, 4096, 16,
        "tcp_syncookies=1; listener 10.99.0.2:8080 listen(16), never accept()s; between the runs 200 SYNs "
        "(raw socket in np-cli) from 10.99.0.77, an address with no neighbour (the SYN-ACKs go nowhere)"),
    "syn-drop": lambda: syn_flood(
        "counters-syn-drop", 0, 4096, 16,
        "tcp_syncookies=0; listener 10.99.0.2:8080 listen(16), never accept()s; between the runs 200 SYNs "
        "(raw socket in np-cli) from 10.99.0.77, an address with no neighbour"),
    "syn-backlog-drop": lambda: syn_flood(
        "counters-syn-backlog-drop", 0, 64, 128,
        "tcp_syncookies=0, tcp_max_syn_backlog=64; listener 10.99.0.2:8080 listen(128), never accept()s; "
        "between the runs 200 SYNs (raw socket in np-cli) from 10.99.0.77, an address with no neighbour"),
    "timewait-overflow": lambda: time_wait(
        "counters-timewait-overflow", 16,
        "tcp_max_tw_buckets=16 in np-srv; a server on 10.99.0.2:8080 that accepts, writes 4 bytes and closes "
        "first; between the runs 100 sequential short connections from np-cli"),
    "timewait-healthy": lambda: time_wait(
        "counters-timewait-healthy", None,
        "default tcp_max_tw_buckets; the same server and the same 100 short connections"),
    "timewait-overflow-client": lambda: time_wait_client(
        "counters-timewait-overflow-client", 16,
        "tcp_max_tw_buckets=16 in np-cli; a server on 10.99.0.2:8080 (np-srv) that reads until the client closes, "
        "then closes; between the runs 100 sequential connections from np-cli, each sending 4 bytes and closing first; "
        "one idle connection from np-cli to 10.99.0.2:8081 (a server that holds it) open throughout"),
    "timewait-overflow-spread": lambda: time_wait(
        "counters-timewait-overflow-spread", 16,
        "tcp_max_tw_buckets=16 in np-srv; servers on 10.99.0.2:8080, 8081 and 8082 that accept, write 4 bytes and "
        "close first; between the runs 99 sequential short connections from np-cli, to the three ports in turn",
        (8080, 8081, 8082), 99),
    "timewait-overflow-ports": lambda: time_wait(
        "counters-timewait-overflow-ports", 16,
        "tcp_max_tw_buckets=16 in np-srv; servers on 10.99.0.2:8080 to 8085 that accept, write 4 bytes and close "
        "first; between the runs 102 sequential short connections from np-cli, to the six ports in turn",
        (8080, 8081, 8082, 8083, 8084, 8085), 102),
    "orphan-abort": lambda: orphans("counters-orphan-abort"),
    "retrans": lambda: retrans("counters-retrans", True),
    "retrans-healthy": lambda: retrans("counters-retrans-healthy", False),
    "resets": lambda: resets("counters-resets"),
    "retrans-ti": lambda: retrans_during("counters-retrans-ti", True),
    "retrans-busy": lambda: retrans_during("counters-retrans-busy", False),
    "retrans-after": lambda: retrans_after("counters-retrans-after"),
}


def main() -> None:
    names = sys.argv[1:] or list(SCENARIOS)
    for name in names:
        SCENARIOS[name]()
        print("captured", name, file=sys.stderr)


if __name__ == "__main__":
    random.seed(17)
    main()
