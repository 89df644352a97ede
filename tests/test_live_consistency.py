"""The same moment captured as `ss -tan` and `netstat -tan` parses to the same set of
(local, remote, state). Runs only where both tools exist; the sockets are opened here, on
loopback, so the test does not depend on what else the machine is doing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

import netparse
from netparse.states import TcpState

pytestmark = pytest.mark.skipif(
    not (shutil.which("ss") and shutil.which("netstat")), reason="needs both ss (iproute2) and netstat (net-tools)"
)


@pytest.fixture
def loopback_sockets():
    """LISTEN, an ESTABLISHED pair and a half-closed pair (FIN_WAIT_2 / CLOSE_WAIT) on 127.0.0.1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    opened = [server]
    a = socket.create_connection(("127.0.0.1", port))
    a_srv, _ = server.accept()
    b = socket.create_connection(("127.0.0.1", port))
    b_srv, _ = server.accept()
    opened += [a, a_srv, b, b_srv]
    b.shutdown(socket.SHUT_WR)  # b -> FIN_WAIT_2, b_srv -> CLOSE_WAIT
    time.sleep(0.2)
    yield port
    for s in opened:
        s.close()


def _tuples(text: str, port: int) -> set[tuple]:
    snap = netparse.parse(text)
    assert not [i for i in snap.issues if i.kind == "unparsed"], snap.issues
    return {
        (s.local_address, s.local_port, s.remote_address, s.remote_port, s.state)
        for s in snap.sockets
        if port in (s.local_port, s.remote_port)
    }


def test_ss_and_netstat_agree(loopback_sockets) -> None:
    port = loopback_sockets
    ss_out = subprocess.run(["ss", "-tan"], capture_output=True, text=True, check=True).stdout
    ns_out = subprocess.run(["netstat", "-tan"], capture_output=True, text=True, check=True).stdout
    from_ss, from_netstat = _tuples(ss_out, port), _tuples(ns_out, port)
    assert from_ss == from_netstat
    states = {t[4] for t in from_ss}
    assert {TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT} <= states
