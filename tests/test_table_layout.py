"""Tables a person reads at 80 and 120 columns (issue 12): an address:port, a pid/process pair or
a timestamp always appears whole on one line; no line passes the width (unless one value is
wider than the terminal); piped output is plain, one record per line, without trailing padding.
Checked with fixed widths, and once through a real pseudo-terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import fcntl
import time
from pathlib import Path

import pytest

from netparse import parse
from netparse.logs.timeline import build
from netparse.logs.timeline import render_table as render_timeline
from netparse.output.tables import endpoint_text, owner_text, render_summary, render_table
from netparse.summary import summarise

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [
    ROOT / "samples/linux/corpus-linux_iproute2_ss-6tanp.txt",
    ROOT / "samples/linux/corpus-linux_nettools_netstat-an.txt",
    ROOT / "samples/linux/corpus-linux_nettools_netstat-antp.txt",
    ROOT / "samples/linux/corpus-linux_iproute2_ss-tanp.txt",
]
SAMPLES = [p for p in SAMPLES if p.exists()]


def values_of(sock) -> list[str]:
    vals = [endpoint_text(sock.local_address, sock.local_port, sock.local_service),
            endpoint_text(sock.remote_address, sock.remote_port, sock.remote_service)]
    owner = owner_text(sock)
    return vals + ([owner] if owner else [])


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_record_table_keeps_every_value_whole(path: Path, width: int) -> None:
    snap = parse(path.read_text(encoding="utf-8"))
    assert snap.sockets
    buf = io.StringIO()
    render_table(snap.sockets, buf, width=width)
    lines = buf.getvalue().splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert all(line == line.rstrip() for line in lines)
    for sock in snap.sockets:
        for value in values_of(sock):
            assert any(value in line for line in lines), value


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_piped_table_is_one_record_per_line(path: Path) -> None:
    snap = parse(path.read_text(encoding="utf-8"))
    buf = io.StringIO()
    render_table(snap.sockets, buf, width=None)
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(snap.sockets) + 1
    assert all(line == line.rstrip() for line in lines)
    assert lines[0].split() == ["Proto", "Local", "Remote", "State", "Recv-Q", "Send-Q", "PID/Process"]
    for line, sock in zip(lines[1:], snap.sockets):
        assert all(value in line for value in values_of(sock))


@pytest.mark.parametrize("width", [80, 120])
def test_summary_and_timeline_at_width(width: int) -> None:
    logs = ROOT / "samples/logs"
    for path in SAMPLES:
        buf = io.StringIO()
        snap = parse(path.read_text(encoding="utf-8"))
        summary = summarise(snap.sockets)
        render_summary(summary, buf, title=path.name, width=width)
        lines = buf.getvalue().splitlines()
        assert all(len(line) <= width for line in lines), max(lines, key=len)
        for group in summary.states:
            for host, n in group.remote_hosts:
                assert any(f"{host} ×{n:,}" in line for line in lines), host
            for proc, n in group.processes:
                assert any(f"{proc} ×{n:,}" in line for line in lines), proc
    for by in (None, "process", "port"):
        timeline = build([str(logs / "linux-date-netstat.log"), str(logs / "corpus-iso-ss-tan-loop.log")], by=by)
        buf = io.StringIO()
        render_timeline(timeline, buf, width=width)
        lines = buf.getvalue().splitlines()
        assert all(len(line) <= width for line in lines), max(lines, key=len)
        header = " ".join(lines[:3])
        assert "CLOSE_WAIT" in header and "TIME_WAIT" in header  # headers never cut
        from netparse.logs.stamps import format_time

        for row in timeline.rows:
            stamp = format_time(row.timestamp, row.stamp_kind)
            assert any(stamp in line for line in lines), stamp


def _run_in_pty(args: list[str], columns: int) -> str:
    """Run netparse on a real pseudo-terminal of ``columns`` columns; its output as text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", NO_COLOR="1")
    env.pop("COLUMNS", None)
    proc = subprocess.Popen([sys.executable, "-m", "netparse", *args], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_through_a_real_pseudo_terminal_at_80_columns() -> None:
    path = ROOT / "samples/linux/corpus-linux_iproute2_ss-6tanp.txt"
    out = _run_in_pty(["parse", str(path)], 80)
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    records = subprocess.run([sys.executable, "-m", "netparse", "parse", "-o", "jsonl", str(path)], capture_output=True,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True).stdout
    for line in records.splitlines():
        data = json.loads(line)
        for side in ("local", "remote"):
            value = endpoint_text(data.get(f"{side}_address"), data.get(f"{side}_port"), data.get(f"{side}_service"))
            assert any(value in row for row in lines), value
        if data.get("pid"):
            assert any(f"{data['pid']}/{data.get('process', '')}".rstrip("/") in row for row in lines)
