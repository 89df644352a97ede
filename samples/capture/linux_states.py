#!/usr/bin/env python3
"""Capture real Linux net-tools `netstat` and iproute2 `ss` output as golden samples.

Run as root (Python 3.11+, stdlib only):

    python3 samples/capture/linux_states.py [--out samples/linux]

What it does (details in samples/capture/README.md):

* creates a private network namespace ``np-cap`` (only ``lo`` + a tun device
  ``np0`` that this script owns; no route leaves the namespace),
* re-executes itself inside the namespace (``ip netns exec np-cap ... --inside``),
  opens sockets in as many TCP states as it can (loopback tricks plus a userspace
  "fake peer" 192.0.2.9 that talks TCP through the tun device),
* runs every capture command as ``ip netns exec np-cap <cmd>`` with LC_ALL=C and
  stdout on a pipe, writes stdout byte-for-byte to ``<out>/<name>.txt`` and a
  ``<name>.note`` beside it,
* kills its helper processes and deletes the namespace.

Only documentation addresses are used (192.0.2.0/24, 2001:db8::/32, fe80::1 on the
tun device); packets for them never leave the namespace.
"""
from __future__ import annotations

import argparse
import ctypes
import datetime as _dt
import errno
import fcntl
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

NETNS = "np-cap"
TUN = "np0"
WORKDIR = "/tmp/np-cap"            # unix socket paths live here
ETC_NETNS = f"/etc/netns/{NETNS}"   # per-netns /etc/hosts + resolv.conf (bind-mounted by ip netns exec)
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "linux"))

LOCAL4 = "192.0.2.1"      # our address on np0
FAKE4 = "192.0.2.9"       # fake peer, answered by this script through the tun fd
BLACKHOLE4 = "192.0.2.2"  # nobody answers: SYN-SENT
LOCAL6 = "2001:db8::1"
BLACKHOLE6 = "2001:db8::2"
LONG6 = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"   # long enough to be cut by netstat without -W
LL6 = "fe80::1"

# Capture commands: (file stem, argv).  All run inside the netns.
NETSTAT_FLAGS = ["-an", "-ant", "-antp", "-antpe", "-anto", "-antpeo", "-antW", "-antpW",
                 "-anu", "-anup", "-anw", "-anx", "-anxp", "-lnt", "-at", "-tulpen", "-6antp"]
SS_FLAGS = ["-tan", "-tanp", "-tanpe", "-tano", "-tani", "-tanm", "-tanpieO", "-tanH",
            "-tuan", "-tuanp", "-uan", "-wan", "-xa", "-xap", "-an", "-tln", "-ta",
            "-tan6", "-tan4"]
SS_EXTRA = [  # (stem, argv)
    ("ss-tan-state-time-wait", ["ss", "-tan", "state", "time-wait"]),
    ("ss-tanp-state-established", ["ss", "-tanp", "state", "established"]),
    ("ss-tano-state-syn-sent", ["ss", "-tano", "state", "syn-sent"]),
    ("ss-tanoe", ["ss", "-tanoe"]),
    ("ss-s", ["ss", "-s"]),
]

NETSTAT_STATES = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
                  "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "CLOSE"]
