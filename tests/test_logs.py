"""Logs with many snapshots: segmentation, timestamps, hosts, inputs (globs, directories,
compression), line accounting, streaming, and the analyzer over a log (trend rules).

Golden files (tests/test_logs/*.yml) hold the segmentation of every log in samples/logs/
(tests/test_samples.py skips that folder): snapshot count, where each starts and ends,
timestamp, host, records and line counts.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
import shutil
import subprocess
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app
from netparse.inputs.files import InputError, expand, host_from_name, open_binary
from netparse.logs.reader import LogReader, classify, parse_log, parse_log_file
from netparse.logs.stamps import parse_stamp
from netparse.model import Socket

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "samples" / "logs"
LOG_FILES = [Path(p) for p in expand([str(LOGS)])]
UTC = timezone.utc


def log_id(path: Path) -> str:
    return str(path.relative_to(LOGS))


def segmentation(path: Path) -> dict:
    reader = LogReader(str(path))
    snapshots = []
    for block, item in reader:
        if item is None:
            snapshots.append(
                {
                    "index": block.index,
                    "first_line": block.first_line,
                    "last_line": block.last_line,
                    "timestamp": block.timestamp.isoformat() if block.timestamp else None,
                    "stamp_kind": block.stamp_kind,
                    "host": block.host,
                    "host_from": block.host_from,
                    "format": block.format,
                    "records": block.records,
                    "line_counts": block.line_counts,
                }
            )
    return {
        "total_lines": reader.parser.lineno,
        "line_counts": reader.parser.line_counts(),
        "encoding": reader.encoding,
        "snapshots": snapshots,
    }


# ---------------------------------------------------------------------------- the samples


def test_the_log_samples_are_there() -> None:
    names = {log_id(p) for p in LOG_FILES}
    for expected in ("linux-date-netstat.log", "linux-iso-ss.log", "linux-epoch-hostname.log.gz",
                     "windows-en-date-time.log", "windows-de-date-time.log", "hosts/web01.log",
                     "hosts/web02.log.gz", "hosts/db01.log.xz"):
        assert expected in names
    assert not any(n.endswith((".note", ".py")) for n in names), "directory reading skips notes and scripts"


@pytest.mark.parametrize("path", LOG_FILES, ids=log_id)
def test_every_log_has_a_note(path: Path) -> None:
    stem = path.name.split(".")[0]
    note = path.with_name(stem + ".note")
    if path.parent.name == "hosts":
        note = LOGS / "hosts.note"
    assert note.is_file(), f"{path} needs a .note saying how it was made"
    assert "source" in note.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("path", LOG_FILES, ids=log_id)
def test_segmentation_golden(path: Path, data_regression) -> None:
    data_regression.check(segmentation(path), basename=re.sub(r"[^A-Za-z0-9_.-]", "_", log_id(path)))


@pytest.mark.parametrize("path", LOG_FILES, ids=log_id)
def test_every_line_belongs_somewhere(path: Path) -> None:
    """The file's line accounting holds, and the snapshots tile the file without overlap."""
    data = segmentation(path)
    assert sum(data["line_counts"].values()) == data["total_lines"]
    assert "unparsed" not in data["line_counts"] or path.name.startswith("corpus-")
    previous_end = 0
    for snap in data["snapshots"]:
        assert snap["first_line"] == previous_end + 1
        assert sum(snap["line_counts"].values()) == snap["last_line"] - snap["first_line"] + 1
        previous_end = snap["last_line"]
    assert previous_end == data["total_lines"]


