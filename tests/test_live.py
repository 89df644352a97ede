"""Live mode: /proc reading with inode -> process attribution, the netstat runner for other
platforms (never a shell), the 'live' command, from_psutil(), and on Linux the agreement of live
mode, `ss -tanp`, `netstat -antp` and /proc/net/tcp* on sockets opened here on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import netparse
from netparse.live import proc as live
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()


def _app():
    from netparse.cli import app
    from netparse.cli.live import register

    if not any(c.name == "live" for c in app.registered_commands):
        register(app)
    return app


@pytest.fixture
def fake_proc(tmp_path: Path) -> Path:
    """A /proc tree made of the real samples: pid 100 holds inode 18950 (fd 3) and 18945 (fd 4),
    pid 200's fd table is unreadable, pid 300 has ended (no fd dir)."""
    net = tmp_path / "net"
    net.mkdir()
    for name in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix"):
        (net / name).write_bytes((SAMPLES / "proc" / f"corpus-linux_proc_net_{name}.txt").read_bytes())
    fd = tmp_path / "100" / "fd"
    fd.mkdir(parents=True)
    (tmp_path / "100" / "comm").write_text("nginx\n")
    os.symlink("socket:[18950]", fd / "3")
    os.symlink("socket:[18945]", fd / "4")
    os.symlink("/dev/null", fd / "0")
    (tmp_path / "200").mkdir()
    (tmp_path / "200" / "fd").write_text("not a directory: listing it fails like EACCES would")
    (tmp_path / "300").mkdir()
    (tmp_path / "self").mkdir()
    return tmp_path


def test_proc_sample_attributes_sockets_and_says_why_not(fake_proc: Path) -> None:
    got = live.sample_proc(fake_proc)
    by_inode = {s.inode: s for s in got.snapshot.sockets}
    assert (by_inode[18950].pid, by_inode[18950].process, by_inode[18950].fd) == (100, "nginx", 3)
    assert by_inode[18945].pid == 100 and by_inode[18946].pid is None
    att = got.attribution
    assert (att.processes, att.unreadable_processes, att.attributed) == (2, 1, 2)
    assert att.no_inode == 5  # TIME_WAIT and not-yet-accepted sockets print inode 0
    assert att.unattributed == att.sockets - att.attributed - att.no_inode > 0
    assert "could not be attributed" in att.message() and "1 of 2 processes" in att.message()
    assert {s.proto for s in got.snapshot.sockets} == {"tcp", "udp", "raw"}  # live knows the raw file
    assert {s.proto for s in live.sample_proc(fake_proc, unix=True).snapshot.sockets} >= {"unix"}


def test_netstat_runner_uses_a_fixed_argument_list_and_no_shell() -> None:
    calls = []
    text = (SAMPLES / "freebsd" / "jc-freebsd12-netstat-an.txt").read_bytes()

    def runner(argv, **kw):
        calls.append((argv, kw))
        return SimpleNamespace(returncode=0, stdout=text, stderr=b"")

    got = live.sample_netstat(live.netstat_command("FreeBSD"), runner=runner)
    (argv, kw), = calls
    assert argv == ["netstat", "-an"] and kw["shell"] is False and kw["env"]["LC_ALL"] == "C"
    assert got.snapshot.format == "bsd-netstat" and len(got.snapshot.sockets) == 20
    assert live.netstat_command("Darwin") == ["netstat", "-anv"]
    assert live.netstat_command("AIX") == ["netstat", "-Aan"]
    assert live.netstat_command("Windows") == ["netstat", "-ano"]

    def failing(argv, **kw):
        return SimpleNamespace(returncode=1, stdout=b"", stderr=b"netstat: not found\n")

    with pytest.raises(OSError, match="not found"):
        live.sample_netstat(["netstat", "-an"], runner=failing)


