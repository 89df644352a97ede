"""Linux /proc/net/* text: hex addresses in host byte order, st codes, queues, timers, unix.
Real samples in samples/proc (see their .note files)."""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.grammars.proc_net import decode_address
from netparse.model import Family
from netparse.states import TcpState

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "proc"


@pytest.mark.parametrize(
    ("text", "order", "address"),
    [
        ("0100007F", "little", "127.0.0.1"),
        ("7F000001", "big", "127.0.0.1"),
        ("00000000000000000000000001000000", "little", "::1"),
        ("000080FE00000000FF00FC00010000FE", "little", "fe80::fc:ff:fe00:1"),
        ("0000000000000000FFFF00000100007F", "little", "::ffff:127.0.0.1"),
        ("00000000000000000000000000000001", "big", "::1"),
    ],
)
def test_decode_address(text, order, address) -> None:
    assert decode_address(text, order)[0] == address


def test_tcp_rows() -> None:
    snap = netparse.parse_file(SAMPLES / "corpus-linux_proc_net_tcp.txt")
    assert snap.format == "proc-net" and not snap.issues
    rows = {s.line: s for s in snap.sockets}
    est = rows[6]  # 4: 0100007F:46A0 0100007F:AD86 01 00000000:000004D2
    assert (est.local_address, est.local_port, est.remote_port) == ("127.0.0.1", 18080, 44422)
    assert (est.state, est.state_label, est.recv_q, est.send_q, est.inode) == (TcpState.ESTABLISHED, "01", 1234, 0, 18950)
    keep = rows[7]  # 02:000AE5B4 keepalive timer
    assert (keep.timer_name, keep.timer_seconds) == ("keepalive", round(0xAE5B4 / 100, 2))
    tw = rows[12]  # TIME_WAIT rows stop after the pointer
    assert tw.state is TcpState.TIME_WAIT and tw.timer_name == "timewait" and tw.inode == 0
    assert {s.state for s in snap.sockets} == {TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.FIN_WAIT_2,
                                               TcpState.TIME_WAIT, TcpState.CLOSE_WAIT}


def test_tcp6_and_udp() -> None:
    tcp6 = netparse.parse_file(SAMPLES / "corpus-linux_proc_net_tcp6.txt")
    assert {s.local_address for s in tcp6.sockets} >= {"::1", "::", "fe80::fc:ff:fe00:1", "fd00::2", "::ffff:127.0.0.1"}
    assert all(s.family == Family.INET6 for s in tcp6.sockets)
    udp = netparse.parse_file(SAMPLES / "corpus-linux_proc_net_udp.txt")
    assert [(s.proto, s.state, s.recv_q) for s in udp.sockets] == [
        ("udp", TcpState.ESTABLISHED, 0), ("udp", TcpState.UNCONNECTED, 832)]


def test_unix_rows() -> None:
    snap = netparse.parse_file(SAMPLES / "corpus-linux_proc_net_unix.txt")
    listening = [s for s in snap.sockets if s.state is TcpState.LISTEN]
    assert {s.path for s in listening} == {"/tmp/cap/demo.sock", "/tmp/cap/demo.seq", "@demo-abstract"}
    assert {s.type for s in snap.sockets} == {"stream", "dgram", "seqpacket"}
    dgram = next(s for s in snap.sockets if s.type == "dgram")
    assert dgram.state is TcpState.UNCONNECTED


def test_raw_and_big_endian_formats() -> None:
    text = (SAMPLES / "corpus-linux_proc_net_raw.txt").read_text()
    assert netparse.parse(text).sockets[0].proto == "udp"  # the udp and raw files look the same
    raw = netparse.parse(text, format="proc-net-raw").sockets[0]
    assert (raw.proto, raw.local_port, raw.state) == ("raw", 1, TcpState.UNCONNECTED)
    # constructed: the corpus row 2 of tcp as a big-endian host would print 127.0.0.1
    be = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
          "   2: 7F000001:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18945 1 00000000d79ef907 100 0 0 10 0\n")
    (s,) = netparse.parse(be, format="proc-net-be").sockets
    assert (s.local_address, s.local_port, s.state) == ("127.0.0.1", 18080, TcpState.LISTEN)
    assert netparse.parse(be).sockets[0].local_address == "1.0.0.127"  # read as little-endian


def test_formats_lists_the_new_grammars() -> None:
    from typer.testing import CliRunner

    from netparse.cli import app

    out = CliRunner().invoke(app, ["formats"]).stdout
    for name in ("bsd-netstat", "aix-netstat", "solaris-netstat", "busybox-netstat", "proc-net", "proc-net-be", "proc-net-raw"):
        assert name in out
