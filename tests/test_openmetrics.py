"""-o openmetrics on summary/analyze/live, checked by the real promtool and by prometheus_client's
parsers; label escaping with hostile strings; bounded cardinality; -o checkmk."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse import parse_file
from netparse.cli import app
from netparse.model import Family as SocketFamily, Socket
from netparse.output.openmetrics import (
    OTHER, Family, Health, MetricLimits, collect, escape_label, load_limits, render, series_count,
)
from netparse.states import TcpState
from realtools import promtool_check_metrics, real_tool

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PROBLEMS = SAMPLES / "linux/problems_ss-tanp.txt"
runner = CliRunner()


def every_sample() -> list[Path]:
    """Every input file in samples/ (listings, logs, compressed logs); not notes or scripts."""
    return sorted(
        p for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix not in (".note", ".py", ".md") and p.parent.name != "capture"
    )


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def parsed(text: str) -> dict[str, list]:
    """name -> samples, through prometheus_client's Prometheus text parser (what node_exporter's
    textfile collector and Prometheus read)."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, list] = {}
    for fam in text_string_to_metric_families(text):
        out[fam.name] = fam.samples
    return out


def parsed_openmetrics(text: str) -> dict[str, list]:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    return {fam.name: fam.samples for fam in text_string_to_metric_families(text)}


# ---------------------------------------------------------------------------- every sample


