"""Solaris/illumos and AIX netstat. Real samples in samples/solaris and samples/aix (see their
.note files); texts marked "constructed" isolate one trait of those samples."""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.locales import state_labels
from netparse.model import Family
from netparse.states import TcpState

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize(
    ("label", "state"),
    [("IDLE", "CLOSED"), ("BOUND", "BOUND"), ("SYN_RCVD", "SYN_RECEIVED"), ("Idle", "UNCONNECTED"),
     ("Unbound", "CLOSED"), ("Connected", "ESTABLISHED"), ("LISTEN", "LISTEN"), ("TIME_WAIT", "TIME_WAIT")],
)
def test_solaris_state_mapping_of_issue_4(label, state) -> None:
    assert state_labels("solaris-netstat")[label] is TcpState(state)


def test_solaris_sections_columns_and_unix() -> None:
    snap = netparse.parse_file(SAMPLES / "solaris" / "corpus-solaris_nocpulse-test_real_solaris_netstat-an.txt")
    assert snap.format == "solaris-netstat" and not snap.issues
    tcp4 = [s for s in snap.sockets if s.proto == "tcp" and s.family == "inet"]
    tcp6 = [s for s in snap.sockets if s.proto == "tcp" and s.family == "inet6"]
    assert len(tcp4) == 13 and len(tcp6) == 4
    est = next(s for s in tcp4 if s.state is TcpState.ESTABLISHED)
    # Swind Send-Q Rwind Recv-Q: '16445      0 24820      0'
    assert est.extra == {"swind": "16445", "rwind": "24820"} and (est.send_q, est.recv_q) == (0, 0)
    assert {s.state_label for s in tcp4} == {"IDLE", "LISTEN", "ESTABLISHED", "TIME_WAIT"}
    unix = [s for s in snap.sockets if s.proto == "unix"]
    assert [s.remote_address for s in unix].count("(socketpair)") == 2
    assert unix[-1].path == "/tmp/.X11-unix/X1" and unix[-1].remote_address is None


def test_solaris_u_owner_columns() -> None:
    snap = netparse.parse_file(SAMPLES / "solaris" / "corpus-solaris_omnios_netstat-nuf-inet_release-notes.txt")
    assert [(s.user, s.pid, s.process, s.send_q) for s in snap.sockets] == [("root", 531, "sshd", 51), ("af", 533, "sshd", 51)]


def test_solaris_udp_and_header_less_rows() -> None:
    paste = netparse.parse_file(SAMPLES / "solaris" / "corpus-solaris_opensolaris-snv111b_netstat-f-inet-an_html-paste.txt")
    udp = [s for s in paste.sockets if s.proto == "udp"]
    assert {(s.state_label, s.state) for s in udp} == {("Idle", TcpState.UNCONNECTED), ("Unbound", TcpState.CLOSED)}
    assert all(s.family == "inet" for s in udp)  # from the 'UDP: IPv4' title
    grep = netparse.parse_file(SAMPLES / "solaris" / "corpus-solaris_netstat-a_BOUND_hostnames_blog.txt")
    bound = [s for s in grep.sockets if s.state is TcpState.BOUND]
    assert len(bound) == 1 and bound[0].local_port == 34749 and bound[0].local_address == "::"


def test_aix_pcb_columns_and_two_line_unix_records() -> None:
    snap = netparse.parse_file(SAMPLES / "aix" / "corpus-aix73_netstat-Aan_gotest.txt")
    assert snap.format == "aix-netstat" and not snap.issues
    assert snap.line_counts["continuation"] == 4
    first = snap.sockets[0]
    assert first.extra == {"pcb": "f1000f00055bcbc0"} and first.state is TcpState.CLOSED
    unix = [s for s in snap.sockets if s.proto == "unix"]
    assert unix[1].extra["sadr"] == "f1000f000010a408" and unix[1].extra["pcb"] == "f1000f000557b280"
    assert unix[1].path == "/dev/SRC"
    v6 = [s for s in snap.sockets if s.local_address == "::1"]
    assert v6 and v6[0].family == Family.INET6 and v6[0].local_port == 6010


def test_aix_cut_ports_are_flagged() -> None:
    snap = netparse.parse_file(SAMPLES / "aix" / "corpus-aix_netstat-Aan_groovy-snippet.txt")
    cut = [s for s in snap.sockets if s.local_port == 3277]
    assert cut and all(s.truncated for s in cut)
