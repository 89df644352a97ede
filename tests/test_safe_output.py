"""Input is data, never code (issue 12): every renderer shows any text from input as printed, or
visibly escaped (netparse.output.safe.shown), never reads it as rich markup, never lets an
escape or control character reach the output, never crashes; CSV guards formulas (OWASP), JSON
round-trips, SVG/HTML stay well-formed XML.

One hypothesis property renders records with arbitrary Unicode in every text field through
every renderer; fixed nasty names then go through the real command line."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from html import escape as html_escape
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from netparse.cli import app
from netparse.cli.analyze_run import _text_report as text_report  # noqa: PLC2701 - the report itself
from netparse.cli.findings import render_findings
from netparse.cli.options import err
from netparse.logs.timeline import write_csv as write_timeline_csv
from netparse.logs.timeline import write_json as write_timeline_json
from netparse.rules.config import Config
from netparse.cli.live import summary_renderable
from netparse.logs.diff import compare, render_text
from netparse.logs.plot import render_html, render_svg
from netparse.logs.timeline import N_COUNTS, STATE_INDEX, Row, Timeline
from netparse.logs.timeline import render_table as render_timeline
from netparse.model import Snapshot, Socket
from netparse.output.records import record_dict, record_json, write_csv, write_json, write_jsonl
from netparse.output.safe import FORMULA_START, UNSAFE, csv_cell, shown, shown_edges
from netparse.output.tables import render_summary, render_table
from netparse.rules.finding import Finding, Severity
from netparse.states import TcpState
from netparse.summary import summarise

NASTY = [
    "[/]",
    "[bold red]x[/bold red]",
    "[link=https://example.com]x",
    "\x1b]0;title\x07",
    "\x1b[2J",
    "\x9b31m",
    "=HYPERLINK(\"http://x\")",
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\u202egnp.exe",
    ":smile:",
    "[kworker/0:1]",
    "a\nb",
    "\x00\x7f",
    "tcp_fin_timeout",
]

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24),
)



def socket(name: str, host: str, port: int = 8080) -> Socket:
    return Socket(
        proto="tcp", family="inet", local_address=host, local_port=port, remote_address="10.0.0.9",
        remote_port=50000, state=TcpState.ESTABLISHED, state_label=name, pid=42, process=name, user=name,
        timer=name, path=name, line=1,
    )


def no_leak(out: str) -> None:
    """No raw unsafe character (see netparse.output.safe.UNSAFE) but the newlines ending lines."""
    found = UNSAFE.search(out.replace("\n", ""))
    assert found is None, repr(found.group())


def one_line(out: str, value: str) -> bool:
    """``value`` whole on one line of ``out``, as text shows it (:func:`shown`) or as a table
    cell shows it (:func:`shown_edges`: whitespace at its ends escaped too)."""
    wants = {shown(value), shown_edges(value)}
    return any(want in line for line in out.splitlines() for want in wants)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=text, host=text)
def test_every_renderer_shows_input_verbatim_or_escaped(name: str, host: str) -> None:
    sockets = [socket(name, host), socket(name, host, 22)]

    for width in (None, 80, 120):  # table: piped and at 80/120 columns
        buf = io.StringIO()
        render_table(iter(sockets), buf, width=width)
        out = buf.getvalue()
        no_leak(out)
        assert one_line(out, name) and one_line(out, f"42/{name}")

        buf = io.StringIO()
        render_summary(summarise(sockets), buf, title=host, width=width)
        no_leak(buf.getvalue())
        assert one_line(buf.getvalue(), f"42/{name} ×2")

    # findings (messages carry input text), rendered by rich: never markup
    from rich.console import Console

    con = Console(file=io.StringIO(), width=80, color_system=None, highlight=False)
    finding = Finding(rule="r", code="NP000", severity=Severity.WARNING, message=f"process {name} on {host}", count=1)
    render_findings([finding], con)
    out = con.file.getvalue()
    no_leak(out)
    assert "".join(shown(f"process {name} on {host}").split()) in "".join(out.split())

    # live --watch view (rich renderable)
    con = Console(file=io.StringIO(), width=80, color_system=None, highlight=False)
    con.print(summary_renderable(sockets, host, 80))
    no_leak(con.file.getvalue())
    assert shown(f"42/{name} ×2") in con.file.getvalue()

    # JSON, JSON lines: the same value back, no raw C1/DEL/bidi
    for writer in (write_jsonl, write_json):
        buf = io.StringIO()
        writer((record_json(s) for s in sockets), buf)
        no_leak(buf.getvalue())
        data = json.loads(buf.getvalue()) if writer is write_json else [json.loads(x) for x in buf.getvalue().splitlines()]
        assert data[0]["process"] == name and data[0]["local_address"] == host

    # CSV: the value back, with a ' before a formula; --csv-raw: exactly the value
    for guard in (True, False):
        buf = io.StringIO()
        write_csv((record_dict(s) for s in sockets), buf, guard)
        rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
        want = ("'" + name) if guard and name.startswith(FORMULA_START) else name
        assert rows[0]["process"] == want

    # timeline table, SVG and HTML: well-formed XML, the host as shown
    stamp = datetime(2026, 1, 1, tzinfo=timezone.utc)
    counts = [0] * N_COUNTS
    counts[STATE_INDEX[TcpState.ESTABLISHED]] = 2
    rows = [Row(i, "log", 1, stamp.replace(minute=i), "iso", host, list(counts), key=name) for i in range(2)]
    for by in (None, "process"):
        tl = Timeline(by=by, rows=rows, inputs=[name])
        for width in (80, None):  # at 80 the one host's column may be left out (named on stderr)
            buf = io.StringIO()
            render_timeline(tl, buf, width=width)
            no_leak(buf.getvalue())
        assert one_line(buf.getvalue(), host)
        svg = render_svg(tl)
        root = ET.fromstring(svg)
        assert shown(host) in "".join(root.itertext())
        html = render_html(tl)
        no_leak(html)
        assert html_escape(shown(host), quote=True) in html

    # timeline CSV and JSON: the values back
    tl = Timeline(by="process", rows=rows, inputs=[name])
    buf = io.StringIO()
    write_timeline_json(tl, buf)
    no_leak(buf.getvalue())
    assert json.loads(buf.getvalue())[0]["host"] == host
    buf = io.StringIO()
    write_timeline_csv(tl, buf, guard=False)
    assert next(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))["host"] == host

    # analyze's text report (header with the source and host) and a stderr note
    snap = Snapshot(format="ss", sockets=sockets, source=host, host=host)
    out, errs = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
        text_report([(snap, [finding])], Config.default())
        err(f"cannot read {name}")
    no_leak(out.getvalue())
    no_leak(errs.getvalue())
    assert shown(host) in out.getvalue() and shown(f"cannot read {name}") in errs.getvalue()

    # diff text
    buf = io.StringIO()
    render_text(compare(snap, Snapshot(format="ss", sockets=[], source=name)), buf)
    no_leak(buf.getvalue())
    assert shown(host) in buf.getvalue()


def test_csv_cell_guards_formulas_only() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("@x") == "'@x" and csv_cell("-1") == "'-1"
    assert csv_cell("sshd") == "sshd" and csv_cell(-1) == -1 and csv_cell("=1", guard=False) == "=1"


def test_shown_escapes_visibly() -> None:
    assert shown("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert shown("\u202eexe") == "\\u202eexe"
    assert shown("C:\\Windows\\svchost.exe") == "C:\\Windows\\svchost.exe"  # as printed
    assert shown("[bold]é 中") == "[bold]é 中"


SS_HEAD = "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"


@pytest.mark.parametrize("name", ["[/]", "[bold red]evil", "[link=https://example.com]x", "\x1b]0;pwned\x07",
                                  "\x1b[2J", "kworker]", "=cmd|' /C calc'!A0"])
def test_command_line_shows_process_names_as_printed(name: str) -> None:
    listing = (
        SS_HEAD
        + f'LISTEN 0 128 [fd00::2]:18086 [::]:* users:(("{name}",pid=7,fd=3))\n'
        + f'ESTAB 0 0 [dead:beef::1]:18086 [fe80::1]:50000 users:(("{name}",pid=7,fd=4))\n'
    )
    runner = CliRunner()
    for args in (["parse"], ["summary"], [], ["analyze"], ["timeline", "--by", "process"], ["parse", "-o", "jsonl"]):
        result = runner.invoke(app, args, input=listing)
        assert result.exit_code == 0, (args, result.output)
        out = result.stdout
        no_leak(out)
        if args == ["parse", "-o", "jsonl"]:
            assert {json.loads(line)["process"] for line in out.splitlines()} == {name}
        elif args != ["analyze"]:  # analyze names processes in findings only (none here)
            assert shown(name) in out, (args, out)
        if args == ["parse"]:
            assert "[fd00::2]:18086" in out and "[dead:beef::1]:18086" in out and "[fe80::1]:50000" in out


def test_checkmk_text_cannot_start_long_output_from_input() -> None:
    """Checkmk reads a literal backslash-n in a local check's text as the start of its long
    output: a process named ``x\\nCRIT fake`` must not make a second line there. The backslash
    is shown visibly escaped; netparse's own separator between findings stays."""
    from netparse.output.checkmk import clean

    shown = clean("java\\nCRIT forged service")
    assert "\\n" not in shown and shown == "java\\x5cnCRIT forged service"
    assert clean("C:\\Windows") == "C:\\x5cWindows"