@pytest.mark.parametrize("path", every_sample(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_sample_passes_promtool(path: Path) -> None:
    result = invoke("summary", "-o", "openmetrics", str(path))
    assert result.exit_code == 0, result.output
    text = result.stdout
    checked = promtool_check_metrics(text)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    families = parsed(text)
    for name in ("netparse_findings", "netparse_parse_issues", "netparse_build_info"):
        assert name in families
    # every HELP has its TYPE, and every family of samples has both
    helps = [line.split()[2] for line in text.splitlines() if line.startswith("# HELP ")]
    types = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
    assert helps == types and len(set(helps)) == len(helps)
    assert text.endswith("# EOF\n")


def test_sums_match_the_summary() -> None:
    """netparse_sockets adds up to every record; process and remote-port families keep every
    socket they cover (the tail is in 'other', nothing is dropped)."""
    snap = parse_file(PROBLEMS)
    families = parsed(invoke("summary", "-o", "openmetrics", str(PROBLEMS)).stdout)
    assert sum(s.value for s in families["netparse_sockets"]) == len(snap.sockets) == 405
    assert sum(s.value for s in families["netparse_process_sockets"]) == len(snap.sockets)
    close_wait_8080 = [s for s in families["netparse_port_sockets"] if s.labels == {"port": "8080", "state": "CLOSE_WAIT"}]
    assert [s.value for s in close_wait_8080] == [150]
    waiting = {s.labels["port"]: s.value for s in families["netparse_listen_queue_connections"]}
    backlog = {s.labels["port"]: s.value for s in families["netparse_listen_backlog_connections"]}
    assert waiting["9090"] == 9 and backlog["9090"] == 8  # NP010's full accept queue
    findings = {s.labels["code"] for s in families["netparse_finding"]}
    assert {"NP001", "NP010", "NP013"} <= findings
    by_severity = {s.labels["severity"]: s.value for s in families["netparse_findings"]}
    assert by_severity["critical"] == 1 and set(by_severity) == {"critical", "warning", "info"}
    np001 = [s for s in families["netparse_finding_sockets"] if s.labels["code"] == "NP001"]
    assert np001[0].value == 150 and np001[0].labels["port"] == "8080" and np001[0].labels["process"] == "java"


def test_real_ss_pipeline() -> None:
    """The issue's own check: ss -tanp | netparse summary -o openmetrics | promtool check metrics."""
    real_tool("ss")
    promtool = real_tool("promtool")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        f"ss -tanp | {sys.executable} -m netparse summary -o openmetrics | {promtool} check metrics",
        shell=True, capture_output=True, env=env, timeout=120, executable="/bin/bash",
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_openmetrics_parser_accepts_it() -> None:
    """Also valid OpenMetrics 1.0 (prometheus_client's strict OpenMetrics parser)."""
    text = invoke("analyze", "-o", "openmetrics", str(PROBLEMS)).stdout
    families = parsed_openmetrics(text)
    assert "netparse_receive_queue_bytes" in families


def test_help_texts_are_valid_in_both_formats() -> None:
    """OpenMetrics' HELP is an escaped-string (no raw double quote); the 0.0.4 text format knows
    no \\" escape in HELP: the only text valid in both has no double quote at all."""
    text = invoke("analyze", "-o", "openmetrics", str(PROBLEMS)).stdout
    helps = [line for line in text.splitlines() if line.startswith("# HELP ")]
    assert any(line.startswith("# HELP netparse_cardinality_folded_values ") for line in helps)
    assert [line for line in helps if '"' in line] == []


def test_analyze_and_live_openmetrics() -> None:
    logs = sorted((SAMPLES / "logs").glob("*.log"))[:2]
    result = invoke("analyze", "-o", "openmetrics", *map(str, logs))
    assert result.exit_code == 0, result.output
    assert promtool_check_metrics(result.stdout).returncode == 0
    families = parsed(result.stdout)
    assert "netparse_snapshot_timestamp_seconds" in families
    if Path("/proc/net/tcp").exists():
        live = invoke("live", "-o", "openmetrics")
        assert live.exit_code == 0, live.output
        checked = promtool_check_metrics(live.stdout)
        assert checked.returncode == 0, checked.stdout.decode()
        assert "netparse_unattributed_sockets" in parsed(live.stdout)


def test_nothing_recognisable_writes_nothing_and_exits_1() -> None:
    result = invoke("summary", "-o", "openmetrics", input="hello\nworld\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no socket listing found" in result.stderr


# ---------------------------------------------------------------------------- escaping

HOSTILE = [
    'quo"te',
    "back\\slash",
    "new\nline",
    'all}"{=,\\n\\"',
    "}",
    "tab\tcr\rnul\x00esc\x1b[31mred",
    "\u2028line sep\u0085nel",
    "ünïcødé 名前 🚀",
    "undecodable \udcff\udcfe bytes",
    "trailing backslash\\",
    "# HELP fake injected",
    "x\n# TYPE netparse_sockets counter\nnetparse_sockets 1e9",
]


def _hostile_sockets() -> list[Socket]:
    out = []
    for i, name in enumerate(HOSTILE):
        out.append(Socket(
            proto="tcp", family=SocketFamily.INET, local_address="10.0.0.1", local_port=40000 + i,
            remote_address=name, remote_port=443, state=TcpState.ESTABLISHED, process=name, pid=100 + i, line=i + 1,
        ))
    return out


def expected(value: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)


def test_hostile_label_values_round_trip_exactly() -> None:
    limits = MetricLimits(top_processes=len(HOSTILE), top_remotes=len(HOSTILE))
    text = render(collect(_hostile_sockets(), limits=limits))
    text.encode("utf-8")  # always valid UTF-8
    checked = promtool_check_metrics(text)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    for families in (parsed(text), parsed_openmetrics(text)):
        procs = {s.labels["process"] for s in families["netparse_process_sockets"]}
        assert procs == {expected(v) for v in HOSTILE}
        remotes = {s.labels["remote"] for s in families["netparse_remote_host_sockets"]}
        assert remotes == {expected(v) for v in HOSTILE}
        # nothing injected: the one netparse_sockets series is still the real count
        assert [s.value for s in families["netparse_sockets"]] == [len(HOSTILE)]


def test_escape_label_is_exactly_the_three_escapes() -> None:
    assert escape_label('a\\b"c\nd') == 'a\\\\b\\"c\\nd'
    assert escape_label("\r\t\x00") == "\r\t\x00"  # allowed as is by both formats
    assert escape_label("\udcff") == "\ufffd"


def test_hostile_values_through_prometheus_client() -> None:
    """The exporter path: the same families through prometheus_client's own writer."""
    from prometheus_client import generate_latest

    from prometheus_client import CollectorRegistry

    from netparse.live.exporter import SnapshotCollector, Snapshots

    limits = MetricLimits(top_processes=len(HOSTILE), top_remotes=len(HOSTILE))
    snapshots = Snapshots(lambda: collect(_hostile_sockets(), limits=limits))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshots))
    text = generate_latest(registry).decode("utf-8")
    assert promtool_check_metrics(text).returncode == 0
    procs = {s.labels["process"] for s in parsed(text)["netparse_process_sockets"]}
    assert procs == {expected(v) for v in HOSTILE}


def test_help_escaping_and_merging() -> None:
    fam = Family("netparse_test_thing", "Help with \\ and\nnewline.")
    fam.add(1, a="x")
    fam.add(2, a="x")
    fam.add(5, keep_max=True, a="y")
    fam.add(3, keep_max=True, a="y")
    text = render([fam])
    assert "# HELP netparse_test_thing Help with \\\\ and\\nnewline." in text
    assert 'netparse_test_thing{a="x"} 3' in text and 'netparse_test_thing{a="y"} 5' in text


def test_values_are_numbers_prometheus_reads() -> None:
    fam = Family("netparse_test_seconds", "T.", unit="seconds")
    fam.samples[()] = 1712345678.25
    fam2 = Family("netparse_test_count", "T.")
    fam2.samples[()] = 3.0
    text = render([fam, fam2])
    assert "netparse_test_seconds 1712345678.25" in text and "netparse_test_count 3\n" in text
    assert math.isclose(parsed(text)["netparse_test_seconds"][0].value, 1712345678.25)


# ---------------------------------------------------------------------------- cardinality


def _largest_sample() -> Path:
    candidates = [p for p in every_sample() if p.suffix in (".txt",)]
    return max(candidates, key=lambda p: len(parse_file(p).sockets))


def test_cardinality_stays_within_the_configured_bound(tmp_path: Path) -> None:
    path = _largest_sample()
    (tmp_path / "netparse.toml").write_text(
        "[metrics]\nmax_ports = 3\nmax_remote_ports = 2\nremote_port_min = 2\ntop_processes = 2\n"
        "top_remotes = 4\nmax_findings = 2\n"
    )
    limits = load_limits(start=tmp_path)
    assert limits.top_processes == 2
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = invoke("summary", "-o", "openmetrics", str(path))
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    families = parsed(result.stdout)
    states = len(TcpState)

    def values(name: str, label: str) -> set[str]:
        return {s.labels[label] for s in families.get(name, [])}

    ports = values("netparse_port_sockets", "port")
    assert len(ports - {OTHER}) <= 3
    assert len(values("netparse_remote_port_sockets", "port") - {OTHER}) <= 2
    assert len(values("netparse_process_sockets", "process") - {OTHER, ""}) <= 2
    assert len(values("netparse_remote_host_sockets", "remote") - {OTHER}) <= 4
    assert len(families.get("netparse_finding", [])) <= 2
    # the whole exposition: a bound that depends on the limits, not on the input's size
    bound = (
        8 * 6 * states  # protos x families x states (netparse_sockets)
        + (3 + 1) * states * 2 + (3 + 1) * 2  # port families, queue and backlog
        + (2 + 1) * states + (2 + 2) * states + (4 + 1) * states  # remote ports, processes, remotes
        + 2 * 8 * states  # queue bytes
        + 4 + 2 * 2 + 3 + 20 + 2 + 3  # folded, findings, severities, lines, issues, info/timestamp
    )
    total = sum(len(v) for v in families.values())
    assert total <= bound
    assert len(parse_file(path).sockets) > total / 3  # the sample is large enough to be bounded
    folded = {s.labels["family"]: s.value for s in families["netparse_cardinality_folded_values"]}
    assert sum(folded.values()) > 0  # the limits did bite on this sample


def test_bad_metrics_config_is_one_line_and_exit_3(tmp_path: Path) -> None:
    bad = tmp_path / "netparse.toml"
    bad.write_text("[metrics]\ntop_processes = 0\n")
    result = invoke("analyze", "-o", "openmetrics", "--config", str(bad), str(PROBLEMS))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "metrics.top_processes" in result.stderr and "Traceback" not in result.output
    bad.write_text("[metrics]\ntop_procs = 5\n")
    result = invoke("analyze", "-o", "openmetrics", "--config", str(bad), str(PROBLEMS))
    assert result.exit_code == 3 and "top_procs" in result.stderr


def test_pyproject_metrics_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.netparse.metrics]\nmax_findings = 1\n")
    assert load_limits(start=tmp_path).max_findings == 1