SS_STATES = ["ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
             "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "UNCONN", "UNDEF"]
UNIX_STATES = ["LISTENING", "CONNECTED", "CONNECTING", "DISCONNECTING"]


def log(*a):
    print("[linux_states]", *a, file=sys.stderr, flush=True)


def run(argv, check=True, **kw):
    return subprocess.run(argv, check=check, **kw)


def tool_versions() -> dict:
    def out(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True)
            return (r.stdout or r.stderr).splitlines()[0].strip()
        except Exception as e:  # pragma: no cover
            return f"unknown ({e})"
    deb = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "n/a"
    return {
        "netstat": out(["netstat", "--version"]),
        "ss": out(["ss", "--version"]),
        "kernel": os.uname().release,
        "debian": deb,
    }


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
    # Per-netns hosts/resolv.conf: `ip netns exec` bind-mounts these over /etc, so
    # name lookups in the non -n captures are answered from a fixed hosts file and
    # DNS only ever goes to 127.0.0.1 inside the namespace (nothing listens there).
    os.makedirs(ETC_NETNS, exist_ok=True)
    with open(os.path.join(ETC_NETNS, "hosts"), "w") as f:
        f.write("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                f"{LOCAL4}\tnp-cap-local.example\n{FAKE4}\tfake-peer-with-a-long-name.example\n"
                f"{LONG6}\tnp-cap-long6.example\n")
    with open(os.path.join(ETC_NETNS, "resolv.conf"), "w") as f:
        f.write("# netparse capture netns: no real resolver\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    run(["ip", "netns", "add", NETNS])
    try:
        run(["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"])
        cmd = ["ip", "netns", "exec", NETNS, sys.executable, os.path.abspath(__file__),
               "--inside", "--out", os.path.abspath(args.out)]
        rc = subprocess.call(cmd)
        if rc != 0:
            sys.exit(f"inside part failed with rc={rc}")
    finally:
        cleanup()


def cleanup():
    subprocess.run(["ip", "netns", "del", NETNS], stderr=subprocess.DEVNULL)
    shutil.rmtree(ETC_NETNS, ignore_errors=True)
    try:
        os.rmdir(os.path.dirname(ETC_NETNS))   # /etc/netns, only if now empty
    except OSError:
        pass
    shutil.rmtree(WORKDIR, ignore_errors=True)


# ----------------------------------------------------------------------------------
# helpers used inside the namespace
# ----------------------------------------------------------------------------------

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1


def set_comm(name: str):
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


def die_with_parent():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def open_tun(name: str) -> int:
    TUNSETIFF = 0x400454CA
    IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class FakePeer:
    """A userspace TCP peer at FAKE4, speaking raw IPv4 through the tun fd.

    The kernel routes 192.0.2.0/24 to np0, so every segment it sends to FAKE4 (and to
    BLACKHOLE4) is read here; segments we write are received by the kernel as if they
    arrived on np0.  We decide which ACKs to withhold.
    """

    def __init__(self, fd: int):
        self.fd = fd
        self.ipid = 1000

    def send(self, sport, dport, seq, ack, flags, win=65535, opts=b"", payload=b""):
        doff = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          doff << 4, flags, win, 0, 0) + opts + payload
        src, dst = socket.inet_aton(FAKE4), socket.inet_aton(LOCAL4)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        c = csum(pseudo + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        self.ipid += 1
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ipid, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        os.write(self.fd, ip + tcp)

    def recv(self, dport, want, timeout=3.0):
        """Return (seq, ack, flags, payload_len) of the next kernel segment to FAKE4:dport
        whose flags contain all bits in `want`."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no segment to port {dport} with flags {want:#x}")
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            pkt = os.read(self.fd, 65535)
            if len(pkt) < 40 or pkt[0] >> 4 != 4 or pkt[9] != 6:
                continue
            ihl = (pkt[0] & 0xF) * 4
            if socket.inet_ntoa(pkt[16:20]) != FAKE4:
                continue
            sp, dp, seq, ack, off, flags = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
            plen = len(pkt) - ihl - (off >> 4) * 4
            if dp == dport and flags & want == want:
                return seq, ack, flags, plen

    def drain(self):
        while select.select([self.fd], [], [], 0)[0]:
            os.read(self.fd, 65535)


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS_OPT = struct.pack("!BBH", 2, 4, 1460)


def fake_handshake(peer: FakePeer, lsock: socket.socket, sport: int, lport: int, win=65535):
    """SYN -> SYN/ACK -> ACK from FAKE4:sport to LOCAL4:lport; returns (accepted_sock, p_next, k_next)."""
    p0 = 0x10000000 + sport
    peer.send(sport, lport, p0, 0, SYN, opts=MSS_OPT)
    k0, _, _, _ = peer.recv(sport, SYN | ACK)
    peer.send(sport, lport, p0 + 1, k0 + 1, ACK, win=win)
    lsock.settimeout(3)
    conn, addr = lsock.accept()
    assert addr[1] == sport, addr
    return conn, p0 + 1, k0 + 1


def tcp_listen(family, addr, backlog=16, v6only=None, reuse=True):
    s = socket.socket(family, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind(addr)
    s.listen(backlog)
    return s


def tcp_pair(lsock, family, dst, src=None):
    c = socket.socket(family, socket.SOCK_STREAM)
    if src is not None:
        c.bind(src)
    c.connect(dst)
    lsock.settimeout(3)
    a, _ = lsock.accept()
    return c, a


def wait_ready(rfd, what):
    r, _, _ = select.select([rfd], [], [], 10)
    if not r or os.read(rfd, 1) != b"1":
        raise RuntimeError(f"helper {what} did not become ready")


# ----------------------------------------------------------------------------------
# helper processes
# ----------------------------------------------------------------------------------

def child_shared(lsock_fd: int, wfd: int):
    """Forked after listen(): keeps a second reference to the 18088 listener."""
    die_with_parent()
    os.write(wfd, b"1")
    while True:
        time.sleep(3600)


def child_comm_renamed(wfd: int):
    """Forked child that renames its comm to 'my daemon' (cmdline stays python3 ...)."""
    die_with_parent()
    set_comm("my daemon")
    keep = []
    l = tcp_listen(socket.AF_INET, ("127.0.0.1", 18087))
    c, a = tcp_pair(l, socket.AF_INET, ("127.0.0.1", 18087))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 18097))
    ux = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ux.bind(os.path.join(WORKDIR, "my daemon.sock"))
    ux.listen(4)
    keep += [l, c, a, u, ux]
    os.write(wfd, b"1")
    while True:
        time.sleep(3600)


def exec_child_main(wfd: int):
    """Entry point of the exec'ed helper whose argv[0] is 'my daemon' (and comm too)."""
    die_with_parent()
    set_comm("my daemon")
    l = tcp_listen(socket.AF_INET, ("127.0.0.1", 18098))
    c, a = tcp_pair(l, socket.AF_INET, ("127.0.0.1", 18098))
    keep = [l, c, a]  # noqa: F841
    os.write(wfd, b"1")
    while True:
        time.sleep(3600)


# ----------------------------------------------------------------------------------
# inside the namespace: build the socket zoo, capture, write files
# ----------------------------------------------------------------------------------

def build_sockets(keep: list, children: list):
    # --- helper processes first, so they inherit as few of our sockets as possible
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            child_comm_renamed(w)
        finally:
            os._exit(0)
    children.append(pid)
    wait_ready(r, "comm-renamed child")

    p = subprocess.Popen(["my daemon", os.path.abspath(__file__), "--exec-child", str(w)],
                         executable=sys.executable, pass_fds=(w,))
    children.append(p.pid)
    wait_ready(r, "exec child")

    # shared listener: fork after listen -> ss -p prints two users: tuples
    shared = tcp_listen(socket.AF_INET, ("0.0.0.0", 18088))
    keep.append(shared)
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            child_shared(shared.fileno(), w)
        finally:
            os._exit(0)
    children.append(pid)
    wait_ready(r, "shared-listener child")
    os.close(r)
    os.close(w)
    c, a = tcp_pair(shared, socket.AF_INET, ("127.0.0.1", 18088))
    keep += [c, a]

    # --- 18080: LISTEN + ESTABLISHED with unread data (Recv-Q > 0) + keepalive timer
    l80 = tcp_listen(socket.AF_INET, ("127.0.0.1", 18080))
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.connect(("127.0.0.1", 18080))
    a, _ = l80.accept()
    c.sendall(b"x" * 1234)
    keep += [l80, c, a]

    # --- 18084: LISTEN with 3 un-accepted connections (Recv-Q 3 on LISTEN)
    l84 = tcp_listen(socket.AF_INET, ("127.0.0.1", 18084), backlog=8)
    keep.append(l84)
    for _ in range(3):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect(("127.0.0.1", 18084))
        keep.append(c)

    # --- 18083: dual-stack listener on :: ; IPv4 client -> IPv4-mapped accepted socket
    l83 = tcp_listen(socket.AF_INET6, ("::", 18083), v6only=False)
    c, a = tcp_pair(l83, socket.AF_INET, ("127.0.0.1", 18083))
    keep += [l83, c, a]

    # --- 18085: IPv6 loopback listener + connection; UDP6 on ::1
    l85 = tcp_listen(socket.AF_INET6, ("::1", 18085), v6only=True)
    c, a = tcp_pair(l85, socket.AF_INET6, ("::1", 18085))
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("::1", 18085))
    keep += [l85, c, a, u]

    # --- 18086: long global IPv6 (cut by netstat without -W)
    l86 = tcp_listen(socket.AF_INET6, (LONG6, 18086), v6only=True)
    c, a = tcp_pair(l86, socket.AF_INET6, (LONG6, 18086), src=(LONG6, 0))
    keep += [l86, c, a]

    # --- 18094: IPv6 on the tun address + v6 SYN-SENT to 2001:db8::2
    l94 = tcp_listen(socket.AF_INET6, (LOCAL6, 18094), v6only=True)
    c, a = tcp_pair(l94, socket.AF_INET6, (LOCAL6, 18094))
    keep += [l94, c, a]
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s6.setblocking(False)
    s6.bind((LOCAL6, 18099))
    try:
        s6.connect((BLACKHOLE6, 18094))
    except BlockingIOError:
        pass
    keep.append(s6)

    # --- 18096: link-local with scope id (fe80::1%np0)
    idx = socket.if_nametoindex(TUN)
    l96 = tcp_listen(socket.AF_INET6, (LL6, 18096, 0, idx), v6only=True)
    c, a = tcp_pair(l96, socket.AF_INET6, (LL6, 18096, 0, idx))
    keep += [l96, c, a]

    # --- 18089: half-close -> FIN_WAIT2 (client) / CLOSE_WAIT (server, never closes)
    l89 = tcp_listen(socket.AF_INET, ("127.0.0.1", 18089))
    c, a = tcp_pair(l89, socket.AF_INET, ("127.0.0.1", 18089))
    c.shutdown(socket.SHUT_WR)           # owned FIN_WAIT2 (ss -e shows <--)
    keep += [l89, c, a]
    c2, a2 = tcp_pair(l89, socket.AF_INET, ("127.0.0.1", 18089))
    c2.close()                           # orphaned FIN_WAIT2 (timer, no owner)
    keep.append(a2)

    # --- 18092: TIME_WAIT, once on the client side and once on the server side
    l92 = tcp_listen(socket.AF_INET, ("127.0.0.1", 18092))
    keep.append(l92)
    c, a = tcp_pair(l92, socket.AF_INET, ("127.0.0.1", 18092))
    c.close(); time.sleep(0.05); a.close()
    c, a = tcp_pair(l92, socket.AF_INET, ("127.0.0.1", 18092))
    a.close(); time.sleep(0.05); c.close()

    # --- 18093: FIN_WAIT1 on loopback: receiver never reads, sender's queue is full,
    #     then shutdown(SHUT_WR): the FIN waits behind the data (Send-Q > 0, probe timer)
    l93 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l93.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    l93.bind(("127.0.0.1", 18093))
    l93.listen(4)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    c.connect(("127.0.0.1", 18093))
    a, _ = l93.accept()
    c.setblocking(False)
    try:
        while True:
            c.send(b"y" * 4096)
    except BlockingIOError:
        pass
    time.sleep(0.3)
    c.shutdown(socket.SHUT_WR)
    keep += [l93, c, a]

    # --- UDP: bound with unread datagram (Recv-Q), connected, dual-stack, v6 connected
    u81 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u81.bind(("0.0.0.0", 18081))
    u82 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u82.bind(("127.0.0.1", 18082))
    u82.connect(("127.0.0.1", 18081))
    u82.send(b"hello")
    u95 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u95.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u95.bind(("::", 18095))
    u94 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u94.bind((LOCAL6, 18094))
    u94.connect((BLACKHOLE6, 18094))
    keep += [u81, u82, u95, u94]

    # --- raw ICMP / ICMPv6
    keep.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
    keep.append(socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6))

    # --- unix sockets
    def ulisten(kind, path, backlog=4):
        s = socket.socket(socket.AF_UNIX, kind)
        s.bind(path)
        s.listen(backlog)
        return s

    for kind, path in ((socket.SOCK_STREAM, os.path.join(WORKDIR, "demo.sock")),
                       (socket.SOCK_STREAM, os.path.join(WORKDIR, "path with space.sock")),
                       (socket.SOCK_STREAM, "\0np-cap-abstract"),
                       (socket.SOCK_SEQPACKET, os.path.join(WORKDIR, "seqpacket.sock"))):
        l = ulisten(kind, path)
        c = socket.socket(socket.AF_UNIX, kind)
        c.connect(path)
        a, _ = l.accept()
        keep += [l, c, a]
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d.bind(os.path.join(WORKDIR, "dgram.sock"))
    dc = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dc.connect(os.path.join(WORKDIR, "dgram.sock"))
    dc.send(b"unread datagram")
    du = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)          # unbound, unconnected
    keep += [d, dc, du]
    keep += list(socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))


