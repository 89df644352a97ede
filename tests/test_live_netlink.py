"""Live mode through sock_diag netlink, on sockets these tests open themselves (loopback only):
the full accept queue is CRITICAL live as through `ss -tanp | netparse analyze`, the /proc
fallback (forced), agreement with /proc and ss, tcp_info from netlink and from ss -i text,
unix/udp/raw tables, every network namespace, containers from cgroups made by hand.

Tests that need root, ss or ip fail (not skip) under CI=true when those are missing."""

from __future__ import annotations

import re
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from livetools import cgroup2_mount

import netparse
from netparse.live import collect, netlink, owners
from netparse.live.containers import from_cgroup
from netparse.model import Container
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()
CI = os.environ.get("CI") == "true"


def need(ok: bool, what: str) -> None:
    if not ok:
        if CI:
            pytest.fail(f"CI must provide {what}")
        pytest.skip(f"needs {what}")


def need_linux() -> None:
    need(LINUX, "Linux /proc/net")


def need_root() -> None:
    need(LINUX and os.geteuid() == 0, "root")


def need_tool(name: str) -> None:
    need(shutil.which(name) is not None, name)


def netparse_cmd(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netparse", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def full_queue():
    """A listener with backlog 4 and 5 connections waiting that it never accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    clients = []
    for _ in range(5):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        clients.append(c)
    time.sleep(0.3)
    yield port
    for s in [server, *clients]:
        s.close()


def _np010(doc: dict, port: int) -> list[tuple[str, str]]:
    return [(f["severity"], f["message"]) for f in doc["findings"] if f["code"] == "NP010" and f.get("local_port") == port]


def test_full_accept_queue_is_critical_live_exactly_as_through_ss(full_queue) -> None:
    need_linux()
    need_tool("ss")
    port = full_queue
    ss_text = subprocess.run(["ss", "-tanp"], capture_output=True, text=True, check=True).stdout
    # live mode reads the sysctls the rules use: the pipe gets the one NP010 reads beside ss's table
    ss_text += f"net.core.somaxconn = {Path('/proc/sys/net/core/somaxconn').read_text().strip()}\n"
    piped = subprocess.run([sys.executable, "-m", "netparse", "analyze", "-o", "json"], input=ss_text,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    live = netparse_cmd("analyze", "--live", "-o", "json")
    assert live.returncode == 0, live.stderr
    from_ss, from_live = _np010(json.loads(piped.stdout), port), _np010(json.loads(live.stdout), port)
    assert from_live == from_ss and len(from_live) == 1
    severity, message = from_live[0]
    assert severity == "critical" and "5 connections waiting for a backlog of 4" in message
    assert json.loads(live.stdout)["inputs"][0]["format"] == "netlink"
    # the LISTEN row shows the backlog as Send-Q, as ss does
    rows = json.loads(netparse_cmd("live", "-o", "json", "--port", str(port), "--state", "listen").stdout)
    assert [(r["recv_q"], r["send_q"]) for r in rows] == [(5, 4)]


def test_forced_fallback_reads_proc_and_says_so(full_queue, monkeypatch) -> None:
    need_linux()
    port = full_queue
    res = netparse_cmd("analyze", "--live", "-o", "json", env={"NETPARSE_LIVE_SOURCE": "proc"})
    doc = json.loads(res.stdout)
    assert doc["inputs"][0]["format"] == "proc-net"
    (severity, message), = _np010(doc, port)
    assert severity == "info" and "backlog is not in /proc/net/tcp output" in message
    # netlink refused (a sandbox): the snapshot says why it fell back
    def refused():
        raise netlink.NetlinkError("no sock_diag netlink socket: [Errno 93] Protocol not supported")

    monkeypatch.setattr(netlink, "open_socket", refused)
    snap = collect.sample().snapshot
    assert snap.format == "proc-net" and snap.collector.startswith("proc (netlink unavailable: no sock_diag")
    assert any(s.local_port == port and s.state is TcpState.LISTEN for s in snap.sockets)
    with pytest.raises(collect.SourceError):
        collect.sample(source="netlink")
    bad = netparse_cmd("live", "--source", "carrier-pigeon")
    assert bad.returncode == 1 and "unknown live source" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def loopback():
    """LISTEN, an ESTABLISHED pair with 200 kB sent and read, a half-closed pair, on 127.0.0.1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    a = socket.create_connection(("127.0.0.1", port))
    a_srv, _ = server.accept()
    a.sendall(b"x" * 200_000)
    got = 0
    while got < 200_000:
        got += len(a_srv.recv(65536))
    b = socket.create_connection(("127.0.0.1", port))
    b_srv, _ = server.accept()
    b.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    yield port, a
    for s in (server, a, a_srv, b, b_srv):
        s.close()


def _key(s):
    return (s.local_address, s.local_port, s.remote_address, s.remote_port, s.state)


def test_netlink_agrees_with_proc_and_ss(loopback) -> None:
    need_linux()
    need_tool("ss")
    port, _ = loopback
    nl = collect.sample(source="netlink").snapshot
    pr = collect.sample(source="proc").snapshot
    assert nl.format == "netlink" and nl.collector == "netlink" and pr.collector == "proc"

    def mine(snap):
        return {_key(s): s for s in snap.sockets if s.proto == "tcp" and port in (s.local_port, s.remote_port)}

    a, b = mine(nl), mine(pr)
    assert set(a) == set(b) and {k[4] for k in a} >= {TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.FIN_WAIT_2}
    for k, s in a.items():
        assert (s.inode, s.user, s.pid, s.process) == (b[k].inode, b[k].user, b[k].pid, b[k].process)
        if s.state is not TcpState.LISTEN:
            assert (s.recv_q, s.send_q) == (b[k].recv_q, b[k].send_q)
    listener = next(s for k, s in a.items() if k[4] is TcpState.LISTEN)
    assert listener.pid == os.getpid() and listener.send_q == 8 and b[_key(listener)].send_q == 0
    ss = netparse.parse(subprocess.run(["ss", "-tanpe"], capture_output=True, check=True).stdout)
    c = mine(ss)
    assert set(c) == set(a)
    for k, s in a.items():
        assert (s.recv_q, s.send_q, s.inode, s.sk, s.shutdown) == (c[k].recv_q, c[k].send_q, c[k].inode, c[k].sk, c[k].shutdown)


def test_tcp_info_from_netlink_and_from_ss_text_agree(loopback) -> None:
    need_linux()
    need_tool("ss")
    port, client = loopback
    nl = [s for s in collect.sample(info=True).snapshot.sockets if s.local_port == client.getsockname()[1]]
    (mine,) = nl
    ti = mine.tcp_info
    assert ti.bytes_acked >= 200_000 and ti.rtt_ms > 0 and ti.cwnd >= 1 and ti.mss > 0 and ti.congestion
    assert mine.memory is not None and mine.memory.sndbuf > 0
    text = subprocess.run(["ss", "-tnim", "sport", "=", f":{client.getsockname()[1]}"], capture_output=True,
                          check=True).stdout
    (parsed,) = [s for s in netparse.parse(text).sockets if s.local_port == client.getsockname()[1]]
    assert parsed.info and parsed.tcp_info is not None and parsed.memory is not None
    p = parsed.tcp_info
    assert (p.congestion, p.mss, p.snd_wscale, p.rcv_wscale, p.pmtu) == (ti.congestion, ti.mss, ti.snd_wscale, ti.rcv_wscale, ti.pmtu)
    assert p.bytes_acked == ti.bytes_acked
    assert set(p.options or []) <= set(ti.options)  # ss 6.1 on kernel 6.18 prints no 'ts sack' here
    assert abs(p.rtt_ms - ti.rtt_ms) < 50 and p.send_rate_bps > 0


def test_unix_udp_and_raw_tables() -> None:
    need_root()
    path = f"/tmp/netparse-test-{os.getpid()}.sock"
    ux = socket.socket(socket.AF_UNIX)
    ux.bind(path)
    ux.listen(2)
    pair = socket.socketpair()
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    abstract.bind(f"\0netparse-{os.getpid()}")
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.bind(("::1", 0))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    try:
        snap = collect.sample(unix=True).snapshot
        by_inode = {s.inode: s for s in snap.sockets}
        listen = by_inode[os.fstat(ux.fileno()).st_ino]
        assert (listen.proto, listen.state, listen.path, listen.type, listen.pid) == (
            "unix", TcpState.LISTEN, path, "stream", os.getpid())
        a, b = (by_inode[os.fstat(s.fileno()).st_ino] for s in pair)
        assert a.peer_inode == b.inode and a.state is TcpState.ESTABLISHED
        assert by_inode[os.fstat(abstract.fileno()).st_ino].path == f"@netparse-{os.getpid()}"
        u = by_inode[os.fstat(udp.fileno()).st_ino]
        assert (u.proto, u.family, u.local_address, u.state) == ("udp", "inet6", "::1", TcpState.UNCONNECTED)
        r = by_inode[os.fstat(raw.fileno()).st_ino]
        assert (r.proto, r.local_port, r.pid) == ("raw", 1, os.getpid())
    finally:
        for s in (ux, *pair, abstract, udp, raw):
            s.close()
        os.unlink(path)


# -- network namespaces and containers ------------------------------------------------------------

LISTENER = """
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(3)
print("ready", flush=True); time.sleep(60)
"""


@pytest.fixture
def netns():
    need_root()
    need_tool("ip")
    name = f"np-test-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
    procs = []
    yield name, procs
    for p in procs:
        p.kill()
        p.wait()
    subprocess.run(["ip", "netns", "del", name], check=False)


def test_all_netns_reads_every_namespace(netns) -> None:
    name, procs = netns
    p = subprocess.Popen(["ip", "netns", "exec", name, sys.executable, "-c", LISTENER, "47321"], stdout=subprocess.PIPE,
                         text=True)
    procs.append(p)
    assert p.stdout.readline().strip() == "ready"
    res = netparse_cmd("live", "--all-netns", "-o", "jsonl", "--port", "47321", "--state", "listen")
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    inode = os.stat(f"/run/netns/{name}").st_ino
    assert [(r["netns"], r["send_q"]) for r in rows] == [({"inode": inode, "name": name}, 3)], res.stderr
    assert rows[0]["pid"] != os.getpid() and rows[0]["process"].startswith("python")
    # without --all-netns the namespace is not read; analyze reports each namespace apart
    assert netparse_cmd("live", "-o", "jsonl", "--port", "47321").stdout == ""
    doc = json.loads(netparse_cmd("analyze", "--live", "--all-netns", "-o", "json").stdout)
    assert any(i["source"].endswith(f"netns {name} ({inode})") and i["sockets"] >= 1 for i in doc["inputs"])
    # the fallback reads /proc/PID/net of a process inside
    snap = collect.sample(source="proc", all_netns=True).snapshot
    assert [s.netns.name for s in snap.sockets if s.local_port == 47321] == [name]


def test_container_named_from_a_cgroup_made_by_hand() -> None:
    need_root()
    root = cgroup2_mount()
    need(root is not None, "a cgroup2 mount")
    cid = uuid.uuid4().hex + uuid.uuid4().hex
    pod = str(uuid.uuid4())
    made = [root / "system.slice" / f"docker-{cid}.scope",
            root / "kubepods.slice" / f"kubepods-pod{pod.replace('-', '_')}.slice" / f"cri-containerd-{cid}.scope"]
    procs = []
    try:
        for i, group in enumerate(made):
            group.mkdir(parents=True, exist_ok=True)
            p = subprocess.Popen([sys.executable, "-c", LISTENER, str(47400 + i)], stdout=subprocess.PIPE, text=True)
            procs.append(p)
            (group / "cgroup.procs").write_text(str(p.pid))
            assert p.stdout.readline().strip() == "ready"
        rows = [json.loads(x) for x in netparse_cmd("live", "-o", "jsonl", "--state", "listen").stdout.splitlines()]
        by_port = {r["local_port"]: r for r in rows}
        assert by_port[47400]["container"] == {"runtime": "docker", "id": cid, "short_id": cid[:12]}
        assert by_port[47400]["cgroup"] == f"/system.slice/docker-{cid}.scope"
        assert by_port[47401]["container"] == {"runtime": "containerd", "id": cid, "short_id": cid[:12], "pod_uid": pod}
        # analyze names the container: the docker listener has 3 waiting connections of a backlog of 3
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", 47400))
            procs.append(c)
        time.sleep(0.3)
        doc = json.loads(netparse_cmd("analyze", "--live", "-o", "json").stdout)
        (msg,) = [f["message"] for f in doc["findings"] if f["code"] == "NP010" and f.get("local_port") == 47400]
        assert f"container docker {cid[:12]}" in msg and "is full" in msg
    finally:
        for p in procs:
            if isinstance(p, socket.socket):
                p.close()
                continue
            p.kill()
            p.wait()
        for group in made:
            d = group
            while d != root:  # only directories left empty go (system.slice is kept if a host has it)
                try:
                    d.rmdir()
                except OSError:
                    break
                d = d.parent


@pytest.mark.parametrize("path, expected", [
    ("/system.slice/docker-" + "a" * 64 + ".scope", ("docker", "a" * 64, None)),
    ("/docker/" + "b" * 64, ("docker", "b" * 64, None)),
    ("/kubepods/burstable/pod1c7e4a62-3b3f-4b8e-9c1e-2a2f1d0e9b7a/" + "c" * 64, ("kubernetes", "c" * 64,
                                                                                 "1c7e4a62-3b3f-4b8e-9c1e-2a2f1d0e9b7a")),
    ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1c7e4a62_3b3f_4b8e_9c1e_2a2f1d0e9b7a.slice/"
     "crio-" + "d" * 64 + ".scope", ("cri-o", "d" * 64, "1c7e4a62-3b3f-4b8e-9c1e-2a2f1d0e9b7a")),
    ("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + "e" * 64 + ".scope/container",
     ("podman", "e" * 64, None)),
    ("/machine.slice/systemd-nspawn@web.service/payload", ("systemd-nspawn", "web", None)),
    ("/lxc.payload.c1/init.scope", ("lxc", "c1", None)),
    ("/machine.slice/libpod-conmon-" + "e" * 64 + ".scope", None),
    ("/user.slice/user-1000.slice/session-2.scope", None),
    ("/", None),
])
def test_container_paths(path, expected) -> None:
    got = from_cgroup(path)
    assert (None if got is None else (got["runtime"], got["id"], got.get("pod_uid"))) == expected
    if got is not None:  # the fields of the model's Container, as the record validates them
        assert Container.model_validate(got).model_dump(exclude_none=True) == got


