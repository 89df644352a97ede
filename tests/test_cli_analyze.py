"""`netparse analyze` and `netparse explain`, mounted on a fresh typer app with register()."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from netparse.api import parse
from netparse.cli.analyze import register
from netparse.cli.findings import render_findings
from netparse.rules import all_rules, analyze

HEADER = "State      Recv-Q Send-Q             Local Address:Port          Peer Address:Port Process"
CRITICAL = f"""{HEADER}
LISTEN     129    128                      0.0.0.0:8080               0.0.0.0:*     users:(("java",pid=3121,fd=5))
LISTEN     0      128                      0.0.0.0:22                 0.0.0.0:*     users:(("sshd",pid=800,fd=3))
ESTAB      0      0                       10.0.0.5:22            192.0.2.10:51234 users:(("sshd",pid=2001,fd=4))
"""
WARNING = f"""{HEADER}
LISTEN     70     128                      0.0.0.0:8080               0.0.0.0:*     users:(("java",pid=3121,fd=5))
"""
INFO = f"""{HEADER}
LISTEN     0      128                      0.0.0.0:22                 0.0.0.0:*     users:(("sshd",pid=800,fd=3))
ESTAB      0      0                       10.0.0.5:22            192.0.2.10:51234
"""
QUIET = f"""{HEADER}
LISTEN     0      128                    127.0.0.1:22                 0.0.0.0:*
TIME-WAIT  0      0                       10.0.0.5:22            192.0.2.10:51234
"""

runner = CliRunner()


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """netparse (test mount)."""

    register(app)
    return app


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No config file from the repository (or above it) leaks into these runs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(app, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_text_report_summary_then_findings_worst_first(app, tmp_path: Path) -> None:
    path = tmp_path / "ss.txt"
    path.write_text(CRITICAL + WARNING.split("\n", 1)[1].replace("8080", "9090"))
    result = run(app, "analyze", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path} (ss): 4 sockets: tcp 4 (3 LISTEN, 1 ESTABLISHED)"  # by kind (issue 12)
    assert lines[1].startswith("CRITICAL") and "NP010 listen-queue-overflow" in lines[1]
    warning = next(i for i, line in enumerate(lines) if line.startswith("WARNING"))
    assert warning > 1 and "port 9090" in " ".join(lines[warning:])
    assert lines[-1] == "2 findings: 1 critical, 1 warning"
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_standard_input_with_and_without_dash(app) -> None:
    for args in (("analyze",), ("analyze", "-")):
        result = run(app, *args, input=WARNING)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("<stdin> (ss): 1 socket: tcp 1 (1 LISTEN)\n")
        assert "is 55% full, 70 of 128 connections waiting" in " ".join(result.stdout.split())


def test_no_findings(app) -> None:
    result = run(app, "analyze", input=QUIET)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No findings."


def test_json_output(app) -> None:
    result = run(app, "analyze", "--output", "json", input=CRITICAL)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["inputs"] == [
        {"source": "<stdin>", "format": "ss", "sockets": 3, "state_counts": {"LISTEN": 2, "ESTABLISHED": 1}, "kind_counts": {"tcp": 3},
         "findings": 1, "issues": 0}
    ]
    [finding] = doc["findings"]
    assert finding["code"] == "NP010" and finding["severity"] == "critical" and finding["count"] == 129
    assert finding["local_port"] == 8080 and finding["process"] == "java" and finding["evidence"] == [2]
    assert finding["source"] == "<stdin>"
    assert finding == {**analyze(parse(CRITICAL))[0].model_dump(mode="json"), "source": "<stdin>"}


@pytest.mark.parametrize(
    "text, fail_on, code",
    [
        (CRITICAL, "warning", 4),
        (CRITICAL, "critical", 4),
        (WARNING, "warning", 4),
        (WARNING, "critical", 0),
        (INFO, "warning", 0),
        (QUIET, "warning", 0),
    ],
)
def test_fail_on(app, text: str, fail_on: str, code: int) -> None:
    result = run(app, "analyze", "--fail-on", fail_on, input=text)
    assert result.exit_code == code, result.output


@pytest.mark.parametrize(
    "text, status, code",
    [(QUIET, "OK", 0), (INFO, "OK", 0), (WARNING, "WARNING", 1), (CRITICAL, "CRITICAL", 2)],
)
def test_nagios(app, text: str, status: str, code: int) -> None:
    result = run(app, "analyze", "--output", "nagios", input=text)
    assert result.exit_code == code
    [line] = result.stdout.splitlines()
    assert line.startswith(f"NETPARSE {status} - ")
    summary, perf = line.split(" | ")
    counts = {k: int(v) for k, v in (item.split("=") for item in perf.split())}
    sockets = parse(text).sockets
    assert counts["sockets"] == len(sockets) and counts["listen"] == sum(s.state.value == "LISTEN" for s in sockets)
    if status == "CRITICAL":
        assert "1 critical: NP010 The accept queue of port 8080" in summary
    if text is INFO:
        assert "no warnings (1 info)" in summary


def test_nagios_unknown_for_unreadable_input(app, tmp_path: Path) -> None:
    result = run(app, "analyze", "--output", "nagios", str(tmp_path / "missing.txt"))
    assert result.exit_code == 3
    assert result.stdout.startswith("NETPARSE UNKNOWN - cannot read")
    bad = run(app, "analyze", "-o", "nagios", "--set", "NP001.nope=1", input=QUIET)
    assert bad.exit_code == 3 and bad.stdout.startswith("NETPARSE UNKNOWN - configuration error")


def test_input_without_sockets_exits_1_without_traceback(app, tmp_path: Path) -> None:
    result = run(app, "analyze", input="hello\nthis is not netstat\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no socket listing found in standard input" in result.stderr and "Traceback" not in result.stderr
    missing = run(app, "analyze", str(tmp_path / "missing.txt"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_a_header_alone_is_an_empty_listing_not_an_error(app) -> None:
    result = run(app, "analyze", input=HEADER + "\n")
    assert result.exit_code == 0
    assert "0 sockets" in result.stdout


def test_usage_errors_exit_2(app) -> None:
    assert run(app, "analyze", "--no-such-option", input=QUIET).exit_code == 2
    assert run(app, "analyze", "--fail-on", "sometimes", input=QUIET).exit_code == 2
    bad_format = run(app, "analyze", "--format", "bogus", input=QUIET)
    assert bad_format.exit_code == 2 and "unknown format 'bogus'" in bad_format.output


def test_config_errors_exit_3(app, tmp_path: Path) -> None:
    unknown_key = run(app, "analyze", "--set", "close-wait-leak.warnig=5", input=QUIET)
    assert unknown_key.exit_code == 3
    assert "unknown setting 'warnig' for rule NP001 (close-wait-leak)" in unknown_key.stderr
    assert run(app, "analyze", "--set", "NP042.warning=5", input=QUIET).exit_code == 3
    assert run(app, "analyze", "--set", "garbage", input=QUIET).exit_code == 3
    assert run(app, "analyze", "--config", str(tmp_path / "none.toml"), input=QUIET).exit_code == 3
    (tmp_path / "netparse.toml").write_text("[rules.NP010]\ncritical_ratio = 'full'\n")
    found = run(app, "analyze", input=QUIET)
    assert found.exit_code == 3 and "netparse.toml" in found.stderr


def test_config_file_and_set_change_the_result(app, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.netparse.rules.listen-queue-overflow]\nenabled = false\n")
    disabled = run(app, "analyze", "--fail-on", "warning", input=CRITICAL)
    assert disabled.exit_code == 0 and "No findings." in disabled.stdout
    assert f"config: {tmp_path / 'pyproject.toml'}" in disabled.stdout
    enabled = run(app, "analyze", "--fail-on", "warning", "--set", "NP010.enabled=true", input=CRITICAL)
    assert enabled.exit_code == 4
    explicit = tmp_path / "strict.toml"
    explicit.write_text("[rules.NP010]\nwarning_ratio = 0.01\n")
    stricter = run(app, "analyze", "--config", str(explicit), "-o", "json", input=INFO.replace("LISTEN     0 ", "LISTEN     2 "))
    assert [f["code"] for f in json.loads(stricter.stdout)["findings"]] == ["NP010", "NP015"]


def test_several_files_are_reported_one_by_one(app, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(CRITICAL)
    b.write_text(QUIET)
    result = run(app, "analyze", "-o", "json", str(a), str(b))
    doc = json.loads(result.stdout)
    assert [i["source"] for i in doc["inputs"]] == [str(a), str(b)]
    assert {f["source"] for f in doc["findings"]} == {str(a)}


def test_render_findings_for_the_default_command() -> None:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False)
    render_findings(analyze(parse(CRITICAL)), console)
    text = out.getvalue()
    assert text.startswith("CRITICAL  NP010 listen-queue-overflow\n")
    assert "lines 2" in text and text.endswith("1 finding: 1 critical\n")
    assert all(not line.endswith(" ") for line in text.splitlines())
    coloured = io.StringIO()
    render_findings(analyze(parse(CRITICAL)), Console(file=coloured, force_terminal=True, color_system="standard"))
    assert "\x1b[" in coloured.getvalue()
    empty = io.StringIO()
    render_findings([], Console(file=empty))
    assert empty.getvalue() == "No findings.\n"


def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render_findings(analyze(parse(CRITICAL)), Console(file=out, force_terminal=True))
    assert "\x1b[3" not in out.getvalue() and "CRITICAL" in out.getvalue()


def test_help_documents_exit_codes(app) -> None:
    result = run(app, "analyze", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for phrase in ("0 ok", "1 input", "2 usage error", "3 configuration error", "4 with --fail-on", "3 UNKNOWN"):
        assert phrase in text


# ---------------------------------------------------------------------------- explain


def test_explain_a_state_by_any_label(app) -> None:
    result = run(app, "explain", "TIME-WAIT")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("TIME_WAIT  (RFC 9293 state)")
    for phrase in ("Who", "Entered", "FIN_WAIT_2 -> TIME_WAIT", "Lasts", "platform-dependent", "ss: TIME-WAIT",
                   "linux-proc: 06", "NP003 ephemeral-port-exhaustion"):
        assert phrase in out
    assert run(app, "explain", "0a").stdout.startswith("LISTEN ")
    data = json.loads(run(app, "explain", "FIN_WAIT1", "--json").stdout)
    assert data["state"] == "FIN_WAIT_1" and "ESTABLISHED" in {t["source"] for t in data["entered"]}


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_explain_a_rule_by_code_or_name(app, rule) -> None:
    by_code = run(app, "explain", rule.code.lower())
    by_name = run(app, "explain", rule.name)
    assert by_code.exit_code == 0 and by_code.stdout == by_name.stdout
    out = by_code.stdout
    assert out.startswith(f"{rule.code} {rule.name} (")
    assert "What it detects" in out and "What to do" in out
    for key in rule.Settings.model_fields:
        assert f"  {key} " in out


def test_explain_without_argument_lists_every_state(app) -> None:
    result = run(app, "explain")
    assert result.exit_code == 0
    for state in ("LISTEN", "SYN_RECEIVED", "CLOSE_WAIT", "TIME_WAIT", "BOUND", "UNCONNECTED"):
        assert state in result.stdout
    assert "Many of them mean" in result.stdout


def test_explain_diagram_and_scenarios(app) -> None:
    diagram = run(app, "explain", "--diagram")
    assert diagram.exit_code == 0 and "| SYN_RECEIVED |" in diagram.stdout
    for name in ("open", "active-close", "passive-close", "simultaneous-close"):
        result = run(app, "explain", "--scenario", name)
        assert result.exit_code == 0 and "ESTABLISHED" in result.stdout
    assert run(app, "explain", "--scenario", "teardown").exit_code == 2


def test_explain_unknown_topic(app) -> None:
    result = run(app, "explain", "TIME_WAT")
    assert result.exit_code == 2
    assert "unknown state 'TIME_WAT'; did you mean TIME_WAIT" in result.stderr


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")
def test_analyze_live_reads_this_machine() -> None:
    from netparse.cli import app as full_app

    result = CliRunner().invoke(full_app, ["analyze", "--live", "-o", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "findings" in data and data["inputs"][0]["format"] in ("netlink", "proc-net")
    clash = CliRunner().invoke(full_app, ["analyze", "--live", "x.txt"])
    assert clash.exit_code == 2


def test_piped_findings_one_line_per_message(app) -> None:
    """Piped (not a terminal), a finding's message is one line, whatever its length, for grep
    and awk; on a terminal it wraps between words at the terminal's width."""
    sample = Path(__file__).parent.parent / "samples" / "linux" / "problems_netstat-an.txt"
    result = CliRunner().invoke(app, ["analyze", str(sample)])
    lines = result.stdout.splitlines()
    message = next(line for line in lines if "connection attempts to 192.0.2.2:5432" in line)
    assert message.startswith(" " * 10) and message.rstrip().endswith("127 s before (the defaults)")
    assert len(message) > 120
    wrapped = io.StringIO()
    render_findings(analyze(parse(sample.read_text())), Console(file=wrapped, width=80, force_terminal=True,
                                                                  color_system=None))
    assert max(len(line) for line in wrapped.getvalue().splitlines()) <= 80


def test_header_wraps_around_a_time_never_inside_it() -> None:
    from netparse.cli.analyze_run import _TIME_OR_WORD  # noqa: PLC2701 - the header's word split
    from netparse.output.grid import wrap_atoms

    head = "samples/logs/counters-retrans.log:398 [counters-retrans, 2026-12-01 14:15:41 UTC] (ss): 4 sockets"
    for width in range(40, 100):
        lines = wrap_atoms(_TIME_OR_WORD.findall(head), " ", width)
        assert any("2026-12-01 14:15:41 UTC]" in line for line in lines), (width, lines)
        assert " ".join(lines) == head
