"""netparse exporter (scraped by a real Prometheus server), live --textfile, and the contrib
alerting rules and dashboard (checked by promtool)."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netparse.cli import app
from netparse.live.exporter import Snapshots, write_textfile
from netparse.output.openmetrics import Family
from realtools import promtool_check_metrics, real_tool

ROOT = Path(__file__).resolve().parent.parent
CONTRIB = ROOT / "contrib"
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()
runner = CliRunner()
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def close_wait():
    """A listener on 127.0.0.1 with one accepted connection whose client has closed: the
    accepted socket sits in CLOSE_WAIT (this side never closes it) until the test ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    client.close()
    time.sleep(0.2)
    yield port
    accepted.close()
    server.close()


class Exporter:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "netparse", "exporter", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=ROOT,
        )
        line = self._line(30)
        match = re.search(r"serving http://127\.0\.0\.1:(\d+)/metrics", line)
        assert match, line
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/metrics"

    def _line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stderr], [], [], timeout)
        if not ready:
            self.stop()
            pytest.fail("the exporter said nothing within 30 s")
        return self.proc.stderr.readline().decode()

    def get(self) -> str:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            assert response.status == 200
            return response.read().decode("utf-8")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


@pytest.mark.skipif(not LINUX, reason="reads this machine's sockets through /proc")
def test_real_prometheus_scrapes_the_exporter(tmp_path: Path, close_wait: int) -> None:
    prometheus = real_tool("prometheus")
    exporter = Exporter("--min-interval", "0.5")
    prom = None
    try:
        body = exporter.get()
        checked = promtool_check_metrics(body)
        assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
        assert f'netparse_port_sockets{{port="{close_wait}",state="CLOSE_WAIT"}} 1' in body
        web = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "rule_files": [str(CONTRIB / "prometheus/netparse.rules.yml")],
            "scrape_configs": [{"job_name": "netparse", "static_configs": [{"targets": [f"127.0.0.1:{exporter.port}"]}]}],
        }))
        prom = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{web}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        query = f'netparse_port_sockets{{job="netparse",port="{close_wait}",state="CLOSE_WAIT"}}'
        url = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        deadline = time.monotonic() + 60
        result = None
        while time.monotonic() < deadline:
            if prom.poll() is not None:
                pytest.fail("prometheus exited: " + prom.stderr.read().decode()[-2000:])
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    doc = json.load(response)
                result = doc["data"]["result"]
                if result:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert result, "Prometheus never stored the CLOSE_WAIT series"
        assert result[0]["value"][1] == "1"
        # the scrape itself was healthy, and the rules file loaded
        up = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": 'up{job="netparse"}'})
        with urllib.request.urlopen(up, timeout=5) as response:
            assert json.load(response)["data"]["result"][0]["value"][1] == "1"
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/v1/rules", timeout=5) as response:
            groups = json.load(response)["data"]["groups"]
        assert any(r["name"] == "NetparseCloseWaitLeak" for g in groups for r in g["rules"])
        # every dashboard query is valid PromQL against the live server
        for expr in dashboard_queries():
            q = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
            with urllib.request.urlopen(q, timeout=5) as response:
                assert json.load(response)["status"] == "success", expr
    finally:
        if prom is not None:
            prom.terminate()
            prom.wait(20)
        assert exporter.stop() == 0  # SIGTERM: a clean stop


@pytest.mark.skipif(not LINUX, reason="reads this machine's sockets through /proc")
def test_min_interval_serves_the_same_look() -> None:
    exporter = Exporter("--min-interval", "3600")
    try:
        first, second = exporter.get(), exporter.get()
        # within the interval a scrape gets the same look: even the timestamp is the same
        stamp = [line for line in first.splitlines() if line.startswith("netparse_snapshot_timestamp_seconds ")]
        assert stamp and stamp[0] in second
    finally:
        exporter.stop()


def test_snapshots_rate_limit_and_failure() -> None:
    now = [0.0]
    looks = []

    def take():
        looks.append(now[0])
        if len(looks) == 3:
            raise OSError("boom")
        fam = Family("netparse_x", "X.")
        fam.samples[()] = len(looks)
        return [fam]

    errors: list[str] = []
    snaps = Snapshots(take, min_interval=5, clock=lambda: now[0], on_error=errors.append)
    assert "netparse_x 1" in snaps.text() and "netparse_up 1" in snaps.text()
    now[0] = 4.9
    assert "netparse_x 1" in snaps.text() and len(looks) == 1
    now[0] = 5.0
    assert "netparse_x 2" in snaps.text()
    now[0] = 10.0
    text = snaps.text()
    assert "netparse_up 0" in text and "netparse_x" not in text and errors == ["OSError: boom"]
    assert promtool_check_metrics(text).returncode == 0


