"""The smaller items of issue 12, each checked through the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app

ROOT = Path(__file__).resolve().parent.parent
NETSTAT_AN = ROOT / "samples/linux/corpus-linux_nettools_netstat-an.txt"
PROBLEMS = sorted((ROOT / "samples/linux").glob("problems_*.txt"))
runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.mark.parametrize("command", ["parse", "summary", "analyze", "explain", "live", "timeline", "diff"])
def test_help_names_values_not_types(command: str) -> None:
    out = invoke(command, "--help").stdout
    assert not re.search(r"<(list\[|str>|int>|int range>|float range>)", out), out


def test_usage_errors_in_our_words() -> None:
    result = invoke("parse", "-o", "yaml", str(NETSTAT_AN))
    assert result.exit_code == 2 and "Value error" not in result.output and "'yaml' is not one of" in result.output
    result = invoke("parse", "--jobs", "x", str(NETSTAT_AN))
    assert result.exit_code == 2 and "'x' is not a whole number" in result.output
    result = invoke("parse", "--port", "no-such-service", str(NETSTAT_AN))
    assert result.exit_code == 2 and "neither a port number nor a known service name" in result.output
    assert "unable to parse" not in result.output


def test_port_accepts_a_service_name() -> None:
    listing = ("State  Recv-Q Send-Q Local Address:Port  Peer Address:Port\n"
               "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:80 0.0.0.0:*\n")
    by_name = invoke("parse", "-o", "jsonl", "--port", "ssh", input=listing)
    by_number = invoke("parse", "-o", "jsonl", "--port", "22", input=listing)
    assert by_name.exit_code == 0 and by_name.stdout == by_number.stdout
    assert [json.loads(line)["local_port"] for line in by_name.stdout.splitlines()] == [22]


def test_explain_takes_several_topics() -> None:
    result = invoke("explain", "TIME_WAIT", "CLOSE_WAIT", "NP001")
    assert result.exit_code == 0
    assert result.stdout.startswith("TIME_WAIT") and "\nCLOSE_WAIT  (RFC 9293 state)" in result.stdout
    assert "NP001 close-wait-leak" in result.stdout
    data = json.loads(invoke("explain", "--json", "TIME_WAIT", "CLOSE_WAIT").stdout)
    assert [d["state"] for d in data] == ["TIME_WAIT", "CLOSE_WAIT"]
    assert invoke("explain", "TIME_WAIT", "NOPE").exit_code == 2


@pytest.mark.parametrize("command", [["parse"], ["summary"], []])
@pytest.mark.parametrize("text", ["", "garbage\nmore garbage\n"])
def test_empty_or_garbage_input_prints_no_table(command: list[str], text: str) -> None:
    result = invoke(*command, input=text)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no socket listing found in standard input" in result.stderr


def test_diff_of_one_snapshot_says_so() -> None:
    result = invoke("diff", str(NETSTAT_AN))
    assert result.exit_code == 1 and "has one snapshot" in result.stderr and "No change" not in result.stdout


def test_csv_extra_is_one_flat_object() -> None:
    listing = ("State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
               "ESTAB 0 0 10.0.0.5:22 10.0.0.9:50000 users:((\"sshd\",pid=7,fd=3)) uid:0 ino:123 sk:1 cgroup:/x <->\n")
    rows = list(csv.DictReader(io.StringIO(invoke("parse", "-o", "csv", input=listing).stdout, newline="")))
    extra = json.loads(rows[0]["extra"])
    assert not any(isinstance(v, dict) for v in extra.values()), extra


def test_shell_completion_is_offered() -> None:
    out = invoke("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_counts_split_by_kind() -> None:
    out = invoke("summary", str(NETSTAT_AN)).stdout
    assert "tcp 28 (8 LISTEN, 16 ESTABLISHED" in out and "unix 10" in out and "udp 3" in out
    assert re.search(r"^unix\s+LISTEN\s+3$", out, re.M)  # unix LISTENING apart from TCP's LISTEN
    data = json.loads(invoke("summary", "-o", "json", str(NETSTAT_AN)).stdout)
    assert data["by_kind"] == {"tcp": 28, "udp": 3, "raw": 2, "unix": 10}
    assert sum(s["count"] for s in data["states"] if s["kind"] == "tcp" and s["state"] == "LISTEN") == 8
    head = invoke("analyze", str(NETSTAT_AN)).stdout.splitlines()[0]
    assert "tcp 28 (8 LISTEN, 16 ESTABLISHED" in head and "unix 10" in head


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.name)
def test_bare_netparse_finds_what_analyze_finds(path: Path) -> None:
    analyzed = json.loads(invoke("analyze", "-o", "json", str(path)).stdout)
    codes = sorted(f["code"] for f in analyzed["findings"])
    bare = invoke(input=path.read_text(encoding="utf-8"))
    assert bare.exit_code == 0
    shown = sorted(re.findall(r"^(?:CRITICAL|WARNING|INFO)\s+(NP\d{3})", bare.stdout, re.M))
    assert shown == codes