# -- pieces ---------------------------------------------------------------------------------------


def test_decode_tcp_info_units_and_short_structs() -> None:
    data = bytearray(240)
    data[1], data[5], data[6] = 4, 1 | 2, (7 << 4) | 9  # ca_state loss, ts+sack, rcv 7 snd 9
    struct.pack_into("=I", data, 68, 25_500)  # rtt 25.5 ms in microseconds
    struct.pack_into("=I", data, 80, 12)  # cwnd
    struct.pack_into("=I", data, 76, 0x7FFFFFFF)  # infinite ssthresh: left out
    struct.pack_into("=Q", data, 160, 1_000_000)  # delivery rate bytes/s
    struct.pack_into("=I", data, 228, 0)  # snd_wnd 0
    got = netlink.decode_tcp_info(bytes(data), "cubic")
    assert (got["rtt_ms"], got["cwnd"], got["delivery_rate_bps"], got["options"], got["congestion"]) == (
        25.5, 12, 8_000_000, ["ts", "sack"], "cubic")
    assert (got["snd_wscale"], got["rcv_wscale"], got["ca_state"], got["snd_wnd"]) == (9, 7, 4, 0)
    assert "ssthresh" not in got
    old = netlink.decode_tcp_info(bytes(data[:104]))  # a 2.6-era struct: no bytes_acked, no snd_wnd
    assert old["cwnd"] == 12 and "bytes_acked" not in old and "snd_wnd" not in old