def test_exporter_follows_a_growing_log(tmp_path: Path) -> None:
    log = tmp_path / "ss.log"
    listing = (ROOT / "samples/linux/problems_ss-tanp.txt").read_text()
    log.write_text("2024-05-01T10:00:00Z\n" + "\n".join(listing.splitlines()[:40]) + "\n")
    exporter = Exporter("--log", str(log), "--min-interval", "0")
    try:
        before = exporter.get()
        assert promtool_check_metrics(before).returncode == 0
        with log.open("a") as fh:
            fh.write("2024-05-01T10:01:00Z\n" + listing)
        after = exporter.get()
        assert 'netparse_port_sockets{port="8080",state="CLOSE_WAIT"} 150' in after
        assert after != before
        stamp = [line for line in after.splitlines() if line.startswith("netparse_snapshot_timestamp_seconds ")]
        assert len(stamp) == 1 and float(stamp[0].split()[1]) == 1714557660  # the newest snapshot's time
    finally:
        exporter.stop()


def test_exporter_usage_and_bind_errors() -> None:
    for bad in ("9814", "::1:9814", "host:99999"):
        result = runner.invoke(app, ["exporter", "--listen", bad])
        assert result.exit_code == 2, (bad, result.output)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "netparse", "exporter", "--listen", f"127.0.0.1:{port}", "--log",
             str(ROOT / "samples/linux/ss-tanpe.txt")],
            capture_output=True, env=ENV, timeout=60,
        )
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.startswith("netparse: cannot listen on") and err.count("\n") == 1, err
    done = subprocess.run(
        [sys.executable, "-m", "netparse", "exporter", "--log", "/nonexistent/x.log"],
        capture_output=True, env=ENV, timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr.decode()


# ---------------------------------------------------------------------------- textfile


@pytest.mark.skipif(not LINUX, reason="reads this machine's sockets through /proc")
def test_live_textfile_is_written_whole(tmp_path: Path, close_wait: int) -> None:
    target = tmp_path / "netparse.prom"
    result = runner.invoke(app, ["live", "--textfile", str(target), "--watch", "0.1", "--count", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text()
    assert f'netparse_port_sockets{{port="{close_wait}",state="CLOSE_WAIT"}} 1' in text
    assert promtool_check_metrics(text).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netparse.prom"]  # no temporary file left
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_textfile_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["live", "--textfile", str(tmp_path / "netparse.txt")])
    assert result.exit_code == 2 and ".prom" in result.output
    result = runner.invoke(app, ["live", "--textfile", str(tmp_path / "missing" / "netparse.prom")])
    assert result.exit_code == 1 and "no directory" in result.stderr
    result = runner.invoke(app, ["live", "-o", "openmetrics", "--count", "2"])
    assert result.exit_code == 2


def test_write_textfile_replaces_atomically(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "netparse.prom"
    write_textfile(target, "# EOF\n")
    inode = target.stat().st_ino
    write_textfile(target, "netparse_x 1\n")
    assert target.read_text() == "netparse_x 1\n" and target.stat().st_ino != inode  # renamed over, not rewritten

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        write_textfile(target, "half")
    assert target.read_text() == "netparse_x 1\n"  # the old file stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netparse.prom"]


def test_contrib_systemd_units() -> None:
    service = (CONTRIB / "systemd/netparse-textfile.service").read_text()
    timer = (CONTRIB / "systemd/netparse-textfile.timer").read_text()
    assert "--textfile /var/lib/prometheus/node-exporter/netparse.prom" in service
    assert "Unit=netparse-textfile.service" in timer and "OnUnitActiveSec=" in timer
    analyze = shutil.which("systemd-analyze")
    if analyze:  # every complaint may only be that netparse is not installed at /usr/local/bin here
        units = [str(p) for p in sorted((CONTRIB / "systemd").iterdir())]
        done = subprocess.run([analyze, "verify", *units], capture_output=True)
        problems = [line for line in done.stderr.decode().splitlines() if "/usr/local/bin/netparse is not executable" not in line]
        assert not problems, problems


# ---------------------------------------------------------------------------- contrib rules, dashboard


def dashboard_queries() -> list[str]:
    doc = json.loads((CONTRIB / "grafana/netparse.json").read_text())
    exprs = [t["expr"] for p in doc["panels"] for t in p.get("targets", []) if "expr" in t]
    return [e.replace("$instance", ".*").replace("$__rate_interval", "5m") for e in exprs]


def test_alerting_rules_check_and_unit_tests() -> None:
    promtool = real_tool("promtool")
    done = subprocess.run([promtool, "check", "rules", str(CONTRIB / "prometheus/netparse.rules.yml")], capture_output=True)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    done = subprocess.run(
        [promtool, "test", "rules", "netparse.rules.test.yml"], capture_output=True, cwd=CONTRIB / "prometheus"
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_dashboard_queries_are_promql(tmp_path: Path) -> None:
    """Every panel query parses (promtool checks the PromQL of recording rules made of them)
    and names only netparse series (or the textfile collector's own)."""
    promtool = real_tool("promtool")
    queries = dashboard_queries()
    assert len(queries) >= 6
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:q{i}", "expr": e} for i, e in enumerate(queries)]}]}
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    for e in queries:
        assert "netparse_" in e
