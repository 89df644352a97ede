"""The live row path (netparse/live/stream.py): the same records as the model path, on sockets
these tests open themselves on loopback (a listener with a full accept queue, an established
pair moving data, a half-closed pair, UDP, raw, unix); the kernel-side filters (state masks,
port bytecode) keep exactly what the Python filter keeps; `live -o jsonl` loads no model.

Tests that need root fail (not skip) under CI=true when it is missing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netparse.filters import socket_filter
from netparse.live import collect, containers, netlink, owners, stream
from netparse.model import Container, Owner, SocketMemory, Socket, TcpInfo
from netparse.output import rowjson
from netparse.output.records import record_json
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()
CI = os.environ.get("CI") == "true"


def need_root() -> None:
    if not (LINUX and os.geteuid() == 0):
        if CI:
            pytest.fail("CI must run the live tests as root on Linux")
        pytest.skip("needs root on Linux")


def netparse_cmd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netparse", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, stdin=subprocess.DEVNULL)


def test_field_orders_are_the_models() -> None:
    """The row writer lists fields in the models' order without importing them."""
    assert rowjson.FIELDS == tuple(Socket.model_fields)
    assert netlink.TCP_INFO_ORDER == tuple(TcpInfo.model_fields)
    assert netlink._SKMEM == tuple(SocketMemory.model_fields)
    assert list(owners.owner_fields("nginx", 7, 3)) == [f for f in Owner.model_fields]
    full = containers.from_cgroup("/kubepods/besteffort/pod1c7e4a62-3b3f-4b8e-9c1e-2a2f1d0e9b7a/" + "c" * 64)
    assert list(full) == list(Container.model_fields)


@pytest.fixture
def sockets():
    """What the tests read: every kind of socket the row path decodes, opened here."""
    need_root()
    opened = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)
    port = listener.getsockname()[1]
    opened.append(listener)
    pending = []
    for _ in range(3):  # backlog 2, never accepted: a full accept queue
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        pending.append(c)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(8)
    busy_port = busy.getsockname()[1]
    a = socket.create_connection(("127.0.0.1", busy_port))
    b, _ = busy.accept()
    a.sendall(b"x" * 100_000)
    b.recv(50_000)
    half = socket.create_connection(("127.0.0.1", busy_port))
    half_srv, _ = busy.accept()
    half.shutdown(socket.SHUT_WR)
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.bind(("::1", 0))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ux = socket.socket(socket.AF_UNIX)
    ux.bind(f"\0netparse-stream-{os.getpid()}")
    ux.listen(1)
    opened += [*pending, busy, a, b, half, half_srv, udp, raw, ux]
    time.sleep(0.3)
    inodes = {os.fstat(s.fileno()).st_ino for s in opened}
    yield {"port": port, "busy_port": busy_port, "inodes": inodes}
    for s in opened:
        s.close()


def test_row_json_is_record_json_of_the_validated_row(sockets) -> None:
    """Every row of this machine (with tcp_info, memory, unix, owners, containers) writes as
    the model path writes the Socket validated from it, byte for byte."""
    rows = list(stream.Stream(unix=True, info=True))
    assert {r["inode"] for r in rows} >= sockets["inodes"]
    kinds = set()
    for row in rows:
        assert rowjson.row_text(row) == record_json(Socket.model_validate(row)), row
        kinds.add((row["proto"], str(row["state"]), "tcp_info" in row, "memory" in row, "pid" in row))
    assert ("tcp", "LISTEN", True, True, True) in kinds and ("tcp", "ESTABLISHED", True, True, True) in kinds
    assert {k[0] for k in kinds} >= {"tcp", "udp", "raw", "unix"}


def _stable(doc: dict) -> dict:
    """A record without what moves between two reads (timers, rates, last-send times)."""
    doc = dict(doc)
    doc.pop("line", None)
    for key in ("timer_seconds", "timer_name", "timer_retrans", "tcp_info", "memory"):
        doc.pop(key, None)
    return doc


def test_stream_and_sample_give_the_same_records(sockets) -> None:
    """The jsonl stream and the validated snapshot agree on the test's sockets, unfiltered and
    with --state/--port filters (which both now pass to the kernel)."""
    mine = sockets["inodes"]
    for states, ports in ((None, None), ({TcpState.LISTEN}, None), (None, [sockets["busy_port"]]),
                          ({TcpState.ESTABLISHED, TcpState.UNCONNECTED}, [sockets["port"], sockets["busy_port"]])):
        keep = socket_filter([s.value for s in states or ()], ports or ())
        query = stream.Query(states, ports)
        rows = {r["inode"]: json.loads(rowjson.row_text(r)) for r in stream.Stream(unix=True, query=query, keep=keep)
                if r["inode"] in mine}
        snap = collect.sample(unix=True, states=states, ports=ports).snapshot
        models = {s.inode: json.loads(record_json(s)) for s in snap.sockets if s.inode in mine and keep(s)}
        assert {k: _stable(v) for k, v in rows.items()} == {k: _stable(v) for k, v in models.items()}, (states, ports)
        assert rows, (states, ports)