class FakeNetlink:
    def __init__(self, answers):
        self.answers = list(answers)

    def sendto(self, data, addr):
        self.seq = struct.unpack_from("=IHHII", data)[3]

    def recv_into(self, buf):
        data = self.answers.pop(0)(self.seq)
        buf[: len(data)] = data
        return len(data)


def test_bad_netlink_answers_are_an_error_not_a_record() -> None:
    short = lambda seq: struct.pack("=IHHII", 24, 20, 2, seq, 0) + b"\0" * 8  # noqa: E731 - 8 bytes, 72 expected
    with pytest.raises(netlink.NetlinkError, match="inet_diag answer of 8 bytes"):
        list(netlink.inet_records(FakeNetlink([short]), "tcp", socket.AF_INET))
    cut = lambda seq: struct.pack("=IHHII", 400, 20, 2, seq, 0)  # noqa: E731 - claims more than was read
    with pytest.raises(netlink.NetlinkError, match="length 400"):
        list(netlink.inet_records(FakeNetlink([cut]), "tcp", socket.AF_INET))
    denied = lambda seq: struct.pack("=IHHIIi", 20, 2, 0, seq, 0, -1)  # noqa: E731 - NLMSG_ERROR -EPERM
    with pytest.raises(netlink.NetlinkError, match="Operation not permitted"):
        list(netlink.inet_records(FakeNetlink([denied]), "tcp", socket.AF_INET))


