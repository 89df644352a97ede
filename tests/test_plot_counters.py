"""``timeline --plot`` draws the kernel counters' rates (issue 17) on the real captures of
samples/logs/counters-*.log (samples/counters/capture_rules.py): a strip per counter that rose,
each step at the rate ``timeline --counters`` computes (the same :class:`CounterRow`), restarts
marked 'reset' as the table's note says, names escaped; and in headless Chromium (a failure, not
a skip, under CI=true)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from html import escape as html_escape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from netparse.cli import app
from netparse.logs.plot import COUNTER_ORDER, render_html, render_svg
from netparse.logs.timeline import build, counter_rows, per_second, render_counters
from netparse.output.safe import shown
from test_plot_browser import browser, run_browser

LOGS = SAMPLES / "logs"
SVG = "{http://www.w3.org/2000/svg}"
CAPTURES = sorted(LOGS.glob("counters-*.log"))


def drawn(svg: str) -> dict[str, list[tuple[int, float]]]:
    """counter -> [(snapshot, value)] of the points the SVG draws, in order."""
    root = ET.fromstring(svg)
    out: dict[str, list[tuple[int, float]]] = {}
    for group in root.iter(f"{SVG}g"):
        name = group.get("data-counter")
        if name is None:
            continue
        out[name] = [(int(c.get("data-snapshot")), float(c.get("data-value"))) for c in group.iter(f"{SVG}circle")]
    return out


def joined(tmp_path: Path, *names: str) -> str:
    """Captures one after the other as one log: each new netns starts its counters at zero, so
    the snapshot after a join is a real restart."""
    path = tmp_path / "joined.log"
    path.write_bytes(b"".join((LOGS / n).read_bytes() for n in names))
    return str(path)


def test_there_are_captures_with_counters() -> None:
    assert len(CAPTURES) >= 10


@pytest.mark.parametrize("log", CAPTURES, ids=lambda p: p.name)
def test_drawn_values_are_timelines_rates(log: Path) -> None:
    timeline = build([str(log)])
    rows = counter_rows(timeline)
    per_s = per_second(rows)
    got = drawn(render_svg(timeline))
    rose = [n for n in COUNTER_ORDER if any(r.rises.get(n) for r in rows if r.kind != "first")]
    assert list(got) == rose  # the counters that rose, the rules' order
    for name, points in got.items():
        assert points == [(r.row.snapshot, r.value(name, per_s)) for r in rows[1:]], name


def test_values_match_the_capture_notes() -> None:
    """Independent of the code: the rises the .note files measured, over the seconds between the
    two date lines."""
    def value(log: str, name: str) -> float:
        return drawn(render_svg(build([str(LOGS / log)])))[name][-1][1]

    assert value("counters-accept-overflow.log", "TcpExtListenOverflows") == 54 / 3
    assert value("counters-timewait-overflow.log", "TcpExtTCPTimeWaitOverflow") == 78 / 2
    assert value("counters-retrans.log", "TcpRetransSegs") == 6327 / 33
    assert drawn(render_svg(build([str(LOGS / "counters-healthy.log")]))) == {}


def test_a_quiet_capture_says_so_and_one_without_counters_draws_none() -> None:
    svg = render_svg(build([str(LOGS / "counters-healthy.log")]))
    ET.fromstring(svg)
    assert "kernel counters" in svg and "none of TcpRetransSegs" in svg and "rose" in svg
    plain = render_svg(build([str(LOGS / "linux-iso-ss.log")]))
    assert "kernel counters" not in plain and "data-counter" not in plain
    assert "Kernel counters" not in render_html(build([str(LOGS / "linux-iso-ss.log")]))


def test_a_restart_is_marked_reset_as_in_the_table(tmp_path: Path) -> None:
    log = joined(tmp_path, "counters-accept-overflow.log", "counters-syn-cookies.log")
    timeline = build([log])
    rows = counter_rows(timeline)
    assert [r.kind for r in rows] == ["first", "totals", "reset", "totals"]
    svg = render_svg(timeline)
    root = ET.fromstring(svg)
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "reset-label"]
    assert [t.text for t in labels] == ["reset"]
    reset_x = float(labels[0].get("x"))
    points = {int(c.get("data-snapshot")): c for c in root.iter(f"{SVG}circle") if c.get("data-snapshot")}
    assert abs(float(points[rows[2].row.snapshot].get("cx")) - reset_x) < 0.05
    assert "reset: the counters fell" in "".join(points[rows[2].row.snapshot].itertext())
    got = drawn(svg)
    per_s = per_second(rows)
    assert got["TcpExtSyncookiesSent"] == [(r.row.snapshot, r.value("TcpExtSyncookiesSent", per_s)) for r in rows[1:]]
    table = render_html(timeline)
    assert "<td>reset</td>" in table and "the counters fell (reboot" in table


def test_plain_nstat_increments_are_noted() -> None:
    timeline = build([str(LOGS / "counters-nstat-plain.log")])
    svg = render_svg(timeline)
    assert "nstat increments" in svg
    rows = counter_rows(timeline)
    assert drawn(svg)["TcpExtListenOverflows"] == [(rows[1].row.snapshot, 10 / 3)]


def test_html_table_is_the_counter_table() -> None:
    import io

    timeline = build([str(LOGS / "counters-syn-drop.log")])
    text = io.StringIO()
    render_counters(timeline, text, None)
    last = text.getvalue().splitlines()[-1].split()
    html = render_html(timeline)
    cells = html.split("Kernel counters")[1].split("<tr>")[-1]
    assert [c.split("</td>")[0] for c in cells.split("<td>")[1:]][3:-1] == last[5:]  # the rates, as printed


def test_host_names_are_escaped_in_the_counter_chart_and_table() -> None:
    nasty = "<b>[bold]x&\x01</b>"
    timeline = build([str(LOGS / "counters-udp-rcvbuf.log")])
    timeline.rows = [dataclasses.replace(r, host=nasty) for r in timeline.rows]
    svg = render_svg(timeline)
    ET.fromstring(svg)  # well-formed: no raw markup, no XML-invalid character
    assert "UdpRcvbufErrors" in drawn(svg)
    html = render_html(timeline)
    assert "<b>" not in html and "\x01" not in html
    assert html_escape(shown(nasty), quote=True) in html.split("Kernel counters")[1]


def test_counter_chart_in_chromium(tmp_path: Path) -> None:
    browser()
    page = tmp_path / "plot.html"
    result = CliRunner().invoke(app, ["timeline", "--counters", joined(tmp_path, "counters-timewait-overflow.log",
                                                                      "counters-retrans.log"), "--plot", str(page)])
    assert result.exit_code == 0, result.output
    assert "counter rates are in the table" not in result.stderr
    dom = run_browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "parsererror" not in dom.stdout.lower()
    assert "tw_ovfl (0)" in dom.stdout and "retrans (192/s)" in dom.stdout and ">reset<" in dom.stdout
    shot = tmp_path / "plot.png"
    done = run_browser("--window-size=1200,900", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0 and shot.stat().st_size > 5000, done.stderr[-500:]
