"""``netparse diff``: choosing snapshots (index, time), what changed, text and JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app
from netparse.logs.diff import SelectionError, compare, parse_selector, select
from netparse.logs.reader import parse_log

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "samples" / "logs"
runner = CliRunner()

SS = "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"


def ss(*rows: str) -> str:
    return SS + "".join(r + "\n" for r in rows)


def test_selectors() -> None:
    assert parse_selector(None, -1) == -1 and parse_selector("3", 0) == 3 and parse_selector("-2", 0) == -2
    assert parse_selector("2026-11-24 19:11", 0) == datetime(2026, 11, 24, 19, 11)
    assert parse_selector("2026-11-24T19:11:00Z", 0) == datetime(2026, 11, 24, 19, 11, tzinfo=timezone.utc)
    with pytest.raises(SelectionError):
        parse_selector("yesterday", 0)


def test_select_by_index_and_time() -> None:
    log = str(LOGS / "linux-date-netstat.log")
    first, _ = select(log, 0)
    last, _ = select(log, -1)
    before_last, _ = select(log, -2)
    assert (first.index, last.index, before_last.index) == (0, 5, 4)
    # the newest snapshot at or before a time; a naive time is the log's wall clock
    stamp = last.timestamp.replace(tzinfo=None)
    assert select(log, stamp)[0].index == 5
    assert select(log, stamp - timedelta(seconds=1))[0].index == 4
    with pytest.raises(SelectionError, match="has 6 snapshots"):
        select(log, 6)
    with pytest.raises(SelectionError, match="no snapshot at or before"):
        select(log, datetime(2020, 1, 1))
    with pytest.raises(SelectionError, match="no snapshot with a timestamp"):
        select(str(LOGS / "corpus-ss-dashes-grep-loop.log"), datetime(2030, 1, 1))


def test_compare_tells_listeners_states_ports_and_peers() -> None:
    a, b = parse_log(
        "=== 2026-11-24 19:10 ===\n"
        + ss(
            "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*",
            "LISTEN 0 128 127.0.0.1:6379 0.0.0.0:*",
            "ESTAB 0 0 10.0.0.5:22 10.0.0.9:50000",
            "ESTAB 0 0 10.0.0.5:41000 10.0.0.7:5432",
        )
        + "=== 2026-11-24 19:20 ===\n"
        + ss(
            "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*",
            "LISTEN 0 511 0.0.0.0:80 0.0.0.0:*",
            "ESTAB 0 0 10.0.0.5:22 10.0.0.9:50000",
            "CLOSE-WAIT 1 0 10.0.0.5:80 10.0.0.20:50001",
            "CLOSE-WAIT 1 0 10.0.0.5:80 10.0.0.21:50002",
        )
    )
    diff = compare(a, b, 0, 1)
    assert [(c.address, c.port) for c in diff.listeners_appeared] == [("0.0.0.0", 80)]
    assert [(c.address, c.port) for c in diff.listeners_vanished] == [("127.0.0.1", 6379)]
    states = {c.state.value: (c.a, c.b, c.change) for c in diff.states}
    assert states["CLOSE_WAIT"] == (0, 2, 2) and states["ESTABLISHED"] == (2, 1, -1) and states["LISTEN"] == (2, 2, 0)
    ports = {(c.direction, c.port): (c.a, c.b, c.states) for c in diff.ports}
    assert ports[("local", 80)] == (0, 2, {"CLOSE_WAIT": 2})
    assert ports[("remote", 5432)] == (1, 0, {"ESTABLISHED": -1})
    assert ("local", 22) not in ports  # unchanged
    assert [p.address for p in diff.new_peers] == ["10.0.0.20", "10.0.0.21"]
    assert [p.address for p in diff.gone_peers] == ["10.0.0.7"]


def test_cli_one_log_first_to_newest() -> None:
    result = runner.invoke(app, ["diff", str(LOGS / "linux-date-netstat.log")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = out.splitlines()
    b = next(line for line in lines if line.startswith("B: "))
    assert out.startswith("A: ") and "snapshot 0" in lines[0] and "snapshot 5" in b
    assert "Listeners vanished" in out and "127.0.0.1:6379  cachesrv" in out
    assert "CLOSE_WAIT" in out and "8080" in out


def test_cli_two_files_json_and_time_selectors() -> None:
    web01, web02 = str(LOGS / "hosts" / "web01.log"), str(LOGS / "hosts" / "web02.log.gz")
    doc = json.loads(runner.invoke(app, ["diff", web01, web02, "-o", "json"]).stdout)
    assert (doc["a"]["host"], doc["b"]["host"]) == ("web01", "web02")
    assert doc["a"]["snapshot"] == 3 and doc["b"]["snapshot"] == 3
    assert set(doc) == {"a", "b", "listeners_appeared", "listeners_vanished", "states", "ports", "new_peers", "gone_peers"}
    stamp = json.loads(runner.invoke(app, ["timeline", web01, "-o", "json"]).stdout)[1]["timestamp"]
    doc = json.loads(runner.invoke(app, ["diff", web01, "--from", "0", "--to", stamp, "-o", "json"]).stdout)
    assert (doc["a"]["snapshot"], doc["b"]["snapshot"]) == (0, 1)


def test_cli_errors() -> None:
    log = str(LOGS / "linux-date-netstat.log")
    missing = runner.invoke(app, ["diff", log, "--to", "9"])
    assert missing.exit_code == 1 and "no snapshot 9" in missing.stderr
    assert runner.invoke(app, ["diff", log, "--from", "soon"]).exit_code == 2
    assert runner.invoke(app, ["diff", str(LOGS / "nope.log"), log]).exit_code == 1


def test_identical_snapshots_say_no_change() -> None:
    path = str(ROOT / "samples" / "linux" / "corpus-linux_iproute2_ss-tan.txt")
    result = runner.invoke(app, ["diff", path, path])
    assert result.exit_code == 0 and result.stdout.rstrip().endswith("No change.")


def test_counter_section_and_sides_fit_80_columns() -> None:
    """The counters table sizes its columns to the values, and a long A:/B: line puts its time
    on a line of its own: at 80 columns nothing wraps, no timestamp is cut."""
    result = runner.invoke(app, ["diff", str(LOGS / "counters-syn-cookies.log")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert any(line.strip().startswith("2026-12-01 13:45:34 UTC, host counters-syn-cookies") for line in lines)
    row = next(line for line in lines if line.strip().startswith("TcpExtSyncookiesSent"))
    assert row.split() == ["TcpExtSyncookiesSent", "0", "183", "+183", "91.50"]


def test_text_headings_sit_over_their_numbers() -> None:
    """Each number column ends where its heading ends (States, Ports, Counters)."""
    from conftest import SAMPLES

    result = CliRunner().invoke(app, ["diff", str(SAMPLES / "logs" / "counters-accept-overflow.log")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for title, first in (("States", "LISTEN"), ("Ports (connections)", "to 8080"), ("Counters that rose", "TcpExt")):
        i = next(n for n, line in enumerate(lines) if line.startswith(title))
        head, row = lines[i + 1], next(line for line in lines[i + 2:] if line.strip().startswith(first))
        for heading in ("A", "B"):
            end = head.index(f" {heading} ") + 2  # the column's right edge
            assert row[end - 1].isdigit() and row[end] == " ", (title, head, row)
