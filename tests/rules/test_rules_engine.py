"""The rule registry and the engine: conventions every rule follows, ordering, robustness."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netparse.rules as rules_pkg
from netparse.api import parse_file
from netparse.model import Snapshot, Socket
from netparse.rules import Facts, Finding, Severity, all_rules, analyze, get_rule
from netparse.states import TcpState

RULES_DIR = Path(rules_pkg.__file__).parent
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_codes_are_sequential_and_names_readable() -> None:
    rules = all_rules()
    assert [r.code for r in rules] == [f"NP{i:03d}" for i in range(1, len(rules) + 1)]
    for rule in rules:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name), rule.name
        assert get_rule(rule.code) is rule and get_rule(rule.code.lower()) is rule and get_rule(rule.name) is rule
    assert get_rule("NP000") is None


def test_one_rule_per_module_named_after_its_code() -> None:
    modules = sorted(p.stem for p in RULES_DIR.glob("np[0-9][0-9][0-9]_*.py"))
    assert [m[:5].upper() for m in modules] == [r.code for r in all_rules()]
    for rule in all_rules():
        assert type(rule).__module__.rsplit(".", 1)[1].upper().startswith(rule.code)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_docstring_has_the_three_parts_and_sources(rule) -> None:
    doc = rule.doc()
    positions = [doc.find(part) for part in ("What it detects", "Why it matters", "What to do", "Sources")]
    assert -1 not in positions and positions == sorted(positions), doc
    assert rule.summary and rule.severities


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_setting_is_described_and_proposals_are_marked(rule) -> None:
    fields = rule.Settings.model_fields
    assert "enabled" in fields
    for name, field in fields.items():
        assert field.description, f"{rule.code}.{name} has no description"
    if "(ours)" in " ".join(f.description or "" for f in fields.values()):
        assert "ours" in rule.doc(), f"{rule.code} proposes a threshold but its docstring does not say so"


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("np[0-9][0-9][0-9]_*.py")), ids=lambda p: p.stem)
def test_rules_never_parse_text(path: Path) -> None:
    """A rule reads records only: no regular expressions, no grammar, no parser."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
    forbidden = {"re", "pyparsing", "..parser", "..api", "..grammars", "..decode", "..locales"}
    assert not imported & forbidden


def _sock(state: TcpState, line: int, **kw) -> Socket:
    base = dict(proto="tcp", family="inet", local_address="10.0.0.5", local_port=8080,
                remote_address="10.0.1.1", remote_port=40000 + line, state=state, line=line)
    return Socket(**{**base, **kw})


def test_findings_come_worst_first() -> None:
    sockets = [_sock(TcpState.LISTEN, 1, local_address="0.0.0.0", local_port=2375, remote_address="0.0.0.0",
                     remote_port=None, process="dockerd", pid=1)]
    sockets += [_sock(TcpState.CLOSE_WAIT, 2 + i, process="java", pid=7) for i in range(150)]
    sockets += [_sock(TcpState.FIN_WAIT_2, 500 + i, remote_address="10.9.9.9") for i in range(100)]
    findings = analyze(sockets)
    assert [f.code for f in findings] == ["NP013", "NP001", "NP007"]
    assert [f.severity for f in findings] == [Severity.CRITICAL, Severity.WARNING, Severity.INFO]


def test_bsd_listen_queue_fields_are_read() -> None:
    """BSD/macOS netstat -L gives qlen/maxqlen; a grammar may store them in ``extra``."""
    listener = _sock(TcpState.LISTEN, 3, remote_address=None, remote_port=None, local_port=80,
                     extra={"qlen": "192", "maxqlen": "128"})
    facts = Facts([listener], format="freebsd-netstat")
    assert facts.listen_queue(listener) == (192, 128)
    [finding] = analyze([listener])
    assert (finding.code, finding.severity, finding.count) == ("NP010", Severity.CRITICAL, 192)


def test_send_q_is_a_backlog_only_for_ss() -> None:
    listener = _sock(TcpState.LISTEN, 3, remote_address=None, remote_port=None, recv_q=200, send_q=100)
    assert Facts([listener], format="ss").listen_queue(listener) == (200, 100)
    assert Facts([listener], format="macos-netstat").listen_queue(listener) is None


def test_unix_sockets_are_not_tcp() -> None:
    """net-tools maps unix CONNECTED/LISTENING to ESTABLISHED/LISTEN: rules must not count them."""
    unix = [Socket(proto="unix", family="unix", state=TcpState.CLOSE_WAIT, path="/run/x.sock", line=i + 1)
            for i in range(200)]
    assert analyze(unix) == []


def test_windows_input_uses_the_windows_range() -> None:
    facts = Facts([], format="windows-netstat")
    assert facts.ephemeral_range() == (49152, 65535)
    assert Facts([], format="ss").ephemeral_range() == (32768, 60999)
    assert facts.ephemeral_range("linux") == (32768, 60999)
    assert facts.ephemeral_range("1024-2047") == (1024, 2047)


states = st.sampled_from(list(TcpState))
addresses = st.sampled_from(["10.0.0.1", "10.0.0.2", "0.0.0.0", "::", "127.0.0.1", "fe80::1%eth0", None])
ports = st.one_of(st.none(), st.sampled_from([22, 80, 443, 2375, 6379, 8080]), st.integers(1, 65535))
queues = st.one_of(st.none(), st.integers(0, 10**7))
socket_strategy = st.builds(
    Socket,
    proto=st.sampled_from(["tcp", "udp", "unix"]),
    family=st.sampled_from(["inet", "inet6", "unix", None]),
    local_address=addresses,
    local_port=ports,
    remote_address=addresses,
    remote_port=ports,
    state=states,
    recv_q=queues,
    send_q=queues,
    pid=st.one_of(st.none(), st.integers(1, 5)),
    process=st.one_of(st.none(), st.sampled_from(["java", "nginx"])),
    line=st.integers(1, 10**6),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(socket_strategy, max_size=60), st.sampled_from([None, "ss", "linux-netstat", "windows-netstat"]))
def test_any_records_give_valid_sorted_findings(sockets: list[Socket], format: str | None) -> None:
    config = {code: {"warning": 1} for code in ("NP001", "NP004", "NP005")}
    config |= {"NP002": {"threshold": 1}, "NP006": {"per_peer": 1, "total": 1}, "NP011": {"min_sockets": 1}}
    data = sockets if format is None else Snapshot(format=format, sockets=sockets)
    findings = analyze(data, config)
    lines = {s.line for s in sockets}
    keys = [(-f.severity.rank, -f.count) for f in findings]
    assert keys == sorted(keys)
    for f in findings:
        assert isinstance(f, Finding) and f.message and f.count >= 1
        assert set(f.evidence) <= lines and len(f.evidence) <= 5


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*.txt") if "capture" not in p.parts)


@pytest.mark.skipif(not _samples(), reason="no samples in the repository")
def test_real_samples_analyze_cleanly() -> None:
    """Every real capture in samples/ (Linux and Windows, every language) analyzes without an
    error, and every finding points at socket lines of its input."""
    for path in _samples():
        snapshot = parse_file(path)
        lines = {s.line for s in snapshot.sockets}
        for f in analyze(snapshot):
            assert set(f.evidence) <= lines, (path, f)
