"""One failure policy for many inputs, whatever --jobs: an input that cannot be read is reported
in one line and skipped, the others are processed, and the exit code is 1 (issue 13)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "samples" / "linux"


def _netparse(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "netparse", *args], capture_output=True, text=True, env=env, cwd=cwd)


@pytest.fixture()
def inputs(tmp_path: Path) -> list[str]:
    (tmp_path / "a.txt").write_bytes((LINUX / "corpus-linux_nettools_netstat-antp.txt").read_bytes())
    whole = gzip.compress((LINUX / "corpus-linux_iproute2_ss-tanp.txt").read_bytes())
    (tmp_path / "b.txt.gz").write_bytes(whole[:300])  # cut inside the gzip member: unreadable to its end
    (tmp_path / "c.txt").write_bytes((LINUX / "corpus-linux_iproute2_ss-tan.txt").read_bytes())
    return ["a.txt", "b.txt.gz", "c.txt"]


CUT = "netparse: cannot read b.txt.gz: corrupt or truncated compressed data"


@pytest.mark.parametrize("command", [["parse", "-o", "jsonl"], ["parse", "-o", "csv"], ["timeline", "-o", "csv"],
                                     ["timeline", "--by", "port", "-o", "json"], ["summary", "--all-snapshots"]])
def test_the_same_output_and_exit_code_for_every_jobs(tmp_path: Path, inputs: list[str], command: list[str]) -> None:
    runs = {}
    for jobs in ("1", "2"):
        extra = ["--jobs", jobs] if command[0] != "summary" else []
        runs[jobs] = _netparse(*command, *extra, *inputs, cwd=tmp_path)
    one, two = runs["1"], runs["2"]
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert [line for line in one.stderr.splitlines() if line.startswith(CUT)]
    assert one.stderr == two.stderr
    # the good inputs were read: records of a.txt and c.txt (28 sockets each)
    if command[:3] == ["parse", "-o", "jsonl"]:
        assert len(one.stdout.splitlines()) >= 56


def test_analyze_reads_the_other_inputs_then_exits_1(tmp_path: Path, inputs: list[str]) -> None:
    proc = _netparse("analyze", *inputs, cwd=tmp_path)
    assert proc.returncode == 1
    assert "a.txt (linux-netstat): 28 sockets" in proc.stdout and "c.txt (ss)" in proc.stdout
    assert proc.stderr.startswith(CUT)
    nagios = _netparse("analyze", "-o", "nagios", *inputs, cwd=tmp_path)
    assert nagios.returncode == 3 and nagios.stdout.startswith("NETPARSE UNKNOWN - cannot read b.txt.gz")
    alone = _netparse("analyze", "b.txt.gz", cwd=tmp_path)
    assert alone.returncode == 1 and alone.stdout == ""


def test_strict_and_unknown_format_still_stop_at_once(tmp_path: Path, inputs: list[str]) -> None:
    (tmp_path / "bad.txt").write_text("tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN\nthis is not a row\n")
    for jobs in ("1", "2"):
        strict = _netparse("parse", "--strict", "--jobs", jobs, "bad.txt", "a.txt", cwd=tmp_path)
        assert strict.returncode == 1 and "line 2" in strict.stderr
        assert "a.txt" not in strict.stdout  # stopped before the next input
        fmt = _netparse("parse", "-f", "no-such", "--jobs", jobs, "a.txt", "c.txt", cwd=tmp_path)
        assert fmt.returncode == 2 and "unknown format 'no-such'" in fmt.stderr


def test_show_issues_explains_every_line_in_full(tmp_path: Path) -> None:
    lines = ["tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN"] + [f"garbage line {i}" for i in range(40)]
    (tmp_path / "x.txt").write_text("\n".join(lines) + "\n")
    quiet = _netparse("parse", "--show-issues", "x.txt", cwd=tmp_path)
    reasons = [line for line in quiet.stderr.splitlines() if ": unparsed: " in line]
    assert len(reasons) == 40
    assert all("(" in r.split(": unparsed: ", 1)[1] for r in reasons)  # pyparsing's reason for each, not the short form