# ---------------------------------------------------------------------------- checkmk


def test_checkmk_local_checks() -> None:
    result = invoke("analyze", "-o", "checkmk", str(PROBLEMS))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    from netparse.rules import all_rules

    assert len(lines) == 1 + len(all_rules())  # sockets + one service per rule, found or not
    services = {}
    for line in lines:
        status, rest = line.split(" ", 1)
        assert rest.startswith('"')
        name, rest = rest[1:].split('" ', 1)
        metrics, text = rest.split(" ", 1)
        services[name] = (int(status), metrics, text)
    assert services["netparse NP010 listen-queue-overflow"][0] == 2
    assert services["netparse NP001 close-wait-leak"][0] == 1
    assert services["netparse NP001 close-wait-leak"][1] == "findings=1|largest=150;100;1000"
    status, metrics, text = services["netparse NP002 time-wait-load"]
    assert (status, text) == (0, "no findings") and metrics.startswith("findings=0|largest=0")
    assert services["netparse sockets"][1].startswith("sockets=405|")


def test_checkmk_unknown_and_hostile_text(tmp_path: Path) -> None:
    result = invoke("analyze", "-o", "checkmk", str(tmp_path / "missing.txt"))
    assert result.exit_code == 3
    assert result.stdout.startswith('3 "netparse" - ') and result.stdout.count("\n") == 1
    from netparse.model import Snapshot
    from netparse.output.checkmk import local_checks
    from netparse.rules import all_rules, analyze

    evil = 'evil\n0 "fake service" - injected\r\x1b[31m|x=1'
    sockets = [Socket(proto="tcp", family=SocketFamily.INET, local_address="0.0.0.0", local_port=8080,
                      state=TcpState.LISTEN, process=evil, pid=7, line=1)]
    sockets += [
        Socket(proto="tcp", family=SocketFamily.INET, local_address="10.0.0.1", local_port=8080,
               remote_address=f"10.0.0.{i % 250 + 1}", remote_port=40000 + i, state=TcpState.CLOSE_WAIT,
               process=evil, pid=7, line=i + 2)
        for i in range(120)
    ]
    snap = Snapshot(format="ss", sockets=sockets)
    findings = analyze(snap)
    assert any(f.code == "NP001" and f.process == evil for f in findings)
    text = local_checks([(snap, findings)], all_rules())
    lines = text.splitlines()
    assert len(lines) == 1 + len(all_rules())  # the newline in the name started no service line
    np001 = next(line for line in lines if '"netparse NP001 close-wait-leak"' in line)
    assert np001.startswith("1 ") and "evil 0 " in np001 and "\x1b" not in np001 and "\r" not in np001