EXPECTED = {
    # file: (snapshots, first timestamp, host of every snapshot)
    "linux-date-netstat.log": (6, "date", "linux-date-netstat"),
    "linux-iso-ss.log": (6, "iso", "linux-iso-ss"),
    "linux-epoch-hostname.log.gz": (6, "epoch", "app-07"),
    "windows-en-date-time.log": (3, datetime(2026, 11, 24, 19, 11), "windows-en-date-time"),
    "windows-de-date-time.log": (2, datetime(2026, 11, 24, 19, 11), "windows-de-date-time"),
    "hosts/web01.log": (4, "date", "web01"),
    "hosts/web02.log.gz": (4, "date", "web02"),
    "hosts/db01.log.xz": (4, "cet", "db01"),
    "corpus-date-netstat-antu-loop.log": (3, datetime(2026, 11, 24, 20, 57, 12, tzinfo=UTC), "corpus-date-netstat-antu-loop"),
    "corpus-iso-ss-tan-loop.log": (3, datetime(2026, 11, 24, 20, 57, 12, tzinfo=UTC), "corpus-iso-ss-tan-loop"),
    "corpus-ss-dashes-grep-loop.log": (10, None, "corpus-ss-dashes-grep-loop"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_snapshot_counts_timestamps_and_hosts(name: str) -> None:
    count, first, host = EXPECTED[name]
    snapshots = parse_log_file(str(LOGS / name))
    assert len(snapshots) == count
    assert {s.host for s in snapshots} == {host}
    stamps = [s.timestamp for s in snapshots]
    if first is None:
        assert stamps == [None] * count
        return
    assert all(stamps) and stamps == sorted(stamps)
    if isinstance(first, datetime):
        assert stamps[0] == first
    elif first in ("date", "iso", "epoch"):
        assert stamps[0].utcoffset() == timedelta(0), "the log says UTC (or epoch): aware"
    elif first == "cet":
        assert stamps[0].utcoffset() == timedelta(hours=1)
    if name.startswith("windows"):
        assert stamps[0].tzinfo is None, "date /t and time /t say no zone"
        assert stamps[1] - stamps[0] == timedelta(minutes=5)


def test_snapshots_are_snapshot_models_with_sources() -> None:
    snapshots = parse_log_file(str(LOGS / "linux-date-netstat.log"))
    first, last = snapshots[0], snapshots[-1]
    assert first.source.endswith("linux-date-netstat.log:1")
    assert first.format == "linux-netstat" and first.sockets[0].line == 4
    assert first.total_lines == sum(first.line_counts.values())
    assert min(s.line for s in last.sockets) > max(s.line for s in first.sockets)


def test_windows_de_is_read_as_cp850_with_german_states() -> None:
    [first, second] = parse_log_file(str(LOGS / "windows-de-date-time.log"))
    assert {s.state_label for s in first.sockets} >= {"ABHÖREN", "HERGESTELLT"}
    assert first.encoding and "850" in first.encoding
    assert second.timestamp == datetime(2026, 11, 24, 19, 16)


# ---------------------------------------------------------------------------- timestamp lines


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Tue Nov 24 19:11:04 UTC 2026", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("Tue Nov  4 19:11:04 CET 2026", datetime(2026, 11, 4, 19, 11, 4, tzinfo=timezone(timedelta(hours=1)))),
        ("Tue Nov 24 07:11:04 PM UTC 2026", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("Tue 24 Nov 2026 07:11:04 PM UTC", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 19:11:04 +0000", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("Tue Nov 24 19:11:04 2026", datetime(2026, 11, 24, 19, 11, 4)),
        ("2026-11-24T19:11:04+00:00", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("2026-11-24T19:11:04Z", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("2026-11-24T19:11:04.250+05:30", datetime(2026, 11, 24, 19, 11, 4, 250000, tzinfo=timezone(timedelta(hours=5.5)))),
        ("2026-11-24 19:11:04", datetime(2026, 11, 24, 19, 11, 4)),
        ("2026-11-24 19:11", datetime(2026, 11, 24, 19, 11)),
        ("1795633864", datetime(2026, 11, 25, 19, 11, 4, tzinfo=UTC)),
        ("Timestamp: Tue Nov 24 19:11:04 UTC 2026", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("zzz ***Tue Nov 24 19:11:04 UTC 2026", datetime(2026, 11, 24, 19, 11, 4, tzinfo=UTC)),
        ("[2026-11-24 19:11:04]", datetime(2026, 11, 24, 19, 11, 4)),
        ("Tue 11/24/2026 19:11:04.52", datetime(2026, 11, 24, 19, 11, 4, 520000)),
    ],
)
def test_full_timestamps(line: str, expected: datetime) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None and stamp.kind == "full"
    assert stamp.value == expected and stamp.value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "line, kind, expected",
    [
        ("Tue 11/24/2026 ", "date", datetime(2026, 11, 24)),  # en-US date /t
        ("Di 24.11.2026", "date", datetime(2026, 11, 24)),  # de-DE date /t
        ("24.11.2026", "date", datetime(2026, 11, 24)),
        ("24/11/2026", "date", datetime(2026, 11, 24)),  # fr-FR, en-GB
        ("2026/11/24", "date", datetime(2026, 11, 24)),  # ja-JP
        ("2026/11/24 周二", "date", datetime(2026, 11, 24)),  # zh-CN
        ("Fri 05/06/2026", "date", datetime(2026, 6, 5)),  # the weekday settles day/month
        ("Wed 05/06/2026", "date", datetime(2026, 5, 6)),
        ("07:11 PM", "time", datetime(1900, 1, 1, 19, 11)),
        ("19:11", "time", datetime(1900, 1, 1, 19, 11)),
        ("午後 07:11", "time", datetime(1900, 1, 1, 19, 11)),
    ],
)
def test_windows_date_and_time_lines(line: str, kind: str, expected: datetime) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None and (stamp.kind, stamp.value) == (kind, expected)


@pytest.mark.parametrize("line", ["tcp 0 0 1.2.3.4:80 0.0.0.0:* LISTEN", "12345", "LISTEN", "19:71", "2026-13-45",
                                  "Active Internet connections", "Proto Recv-Q Send-Q", ""])
def test_not_timestamps(line: str) -> None:
    assert parse_stamp(line) is None


@pytest.mark.parametrize(
    "line, kind, host, has_stamp",
    [
        ("=== 2026-11-24 19:11 ===", "separator", None, True),
        ("----- host1 -----", "separator", "host1", False),
        ("=== web01 2026-11-24 19:11:04 ===", "separator", "web01", True),
        ("---", "separator", None, False),
        ("==== CURRENT TIME:", "separator", None, False),
        ("web01", "hostname", "web01", False),
        ("ip-10-0-0-5.ec2.internal", "hostname", "ip-10-0-0-5.ec2.internal", False),
        ("hostname: db-1", "hostname", "db-1", False),
    ],
)
def test_separator_and_host_lines(line: str, kind: str, host: str | None, has_stamp: bool) -> None:
    found = classify(line)
    assert found is not None and found.kind == kind and found.host == host
    assert (found.stamp is not None) == has_stamp


@pytest.mark.parametrize("line", ["OK", "done", "...", "## SYN-SENT", "### a heading", "LISTEN", "TCP"])
def test_words_that_are_not_hosts(line: str) -> None:
    assert classify(line) is None


# ---------------------------------------------------------------------------- segmentation rules

NETSTAT = """Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN
tcp        0      0 10.0.0.5:22             10.0.0.9:50000          ESTABLISHED
"""
SS = """State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
LISTEN 0      128          0.0.0.0:22         0.0.0.0:*
"""


def test_a_header_that_comes_again_starts_a_snapshot() -> None:
    """netstat -c, or a loop without date lines: the title/header after records cuts."""
    snapshots = parse_log(NETSTAT * 3, name="netstat-c.txt")
    assert [len(s.sockets) for s in snapshots] == [2, 2, 2]
    assert [s.source for s in snapshots] == ["netstat-c.txt:1", "netstat-c.txt:5", "netstat-c.txt:9"]
    assert {s.host for s in snapshots} == {"netstat-c"}


def test_a_title_repeated_for_another_address_family_is_the_same_run() -> None:
    """OpenBSD netstat -a -p udp prints its title again before the udp6 rows: one snapshot;
    two such runs one after the other: two."""
    path = ROOT / "samples" / "openbsd" / "corpus-openbsd_netstat-a-p-udp_and_-p-tcp_names.txt"
    text = path.read_text(encoding="utf-8")
    assert len(parse_log(text)) == 1
    run = text[: text.index("obsd2023# netstat -a -p tcp")]
    assert [len(s.sockets) for s in parse_log(run + run)] == [len(parse_log(run)[0].sockets)] * 2


def test_netstat_c_and_repeated_runs_in_a_paste() -> None:
    for name, count in (("linux/corpus-linux_nettools_netstat-antc2.txt", 3),
                        ("windows/ps-get-nettcpconnection-owningprocess.txt", 2)):
        assert len(parse_log_file(str(ROOT / "samples" / name))) == count


def test_with_date_lines_headers_do_not_cut() -> None:
    """date; ss -tan; netstat -ant: two headers per snapshot, one snapshot per date."""
    text = "".join(f"Tue Nov 24 19:1{i}:00 UTC 2026\n" + SS + NETSTAT + SS for i in range(3))
    snapshots = parse_log(text)
    assert [len(s.sockets) for s in snapshots] == [4, 4, 4]
    assert snapshots[2].timestamp == datetime(2026, 11, 24, 19, 12, tzinfo=UTC)


def test_date_then_time_lines_make_one_timestamp_and_crlf() -> None:
    text = "Di 24.11.2026\r\n19:11\r\n" + NETSTAT.replace("\n", "\r\n") + "Di 24.11.2026\r\n19:16\r\n" + NETSTAT.replace("\n", "\r\n")
    snapshots = parse_log(text)
    assert [s.timestamp for s in snapshots] == [datetime(2026, 11, 24, 19, 11), datetime(2026, 11, 24, 19, 16)]


def test_time_only_lines_take_the_last_date_and_roll_over_midnight() -> None:
    text = "2026-11-24 23:58:00\n" + SS + "23:59:30\n" + SS + "00:00:30\n" + SS
    assert [s.timestamp for s in parse_log(text)] == [
        datetime(2026, 11, 24, 23, 58), datetime(2026, 11, 24, 23, 59, 30), datetime(2026, 11, 25, 0, 0, 30)
    ]


def test_host_separators_in_one_file() -> None:
    text = "----- web01 -----\nTue Nov 24 19:11:00 UTC 2026\n" + SS + "----- web02 -----\nTue Nov 24 19:11:02 UTC 2026\n" + SS
    snapshots = parse_log(text, name="all-hosts.log")
    assert [(s.host, s.source) for s in snapshots] == [("web01", "all-hosts.log:1"), ("web02", "all-hosts.log:5")]


def test_a_date_with_nothing_after_it_is_no_snapshot() -> None:
    text = "Tue Nov 24 19:10:00 UTC 2026\nTue Nov 24 19:11:00 UTC 2026\n" + SS + "Tue Nov 24 19:12:00 UTC 2026\n"
    [only] = parse_log(text)
    assert only.timestamp == datetime(2026, 11, 24, 19, 11, tzinfo=UTC)
    assert only.source == "<input>:1"  # the lone date line is folded into it


def test_header_only_snapshot_counts_as_a_snapshot_with_no_socket() -> None:
    """ss -tan state close-wait with no such socket prints only its header: a real zero."""
    header = SS.splitlines()[0] + "\n"
    text = "2026-11-24 19:10:00\n" + SS + "2026-11-24 19:11:00\n" + header + "2026-11-24 19:12:00\n" + SS
    assert [len(s.sockets) for s in parse_log(text)] == [1, 0, 1]


def test_records_know_their_snapshot_while_streaming() -> None:
    text = "".join(f"=== 2026-11-24 19:1{i}:00 ===\n" + SS for i in range(3))
    seen = [(block.index, item.line) for block, item in LogReader(io.StringIO(text).readlines(), name="x")
            if isinstance(item, Socket)]
    assert seen == [(0, 3), (1, 6), (2, 9)]


# ---------------------------------------------------------------------------- inputs


def test_expand_directories_globs_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "web01.log").write_text(SS)
    (tmp_path / "a" / "web01.note").write_text("source: x")
    (tmp_path / "a" / ".hidden.log").write_text(SS)
    (tmp_path / "b.log").write_text(SS)
    assert expand([str(tmp_path)]) == [str(tmp_path / "a" / "web01.log"), str(tmp_path / "b.log")]
    assert expand([str(tmp_path / "*.log")]) == [str(tmp_path / "b.log")]
    assert expand([str(tmp_path / "**" / "*.log")]) == [str(tmp_path / "a" / "web01.log"), str(tmp_path / "b.log")]
    assert expand(["-"]) == ["-"] and expand([]) == ["-"]
    assert expand([str(tmp_path / "b.log"), str(tmp_path)]) == [str(tmp_path / "b.log"), str(tmp_path / "a" / "web01.log")]
    with pytest.raises(InputError, match="no file matches"):
        expand([str(tmp_path / "*.gz")])


@pytest.mark.parametrize(
    "name, host",
    [("web01.log", "web01"), ("/var/log/web01.log.2.gz", "web01"), ("logs/db01/netstat.log", "db01"),
     ("web02.log.zst", "web02"), ("-", None), ("<stdin>", None)],
)
def test_host_from_file_name(name: str, host: str | None) -> None:
    assert host_from_name(name) == host


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize(
    "suffix, pack",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress), (".zst", _zstd), (".log", lambda b: b),
     (".txt", gzip.compress)],  # a misnamed gzip file is still read (magic bytes)
)
def test_compressed_inputs(tmp_path: Path, suffix: str, pack) -> None:
    data = ("2026-11-24 19:10:00\n" + SS + "2026-11-24 19:11:00\n" + SS).encode()
    path = tmp_path / f"web01{suffix}"
    path.write_bytes(pack(data))
    snapshots = parse_log_file(str(path))
    assert len(snapshots) == 2 and snapshots[0].host == "web01"


def test_gzip_members_appended_are_all_read(tmp_path: Path) -> None:
    """cron: date; netstat -an | gzip >> log.gz appends one gzip member per run."""
    path = tmp_path / "x.log.gz"
    path.write_bytes(gzip.compress(("2026-11-24 19:10:00\n" + SS).encode()) + gzip.compress(("2026-11-24 19:11:00\n" + SS).encode()))
    assert len(parse_log_file(str(path))) == 2


def test_open_binary_reports_stored_size(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(SS.encode() * 100))
    name, binary, raw, size = open_binary(str(path))
    try:
        assert size == path.stat().st_size and binary.read().count(b"LISTEN") == 100
    finally:
        binary.close()
        raw.close()


def test_stdin_compressed_log_through_the_cli() -> None:
    data = gzip.compress((LOGS / "linux-iso-ss.log").read_bytes())
    result = subprocess.run([sys.executable, "-m", "netparse", "timeline", "-", "-o", "json"], input=data,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 6 and rows[0]["host"] is None


# ---------------------------------------------------------------------------- streaming


def test_reading_a_log_keeps_memory_flat(tmp_path: Path) -> None:
    """Peak Python allocations do not grow with the number of snapshots."""
    from netparse.logs.timeline import build

    block = (LOGS / "linux-date-netstat.log").read_text().split("\n")
    snapshot = "\n".join(block[:160]) + "\n"  # the first snapshots (date + netstat blocks)

    def peak(copies: int) -> int:
        path = tmp_path / f"big-{copies}.log"
        path.write_text(snapshot * copies)
        tracemalloc.start()
        timeline = build([str(path)])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(timeline.rows) == 4 * copies
        return top

    small, large = peak(5), peak(60)
    assert large < small * 2 + 2_000_000, (small, large)


# ---------------------------------------------------------------------------- CLI: parse and analyze


runner = CliRunner()


def test_parse_json_records_carry_snapshot_timestamp_host() -> None:
    result = runner.invoke(app, ["parse", str(LOGS / "hosts"), "-o", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    first = records[0]
    assert (first["snapshot"], first["host"], first["timestamp"]) == (0, "db01", first["timestamp"])
    assert first["timestamp"].endswith("+01:00") and first["source"].endswith("db01.log.xz")
    assert {r["host"] for r in records} == {"db01", "web01", "web02"}
    assert max(r["snapshot"] for r in records) == 3


def test_parse_of_a_plain_listing_is_unchanged() -> None:
    result = runner.invoke(app, ["parse", str(ROOT / "samples" / "linux" / "corpus-linux_iproute2_ss-tan.txt"), "-o", "jsonl"])
    assert result.exit_code == 0
    assert not {"snapshot", "timestamp", "host"} & set(json.loads(result.stdout.splitlines()[0]))


def test_parse_accepts_globs(tmp_path: Path) -> None:
    shutil.copy(LOGS / "hosts" / "web01.log", tmp_path / "web01.log")
    shutil.copy(LOGS / "hosts" / "web02.log.gz", tmp_path / "web02.log.gz")
    result = runner.invoke(app, ["summary", str(tmp_path / "web0*"), "-o", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] > 0
    assert runner.invoke(app, ["parse", str(tmp_path / "nothing*")]).exit_code == 1


def test_analyze_a_log_reports_the_newest_snapshot_and_trends() -> None:
    result = runner.invoke(app, ["analyze", str(LOGS / "linux-date-netstat.log"), "-o", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    [entry] = doc["inputs"]
    assert entry["source"].endswith("linux-date-netstat.log:441") and entry["host"] == "linux-date-netstat"
    codes = {f["code"]: f for f in doc["findings"]}
    assert {"NP016", "NP017", "NP018"} <= set(codes)
    assert codes["NP016"]["local_port"] == 8080 and codes["NP016"]["process"] == "appserver"
    assert codes["NP018"]["local_port"] == 6379
    text = runner.invoke(app, ["analyze", str(LOGS / "linux-date-netstat.log")]).stdout
    assert "NP016 close-wait-growth" in text and "[linux-date-netstat, 2026-11-25 " in text


def test_analyze_a_directory_of_hosts_one_entry_per_host() -> None:
    doc = json.loads(runner.invoke(app, ["analyze", str(LOGS / "hosts"), "-o", "json"]).stdout)
    assert [e["host"] for e in doc["inputs"]] == ["db01", "web01", "web02"]
    assert any(f["code"] == "NP016" and f["source"].startswith(str(LOGS / "hosts" / "web02")) for f in doc["findings"])


def test_analyze_rotated_logs_of_one_host_as_one_series(tmp_path: Path) -> None:
    """web.log.1 (older) and web.log (newer): one series, the newest snapshot from web.log."""
    text = (LOGS / "linux-date-netstat.log").read_text()
    cut = [m.start() for m in re.finditer(r"^\w{3} \w{3} .. \d\d:\d\d:\d\d UTC \d{4}$", text, re.M)][3]
    (tmp_path / "web.log.1").write_text(text[:cut])
    (tmp_path / "web.log").write_text(text[cut:])
    doc = json.loads(runner.invoke(app, ["analyze", str(tmp_path), "-o", "json"]).stdout)
    [entry] = doc["inputs"]
    assert entry["host"] == "web" and entry["source"] == f"{tmp_path / 'web.log'}:{441 - text[:cut].count(chr(10))}"
    assert {"NP016", "NP018"} <= {f["code"] for f in doc["findings"]}


def test_zstd_frames_appended_are_all_read_and_a_cut_frame_is_an_error(tmp_path: Path) -> None:
    """`... | zstd >> log.zst` appends frames: all are read. A file cut inside a frame is an
    error, as a cut gzip/bzip2/xz file is (zstandard's own reader would return what it has)."""
    zstandard = pytest.importorskip("zstandard")
    from netparse.inputs.source import InputReadError

    one = zstandard.ZstdCompressor().compress(("2026-11-24 19:10:00\n" + SS).encode())
    two = zstandard.ZstdCompressor().compress(("2026-11-24 19:11:00\n" + SS).encode())
    path = tmp_path / "x.log.zst"
    path.write_bytes(one + two)
    assert len(parse_log_file(str(path))) == 2
    path.write_bytes(one + two[: len(two) // 2])
    with pytest.raises(InputReadError, match="truncated"):
        parse_log_file(str(path))


def test_zstd_memory_stays_flat_on_highly_compressed_data() -> None:
    """zstd turns a few bytes into 128 KiB (256 MiB of zeros compress to ~8 KiB): reading must
    not decompress everything it was given at once."""
    import io
    import tracemalloc

    zstandard = pytest.importorskip("zstandard")
    from netparse.inputs.files import decompressor

    buf = io.BytesIO()
    with zstandard.ZstdCompressor().stream_writer(buf, closefd=False) as writer:
        for _ in range(16):
            writer.write(bytes(16 << 20))
    tracemalloc.start()
    try:
        stream = decompressor("zstd", io.BytesIO(buf.getvalue()))
        assert stream.read(4096) == bytes(4096)
        total = 4096
        while chunk := stream.read(1 << 20):
            total += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == 256 << 20
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"


def test_summary_of_a_log_keeps_no_counts_of_older_snapshots() -> None:
    """`summary` of a log counts each host's newest snapshot: the counts of the others are let
    go as the log is read (they were kept per snapshot: 968 MiB for a 1 GB log of 5,305)."""
    from types import SimpleNamespace

    from netparse.cli.app import _NewestPerHost  # noqa: PLC2701 - the summary's scope itself

    scope = _NewestPerHost()
    reader = SimpleNamespace(is_log=False)
    scope.end(reader, SimpleNamespace(host=None, timestamp=None))  # the first snapshot: a listing so far
    assert len(scope.blocks) == 1
    reader.is_log = True  # a second snapshot makes it a log
    for _ in range(50):
        scope.end(reader, SimpleNamespace(host="web01", timestamp=None))
    assert scope.blocks == [] and list(scope.per_host) == [None, "web01"]


# --------------------------------------------------------------- nothing lost after the last snapshot

_TRAILING = (
    "=== 2026-01-01 10:00:00 ===\n"
    "Active Internet connections (servers and established)\n"
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
    "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN\n"
    "=== 2026-01-01 10:01:00 ===\n"
    "garbage line here\n"
)


def test_issues_after_the_last_snapshot_are_in_the_last_snapshot() -> None:
    [snap] = parse_log(_TRAILING)
    assert len(snap.sockets) == 1
    assert [(i.line, i.text, i.kind) for i in snap.issues] == [(6, "garbage line here", "unparsed")]


def test_issues_before_a_listing_go_with_it_and_trailing_ones_with_the_last() -> None:
    listing = "".join(_TRAILING.splitlines(keepends=True)[1:4])
    text = f"=== 2026-01-01 10:00:00 ===\n{listing}=== 2026-01-01 10:01:00 ===\nnot a row at all\n{listing}the tail end here\n"
    first, second = parse_log(text)
    assert [i.text for i in first.issues] == []
    assert [i.text for i in second.issues] == ["not a row at all", "the tail end here"]


def test_an_input_without_any_listing_keeps_its_issues() -> None:
    [snap] = parse_log("nothing\nof use here\n")
    assert snap.sockets == [] and snap.format == "unknown"
    assert [i.line for i in snap.issues] == [2]  # line 1 is read as a host name


def test_by_snapshot_gives_every_issue_of_a_generated_log_once() -> None:
    lines = []
    for minute in range(5):
        lines.append(f"=== 2026-01-01 10:0{minute}:00 ===")
        lines += _TRAILING.splitlines()[1:4]
        lines.append(f"junk {minute}")
    lines.append("=== 2026-01-01 10:09:00 ===")
    lines.append("junk end")
    reader = LogReader(lines, name="gen")
    seen = [i.text for _, _, issues in reader.by_snapshot() for i in issues]
    assert seen == [f"junk {m}" for m in range(5)] + ["junk end"]
    assert reader.parser.line_counts()["unparsed"] == len(seen)


def test_analyze_and_bare_netparse_count_the_trailing_issue(tmp_path) -> None:
    path = tmp_path / "trail.log"
    path.write_text(_TRAILING)
    for args in (["analyze", str(path)], []):
        proc = subprocess.run([sys.executable, "-m", "netparse", *args], input=_TRAILING if not args else None,
                              capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "netparse: 1 line not understood (netparse parse --show-issues lists them)\n"
    doc = json.loads(subprocess.run([sys.executable, "-m", "netparse", "analyze", "-o", "json", str(path)],
                                    capture_output=True, text=True, check=True).stdout)
    assert doc["inputs"][0]["issues"] == 1