def test_live_command_outputs_and_filters(fake_proc: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(_app(), ["live", "--proc", str(fake_proc), "--output", "json", "--state", "listen"])
    assert res.exit_code == 0, res.output
    docs = json.loads(res.stdout)
    assert docs and all(d["state"] == "LISTEN" for d in docs)
    res = runner.invoke(_app(), ["live", "--proc", str(fake_proc), "-o", "jsonl", "--count", "2", "--interval", "0", "--port", "18080"])
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert {d["sample"] for d in lines} == {1, 2} and all("timestamp" in d for d in lines)
    assert all(18080 in (d.get("local_port"), d.get("remote_port")) for d in lines)
    res = runner.invoke(_app(), ["live", "--proc", str(fake_proc), "--pid", "100"])
    assert res.exit_code == 0 and "100/nginx" in res.stdout
    res = runner.invoke(_app(), ["live", "--proc", str(fake_proc), "--watch", "0.1", "--count", "2"])
    assert res.exit_code == 0 and "LISTEN" in res.stdout
    assert runner.invoke(_app(), ["live", "-o", "yaml"]).exit_code == 2


# -- this machine ----------------------------------------------------------------------------------


@pytest.fixture
def loopback_sockets():
    """LISTEN, an ESTABLISHED pair and a half-closed pair (FIN_WAIT_2 / CLOSE_WAIT) on 127.0.0.1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    a = socket.create_connection(("127.0.0.1", port))
    a_srv, _ = server.accept()
    b = socket.create_connection(("127.0.0.1", port))
    b_srv, _ = server.accept()
    b.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    yield port
    for s in (server, a, a_srv, b, b_srv):
        s.close()


def _tuples(sockets, port: int) -> set[tuple]:
    return {(s.local_address, s.local_port, s.remote_address, s.remote_port, s.state)
            for s in sockets if s.proto == "tcp" and port in (s.local_port, s.remote_port)}


@pytest.mark.skipif(not LINUX, reason="reads /proc/net")
def test_live_attributes_this_process(loopback_sockets) -> None:
    port = loopback_sockets
    mine = [s for s in live.sample().snapshot.sockets if s.local_port == port and s.state is TcpState.LISTEN]
    assert mine and mine[0].pid == os.getpid()


@pytest.mark.skipif(not (LINUX and shutil.which("ss") and shutil.which("netstat")), reason="needs /proc, ss and netstat")
def test_live_ss_netstat_and_proc_agree(loopback_sockets) -> None:
    port = loopback_sockets
    from_live = _tuples(live.sample().snapshot.sockets, port)
    ss = netparse.parse(subprocess.run(["ss", "-tanp"], capture_output=True, check=True).stdout)
    ns = netparse.parse(subprocess.run(["netstat", "-antp"], capture_output=True, check=True).stdout)
    proc = netparse.parse(Path("/proc/net/tcp").read_bytes() + Path("/proc/net/tcp6").read_bytes())
    assert from_live == _tuples(ss.sockets, port) == _tuples(ns.sockets, port) == _tuples(proc.sockets, port)
    assert {t[4] for t in from_live} >= {TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT}


# -- psutil ----------------------------------------------------------------------------------------


def test_convert_without_psutil() -> None:
    from netparse.live.psutil_source import convert

    addr = SimpleNamespace
    conns = [
        SimpleNamespace(fd=5, family=socket.AF_INET6, type=socket.SOCK_STREAM, laddr=addr(ip="::", port=22),
                        raddr=(), status="LISTEN", pid=7),
        SimpleNamespace(fd=-1, family=socket.AF_INET, type=socket.SOCK_DGRAM, laddr=addr(ip="127.0.0.1", port=53),
                        raddr=(), status="NONE", pid=None),
        SimpleNamespace(fd=6, family=socket.AF_INET, type=socket.SOCK_STREAM, laddr=addr(ip="10.0.0.1", port=40000),
                        raddr=addr(ip="10.0.0.2", port=443), status="SYN_RECV", pid=7),
    ]
    a, b, c = convert(conns, {7: "sshd"})
    assert (a.proto, a.family, a.local_address, a.local_port, a.state, a.process, a.fd) == (
        "tcp", "inet6", "::", 22, TcpState.LISTEN, "sshd", 5)
    assert (b.proto, b.state, b.fd, b.remote_address) == ("udp", TcpState.UNCONNECTED, None, "0.0.0.0")
    assert c.state is TcpState.SYN_RECEIVED and c.remote_port == 443


def test_from_psutil_matches_live(loopback_sockets) -> None:
    pytest.importorskip("psutil")
    from netparse.live.psutil_source import from_psutil

    port = loopback_sockets
    got = _tuples(from_psutil("tcp"), port)
    assert {t[4] for t in got} >= {TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT}
    if LINUX:
        assert got == _tuples(live.sample().snapshot.sockets, port)
    listener = [s for s in from_psutil("tcp") if s.local_port == port and s.state is TcpState.LISTEN]
    assert listener[0].pid == os.getpid() and listener[0].process
