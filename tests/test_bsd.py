"""BSD-family netstat (macOS, FreeBSD, OpenBSD): dot notation, header-driven columns, the unix,
kernel and listen-queue sections. Real samples in samples/{macos,freebsd,openbsd} (see their
.note files); texts marked "constructed" are cut from those samples to isolate one trait."""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.grammars.bsd import proto_family, read_columns
from netparse.grammars.common import dot_endpoint, put_dot_endpoints
from netparse.model import Family
from netparse.states import TcpState

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _by_line(snap: netparse.Snapshot) -> dict[int, netparse.Socket]:
    return {s.line: s for s in snap.sockets}


@pytest.mark.parametrize(
    ("text", "family", "address", "port"),
    [
        ("127.0.0.1.631", None, "127.0.0.1", 631),
        ("*.*", Family.INET, "0.0.0.0", None),
        ("*.22", Family.INET6, "::", 22),
        ("::1.631", None, "::1", 631),
        ("fe80::1%lo0.123", None, "fe80::1%lo0", 123),
        ("192.168.71.163.22", None, "192.168.71.163", 22),
    ],
)
def test_dot_notation(text, family, address, port) -> None:
    rec: dict = {}
    put_dot_endpoints(rec, text, None, family)
    assert (rec["local_address"], rec.get("local_port")) == (address, port)


def test_cut_names_keep_their_dot_and_are_flagged() -> None:
    assert dot_endpoint("waw02s05-in-f14..https") == "waw02s05-in-f14.:https"
    rec: dict = {}
    put_dot_endpoints(rec, "obsd2023.netbios-", "waw02s05-in-f14..https", Family.INET)
    assert rec["remote_address"] == "waw02s05-in-f14." and rec["remote_service"] == "https"
    assert rec["truncated"] is True


@pytest.mark.parametrize(
    ("proto", "name", "family"),
    [("tcp4", "tcp", Family.INET), ("tcp6", "tcp", Family.INET6), ("tcp46", "tcp", Family.INET6),
     ("udp46", "udp", Family.INET6), ("icm4", "icmp", Family.INET), ("tcp", "tcp", Family.INET)],
)
def test_proto_carries_the_family(proto, name, family) -> None:
    assert proto_family(proto) == (name, family)


def test_macos26_process_pid_column_from_the_header() -> None:
    snap = netparse.parse_file(SAMPLES / "macos" / "corpus-macos26_netstat-anv-p-tcp_process-pid_gotest.txt")
    assert snap.format == "bsd-netstat" and not snap.issues
    rows = _by_line(snap)
    helper = rows[6]  # 'Code Helper (Plu:17120': name cut at 16, with spaces
    assert (helper.process, helper.pid) == ("Code Helper (Plu", 17120)
    assert helper.extra["state"] == "00100"  # the hex socket state column is not a pid
    assert rows[7].process == "rapportd" and rows[7].pid == 645
    assert rows[5].family == "inet6" and rows[5].local_address == "::"  # tcp46 *.48123
    assert rows[11].local_address == "fe80::1%lo0" and rows[11].local_port == 48126
    assert rows[10].state is TcpState.TIME_WAIT and rows[10].extra["rxbytes"] == "52"


def test_macos_pre26_pid_column() -> None:
    snap = netparse.parse_file(SAMPLES / "macos" / "corpus-macos_netstat-anvp-tcp_LISTEN_blog.txt")
    rows = _by_line(snap)
    assert rows[4].pid == 33784 and rows[4].extra["epid"] == "0"
    assert rows[4].extra["state"] == "0x0100" and rows[4].extra["options"] == "0x00000106"
    assert all(s.state is TcpState.LISTEN for s in snap.sockets)


def test_read_columns_process_with_spaces_and_path_with_spaces() -> None:
    cols = read_columns(["rhiwat", "process:pid", "state", "Addr"], "8192 Code Helper (Plu:17120 00100 /tmp/a b")
    assert cols == {"rhiwat": "8192", "process:pid": "Code Helper (Plu:17120", "state": "00100", "Addr": "/tmp/a b"}


