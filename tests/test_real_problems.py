"""The rules on real captures of a box with staged problems (samples/linux/problems_*.txt,
made by samples/capture/linux_problems.py; see the .note beside each file).

Every expected number is counted from the sample's own rows here, with a plain split of each
line, not taken from what the analyzer printed. A re-capture changes PIDs and ports, not the
shape: 150 CLOSE_WAIT on :8080 owned by java (100 with a request unread, 50 with only the
client's FIN in Recv-Q), the 150 client ends in FIN_WAIT_2, LISTEN :9090 with Recv-Q 9 / backlog 8
and 11 SYN_SENT stuck behind it, 12 SYN_SENT to 192.0.2.2:5432, a stand-in listener on
0.0.0.0:6379, healthy traffic on :443.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import netparse
from netparse import Severity

LINUX = Path(__file__).resolve().parent.parent / "samples" / "linux"

# sample -> (tool, has a process column)
SAMPLES = {
    "problems_ss-tanp": ("ss", True),
    "problems_ss-tan": ("ss", False),
    "problems_netstat-antp": ("netstat", True),
    "problems_netstat-an": ("netstat", False),
}

# ss state names -> net-tools state names (the sample's own vocabulary)
SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT1",
    "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT", "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING",
}


@dataclass
class Row:
    line: int
    state: str  # net-tools spelling
    recv_q: int
    send_q: int
    local: str
    peer: str
    owner: str | None  # program name from users:(("NAME",...)) or PID/NAME, None when not shown


def rows(path: Path) -> list[Row]:
    """The TCP rows of a sample, by splitting each line on whitespace."""
    tool, _ = SAMPLES[path.stem]
    out = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        t = line.split()
        if tool == "ss":
            if not t or t[0] not in SS_STATES:
                continue
            state, rest = SS_STATES[t[0]], " ".join(t[5:])
            m = re.search(r'users:\(\("([^"]+)"', rest)
        else:
            if not t or t[0] not in ("tcp", "tcp6"):
                continue
            state, rest = t[5], " ".join(t[6:])
            m = re.fullmatch(r"\d+/(\S+)", rest)
        out.append(Row(n, state, int(t[1]), int(t[2]), t[3], t[4], m.group(1) if m else None))
    return out


@pytest.fixture(scope="module", params=sorted(SAMPLES), ids=sorted(SAMPLES))
def sample(request):
    path = LINUX / f"{request.param}.txt"
    tool, has_process = SAMPLES[request.param]
    findings = netparse.analyze(netparse.parse_file(path))
    return path, tool, has_process, rows(path), findings


def only(findings, code, **dims):
    hits = [f for f in findings if f.code == code and all(getattr(f, k) == v for k, v in dims.items())]
    assert len(hits) == 1, f"expected one {code} {dims}, got {hits}"
    return hits[0]


def owner_of(group: list[Row]) -> str | None:
    names = {r.owner for r in group}
    assert len(names) == 1, names
    return names.pop()


def test_rows_are_what_the_capture_staged(sample):
    path, tool, has_process, rs, _ = sample
    snap = netparse.parse_file(path)
    assert len(snap.sockets) == len(rs)          # every TCP row parsed, nothing else
    assert not [i for i in snap.issues if i.kind == "unparsed"]
    assert sum(1 for r in rs if r.state == "CLOSE_WAIT" and r.local.endswith(":8080")) >= 100


def test_np001_close_wait_leak_on_8080(sample):
    _, _, has_process, rs, findings = sample
    group = [r for r in rs if r.state == "CLOSE_WAIT" and r.local.endswith(":8080")]
    n = len(group)
    f = only(findings, "NP001", local_port=8080)
    assert f.count == n
    assert f.severity is (Severity.CRITICAL if n >= 1000 else Severity.WARNING)
    assert f.state == netparse.TcpState.CLOSE_WAIT
    assert set(f.evidence) <= {r.line for r in group}
    assert f"{n:,} sockets in CLOSE_WAIT on port 8080" in f.message
    # Linux counts the client's FIN in Recv-Q of a CLOSE_WAIT socket: Recv-Q 1 is only the FIN
    fin_only = sum(1 for r in group if r.recv_q == 1)
    unread = sum(1 for r in group if r.recv_q > 1)
    assert fin_only > 0 and unread > 0 and fin_only + unread == n
    assert f"{unread:,} still hold unread data besides the peer's FIN" in f.message
    assert f"{n:,} still hold" not in f.message
    if has_process:
        assert owner_of(group) == "java"
        assert f.process == "java"
        assert "all owned by java (pid " in f.message
    else:
        assert f.process is None and f.pid is None


def test_np010_accept_queue_of_9090(sample):
    _, tool, _, rs, findings = sample
    (listen,) = [r for r in rs if r.state == "LISTEN" and r.local.endswith(":9090")]
    hits = [f for f in findings if f.code == "NP010"]
    if tool == "netstat":
        # net-tools prints Send-Q 0 on LISTEN rows (no backlog): the rule can only say how many wait
        assert listen.send_q == 0 and listen.recv_q > 0
        (f,) = hits
        assert f.severity is Severity.INFO
        assert (f.local_address, f.local_port, f.count) == ("127.0.0.1", 9090, listen.recv_q)
        assert f.message.startswith(f"{listen.recv_q} connections are waiting to be accepted on 127.0.0.1:9090")
        assert "the backlog is not in netstat output" in f.message and "`ss -ltn`" in f.message
        assert f.evidence == [listen.line]
        return
    assert listen.recv_q > listen.send_q > 0     # Linux queues backlog + 1
    (f,) = hits
    assert f.severity is Severity.CRITICAL
    assert (f.local_address, f.local_port, f.count) == ("127.0.0.1", 9090, listen.recv_q)
    assert f"{listen.recv_q} connections waiting for a backlog of {listen.send_q}" in f.message
    assert f.evidence == [listen.line]


def test_np005_syn_sent_to_192_0_2_2_5432(sample):
    _, _, has_process, rs, findings = sample
    group = [r for r in rs if r.state == "SYN_SENT" and r.peer == "192.0.2.2:5432"]
    f = only(findings, "NP005", remote_address="192.0.2.2", remote_port=5432)
    assert f.severity is Severity.WARNING
    assert f.count == len(group) >= 10
    assert f"{len(group)} connection attempts to 192.0.2.2:5432 waiting in SYN_SENT" in f.message
    assert set(f.evidence) <= {r.line for r in group}
    assert f.process == (owner_of(group) if has_process else None)
    if has_process:
        assert f.process == "java"
    # nothing listens on 192.0.2.2 here: the network causes stand
    assert not [r for r in rs if r.state == "LISTEN" and r.local.endswith(":5432")]
    assert "down, unreachable, or a firewall drops the SYNs" in f.message


def test_np005_also_reports_the_clients_stuck_behind_the_full_queue(sample):
    _, tool, _, rs, findings = sample
    group = [r for r in rs if r.state == "SYN_SENT" and r.peer == "127.0.0.1:9090"]
    assert len(group) >= 10                      # 20 clients - 9 queued
    (listen,) = [r for r in rs if r.state == "LISTEN" and r.local == "127.0.0.1:9090"]
    f = only(findings, "NP005", remote_address="127.0.0.1", remote_port=9090)
    assert f.count == len(group)
    assert set(f.evidence) <= {r.line for r in group}
    # the destination is the local listener whose queue is full, not the network
    assert "firewall" not in f.message
    if tool == "ss":
        assert listen.recv_q >= listen.send_q > 0
        assert "the local listener 127.0.0.1:9090 has a full accept queue (see NP010)" in f.message
    else:
        assert listen.send_q == 0 and listen.recv_q > 0
        assert (
            f"the local listener 127.0.0.1:9090 has {listen.recv_q} connections waiting to be accepted "
            "and netstat does not show its backlog"
        ) in f.message


def test_np013_stand_in_redis_on_6379(sample):
    _, _, has_process, rs, findings = sample
    (listen,) = [r for r in rs if r.state == "LISTEN" and r.local == "0.0.0.0:6379"]
    f = only(findings, "NP013", local_port=6379)
    assert f.severity is Severity.WARNING
    assert (f.local_address, f.count, f.evidence) == ("0.0.0.0", 1, [listen.line])
    assert f.message.startswith("Redis (port 6379) listens on every address (0.0.0.0, tcp)")
    assert f.process == ("redis-server" if has_process else None)
    if has_process:
        assert listen.owner == "redis-server"


def test_np007_orphaned_fin_wait_2_of_the_clients(sample):
    _, _, has_process, rs, findings = sample
    group = [r for r in rs if r.state == "FIN_WAIT2" and r.peer.startswith("127.0.0.1:")]
    assert group and all(r.peer == "127.0.0.1:8080" and r.owner is None for r in group)
    f = only(findings, "NP007", remote_address="127.0.0.1")
    assert f.severity is Severity.INFO
    assert f.count == len(group)
    assert (f.remote_port, f.process) == (8080, None)
    assert set(f.evidence) <= {r.line for r in group}
    assert f.message.startswith(f"{len(group)} sockets in FIN_WAIT_2 towards 127.0.0.1:8080: ")
    # the server ends of the same connections: CLOSE_WAIT rows with the endpoints swapped (NP001's)
    ends = {(r.peer, r.local) for r in group}
    paired = [r for r in rs if r.state == "CLOSE_WAIT" and (r.local, r.peer) in ends]
    assert paired and all(r.local == "127.0.0.1:8080" for r in paired)
    owners = f", all owned by {owner_of(paired)} (pid " if has_process else "; "
    assert f"the other ends are in this listing: {len(paired)} sockets in CLOSE_WAIT on port 8080{owners}" in f.message


def test_np015_unaccepted_connections_have_no_owner(sample):
    _, _, has_process, rs, findings = sample
    hits = [f for f in findings if f.code == "NP015"]
    if not has_process:
        assert hits == []
        return
    ignored = {"TIME_WAIT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "CLOSING", "LAST_ACK"}
    ownerless = [r for r in rs if r.owner is None and r.state not in ignored]
    # exactly the server ends of the 9 queued, never accepted connections on :9090
    assert ownerless and all(r.local == "127.0.0.1:9090" and r.state == "ESTABLISHED" for r in ownerless)
    (f,) = hits
    assert f.count == len(ownerless)
    candidates = sum(1 for r in rs if r.state not in ignored)
    assert f.message.startswith(f"{len(ownerless)} of {candidates} sockets")


def test_healthy_443_raises_nothing(sample):
    _, _, _, rs, findings = sample
    assert sum(1 for r in rs if r.state == "ESTABLISHED" and "127.0.0.1:443" in (r.local, r.peer)) >= 2 * 30
    assert not [f for f in findings if 443 in (f.local_port, f.remote_port)]


def test_codes_per_sample(sample):
    path, tool, has_process, _, findings = sample
    expected = {"NP001", "NP005", "NP007", "NP010", "NP013"}
    if has_process:
        expected.add("NP015")
    assert {f.code for f in findings} == expected, path.name
