"""Counters over time: how two samples relate (totals, restart, plain-nstat increments),
``timeline --counters``, ``diff``'s counter and setting sections, and the counter rules reading
plain-nstat logs. All on real captures (samples/logs/counters-*.log, samples/counters/capture*.py)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from netparse.cli import app
from netparse.counters import INCREMENTS, RESET, TOTALS, counter_change, counter_values
from netparse.logs.diff import compare
from netparse.logs.reader import parse_log_file
from netparse.logs.timeline import build, counter_rows, render_counters
from netparse.rules.engine import analyze_series
from conftest import SAMPLES

LOGS = SAMPLES / "logs"


def pair(*names: str):
    snaps = [s for n in names for s in parse_log_file(str(LOGS / n))]
    return snaps, counter_values(snaps[-2].counters), counter_values(snaps[-1].counters)


def joined(tmp_path: Path, *names: str) -> str:
    """Two captures one after the other, as one log (the second's netns is new: its counters
    restarted)."""
    path = tmp_path / "joined.log"
    path.write_bytes(b"".join((LOGS / n).read_bytes() for n in names))
    return str(path)


def test_totals_rise_by_their_difference() -> None:
    _, a, b = pair("counters-accept-overflow.log")
    rises, kind = counter_change(a, b)
    assert kind == TOTALS
    assert rises["TcpExtListenOverflows"] == b["TcpExtListenOverflows"] - a["TcpExtListenOverflows"] == 54


def test_plain_nstat_values_are_the_increments() -> None:
    _, a, b = pair("counters-nstat-plain.log")
    assert a["TcpExtListenOverflows"] == 36 and b["TcpExtListenOverflows"] == 10  # the note's numbers
    assert not [v for v in (*a.values(), *b.values()) if v == 0]  # plain nstat prints no zeros
    rises, kind = counter_change(a, b)
    assert kind == INCREMENTS
    assert rises["TcpExtListenOverflows"] == 10


def test_counters_that_fall_in_nstat_az_restarted(tmp_path: Path) -> None:
    snaps = parse_log_file(joined(tmp_path, "counters-accept-overflow.log", "counters-syn-cookies.log"))
    a, b = counter_values(snaps[1].counters), counter_values(snaps[2].counters)
    rises, kind = counter_change(a, b)
    assert kind == RESET
    assert rises["TcpExtListenOverflows"] == b["TcpExtListenOverflows"] == 0


def test_rules_read_plain_nstat_increments() -> None:
    found = [f for f in analyze_series(parse_log_file(str(LOGS / "counters-nstat-plain.log"))) if f.code == "NP019"]
    assert [(f.count, f.local_port) for f in found] == [(10, 8080)]
    assert "TcpExtListenOverflows rose by 10 between" in found[0].message


def test_rules_stay_quiet_across_a_restart(tmp_path: Path) -> None:
    snaps = parse_log_file(joined(tmp_path, "counters-accept-overflow.log", "counters-healthy.log"))
    assert [f.code for f in analyze_series(snaps) if f.code in ("NP019", "NP024", "NP028", "NP029")] == []


def test_timeline_counter_rows_and_rates() -> None:
    timeline = build([str(LOGS / "counters-resets.log"), str(LOGS / "counters-timewait-overflow.log")])
    rows = counter_rows(timeline)
    assert [r.kind for r in rows] == ["first", TOTALS, "first", TOTALS]
    resets, overflow = rows[1], rows[3]
    assert resets.seconds == 3.0 and resets.rises["TcpEstabResets"] == 80 and resets.rate("TcpEstabResets") == 80 / 3
    assert overflow.rises["TcpExtTCPTimeWaitOverflow"] == 78 and overflow.seconds == 2.0
    out = io.StringIO()
    render_counters(timeline, out, 80)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    text = out.getvalue()
    assert "est_rst" in text and "tw_ovfl" in text and "lst_ovfl" not in text  # only counters that rose


def test_cli_timeline_counters_json_csv_and_reset_note(tmp_path: Path) -> None:
    runner = CliRunner()
    log = joined(tmp_path, "counters-accept-overflow.log", "counters-syn-cookies.log")
    got = runner.invoke(app, ["timeline", "--counters", "-o", "json", log])
    assert got.exit_code == 0, got.output
    docs = json.loads(got.stdout)
    assert [d["kind"] for d in docs] == ["first", TOTALS, RESET, TOTALS]
    assert docs[1]["TcpExtListenOverflows"] == 54 and docs[1]["TcpExtListenOverflows_per_second"] == 18.0
    assert docs[3]["TcpExtSyncookiesSent"] == 183 and docs[3]["seconds"] == 2.0
    table = runner.invoke(app, ["timeline", "--counters", log])
    assert table.exit_code == 0
    assert "reset" in table.stdout.splitlines()[3]
    assert "the counters fell (reboot" in table.stderr
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["timeline", "--counters", "-o", "csv", log]).stdout)))
    assert rows[1]["tcpRetransSegs"] == "27" and rows[2]["kind"] == RESET
    assert runner.invoke(app, ["timeline", "--counters", "--by", "port", log]).exit_code == 2
    bare = runner.invoke(app, ["timeline", "--counters", str(LOGS / "linux-iso-ss.log")])
    assert bare.exit_code == 1 and "no snapshot carries kernel counters" in bare.stderr


def test_diff_shows_counter_rises_and_changed_settings() -> None:
    snaps = parse_log_file(str(LOGS / "counters-timewait-overflow.log"))
    diff = compare(snaps[0], snaps[1], 0, 1)
    assert diff.counters_kind == TOTALS
    rises = {c.name: c for c in diff.counters}
    assert rises["TcpExtTCPTimeWaitOverflow"].change == 78 and rises["TcpExtTCPTimeWaitOverflow"].per_second == 39.0
    assert rises["TcpPassiveOpens"].canonical == "tcpPassiveOpens"
    assert diff.counters[0].name in ("TcpExtTCPTimeWaitOverflow", "TcpOutSegs", "TcpPassiveOpens", "TcpExtTW")
    assert diff.settings == []  # the same sysctls in both runs


def test_cli_diff_two_logs_counters_and_settings() -> None:
    runner = CliRunner()
    got = runner.invoke(app, ["diff", str(LOGS / "counters-timewait-overflow.log"),
                              str(LOGS / "counters-timewait-healthy.log")])
    assert got.exit_code == 0, got.output
    assert "Counters that rose (they fell: reboot or namespace recreated" in got.stdout
    assert "net.ipv4.tcp_max_tw_buckets: 16 -> 131072" in got.stdout
    doc = json.loads(runner.invoke(app, ["diff", "-o", "json", str(LOGS / "counters-resets.log")]).stdout)
    rises = {c["name"]: c["change"] for c in doc["counters"]}
    assert rises["TcpEstabResets"] == 80 and rises["TcpAttemptFails"] == 30 and doc["counters_kind"] == TOTALS


def test_diff_without_counters_has_no_counter_section() -> None:
    snaps = parse_log_file(str(LOGS / "linux-iso-ss.log"))
    diff = compare(snaps[0], snaps[-1])
    assert diff.counters_kind is None and diff.counters == [] and diff.settings == []


def test_timeline_counters_in_worker_processes_match_one_process() -> None:
    runner = CliRunner()
    names = [str(LOGS / "counters-resets.log"), str(LOGS / "counters-retrans.log")]
    one = runner.invoke(app, ["timeline", "--counters", "-o", "json", "-j", "1", *names])
    two = runner.invoke(app, ["timeline", "--counters", "-o", "json", "-j", "2", *names])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert [d["tcpRetransSegs"] for d in json.loads(two.stdout)] == [None, 0, None, 6327]


def test_rates_need_time_going_forward() -> None:
    from datetime import datetime, timedelta, timezone

    from netparse.logs.stamps import seconds_between

    t = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert seconds_between(t, t + timedelta(seconds=5)) == 5.0
    assert seconds_between(t + timedelta(seconds=5), t) is None  # a clock set back: no negative rate
    assert seconds_between(t, t) is None
    assert seconds_between(None, t) is None
    assert seconds_between(t.replace(tzinfo=None), t) is None  # one naive, one aware


def test_cli_counters_delta_says_reset_and_compares_each_host_with_itself(tmp_path: Path) -> None:
    runner = CliRunner()
    reset = joined(tmp_path, "counters-accept-overflow.log", "counters-syn-cookies.log")
    got = runner.invoke(app, ["counters", "--delta", "--json", reset])
    assert got.exit_code == 0, got.output
    docs = [json.loads(line) for line in got.stdout.splitlines()]
    resets = [d for d in docs if d.get("reset")]
    assert [d["source"] for d in resets] == [f"{reset}:826"]  # the second capture's first snapshot
    table = runner.invoke(app, ["counters", "--delta", reset]).stdout
    assert "(every counter)" in table and "reset: the counters fell (reboot, new namespace, 32-bit wrap): rise unknown\n" in table
    # two hosts' logs on one command line: no rise across the file boundary (each host's own)
    one, two = tmp_path / "web1.log", tmp_path / "web2.log"
    one.write_text((LOGS / "counters-accept-overflow.log").read_text())
    two.write_text((LOGS / "counters-syn-cookies.log").read_text())
    both = [json.loads(line) for line in runner.invoke(app, ["counters", "--delta", "--json", str(one), str(two)]).stdout.splitlines()]
    alone = [json.loads(line) for name in (one, two)
             for line in runner.invoke(app, ["counters", "--delta", "--json", str(name)]).stdout.splitlines()]
    assert both == alone and not any(d.get("reset") for d in both)


def test_cli_counters_delta_and_timeline_agree_on_a_log_out_of_time_order(tmp_path: Path) -> None:
    """The capture's two snapshots written later one first (``cat later earlier``): both
    commands compare each host's snapshots in time order (the timeline's rows), so no restart
    is made up from the order of the file, and they give the same rise and rate."""
    text = (LOGS / "counters-accept-overflow.log").read_text()
    second = text.index("Tue Dec  1 11:30:34 UTC 2026\n")
    flipped = tmp_path / "flipped.log"
    flipped.write_text(text[second:] + text[:second])
    runner = CliRunner()

    def delta(path: Path) -> dict:
        got = runner.invoke(app, ["counters", "--delta", "--json", str(path)])
        assert got.exit_code == 0, got.output
        return {d["name"]: (d["delta"], d["per_second"]) for d in map(json.loads, got.stdout.splitlines())}

    rises = delta(flipped)
    assert rises == delta(LOGS / "counters-accept-overflow.log")
    assert rises["TcpExtListenOverflows"] == (54, 18.0)
    timeline = json.loads(runner.invoke(app, ["timeline", "--counters", "-o", "json", str(flipped)]).stdout)
    compared = [r for r in timeline if r["kind"] != "first"]
    assert [(r["kind"], r["TcpExtListenOverflows"], r["TcpExtListenOverflows_per_second"]) for r in compared] == [
        ("totals", 54, 18.0)]


def test_counters_legend_wraps_between_words_at_the_terminal_width(monkeypatch) -> None:
    """On a terminal the legend of ``timeline --counters`` is wrapped at its width between words
    (later lines under the text); piped it stays one line."""
    import io

    from netparse.logs.timeline import counters_legend
    from netparse.output.grid import say

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    timeline = build([str(LOGS / "counters-accept-overflow.log"), str(LOGS / "counters-syn-cookies.log")])
    legend = counters_legend(render_counters(timeline, io.StringIO(), None))
    for columns in (80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setattr("sys.stderr", Terminal())
        say(legend)
        lines = sys.stderr.getvalue().splitlines()
        assert len(lines) > 1 and all(len(line) <= columns for line in lines), lines
        assert all(line.startswith(" " * len("netparse: ")) for line in lines[1:])
        assert " ".join(lines).split() == f"netparse: {legend}".split()  # no word cut
    monkeypatch.setattr("sys.stderr", io.StringIO())
    say(legend)
    assert sys.stderr.getvalue() == f"netparse: {legend}\n"