def test_ss_info_text_reads_into_tcp_info() -> None:
    from netparse.grammars import tcp_info

    info, mem = tcp_info.parse("skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d3) ts sack cubic wscale:7,7 "
                               "rto:204 rtt:0.03/0.015 cwnd:10 ssthresh:7 retrans:0/3 bytes_acked:1234 send 1.2Mbps "
                               "delivery_rate 3.5Gbps busy:4ms rwnd_limited:2ms(50.0%) snd_wnd:0 lastsnd:x")
    assert mem == {"rmem_alloc": 0, "rcvbuf": 131072, "wmem_alloc": 0, "sndbuf": 2626560, "fwd_alloc": 0,
                   "wmem_queued": 0, "optmem": 0, "backlog": 0, "drops": 3}
    assert info == {"options": ["ts", "sack"], "congestion": "cubic", "snd_wscale": 7, "rcv_wscale": 7,
                    "rto_ms": 204.0, "rtt_ms": 0.03, "rttvar_ms": 0.015, "cwnd": 10, "ssthresh": 7, "retrans": 0,
                    "total_retrans": 3, "bytes_acked": 1234, "send_rate_bps": 1_200_000,
                    "delivery_rate_bps": 3_500_000_000, "busy_ms": 4, "rwnd_limited_ms": 2, "snd_wnd": 0}