def build_fake_peer_states(peer: FakePeer, keep: list):
    """States that need a peer that misbehaves: SYN_SENT, SYN_RECV, FIN_WAIT1,
    LAST_ACK, CLOSING, unacked data (retransmit timer), zero window (persist)."""
    # SYN_SENT: connect to 192.0.2.2, which is routed to np0; we never answer
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((LOCAL4, 18091))
    try:
        s.connect((BLACKHOLE4, 18091))
    except BlockingIOError:
        pass
    keep.append(s)

    l = tcp_listen(socket.AF_INET, (LOCAL4, 18090), backlog=16)
    keep.append(l)
    LP = 18090

    # SYN_RECV: send SYN, get SYN/ACK, never ACK
    peer.send(50001, LP, 0x20000000, 0, SYN, opts=MSS_OPT)
    peer.recv(50001, SYN | ACK)

    # FIN_WAIT1 (owned): our side shutdown(SHUT_WR); peer never ACKs the FIN
    conn, pn, kn = fake_handshake(peer, l, 50002, LP)
    conn.shutdown(socket.SHUT_WR)
    peer.recv(50002, FIN)
    keep.append(conn)

    # LAST_ACK (orphaned): peer FIN -> CLOSE_WAIT; close() sends FIN; peer never ACKs it
    conn, pn, kn = fake_handshake(peer, l, 50003, LP)
    peer.send(50003, LP, pn, kn, FIN | ACK)
    peer.recv(50003, ACK)
    time.sleep(0.05)
    conn.close()
    peer.recv(50003, FIN)

    # CLOSING: simultaneous close. We send FIN first; the peer's FIN crosses it and
    # does not acknowledge ours -> CLOSING, and the ACK for our FIN never comes.
    conn, pn, kn = fake_handshake(peer, l, 50004, LP)
    conn.shutdown(socket.SHUT_WR)
    peer.recv(50004, FIN)
    peer.send(50004, LP, pn, kn, FIN | ACK)   # ack = kn: does not cover our FIN
    peer.recv(50004, ACK)
    keep.append(conn)

    # ESTABLISHED with unacknowledged data: Send-Q > 0, retransmit timer "on"
    conn, pn, kn = fake_handshake(peer, l, 50005, LP)
    conn.send(b"z" * 100)
    peer.recv(50005, 0)
    keep.append(conn)

    # ESTABLISHED towards a zero window: Send-Q > 0, zero-window probe / persist timer
    conn, pn, kn = fake_handshake(peer, l, 50006, LP, win=0)
    conn.send(b"w" * 300)
    keep.append(conn)

    # ESTABLISHED with data from the peer that the application does not read
    conn, pn, kn = fake_handshake(peer, l, 50007, LP)
    peer.send(50007, LP, pn, kn, PSH | ACK, payload=b"q" * 77)
    peer.recv(50007, ACK)
    keep.append(conn)
    time.sleep(0.2)


