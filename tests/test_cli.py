"""The command line: outputs, filters, exit codes, and never a traceback for bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app

ROOT = Path(__file__).resolve().parent.parent
NETSTAT = ROOT / "samples/linux/netstat-antp.txt"
SS = ROOT / "samples/linux/ss-tanpe.txt"
runner = CliRunner()


def invoke(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input)


def test_parse_json_is_a_list_of_flat_records() -> None:
    result = invoke("parse", "-o", "json", str(NETSTAT))
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 55
    first = records[0]
    assert {"proto", "family", "local_address", "local_port", "state", "state_label", "line"} <= set(first)
    assert all(not isinstance(v, dict) for k, v in first.items() if k != "extra")


def test_parse_jsonl_and_filters() -> None:
    result = invoke("parse", "-o", "jsonl", "--state", "close-wait", str(SS))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["state"] == "CLOSE_WAIT" for r in rows)
    # any label names a state
    same = invoke("parse", "-o", "jsonl", "--state", "CLOSE_WAIT", str(NETSTAT))
    assert len(same.stdout.splitlines()) == len(rows)


def test_port_proto_pid_filters() -> None:
    result = invoke("parse", "-o", "jsonl", "--port", "18084", str(NETSTAT))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(18084 in (r.get("local_port"), r.get("remote_port")) for r in rows)
    result = invoke("parse", "-o", "jsonl", "--proto", "tcp6", str(NETSTAT))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["proto"] == "tcp" for r in rows)
    pid = rows[0].get("pid") or 4090
    result = invoke("parse", "-o", "jsonl", "--pid", str(pid), str(NETSTAT))
    assert all(json.loads(line)["pid"] == pid for line in result.stdout.splitlines())


def test_unknown_state_filter_is_a_usage_error() -> None:
    result = invoke("parse", "--state", "NOPE", str(NETSTAT))
    assert result.exit_code == 2


def test_csv_has_header_and_one_row_per_record() -> None:
    result = invoke("parse", "-o", "csv", str(SS))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 55
    assert rows[0]["state"] and rows[0]["proto"] == "tcp"
    # fields outside the core columns are kept in 'extra'
    assert any(json.loads(r["extra"]).get("sk") for r in rows if r["extra"])


def test_table_and_summary() -> None:
    result = invoke("parse", str(NETSTAT))
    assert result.exit_code == 0 and "LISTEN" in result.stdout and "4090/python3" in result.stdout
    result = invoke("summary", str(SS))
    assert result.exit_code == 0
    assert "CLOSE_WAIT" in result.stdout and "55 sockets" in result.stdout
    result = invoke("summary", "-o", "json", str(SS))
    data = json.loads(result.stdout)
    assert data["total"] == 55 and sum(s["count"] for s in data["states"]) == 55


def test_no_subcommand_summarises_stdin() -> None:
    result = invoke(input=NETSTAT.read_text())
    assert result.exit_code == 0
    assert "ESTABLISHED" in result.stdout


def test_formats_and_schema() -> None:
    result = invoke("formats")
    assert "linux-netstat" in result.stdout and "ss -tanp" in result.stdout
    schema = json.loads(invoke("schema").stdout)
    assert schema["title"] == "Socket" and "local_port" in schema["properties"]
    snap = json.loads(invoke("schema", "--snapshot").stdout)
    assert "sockets" in snap["properties"]


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\xff\xfe garbage \x00" * 100, b"hello\nworld\n", "x" * 1_000_000],
    ids=["empty", "binary", "prose", "1MB-line"],
)
def test_no_socket_lines_exit_1_with_one_line_message(data) -> None:
    result = invoke("parse", input=data)
    assert result.exit_code == 1
    assert "no socket listing found" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_crlf_and_truncated_last_line() -> None:
    text = NETSTAT.read_text()
    crlf = text.replace("\n", "\r\n")
    cut = text[: len(text) - 30]
    for data in (crlf, cut):
        result = invoke("parse", "-o", "jsonl", input=data)
        assert result.exit_code == 0
        assert len(result.stdout.splitlines()) >= 54


def test_issues_counted_on_stderr_and_listed_on_request() -> None:
    text = NETSTAT.read_text() + "this is not a socket\n"
    result = invoke("parse", "-o", "jsonl", input=text)
    assert result.exit_code == 0
    assert "1 line not understood" in result.stderr
    result = invoke("parse", "-o", "jsonl", "--show-issues", input=text)
    assert "58: unparsed" in result.stderr


def test_strict_stops_with_exit_1_naming_the_line() -> None:
    text = NETSTAT.read_text() + "this is not a socket\n"
    result = invoke("parse", "--strict", "-o", "jsonl", input=text)
    assert result.exit_code == 1
    assert "line 58" in result.stderr


def test_missing_file_exit_1(tmp_path) -> None:
    result = invoke("parse", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1 and "cannot read" in result.stderr


def test_gzip_and_several_files(tmp_path) -> None:
    gz = tmp_path / "netstat.txt.gz"
    gz.write_bytes(gzip.compress(NETSTAT.read_bytes()))
    result = invoke("parse", "-o", "jsonl", str(gz), str(SS))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 110
    assert {r["source"] for r in rows} == {str(gz), str(SS)}


def test_python_dash_m_and_console_script() -> None:
    out = subprocess.run([sys.executable, "-m", "netparse", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("netparse ")
    env = dict(os.environ)
    piped = subprocess.run(
        [sys.executable, "-m", "netparse", "parse", "-o", "jsonl"],
        input=NETSTAT.read_bytes(),
        capture_output=True,
        env=env,
    )
    assert piped.returncode == 0 and piped.stdout.count(b"\n") == 55


def test_closed_pipe_is_quiet() -> None:
    big = NETSTAT.read_text() * 200
    proc = subprocess.run(
        f"{sys.executable} -m netparse parse -o jsonl | head -1",
        shell=True,
        input=big.encode(),
        capture_output=True,
    )
    assert proc.stdout.count(b"\n") == 1
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


def test_forced_encoding(tmp_path) -> None:
    german = (ROOT / "samples/windows/de-netstat-ano.txt").read_bytes().decode("utf-8")
    path = tmp_path / "de.txt"
    path.write_bytes(german.encode("cp850"))
    rows = [json.loads(l) for l in invoke("parse", "-o", "jsonl", "--encoding", "cp850", str(path)).stdout.splitlines()]
    assert any(r["state_label"] == "ABHÖREN" and r["state"] == "LISTEN" for r in rows)
    assert invoke("parse", "--encoding", "no-such-codec", str(path)).exit_code == 2


def test_table_shows_a_bare_pid_when_no_name() -> None:
    text = "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       4\n"
    result = invoke("parse", input=text)
    assert " 4" in result.stdout and "None" not in result.stdout


def test_byte_order_big_reads_proc_net_of_a_big_endian_host(tmp_path) -> None:
    # 127.0.0.1:8080 LISTEN as a big-endian host prints it: address bytes in network order
    text = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n"
    )
    path = tmp_path / "tcp"
    path.write_text(text)
    big = json.loads(invoke("parse", "-o", "jsonl", "--byte-order", "big", str(path)).stdout)
    little = json.loads(invoke("parse", "-o", "jsonl", str(path)).stdout)
    assert big["local_address"] == "127.0.0.1" and big["local_port"] == 8080 and big["state"] == "LISTEN"
    assert little["local_address"] == "1.0.0.127"


def test_bare_netparse_on_a_terminal_is_live(monkeypatch) -> None:
    import netparse.cli.live as cli_live

    called = []
    monkeypatch.setattr(cli_live, "live_default", lambda: called.append(True))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    from netparse.cli import main

    class Ctx:
        invoked_subcommand = None

    main(Ctx(), False)
    assert called == [True]


@pytest.mark.parametrize("command", ["parse", "summary", "analyze", "timeline", "diff"])
def test_corrupt_gzip_is_one_line_exit_1(tmp_path, command) -> None:
    data = bytearray(gzip.compress(NETSTAT.read_bytes()))
    data[40:90] = bytes(50)
    path = tmp_path / "bad.gz"
    path.write_bytes(bytes(data))
    proc = subprocess.run([sys.executable, "-m", "netparse", command, str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "corrupt or truncated compressed data" in proc.stderr and "Traceback" not in proc.stderr


def test_cut_zstd_is_one_line_exit_1(tmp_path) -> None:
    zstandard = pytest.importorskip("zstandard")
    data = zstandard.ZstdCompressor().compress(NETSTAT.read_bytes() * 20)
    path = tmp_path / "cut.zst"
    path.write_bytes(data[: len(data) // 2])
    proc = subprocess.run([sys.executable, "-m", "netparse", "parse", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "corrupt or truncated compressed data" in proc.stderr and "Traceback" not in proc.stderr


def _summary_total(*args: str) -> int:
    result = CliRunner().invoke(app, ["summary", "-o", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["total"]


def test_summary_of_a_log_is_its_newest_snapshot_per_host() -> None:
    """A log of many snapshots: summary counts the snapshots analyze reads (the newest per host,
    across files); --all-snapshots adds them all up; a plain listing is counted whole."""
    from netparse.logs.newest import analysis_inputs
    from netparse.logs.reader import parse_log_file

    hosts = ROOT / "samples/logs/hosts"
    chosen = [snap for snap, _ in analysis_inputs([str(hosts)], "auto")]
    total = sum(len(s.sockets) for p in sorted(hosts.iterdir()) if p.suffix != ".note" for s in parse_log_file(str(p)))
    assert len(chosen) >= 2 and sum(len(s.sockets) for s in chosen) < total
    assert _summary_total(str(hosts)) == sum(len(s.sockets) for s in chosen)
    assert _summary_total("--all-snapshots", str(hosts)) == total
    table = CliRunner().invoke(app, ["summary", str(hosts)])
    assert "newest snapshot of db01" in table.stdout and "--all-snapshots" in table.stdout
    assert _summary_total(str(NETSTAT)) == len(__import__("netparse").parse_file(NETSTAT).sockets)


LISTING_2 = (
    "Active Internet connections (servers and established)\n"
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
    "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN\n"
    "tcp        0      0 10.0.0.5:22             10.0.0.9:51000          ESTABLISHED\n"
)
LISTING_1 = (
    "Active Internet connections (servers and established)\n"
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
    "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN\n"
)
LISTING_0 = (
    "Active Internet connections (w/o servers)\n"
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
)


@pytest.mark.parametrize(
    "files, newest",
    [
        # a log that starts with a listing before its first separator: only the newest counts
        ({"f.log": LISTING_2 + "----------\n" + LISTING_1 + "----------\n" + LISTING_1}, 1),
        ({"g.log": LISTING_2 + "Mon Jan  5 10:00:00 UTC 2026\n" + LISTING_1}, 1),
        # rotated logs of one host: the newest snapshot across the files
        ({"web01.log.1": "2026-01-05 09:00:00\n" + LISTING_2, "web01.log": "2026-01-05 10:00:00\n" + LISTING_1}, 1),
        # an empty newest snapshot counts as empty, as analyze reads it
        ({"c.log": "2026-01-05 09:00:00\n" + LISTING_2 + "2026-01-05 10:00:00\n" + LISTING_0}, 0),
        # two listings one after the other (no markers): two snapshots, the second is the newest
        ({"two.txt": LISTING_2 + LISTING_1}, 1),
    ],
)
def test_summary_counts_what_analyze_reads(tmp_path, files: dict, newest: int) -> None:
    from netparse.logs.newest import analysis_inputs

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    chosen = [snap for snap, _ in analysis_inputs([str(tmp_path)], "auto")]
    assert sum(len(s.sockets) for s in chosen) == newest
    assert _summary_total(str(tmp_path)) == newest