def _key(r: dict) -> tuple:
    return tuple(str(r.get(k)) for k in ("proto", "local_address", "local_port", "remote_address", "remote_port",
                                         "inode", "sk"))


def test_kernel_filters_keep_what_the_python_filter_keeps(sockets) -> None:
    """The port bytecode and the state masks ask the kernel for exactly the sockets the
    predicate keeps (the local or the remote port; TCP and datagram states)."""
    sock = netlink.open_socket()
    with sock:
        everything = [stream.Row(r) for r in netlink.records(sock, missing=stream.raw_from_proc(Path("/proc")))]
        for ports in ([sockets["port"]], [sockets["busy_port"]], [sockets["port"], sockets["busy_port"], 1]):
            for states in (None, {TcpState.LISTEN}, {TcpState.ESTABLISHED}, {TcpState.UNCONNECTED}):
                keep = socket_filter([s.value for s in states or ()], ports)
                query = stream.Query(states, ports)
                got = list(query.records(sock, "/proc", False, False))
                expected = [r for r in everything if keep(r)]
                assert sorted(map(_key, (r for r in got if keep(stream.Row(r))))) == sorted(map(_key, expected))
                # the kernel sent nothing the filter drops, except raw sockets read from /proc
                assert all(keep(stream.Row(r)) for r in got if r["proto"] != "raw"), (ports, states)
                assert expected or states == {TcpState.UNCONNECTED}
    assert netlink.port_bytecode([]) is None
    assert len(netlink.port_bytecode([80, 443])) == 4 * 20 - 4


def test_cli_jsonl_loads_no_model_and_filters_in_the_kernel(sockets) -> None:
    port = sockets["port"]
    code = ("import sys; sys.argv = ['netparse', 'live', '-o', 'jsonl', '--port', '%d', '--state', 'listen'];"
            "from netparse.cli.app import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('netparse.model', 'netparse.grammars', 'rich', "
            "'pyparsing', 'pydantic'))), file=sys.stderr)") % port
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert [(r["local_port"], r["state"], r["recv_q"], r["send_q"], r["pid"]) for r in rows] == [
        (port, "LISTEN", 3, 2, os.getpid())], res.stderr
    assert res.stderr.strip().splitlines()[-1] == "[]", res.stderr
    # the table and json outputs (the model path) say the same
    doc = json.loads(netparse_cmd("live", "-o", "json", "--port", str(port), "--state", "listen").stdout)
    assert doc == rows


@pytest.mark.parametrize("argv", [
    [], ["-o", "jsonl"], ["-o", "jsonl", "--no-owners"], ["--output=json", "--port", "80", "--port", "ssh"],
    ["--state", "listen", "--state", "time-wait", "--pid", "1", "--unix", "-i", "--all-netns"],
    ["--watch", "2.5", "--count", "3", "--interval", "0", "--source", "proc", "--show-issues", "--csv-raw"],
    ["--owners", "--textfile", "/tmp/x.prom", "--proc", "/proc", "--proto", "udp"],
])
def test_quick_arguments_are_typers(argv) -> None:
    """The plain parse of `live` arguments gives the values typer gives the same function."""
    from typer.main import get_command

    from netparse.cli.app import app
    from netparse.cli.live import quick_arguments

    live = get_command(app).commands["live"]
    assert quick_arguments(argv) == live.make_context("live", list(argv)).params


@pytest.mark.parametrize("argv", [
    ["--help"], ["--count", "0"], ["--watch", "0.01"], ["--pid", "x"], ["-o"], ["--bogus"], ["-io", "jsonl"],
    ["--unix=yes"], ["stray"],
])
def test_quick_arguments_leave_the_rest_to_typer(argv) -> None:
    from netparse.cli.live import quick_arguments

    assert quick_arguments(argv) is None


def test_usage_errors_are_typers() -> None:
    for argv, words in ((["--count", "0"], "greater than or equal to 1"), (["--port", "nope"], "neither a port"),
                        (["-o", "xml"], "use table, json, jsonl")):
        res = netparse_cmd("live", *argv)
        assert res.returncode == 2 and words in res.stderr and "Usage:" in res.stderr, res.stderr


def test_raw_rows_that_do_not_read_are_issues(tmp_path: Path) -> None:
    """netlink has no raw module here: /proc/net/raw is read instead, and a row of it that does
    not read is a reported issue with its line number, not a socket silently left out."""
    text = (ROOT / "samples" / "proc" / "corpus-linux_proc_net_raw.txt").read_text()
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "raw").write_text(text + "  98: 00000000:0001 00000000\n")
    issues: list = []
    rows = list(stream.raw_from_proc(tmp_path, issues)("raw", socket.AF_INET))
    assert [(r["proto"], r["local_port"], r["inode"]) for r in rows] == [("raw", 1, 18969)]
    assert [(i.line, i.text.strip()) for i in issues] == [(2, "98: 00000000:0001 00000000")]
    assert "raw" in issues[0].reason
