"""``netparse timeline``: golden rows for every log sample, the three outputs, --by, --plot."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app
from netparse.inputs.files import expand
from netparse.logs.plot import render_html, render_svg
from netparse.states import TcpState
from netparse.logs.timeline import KINDS, STATES, build

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "samples" / "logs"
LOG_FILES = [Path(p) for p in expand([str(LOGS)])]
runner = CliRunner()


def rel(path: Path) -> str:
    return str(path.relative_to(LOGS))


def rows_of(timeline) -> list[dict]:
    rows = []
    for row in timeline.rows:
        data = row.as_dict(timeline.by)
        data["source"] = Path(str(data["source"])).name
        rows.append({k: v for k, v in data.items() if v != 0 or k in ("snapshot", "total")})
    return rows


@pytest.mark.parametrize("path", LOG_FILES, ids=rel)
def test_timeline_golden(path: Path, data_regression) -> None:
    data_regression.check(rows_of(build([str(path)])), basename=re.sub(r"[^A-Za-z0-9_.-]", "_", rel(path)))


def test_timeline_of_the_leaking_server() -> None:
    timeline = build([str(LOGS / "linux-date-netstat.log")])
    close_wait = [r.count(TcpState.CLOSE_WAIT) for r in timeline.rows]
    assert close_wait == sorted(close_wait) and close_wait[-1] > close_wait[0]
    time_wait = [r.count(TcpState.TIME_WAIT) for r in timeline.rows]
    assert time_wait[-1] > 3 * time_wait[-2]
    assert [r.count(TcpState.LISTEN) for r in timeline.rows] == [3, 3, 3, 3, 2, 2]
    assert all(r.total == sum(r.counts) for r in timeline.rows)


def test_hosts_are_grouped_and_each_in_time_order() -> None:
    timeline = build(expand([str(LOGS / "hosts")]))
    assert timeline.hosts() == ["db01", "web01", "web02"]
    for host in timeline.hosts():
        stamps = [r.timestamp for r in timeline.rows if r.host == host]
        assert len(stamps) == 4 and stamps == sorted(stamps)


def test_by_port_and_top() -> None:
    timeline = build([str(LOGS / "linux-iso-ss.log")], by="port", top=3)
    last = [r for r in timeline.rows if r.snapshot == 5]
    keys = {(r.direction, r.key) for r in last}
    assert ("local", 8080) in keys and ("local", 80) in keys
    assert len({(r.direction, r.key) for r in timeline.rows} - {(None, "(other)")}) <= 3
    # every snapshot's rows add up to its total
    plain = {r.snapshot: r.total for r in build([str(LOGS / "linux-iso-ss.log")]).rows}
    for snap, total in plain.items():
        assert sum(r.total for r in timeline.rows if r.snapshot == snap) == total


def test_by_process() -> None:
    timeline = build([str(LOGS / "linux-iso-ss.log")], by="process")
    last = {r.key: r for r in timeline.rows if r.snapshot == 5}
    assert last["appserver"].count(TcpState.CLOSE_WAIT) > 50
    assert "cachesrv" not in last and "websrv" in last


def test_cli_outputs() -> None:
    path = str(LOGS / "linux-date-netstat.log")
    table = runner.invoke(app, ["timeline", path])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["#", "time", "host", "LISTEN", "ESTAB", "FIN_WAIT2", "CLOSE_WAIT", "TIME_WAIT", "total"]
    assert len(lines) == 7 and " UTC " in lines[1]
    data = json.loads(runner.invoke(app, ["timeline", path, "-o", "json"]).stdout)
    assert len(data) == 6
    # TCP states, and the other kinds in columns of their own (issue 12: never in a TCP column)
    assert set(data[0]) == {"snapshot", "timestamp", "host", "source", "line", "total"} | {s.value for s in STATES} | set(KINDS)
    assert data[0]["timestamp"].endswith("+00:00")
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["timeline", path, "-o", "csv"]).stdout)))
    assert [int(r["CLOSE_WAIT"]) for r in rows] == [d["CLOSE_WAIT"] for d in data]
    by = json.loads(runner.invoke(app, ["timeline", path, "-o", "json", "--by", "port"]).stdout)
    assert {"port", "direction"} <= set(by[0])


def test_cli_host_filter_glob_and_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(LOGS / "hosts" / "*"), "--host", "web02", "-o", "json"])
    assert result.exit_code == 0 and {r["host"] for r in json.loads(result.stdout)} == {"web02"}
    assert runner.invoke(app, ["timeline", str(tmp_path / "missing.log")]).exit_code == 1
    (tmp_path / "notes.log").write_text("nothing here\n")
    empty = runner.invoke(app, ["timeline", str(tmp_path / "notes.log")])
    assert empty.exit_code == 1 and "no socket listing found" in empty.stderr
    assert runner.invoke(app, ["timeline", str(LOGS / "linux-iso-ss.log"), "--plot", str(tmp_path / "x.png")]).exit_code == 2


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_plot_is_self_contained(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"timeline{suffix}"
    result = runner.invoke(app, ["timeline", str(LOGS / "hosts"), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "@import" not in text
    assert set(re.findall(r"https?://[^\s\"')]+", text)) <= {"http://www.w3.org/2000/svg"}
    assert text.count("<polyline") >= 6 and "web02" in text and "CLOSE_WAIT" in text
    if suffix == ".html":
        assert text.startswith("<!doctype html>") and "<table>" in text


def test_svg_parses_as_xml_and_handles_no_timestamps() -> None:
    import xml.etree.ElementTree as ET

    for path in (LOGS / "corpus-ss-dashes-grep-loop.log", LOGS / "linux-date-netstat.log"):
        timeline = build([str(path)])
        ET.fromstring(render_svg(timeline))
        assert "<svg" in render_html(timeline)
    ET.fromstring(render_svg(build([str(LOGS / "linux-iso-ss.log")], by="process")))
