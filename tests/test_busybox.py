"""BusyBox netstat: told from net-tools by its 12-wide state padding; raw rows and scope ids.
Real samples in samples/busybox (see their .note files)."""

from __future__ import annotations

from pathlib import Path

import netparse
from netparse.states import TcpState

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_busybox_output_is_detected_and_net_tools_is_not() -> None:
    bb = netparse.parse_file(SAMPLES / "busybox" / "corpus-linux_busybox_netstat-an.txt")
    assert bb.formats == ["busybox-netstat"] and not bb.issues
    nt = netparse.parse_file(SAMPLES / "linux" / "corpus-linux_nettools_netstat-an.txt")
    assert "busybox-netstat" not in nt.formats


def test_ipv6_rows_get_their_family_from_the_address() -> None:
    snap = netparse.parse_file(SAMPLES / "busybox" / "corpus-linux_busybox_netstat-an.txt")
    mapped = [s for s in snap.sockets if s.local_address == "::ffff:127.0.0.1"]
    assert mapped and all(s.proto == "tcp" and s.family == "inet6" for s in mapped)
    assert {s.state for s in snap.sockets if s.proto == "tcp"} >= {TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT, TcpState.TIME_WAIT}


def test_raw_state_column_is_not_a_tcp_state_and_garbage_scope_is_dropped() -> None:
    snap = netparse.parse_file(SAMPLES / "busybox" / "corpus-linux_busybox_netstat-anw.txt")
    v4, v6 = snap.sockets
    assert (v4.state_label, v4.state) == ("1", TcpState.UNCONNECTED)
    assert v6.local_address == "::" and v6.local_port == 58
    assert v6.extra == {"local_scope_printed": "897493661", "remote_scope_printed": "32"}
    router = netparse.parse_file(SAMPLES / "busybox" / "corpus-busybox_router_netstat-an_raw-state-2_rt2860v2-issue11_excerpt.txt")
    assert {s.state_label for s in router.sockets if s.proto == "raw"} == {"2"}


def test_unix_section() -> None:
    snap = netparse.parse_file(SAMPLES / "busybox" / "corpus-linux_busybox_netstat-anx.txt")
    listening = [s for s in snap.sockets if s.state is TcpState.LISTEN]
    assert {s.path for s in listening} == {"/tmp/cap/demo.sock", "/tmp/cap/demo.seq", "@demo-abstract"}


def test_p_column_from_the_format_string() -> None:
    # constructed from BusyBox's FMT_NET_CONN_DATA ('%-12s' state, then '%.20s' PID/argv0): no
    # real -p output exists (Debian's build rejects -p). Its header is net-tools', so only the
    # rows after a BusyBox title+header block are read here.
    text = ("Active Internet connections (servers and established)\n"
            "Proto Recv-Q Send-Q Local Address           Foreign Address         State       \n"
            "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      812/httpd\n")
    (s,) = netparse.parse(text).sockets
    assert (s.pid, s.process, s.state) == (812, "httpd", TcpState.LISTEN)