def test_attribution_note_only_when_it_changes_the_answer() -> None:
    quiet = owners.Attribution(sockets=10, attributed=8, unattributed=2, processes=50, is_root=True)
    assert quiet.message() and quiet.notice() is None  # kernel sockets: no one could say more
    loud = owners.Attribution(sockets=10, attributed=8, unattributed=2, processes=50, unreadable_processes=3)
    assert "run as root" in loud.notice()


def test_owner_cache_keys_by_pid_and_start_time() -> None:
    need_linux()
    cache = owners.OwnerCache()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        for _ in range(2):
            snap = collect.sample(cache=cache).snapshot
            (me,) = [s for s in snap.sockets if s.local_port == server.getsockname()[1]]
            assert me.pid == os.getpid()
        start = Path(f"/proc/{os.getpid()}/stat").read_text().rpartition(")")[2].split()[19]
        assert (os.getpid(), start) in cache.processes
        assert len([k for k in cache.processes if k[0] == os.getpid()]) == 1
    finally:
        server.close()


def test_live_analyze_header_names_the_source_once_and_the_time_to_the_second() -> None:
    need_linux()
    head = netparse_cmd("analyze", "--live").stdout.splitlines()[0]
    assert re.fullmatch(r"netlink sock_diag \[[^,\]]+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\]: [\d,]+ sockets?(: .*)?", head), head
    proc = netparse_cmd("analyze", "--live", env={"NETPARSE_LIVE_SOURCE": "proc"}).stdout.splitlines()[0]
    assert "(proc-net): " in proc  # the fallback's format is not in its source: still said