def test_help_is_fast_without_prometheus_client() -> None:
    """--help does not import prometheus_client or the writers."""
    code = (
        "import sys; from netparse.cli import app; from typer.testing import CliRunner;"
        "r = CliRunner().invoke(app, ['exporter', '--help']); assert r.exit_code == 0, r.output;"
        "assert 'loopback' in r.output;"
        "assert 'prometheus_client' not in sys.modules and 'netparse.output.openmetrics' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_container_series_are_bounded_and_pass_promtool() -> None:
    from netparse.model import Container
    from netparse.output.openmetrics import MetricLimits, render, socket_families

    base = parse_file(ROOT / "samples" / "linux" / "corpus-linux_nettools_netstat-antp.txt").sockets
    boxes = [Container(runtime="docker", id=f"{i:064x}", short_id=f"{i:012x}") for i in range(5)]
    boxed = [s.model_copy(update={"container": boxes[i % 5]}) for i, s in enumerate(base)]
    hostile = boxed[0].model_copy(update={"container": Container(runtime='do"ck\\er\n', id="x}\n# TYPE y gauge")})
    families = socket_families(boxed + [hostile], MetricLimits(top_containers=3))
    text = render(families)
    assert promtool_check_metrics(text).returncode == 0
    series = parsed(text)["netparse_container_sockets"]
    containers = {s.labels["container"] for s in series}
    assert len(containers) == 4 and "other" in containers  # 3 kept, the rest (3 more) folded
    total = sum(s.value for s in series)
    assert total == len(boxed) + 1
    # the hostile runtime and id kept as label values: escaped, promtool-clean, read back exactly
    every = render(socket_families(boxed + [hostile], MetricLimits(top_containers=10)))
    assert promtool_check_metrics(every).returncode == 0
    labels = {(s.labels["runtime"], s.labels["container"]) for s in parsed(every)["netparse_container_sockets"]}
    assert ('do"ck\\er\n', "x}\n# TYPE y gauge") in labels
    # a listing without containers has no such family
    assert "netparse_container_sockets" not in render(socket_families(base, MetricLimits()))