def summarize(text: str, tool: str) -> str:
    """Which states / features appear in a capture (for the .note)."""
    lines = text.splitlines()
    out = []
    vocab = NETSTAT_STATES if tool == "netstat" else SS_STATES
    counts = {}
    for ln in lines:
        toks = ln.split()
        for st in vocab:
            if st in toks:
                counts[st] = counts.get(st, 0) + 1
    if counts:
        out.append("TCP/UDP states present (row counts): " +
                   ", ".join(f"{k}={v}" for k, v in counts.items()))
    ucounts = {st: sum(1 for ln in lines if f" {st} " in ln) for st in UNIX_STATES}
    ucounts = {k: v for k, v in ucounts.items() if v}
    if ucounts and (tool == "netstat"):
        out.append("unix states present: " + ", ".join(f"{k}={v}" for k, v in ucounts.items()))
    feats = []
    checks = [
        ("users:((", "ss users:(...) process field"),
        ("),(\"", "a socket with several users: tuples (shared by two processes)"),
        ("\"my daemon\"", "comm containing a space (\"my daemon\")"),
        ("/my daemon", "netstat PID/Program name containing a space (/my daemon)"),
        ("timer:(", "ss timer:(...)"),
        ("keepalive", "keepalive timer"),
        ("timewait", "timewait timer"),
        ("probe (", "netstat zero-window probe timer"),
        ("persist", "ss persist (zero-window) timer"),
        ("on (", "netstat retransmit timer on (...)"),
        ("timer:(on,", "ss retransmit timer (on,...)"),
        ("<->", "shutdown mark <-> (open)"),
        ("<--", "shutdown mark <-- (send side shut)"),
        ("-->", "shutdown mark --> (receive side shut)"),
        ("---", "shutdown mark --- (both shut)"),
        ("::ffff:", "IPv4-mapped address"),
        ("%np0", "IPv6 scope id %np0"),
        ("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", "long IPv6 address printed in full"),
        ("@np-cap-abstract", "abstract unix socket @name"),
        ("path with space", "unix path containing a space, printed in full"),
        ("my daemon.sock", "unix path containing a space (my daemon.sock)"),
        ("SEQPACKET", "unix SEQPACKET"), ("u_seq", "unix seqpacket (u_seq)"),
        ("skmem:(", "skmem:(...) memory info"),
        ("\t", "TAB-indented continuation lines"),
        ("localhost", "resolved host names (localhost)"),
        ("example", "resolved host names from the netns hosts file"),
        ("icmp", "raw icmp / ipv6-icmp rows"),
        ("sk:", "sk:HEX cookie"), ("cgroup:/", "cgroup:/ field"),
        ("cgroup:unreachable:", "cgroup:unreachable:1 (ss could not map the socket cgroup id to a path)"),
        ("v6only:", "v6only: field"), ("ino:", "ino: field"),
        ("RTNETLINK", "RTNETLINK error text in stdout"),
    ]
    for needle, desc in checks:
        if needle in text:
            feats.append(desc)
    if tool == "netstat":
        if re.search(r"2001:db8:aaaa:bbb:\d", text):
            feats.append("netstat cut long IPv6 address (no -W): 2001:db8:aaaa:bbb:PORT")
        if re.search(r"\.exam:\d|fake-peer-with-a-:", text):
            feats.append("netstat cut resolved host names (np-cap-local.exam:18090, fake-peer-with-a-:50003)")
        if re.search(r"/tmp/np-cap/(my|path)$", text, re.M):
            feats.append("unix paths containing a space are cut at the space by netstat "
                         "(/tmp/np-cap/my, /tmp/np-cap/path)")
        if "[::]:" in text:
            feats.append("bracketed IPv6 wildcard [::] (non-numeric output)")
    raw_rows = [ln for ln in lines if re.match(r"raw6? ", ln)]
    if raw_rows:
        out.append(f"raw socket rows: {len(raw_rows)} (State column holds the kernel's numeric state)")
    if feats:
        out.append("features: " + "; ".join(dict.fromkeys(feats)))
    if not text.strip():
        out.append("output is empty")
    return "\n".join(out)


