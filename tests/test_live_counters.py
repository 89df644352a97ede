"""Live counters and settings: a real accept-queue overflow provoked inside a network namespace
made here (a listener with backlog 1 that never accepts, connects arriving all through the
interval), and `netparse analyze --live --interval` run inside that namespace reports NP019 for
that listener from the rise of TcpExtListenOverflows between its two samples; a healthy
namespace stays quiet. The snapshot carries the namespace's counters and the sysctls the rules
read.

Needs root and ip; fails (not skips) under CI=true without them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netparse.live import collect
from netparse.rules.facts import POINT_COUNTERS

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI") == "true"

#: listen(1), never accept(); then connect without end (non-blocking: each SYN that finds the
#: accept queue full is dropped and counted), for at most ``seconds``
OVERFLOW = """
import socket, sys, time
accepting = sys.argv[2] == "accept"
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
clients, end = [], time.monotonic() + float(sys.argv[1])
srv.setblocking(False)
while time.monotonic() < end and len(clients) < 400:
    c = socket.socket(); c.setblocking(False); c.connect_ex(srv.getsockname()); clients.append(c)
    if accepting:
        try:
            while True:
                a, _ = srv.accept(); a.close()
        except BlockingIOError:
            pass
    time.sleep(0.05)
time.sleep(0.5)
"""


def need(ok: bool, what: str) -> None:
    if not ok:
        if CI:
            pytest.fail(f"CI must provide {what}")
        pytest.skip(f"needs {what}")


@pytest.fixture
def netns():
    need(sys.platform.startswith("linux") and os.geteuid() == 0, "root on Linux")
    need(shutil.which("ip") is not None, "ip (iproute2)")
    name = f"np-cnt-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name], check=False)


def _analyze_during(netns: str, mode: str) -> tuple[int, dict]:
    """The port of a listener that overflows (mode 'idle') or keeps up ('accept'), and what
    `analyze --live --interval 3 -o json` inside the namespace says meanwhile."""
    load = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", OVERFLOW, "20", mode],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(load.stdout.readline())
        res = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-m", "netparse", "analyze", "--live",
                              "--interval", "3", "-o", "json"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        load.kill()
        load.wait()
    assert res.returncode == 0, res.stderr
    return port, json.loads(res.stdout)


def test_provoked_overflow_fires_np019_live(netns) -> None:
    port, doc = _analyze_during(netns, "idle")
    found = [f for f in doc["findings"] if f["code"] == "NP019"]
    assert found, doc["findings"]
    (f,) = found
    assert f["severity"] in ("warning", "critical") and f"127.0.0.1:{port}" in f["message"], f
    # NP010 says the same of the socket table: the queue is full now
    assert any(x["code"] == "NP010" and x.get("local_port") == port for x in doc["findings"])


def test_healthy_listener_stays_quiet(netns) -> None:
    _port, doc = _analyze_during(netns, "accept")
    assert not [f for f in doc["findings"] if f["code"] in ("NP019", "NP010")], doc["findings"]


def test_snapshot_carries_counters_settings_and_rates() -> None:
    need(sys.platform.startswith("linux") and Path("/proc/net/snmp").exists(), "Linux /proc/net/snmp")
    first = collect.sample(counters=True).snapshot
    names = {c.name for c in first.counters}
    assert {"TcpExtListenOverflows", "TcpRetransSegs", "UdpRcvbufErrors", "TcpActiveOpens"} <= names
    settings = {s.name: s for s in first.settings}
    expected = Path("/proc/sys/net/core/somaxconn").read_text().strip()
    assert settings["net.core.somaxconn"].numbers == [int(expected)]
    assert len(settings["net.ipv4.ip_local_port_range"].numbers) == 2
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    with srv:
        for _ in range(5):  # five active opens on loopback between the samples
            socket.create_connection(srv.getsockname()).close()
        time.sleep(0.2)
        second = collect.sample(counters=True).snapshot
    rates = dict(collect.rates(first, second))
    seconds = (second.timestamp - first.timestamp).total_seconds()
    assert rates["TcpActiveOpens"] * seconds >= 5
    assert all(v > 0 for v in rates.values())
    assert collect.sample().snapshot.counters is None  # only when asked for


def test_watch_shows_counter_rates_and_their_findings(netns) -> None:
    """`live --watch` inside the namespace while its listener overflows: the refresh after the
    first shows TcpExtListenOverflows per second, ahead of busier counters, and NP019."""
    load = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", OVERFLOW, "20", "idle"],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(load.stdout.readline())
        res = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-m", "netparse", "live", "--watch", "2",
                              "--count", "2"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    finally:
        load.kill()
        load.wait()
    assert res.returncode == 0, res.stderr
    text = res.stdout
    rates = text[text.index("Counters per second:"):]
    first = rates.split(":", 1)[1].split(",")[0].split()
    assert first[0] in POINT_COUNTERS and float(first[1].replace(",", "")) > 0, rates  # the rules' counters first
    assert "TcpExtListenOverflows" in rates
    assert "NP019" in text and f"127.0.0.1:{port}" in text


def test_all_netns_reads_each_namespace_counters_and_settings(netns) -> None:
    """From netparse's own namespace, `analyze --live --all-netns --interval 3` sees the
    overflow inside the other namespace: NP019 on that namespace's input, from that namespace's
    own TcpExtListenOverflows (each namespace has its own counters), none on the host's; and the
    namespace's sysctls are its own (somaxconn set to 77 in it)."""
    subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-qw", "net.core.somaxconn=77"], check=True)
    inode = os.stat(f"/run/netns/{netns}").st_ino
    load = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", OVERFLOW, "20", "idle"],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(load.stdout.readline())
        res = subprocess.run([sys.executable, "-m", "netparse", "analyze", "--live", "--all-netns", "--interval", "3",
                              "-o", "json"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        live = collect.sample(all_netns=True, counters=True)
    finally:
        load.kill()
        load.wait()
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    where = f"netns {netns} ({inode})"
    np019 = [f for f in doc["findings"] if f["code"] == "NP019"]
    assert [f["source"].endswith(where) for f in np019] == [True], np019
    assert f"127.0.0.1:{port}" in np019[0]["message"]
    theirs = {s.source: s for s in collect.by_netns(live.snapshot, live.kernel)}
    (inside,) = [s for src, s in theirs.items() if src.endswith(where)]
    assert {s.name: s.numbers for s in inside.settings}["net.core.somaxconn"] == [77]
    own = Path("/proc/sys/net/core/somaxconn").read_text().strip()
    assert {s.name: s.numbers for s in live.snapshot.settings}["net.core.somaxconn"] == [int(own)]
    overflows = {c.name: c.value for c in inside.counters}["TcpExtListenOverflows"]
    assert overflows > 0
    assert inside.counters != live.snapshot.counters


def test_namespace_not_entered_gives_counters_from_a_process_and_says_so(netns, monkeypatch) -> None:
    """When a namespace cannot be entered (setns refused: not root), its counters come from
    /proc/PID/net of a process inside, its settings are not read (/proc/sys would show netparse's
    own), and the snapshot's collector note says so."""
    from netparse.live import netns as netns_module

    load = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", OVERFLOW, "20", "accept"],
                            stdout=subprocess.PIPE, text=True)
    try:
        int(load.stdout.readline())

        def refused(path, make):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(netns_module, "in_namespace", refused)
        inode = os.stat(f"/run/netns/{netns}").st_ino
        live = collect.sample(all_netns=True, counters=True, source="proc")
    finally:
        load.kill()
        load.wait()
    counters, settings, why = live.kernel[inode]
    assert settings is None and counters and {c.name for c in counters} >= {"TcpExtListenOverflows"}
    assert "counters read from /proc/" in why and "settings not read" in why
    assert why in live.snapshot.collector
    (inside,) = [s for s in collect.by_netns(live.snapshot, live.kernel) if s.source.endswith(f"({inode})")]
    assert inside.settings is None and inside.counters
