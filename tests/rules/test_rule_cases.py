"""Every rule's firing and quiet cases, written as data in ``cases/*.yaml``.

A case gives an input (rows rendered in a real ``ss``/``netstat`` layout, or literal ``text``),
optional rule settings (``config``), and the findings of one rule (``rule: NP001``; ``"*"`` for
all) that it must produce, in order. Each expected finding lists the fields to compare, the
phrases its message must contain (``message_contains``) and those it must not
(``message_excludes``). ``max_severity`` caps every finding of the case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from netparse.api import parse
from netparse.logs.reader import parse_log, parse_log_file
from netparse.model import Snapshot
from netparse.rules import Severity, all_rules, analyze
from netparse.rules.engine import analyze_series
from socket_listing import render

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


CASES = load_cases()


def case_input(case: dict[str, Any]) -> str:
    if "snapshots" in case:  # a log (trend rules): each snapshot's rows after its timestamp line
        return "".join(f"{snap['date']}\n" + render(case["format"], snap["rows"]) for snap in case["snapshots"])
    text = case["text"] if "text" in case else render(case["format"], case["rows"])
    # `sysctl`: lines of `sysctl NAME...` output after the listing (settings-aware rules)
    return text + "".join(f"{line}\n" for line in case.get("sysctl", []))


SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"


def run_case(case: dict[str, Any]) -> tuple[Snapshot, list]:
    """(the input as one Snapshot, the findings): a log's snapshots go through analyze_series.
    ``log``: a real log under samples/ (counter rules: its snapshots carry nstat counters)."""
    if "log" in case:
        snapshots = parse_log_file(str(SAMPLES_DIR / case["log"]))
        merged = Snapshot(format=snapshots[-1].format, sockets=[s for snap in snapshots for s in snap.sockets],
                          issues=[i for snap in snapshots for i in snap.issues])
        return merged, analyze_series(snapshots, case.get("config"))
    if "snapshots" not in case:
        snapshot = parse(case_input(case))
        return snapshot, analyze(snapshot, case.get("config"))
    snapshots = parse_log(case_input(case))
    assert len(snapshots) == len(case["snapshots"])
    merged = Snapshot(format=snapshots[-1].format, sockets=[s for snap in snapshots for s in snap.sockets],
                      issues=[i for snap in snapshots for i in snap.issues])
    return merged, analyze_series(snapshots, case.get("config"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file'][:-5]}:{c['id']}" for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    snapshot, findings = run_case(case)
    assert snapshot.sockets, "the case's input must parse into sockets"
    assert not [i for i in snapshot.issues if i.kind == "unparsed"], snapshot.issues[:3]
    lines = {s.line: s for s in snapshot.sockets}
    for f in findings:
        assert f.evidence and set(f.evidence) <= set(lines), f"evidence must point at socket lines: {f}"
        if f.state is not None:
            assert any(lines[n].state == f.state for n in f.evidence)
    if "max_severity" in case:
        cap = Severity(case["max_severity"]).rank
        assert [f for f in findings if f.severity.rank > cap] == []
    if "expect" in case:
        got = [f for f in findings if case["rule"] in ("*", f.code)]
        assert len(got) == len(case["expect"]), [f.message for f in got]
        for finding, expected in zip(got, case["expect"]):
            expected = dict(expected)
            for phrase in expected.pop("message_contains", []):
                assert phrase in finding.message
            for phrase in expected.pop("message_excludes", []):
                assert phrase not in finding.message
            actual = finding.model_dump(mode="json")
            assert {key: actual[key] for key in expected} == expected


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    for rule in all_rules():
        mine = [c for c in CASES if c["rule"] == rule.code]
        assert any(c.get("expect") for c in mine), f"{rule.code} has no firing case"
        assert any(c.get("expect") == [] for c in mine), f"{rule.code} has no quiet case"


def test_the_healthy_server_case_holds_every_normal_state() -> None:
    healthy = next(c for c in CASES if c["id"] == "healthy-busy-server-ss")
    states = {s.state.value for s in parse(case_input(healthy)).sockets}
    assert {"LISTEN", "ESTABLISHED", "TIME_WAIT", "SYN_RECEIVED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT"} <= states