SOCKET_PLAN = """\
Sockets open during the capture (netns np-cap; lo + tun np0 with 192.0.2.1/24,
2001:db8::1/64, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1/64, fe80::1/64; fake peer 192.0.2.9
is this script writing raw IPv4 into the tun fd):
  18080 LISTEN 127.0.0.1 + ESTABLISHED pair; server side Recv-Q 1234 (unread), client keepalive timer
  18081 UDP 0.0.0.0 bound, Recv-Q > 0 (one unread datagram); 18082 UDP connected -> 127.0.0.1:18081
  18083 dual-stack TCP listener :: (v6only 0) + IPv4 client -> ::ffff:127.0.0.1 accepted socket
  18084 LISTEN with 3 un-accepted connections (Recv-Q 3), their client sockets ESTABLISHED
  18085 TCP ::1 listener + pair, UDP6 ::1:18085
  18086 TCP on 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1 listener + pair (long address, cut without -W)
  18087 listener + pair + UDP 18097 + unix "/tmp/np-cap/my daemon.sock", owned by a forked child
        whose comm is "my daemon" (prctl) but whose cmdline is still python3
  18088 listener shared by two processes (fork after listen) + pair
  18089 half-close: FIN_WAIT2 (owned, shutdown SHUT_WR) + FIN_WAIT2 (orphaned, close) / 2x CLOSE_WAIT
  18090 listener on 192.0.2.1 talking to fake peer 192.0.2.9: SYN_RECV (:50001), FIN_WAIT1 (:50002),
        LAST_ACK orphan (:50003), CLOSING (:50004), unacked data/retransmit timer (:50005),
        zero window/persist timer (:50006), unread peer data Recv-Q 77 (:50007)
  18091 SYN_SENT 192.0.2.1:18091 -> 192.0.2.2:18091 (no answer); 18099 SYN_SENT v6 -> [2001:db8::2]:18094
  18092 TIME_WAIT x2 (one client side, one server side)
  18093 FIN_WAIT1 on loopback: peer never reads, Send-Q > 0, FIN queued behind data (probe timer)
  18094 TCP on 2001:db8::1 listener + pair; UDP6 2001:db8::1:18094 connected -> [2001:db8::2]:18094
  18095 UDP dual-stack :: ; 18096 TCP fe80::1%np0 listener + pair (scope id)
  18098 listener + pair owned by an exec'ed helper with argv[0] and comm "my daemon"
  raw ICMP + raw ICMPv6; unix: stream listeners /tmp/np-cap/demo.sock, "/tmp/np-cap/path with space.sock",
  abstract @np-cap-abstract, seqpacket /tmp/np-cap/seqpacket.sock (each with one connection),
  dgram /tmp/np-cap/dgram.sock + connected client, unbound dgram, socketpair stream
"""


