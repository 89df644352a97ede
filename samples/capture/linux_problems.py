#!/usr/bin/env python3
"""Capture real `netstat`/`ss` output of a box with problems, for `netparse analyze`.

Run as root (Python 3.11+, stdlib only):

    python3 samples/capture/linux_problems.py [--out samples/linux]

What it does (details in samples/capture/README.md, section "Problem capture"):

* creates a private network namespace ``np-prob`` (only ``lo`` + a tun device ``npp0``
  with 192.0.2.1/24 that this script holds open and never reads from or answers on,
  so every packet routed to 192.0.2.0/24 goes nowhere; no route leaves the namespace),
* re-executes itself inside the namespace (``--inside``) and builds, in ~2 s:
    - a "leaky" server on 0.0.0.0:8080 in a helper exec'ed with argv[0] ``java`` and
      comm ``java`` (prctl PR_SET_NAME) that accepts and never closes: 150 loopback
      clients send a few bytes (100 of them) and close -> 150 CLOSE_WAIT owned by java,
      150 orphaned FIN_WAIT2 on the client side;
    - a listener on 127.0.0.1:9090 with backlog 8 that never accept()s + 20 clients
      -> accept queue full (Recv-Q 9 > Send-Q 8), the other clients stuck in SYN_SENT;
    - a stand-in listening socket on 0.0.0.0:6379 in a helper named ``redis-server``
      (argv[0] and comm; it is NOT Redis, just a python listen());
    - 12 non-blocking connect()s from the java helper to 192.0.2.2:5432 (routed into
      the tun device, never answered) -> SYN_SENT;
    - a healthy listener on 127.0.0.1:443 with 30 open connections (both ends ESTABLISHED),
* runs ``ss -tanp``, ``netstat -antp``, ``ss -tan``, ``netstat -an`` back to back inside
  the namespace (LC_ALL=C, stdout on a pipe) and writes ``<out>/problems_<cmd>.txt``
  (exact stdout bytes) and a ``.note`` beside each,
* kills its helpers and deletes the namespace (also when it fails).

Only loopback and documentation addresses (192.0.2.0/24) inside the namespace are used.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from linux_states import (  # noqa: E402  (helpers of the state capture script)
    _q,
    die_with_parent,
    open_tun,
    set_comm,
    summarize,
    tcp_listen,
    tool_versions,
)

NETNS = "np-prob"
TUN = "npp0"
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "linux"))

LOCAL4 = "192.0.2.1"      # our address on the tun device
BLACKHOLE4 = "192.0.2.2"  # routed into the tun device; nobody answers -> SYN_SENT

LEAK_PORT, LEAK_CLIENTS, LEAK_SENDERS = 8080, 150, 100
QUEUE_PORT, QUEUE_BACKLOG, QUEUE_CLIENTS = 9090, 8, 20
REDIS_PORT = 6379
DB_PORT, DB_ATTEMPTS = 5432, 12
HTTPS_PORT, HTTPS_CONNS = 443, 30

JOBS = [  # (file stem, argv) -- all run inside the netns, back to back
    ("problems_ss-tanp", ["ss", "-tanp"]),
    ("problems_netstat-antp", ["netstat", "-antp"]),
    ("problems_ss-tan", ["ss", "-tan"]),
    ("problems_netstat-an", ["netstat", "-an"]),
]


def log(*a):
    print("[linux_problems]", *a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------
# outer part: namespace setup / teardown
# ----------------------------------------------------------------------------------

def outer(args):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    for tool in ("ip", "netstat", "ss"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install -y net-tools iproute2")
    cleanup()
    os.makedirs(args.out, exist_ok=True)
    subprocess.run(["ip", "netns", "add", NETNS], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"], check=True)
        cmd = ["ip", "netns", "exec", NETNS, sys.executable, os.path.abspath(__file__),
               "--inside", "--out", os.path.abspath(args.out)]
        rc = subprocess.call(cmd)
        if rc != 0:
            sys.exit(f"inside part failed with rc={rc}")
    finally:
        cleanup()


def cleanup():
    subprocess.run(["ip", "netns", "del", NETNS], stderr=subprocess.DEVNULL)


# ----------------------------------------------------------------------------------
# helper processes (exec'ed with a chosen argv[0], comm set to the same name)
# ----------------------------------------------------------------------------------

def helper_java(wfd: int):
    """The leaky application server: accepts on 0.0.0.0:8080 and never reads or closes;
    its database (192.0.2.2:5432) does not answer."""
    die_with_parent()
    set_comm("java")
    keep = []
    lsock = tcp_listen(socket.AF_INET, ("0.0.0.0", LEAK_PORT), backlog=256)
    keep.append(lsock)
    for _ in range(DB_ATTEMPTS):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((BLACKHOLE4, DB_PORT))
        except BlockingIOError:
            pass
        keep.append(s)
    os.write(wfd, b"1")                      # ready: listening
    accepted = 0
    while True:
        conn, _ = lsock.accept()             # blocking; never read, never closed
        keep.append(conn)
        accepted += 1
        if accepted == LEAK_CLIENTS:
            os.write(wfd, b"2")              # all clients accepted


def helper_redis(wfd: int):
    """Stand-in for redis-server: a bare listening socket on 0.0.0.0:6379."""
    die_with_parent()
    set_comm("redis-server")
    lsock = tcp_listen(socket.AF_INET, ("0.0.0.0", REDIS_PORT), backlog=511)
    keep = [lsock]  # noqa: F841
    os.write(wfd, b"1")
    while True:
        time.sleep(3600)


HELPERS = {"java": helper_java, "redis-server": helper_redis}


def wait_byte(rfd, want: bytes, what: str, timeout=10.0):
    r, _, _ = select.select([rfd], [], [], timeout)
    got = os.read(rfd, 1) if r else b""
    if got != want:
        raise RuntimeError(f"{what}: expected {want!r} from helper, got {got!r}")


def spawn(name: str, children: list) -> int:
    """Exec this script with argv[0]=name (netstat -p shows it) and comm=name (ss -p shows it)."""
    r, w = os.pipe()
    # PYTHONHOME: with a bare argv[0] Python looks the name up in PATH to find its prefix;
    # a real /usr/bin/java there would send it to the wrong standard library.
    env = dict(os.environ, PYTHONHOME=sys.base_prefix)
    p = subprocess.Popen([name, os.path.abspath(__file__), "--helper", name, "--fd", str(w)],
                         executable=sys.executable, pass_fds=(w,), env=env)
    os.close(w)
    children.append(p)
    wait_byte(r, b"1", f"helper {name}")
    return r


# ----------------------------------------------------------------------------------
# inside the namespace
# ----------------------------------------------------------------------------------

def build(keep: list, children: list):
    # helpers first, so they inherit none of our sockets
    java_r = spawn("java", children)
    redis_r = spawn("redis-server", children)
    keep += [java_r, redis_r]

    # 443: healthy traffic, 30 open connections, nothing left in any queue
    l443 = tcp_listen(socket.AF_INET, ("127.0.0.1", HTTPS_PORT), backlog=128)
    keep.append(l443)
    for _ in range(HTTPS_CONNS):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect(("127.0.0.1", HTTPS_PORT))
        a, _ = l443.accept()
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        a.recv(4096)
        a.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        c.recv(4096)
        keep += [c, a]

    # 9090: backlog 8, never accept() -> 9 queued, the rest of the SYNs are dropped
    l9090 = tcp_listen(socket.AF_INET, ("127.0.0.1", QUEUE_PORT), backlog=QUEUE_BACKLOG)
    keep.append(l9090)
    for _ in range(QUEUE_CLIENTS):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", QUEUE_PORT))
        except BlockingIOError:
            pass
        keep.append(c)
        time.sleep(0.01)

    # 8080: 150 clients; java accepts all of them, then 100 send a few bytes, all close
    clients = []
    for _ in range(LEAK_CLIENTS):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect(("127.0.0.1", LEAK_PORT))
        clients.append(c)
    wait_byte(java_r, b"2", "java accepted all clients")
    for i, c in enumerate(clients):
        if i < LEAK_SENDERS:
            c.sendall(b"GET /api/orders/%d HTTP/1.1\r\n\r\n" % i)
        c.close()
    time.sleep(0.5)


def inside(args):
    keep, children = [], []
    tunfd = open_tun(TUN)
    for cmd in (["ip", "link", "set", TUN, "up"],
                ["ip", "addr", "add", f"{LOCAL4}/24", "dev", TUN]):
        subprocess.run(cmd, check=True)
    time.sleep(0.3)
    try:
        build(keep, children)
        capture(args.out)
    finally:
        for p in children:
            try:
                p.send_signal(signal.SIGKILL)
                p.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        for s in keep:
            try:
                s.close() if hasattr(s, "close") else os.close(s)
            except OSError:
                pass
        os.close(tunfd)


SOCKET_PLAN = f"""\
Sockets open during the capture (netns {NETNS}; lo + tun {TUN} with {LOCAL4}/24 that the script
holds open but never reads or answers, so whatever is routed to 192.0.2.0/24 goes nowhere):
  8080  LISTEN 0.0.0.0:8080 owned by "java": a python3 helper exec'ed with argv[0]=java and
        comm java (prctl PR_SET_NAME); it accept()s and never reads or closes. {LEAK_CLIENTS} clients
        (the script itself) connected to 127.0.0.1:8080, {LEAK_SENDERS} of them sent a 30/31-byte request,
        then all close()d -> {LEAK_CLIENTS} CLOSE_WAIT owned by java and {LEAK_CLIENTS} orphaned FIN_WAIT2 on
        the client side (these vanish after tcp_fin_timeout, 60 s; the capture runs ~0.5 s after
        the close()s). Recv-Q of the CLOSE_WAIT rows: 31/32 on the {LEAK_SENDERS} that sent a request,
        1 on the other {LEAK_CLIENTS - LEAK_SENDERS}: the kernel reports rcv_nxt - copied_seq, and the peer's
        FIN takes one sequence number that stays "unread" until the application reads the EOF.
  9090  LISTEN 127.0.0.1:9090, backlog {QUEUE_BACKLOG}, never accept()ed; {QUEUE_CLIENTS} non-blocking clients ->
        accept queue full (ss LISTEN Recv-Q 9 / Send-Q 8: Linux queues backlog+1), those 9
        clients ESTABLISHED (their server ends have no owner), the SYNs of the other
        {QUEUE_CLIENTS - 9} are dropped (ListenOverflows) -> SYN_SENT towards 127.0.0.1:9090.
  6379  LISTEN 0.0.0.0:6379 owned by "redis-server": a STAND-IN, a python3 helper exec'ed with
        argv[0]=redis-server and comm redis-server that only calls listen(). It is not Redis.
  5432  {DB_ATTEMPTS} non-blocking connect()s by the java helper to {BLACKHOLE4}:5432 (routed into the
        tun device, never answered) -> SYN_SENT from {LOCAL4}.
  443   LISTEN 127.0.0.1:443 + {HTTPS_CONNS} connections, one request/response each, both ends
        ESTABLISHED with empty queues (healthy traffic), owned by the script (python3).