def test_every_macos_section_becomes_records_of_its_own_kind() -> None:
    snap = netparse.parse_file(SAMPLES / "macos" / "jc-osx-10.14.6-netstat.txt")
    assert snap.line_counts == {"title": 6, "header": 6, "record": 725}
    kinds = {s.proto for s in snap.sockets}
    assert kinds == {"tcp", "udp", "icmp", "unix", "kctl-module", "kevt", "kctl"}
    unix = [s for s in snap.sockets if s.proto == "unix"]
    assert all(s.state is TcpState.NONE and s.extra["address"] for s in unix)
    assert "/var/run/mDNSResponder" in {s.path for s in unix}
    kctl = [s for s in snap.sockets if s.proto == "kctl"]
    assert kctl[0].extra == {"unit": "1", "id": "2", "name": "com.apple.nke.sockwall"}


def test_macos_A_socket_and_flowhash() -> None:
    snap = netparse.parse_file(SAMPLES / "macos" / "jc-osx-10.14.6-netstat-An.txt")
    first = snap.sockets[0]
    assert first.extra == {"socket": "7fb03cb94d505aed", "flowhash": "cedd0cbf"}
    assert first.truncated  # 18-wide column with -A: '192.168.1.221.5486' may be a cut port
    assert {s.proto for s in snap.sockets} >= {"kevt", "kctl", "kctl-module"}


def test_freebsd_T_and_x_have_no_state_column() -> None:
    for name in ("jc-freebsd12-netstat-AaT.txt", "jc-freebsd12-netstat-Aax.txt", "jc-freebsd12-netstat-aT.txt"):
        snap = netparse.parse_file(SAMPLES / "freebsd" / name)
        tcp = [s for s in snap.sockets if s.proto == "tcp"]
        assert tcp and all(s.state is TcpState.UNKNOWN for s in tcp)
        assert [i.kind for i in snap.issues] == ["warning"]  # once, on the header
        assert all(s.state is TcpState.UNCONNECTED for s in snap.sockets if s.proto == "udp")
    x = netparse.parse_file(SAMPLES / "freebsd" / "jc-freebsd12-netstat-Aax.txt").sockets[0]
    assert x.extra["keep"] == "5079.93" and x.extra["tcpcb"] == "fffff80003df43d0"
    t = netparse.parse_file(SAMPLES / "freebsd" / "jc-freebsd12-netstat-aT.txt").sockets[0]
    assert t.extra == {"rexmit": "3", "ooorcv": "0", "0-win": "0"} and t.recv_q is None


def test_listen_queues_feed_np010() -> None:
    snap = netparse.parse_file(SAMPLES / "freebsd" / "corpus-freebsd_netstat-Lan_listen-queues_nginx-doc.txt")
    assert all(s.state is TcpState.LISTEN for s in snap.sockets)
    full = [s for s in snap.sockets if s.extra["qlen"] == "192"]
    assert full and full[0].extra == {"qlen": "192", "incqlen": "0", "maxqlen": "128"}
    findings = netparse.analyze(snap)
    assert any(f.code == "NP010" and f.severity.value == "critical" for f in findings)
    mac = netparse.parse_file(SAMPLES / "macos" / "corpus-macos_netstat-Lan_listen-queues_nginx-doc.txt")
    assert [s.local_port for s in mac.sockets] == [12345, 80, 8080]


def test_openbsd_per_family_blocks() -> None:
    snap = netparse.parse_file(SAMPLES / "openbsd" / "corpus-openbsd_netstat-a-p-udp_and_-p-tcp_names.txt")
    assert not snap.issues
    tcp = [s for s in snap.sockets if s.proto == "tcp"]
    assert {s.family for s in tcp} == {Family.INET, Family.INET6}
    assert any(s.local_service == "netbios-" and s.truncated for s in tcp)


def test_header_less_rows_are_recognised() -> None:
    # constructed: rows of samples/freebsd/jc-freebsd12-netstat-an.txt as 'netstat -an | grep' prints them
    text = ("tcp4       0      0 192.168.71.163.22      192.168.71.1.56321     ESTABLISHED\n"
            "udp6       0      0 *.514                  *.*                    \n")
    snap = netparse.parse(text)
    assert snap.format == "bsd-netstat" and not snap.issues
    assert [s.state for s in snap.sockets] == [TcpState.ESTABLISHED, TcpState.UNCONNECTED]


def test_linux_rows_are_not_bsd_rows() -> None:
    snap = netparse.parse("tcp        0      0 127.0.0.1:47001         0.0.0.0:*               LISTEN     \n")
    assert snap.format == "linux-netstat"