def inside(args):
    os.makedirs(WORKDIR, exist_ok=True)
    keep, children = [], []
    tunfd = open_tun(TUN)
    for cmd in (["ip", "link", "set", TUN, "up"],
                ["ip", "addr", "add", f"{LOCAL4}/24", "dev", TUN],
                ["ip", "-6", "addr", "add", f"{LOCAL6}/64", "dev", TUN, "nodad"],
                ["ip", "-6", "addr", "add", f"{LONG6}/64", "dev", TUN, "nodad"],
                ["ip", "-6", "addr", "add", f"{LL6}/64", "dev", TUN, "nodad"]):
        run(cmd)
    time.sleep(0.3)
    peer = FakePeer(tunfd)
    try:
        build_sockets(keep, children)
        peer.drain()
        build_fake_peer_states(peer, keep)
        time.sleep(0.5)
        capture(args.out)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        for s in keep:
            try:
                s.close()
            except OSError:
                pass
        os.close(tunfd)


def capture(out_dir):
    vers = tool_versions()
    env = dict(os.environ, LC_ALL="C", LANG="C")
    env.pop("COLUMNS", None)
    jobs = []
    for f in NETSTAT_FLAGS:
        jobs.append((f"netstat{f}", ["netstat", f]))
    for f in SS_FLAGS:
        jobs.append((f"ss{f}", ["ss", f]))
    jobs += SS_EXTRA
    jobs += [("pair_netstat-antp", ["netstat", "-antp"]), ("pair_ss-tanp", ["ss", "-tanp"])]
    jobs = [(stem, argv, ["ip", "netns", "exec", NETNS] + argv) for stem, argv in jobs]
    t_start = time.monotonic()
    results = []
    for stem, argv, full in jobs:
        when = _dt.datetime.now(_dt.timezone.utc)
        r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        results.append((stem, argv, full, when, r))
    log(f"captured {len(results)} outputs in {time.monotonic() - t_start:.2f}s")
    for stem, argv, full, when, r in results:
        with open(os.path.join(out_dir, stem + ".txt"), "wb") as f:
            f.write(r.stdout)
        text = r.stdout.decode("utf-8", "replace")
        tool = argv[0]
        extra = ""
        if "state" in argv:
            st = argv[argv.index("state") + 1]
            nrows = max(0, len(text.splitlines()) - 1)
            extra = (f"state filter `state {st}`: all {nrows} data rows are in that state; "
                     "ss drops the State column when exactly one state is selected\n  ")
        pair = ""
        if stem.startswith("pair_"):
            pair = ("pair: pair_netstat-antp.txt and pair_ss-tanp.txt were run back to back "
                    "(netstat first, ss immediately after) over the same sockets.\n")
        note = [
            "source: captured locally by samples/capture/linux_states.py",
            f"command: {' '.join(_q(a) for a in full)}   (i.e. `{' '.join(_q(a) for a in argv)}` inside netns {NETNS})",
            f"run: one run of linux_states.py; all {len(results)} captures of this run were taken within "
            f"{results[-1][3].timestamp() - results[0][3].timestamp():.2f} s over the same sockets",
            f"date: {when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}",
            f"tools: {vers['netstat']}; {vers['ss']}; kernel {vers['kernel']}; Debian {vers['debian']}",
            "environment: root, LC_ALL=C, stdout is a pipe (not a tty), COLUMNS unset;",
            f"  {ETC_NETNS}/hosts maps 192.0.2.1=np-cap-local.example, 192.0.2.9=fake-peer-with-a-long-name.example,",
            "  2001:db8:aaaa:bbbb:cccc:dddd:eeee:1=np-cap-long6.example (only matters without -n).",
            f"exit status: {r.returncode}",
            "file: exact stdout bytes; stderr " + ("was empty" if not r.stderr else
                                                  "was NOT empty and is not in the .txt; it was:\n    " +
                                                  r.stderr.decode('utf-8', 'replace').rstrip().replace('\n', '\n    ')),
            pair.rstrip("\n") if pair else None,
            "shows: " + extra + (summarize(text, tool).replace("\n", "\n  ") or ("" if extra else "(see socket plan)")),
            "",
            SOCKET_PLAN,
        ]
        with open(os.path.join(out_dir, stem + ".note"), "w") as f:
            f.write("\n".join(x for x in note if x is not None))


def _q(a: str) -> str:
    return a if re.fullmatch(r"[A-Za-z0-9_./:=-]+", a) else repr(a)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default samples/linux)")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--exec-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.exec_child is not None:
        exec_child_main(args.exec_child)
    elif args.inside:
        inside(args)
    else:
        outer(args)


if __name__ == "__main__":
    main()