def test_whitespace_at_the_ends_of_a_cell_is_escaped_not_trimmed() -> None:
    from netparse.output.safe import shown_edges

    assert [shown_edges(t) for t in (" ", "java ", " a b ", "x", "", "\u3000y", "a\x1b ")] == [
        "\\x20", "java\\x20", "\\x20a b\\x20", "x", "", "\\u3000y", "a\\x1b\\x20"]
    buf = io.StringIO()
    render_table(iter([socket("java ", "10.0.0.1")]), buf, width=None)
    assert buf.getvalue().splitlines()[1].endswith("42/java\\x20")


def test_nagios_line_keeps_input_text_on_its_side_of_the_bar(tmp_path) -> None:
    """Nagios reads everything after the first ``|`` as performance data: a process named
    ``ja|va<ESC>[31m`` (or a file name with them) must neither split the status text there nor
    put a raw escape on the terminal; the bar and the escape are shown visibly."""
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    rows = ["Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name"]
    rows += [f"tcp        1      0 10.0.0.5:8080           10.0.1.1:{40000 + i}        CLOSE_WAIT  77/ja|va\x1b[31mX"
             for i in range(120)]
    listing = tmp_path / "listing.txt"
    listing.write_text("\n".join(rows) + "\n")
    env = {**os.environ, "PYTHONPATH": str(root)}
    for target, status in ((listing, "WARNING"), (tmp_path / "no|such\x1bfile.txt", "UNKNOWN")):
        done = subprocess.run([sys.executable, "-m", "netparse", "analyze", "-o", "nagios", str(target)],
                              capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
        line = done.stdout
        assert line.startswith(f"NETPARSE {status} - ") and line.count("\n") == 1, line
        assert "\x1b" not in line and "\\x1b" in line and "\\x7c" in line
        assert line.count("|") == (1 if status == "WARNING" else 0), line
        if status == "WARNING":
            assert "owned by ja\\x7cva\\x1b[31mX (pid 77)" in line
