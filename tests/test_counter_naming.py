"""What NP025 and NP027 name (issue 17) on the path ``netparse analyze`` runs: the series built
snapshot by snapshot (:class:`~netparse.rules.facts.SeriesBuilder`), which reads the names from
the newest snapshot's facts only, across rotated files in either order; the same findings as
``analyze_series`` of the parsed log. Real captures (samples/counters/capture_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES
from netparse.logs.newest import analysis_facts
from netparse.logs.reader import parse_log_file
from netparse.rules.engine import analyze_series
from netparse.rules.facts import Facts, SeriesBuilder, SnapshotPoint

LOGS = SAMPLES / "logs"
NAMED = ["counters-timewait-overflow.log", "counters-timewait-overflow-client.log",
         "counters-timewait-overflow-spread.log", "counters-timewait-overflow-ports.log", "counters-retrans-ti.log", "counters-retrans-busy.log",
         "counters-retrans-after.log", "counters-retrans.log"]


def counter_findings(findings) -> list:
    return [f for f in findings if f.code in ("NP025", "NP027")]


@pytest.mark.parametrize("name", NAMED)
def test_streamed_analysis_names_what_the_whole_log_names(name: str) -> None:
    whole = counter_findings(analyze_series(parse_log_file(str(LOGS / name))))
    assert whole, name
    (one,) = list(analysis_facts([str(LOGS / name)], "auto"))
    assert counter_findings(analyze_series(one.series, latest=one.facts)) == whole


def split(tmp_path: Path, name: str) -> tuple[str, str]:
    """The capture's two runs as a rotated pair: tw.log.1 (the first), tw.log (the newest)."""
    lines = (LOGS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    second = max(i for i, line in enumerate(lines) if line.startswith("Tue Dec"))
    old, new = tmp_path / "tw.log.1", tmp_path / "tw.log"
    old.write_text("".join(lines[:second]), encoding="utf-8")
    new.write_text("".join(lines[second:]), encoding="utf-8")
    return str(old), str(new)


@pytest.mark.parametrize("order", ["oldest-first", "newest-first"])
def test_rotated_files_name_from_the_newest_snapshot(tmp_path: Path, order: str) -> None:
    old, new = split(tmp_path, "counters-timewait-overflow.log")
    names = [old, new] if order == "oldest-first" else [new, old]
    (one,) = list(analysis_facts(names, "auto"))
    (found,) = counter_findings(analyze_series(one.series, latest=one.facts))
    assert (found.code, found.local_port, found.process, found.pid) == ("NP025", 8080, "python3", 25322)
    assert "all 16 on port 8080, the port of listener 10.99.0.2:8080 (python3, pid 25322)" in found.message


def test_only_the_newest_point_keeps_the_names() -> None:
    """A series of many snapshots keeps a few numbers per snapshot: the TIME_WAIT per service and
    the peers are read for the newest point alone (the same real listing, twice)."""
    snaps = parse_log_file(str(LOGS / "counters-retrans-ti.log"))
    builder = SeriesBuilder()
    for i, snap in enumerate([*snaps, *snaps]):
        builder.add(Facts.of(snap), i, snap.timestamp, snap.host, snap.source)
    series = builder.build()
    newest = series.latest
    assert newest is not None and newest.retransmitting and newest.tcp_info_connections == 3
    assert all(not p.retransmitting and not p.time_wait and not p.busiest for p in series.points if p is not newest)
    whole = SnapshotPoint.from_facts(Facts.of(snaps[-1]))
    assert newest.retransmitting == whole.retransmitting
    ((key, group),) = whole.retransmitting.items()
    assert key == (("port", 8080, None), "10.99.0.1")
    assert (group.connections, group.retrans, group.segs_out, group.process, group.pid, group.lines) == (
        1, 747, 2129, "python3", 7910, (405,))