"""


def count_rows(text: str, tool: str) -> list[str]:
    """A few per-port facts for the .note, counted from the captured text."""
    cw = "CLOSE-WAIT" if tool == "ss" else "CLOSE_WAIT"
    ss_ = "SYN-SENT" if tool == "ss" else "SYN_SENT"
    fw = "FIN-WAIT-2" if tool == "ss" else "FIN_WAIT2"
    rows = [ln.split() for ln in text.splitlines()]
    tcp = [r for r in rows if r and (tool == "ss" or r[0] in ("tcp", "tcp6"))]

    def row(r):
        # ss: State Recv-Q Send-Q Local Peer ...; netstat: Proto Recv-Q Send-Q Local Foreign State ...
        if tool == "ss":
            return r[0], int(r[1]), int(r[2]), r[3], r[4]
        return (r[5] if len(r) > 5 else ""), int(r[1]), int(r[2]), r[3], r[4]

    out = []
    parsed = []
    for r in tcp:
        try:
            parsed.append(row(r))
        except (ValueError, IndexError):
            pass                              # header line
    n_cw = [p for p in parsed if p[0] == cw and p[3].endswith(f":{LEAK_PORT}")]
    out.append(f"{len(n_cw)} {cw} on local :{LEAK_PORT} ({sum(1 for p in n_cw if p[1] > 1)} with Recv-Q > 1, "
               f"{sum(1 for p in n_cw if p[1] == 1)} with Recv-Q 1 = only the FIN)")
    out.append(f"{sum(1 for p in parsed if p[0] == fw and p[4].endswith(f':{LEAK_PORT}'))} {fw} "
               f"towards :{LEAK_PORT}")
    for p in parsed:
        if p[0] == "LISTEN" and p[3].endswith(f":{QUEUE_PORT}"):
            out.append(f"LISTEN :{QUEUE_PORT} Recv-Q {p[1]} Send-Q {p[2]}")
    out.append(f"{sum(1 for p in parsed if p[0] == ss_ and p[4].endswith(f':{QUEUE_PORT}'))} {ss_} "
               f"towards 127.0.0.1:{QUEUE_PORT}")
    out.append(f"{sum(1 for p in parsed if p[0] == ss_ and p[4] == f'{BLACKHOLE4}:{DB_PORT}')} {ss_} "
               f"towards {BLACKHOLE4}:{DB_PORT}")
    return out


def capture(out_dir):
    vers = tool_versions()
    env = dict(os.environ, LC_ALL="C", LANG="C")
    env.pop("COLUMNS", None)
    results = []
    for stem, argv in JOBS:
        full = ["ip", "netns", "exec", NETNS] + argv
        when = _dt.datetime.now(_dt.timezone.utc)
        r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        results.append((stem, argv, full, when, r))
    span = results[-1][3].timestamp() - results[0][3].timestamp()
    log(f"captured {len(results)} outputs in {span:.2f}s")
    for stem, argv, full, when, r in results:
        with open(os.path.join(out_dir, stem + ".txt"), "wb") as f:
            f.write(r.stdout)
        text = r.stdout.decode("utf-8", "replace")
        tool = argv[0]
        note = [
            "source: captured locally by samples/capture/linux_problems.py",
            f"command: {' '.join(_q(a) for a in full)}   (i.e. `{' '.join(_q(a) for a in argv)}` inside netns {NETNS})",
            f"run: one run of linux_problems.py; its {len(results)} captures (problems_ss-tanp, "
            f"problems_netstat-antp, problems_ss-tan, problems_netstat-an) were taken back to back within "
            f"{span:.2f} s over the same sockets",
            f"date: {when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}",
            f"tools: {vers['netstat']}; {vers['ss']}; kernel {vers['kernel']}; Debian {vers['debian']}",
            "environment: root, LC_ALL=C, stdout is a pipe (not a tty), COLUMNS unset",
            f"exit status: {r.returncode}",
            "file: exact stdout bytes; stderr " + ("was empty" if not r.stderr else
                                                  "was NOT empty and is not in the .txt; it was:\n    " +
                                                  r.stderr.decode('utf-8', 'replace').rstrip().replace('\n', '\n    ')),
            "purpose: a real listing of a box with problems, for `netparse analyze` (README example and "
            "tests/test_real_problems.py); the problems are staged, the sockets and the output are real",
            "shows: " + summarize(text, tool).replace("\n", "\n  "),
            "  counted: " + "; ".join(count_rows(text, tool)),
            "",
            SOCKET_PLAN,
        ]
        with open(os.path.join(out_dir, stem + ".note"), "w") as f:
            f.write("\n".join(note))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default samples/linux)")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--helper", choices=sorted(HELPERS), help=argparse.SUPPRESS)
    ap.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.helper:
        HELPERS[args.helper](args.fd)
    elif args.inside:
        inside(args)
    else:
        outer(args)


if __name__ == "__main__":
    main()
