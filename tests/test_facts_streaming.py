"""The rules read a listing as columns (issue 12, issue 16): the findings must be the ones the
rules gave when they read every ``Socket`` whole, on every input.

* Against the version before the rewrite: ``tests/findings_dump.py`` runs under that version
  (taken from git, commit ``BEFORE``) and under this one, over every sample, every rule case and
  generated listings (listeners first, last, none; a sysctl port range after the rows; default
  and low thresholds), and the two dumps must be equal finding for finding, every field.
* The streamed path (rows into :class:`~netparse.rules.facts.FactsBuilder`, what ``netparse
  analyze`` runs) gives the findings of ``analyze(parse_file(...))`` and the same counts.
* The columns keep no ``Socket``.
"""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from netparse.api import parse
from netparse.logs.newest import analysis_facts, analysis_inputs
from netparse.model import ParseIssue, Socket
from netparse.rules import analyze
from netparse.rules.engine import analyze_series
from netparse.rules.facts import Facts, FactsBuilder
from netparse.summary import summarise

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "tests" / "findings_dump.py"
#: the last commit whose rules read whole Socket lists (the base of the columns rewrite, with the
#: counter rules NP024-NP029 and the plain-nstat reading that landed beside it)
BEFORE = "08e0c46"

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import netstat_antp, ss_tanp  # noqa: E402


def _before(tmp: Path) -> Path | None:
    """netparse as of BEFORE, unpacked under ``tmp``; None outside a git checkout that has it."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        return None
    archive = subprocess.run([git, "-C", str(ROOT), "archive", "--format=tar", BEFORE, "netparse"],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


def _dump(pythonpath: Path, out: Path, rows: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    subprocess.run([sys.executable, str(DUMP), str(out), str(rows)], env=env, check=True, cwd=ROOT)
    return json.loads(out.read_text(encoding="utf-8"))


def test_findings_equal_those_of_the_rules_before_the_columns(tmp_path: Path) -> None:
    before_root = _before(tmp_path / "before")
    if before_root is None:
        pytest.skip(f"needs a git checkout holding commit {BEFORE}")
    before = _dump(before_root, tmp_path / "before.json", 2000)
    now = _dump(ROOT, tmp_path / "now.json", 2000)
    assert before.keys() == now.keys()
    fired = {f["code"] for found in before.values() for f in found if isinstance(f, dict)}
    assert len(fired) >= 20, f"the inputs must make (nearly) every rule fire, only {sorted(fired)} did"
    assert sum(len(found) for found in before.values()) > 1000
    differ = [name for name in before if _comparable(before[name]) != _comparable(now[name])]
    assert differ == [], f"{len(differ)} inputs give other findings, first {differ[0]}: {now[differ[0]][:2]}"
    # what NP025/NP027 now name was not there before: fields added, none changed
    named = [f for found in before.values() for f in found if isinstance(f, dict) and f.get("code") in NAMING]
    assert named and all(f[k] is None for f in named for k in DIMENSIONS)


#: rules whose findings name more since the columns (issue 17: NP025 says where the TIME_WAIT
#: sockets are and who listens there, NP027 which connections retransmit, from the newest
#: listing): their messages, dimension fields and (NP027, when tcp_info names connections)
#: evidence differ from the version before, everything else (severity, count, state) must not;
#: their rule cases test the new text (tests/rules/cases/np025_*.yaml, np027_*.yaml)
NAMING = {"NP025": ("message",), "NP027": ("message", "evidence")}
DIMENSIONS = ("local_address", "local_port", "remote_address", "remote_port", "process", "pid")


def _comparable(found: list) -> list:
    """The findings to compare: all but NP010's unknown-backlog information, which since the
    columns is one finding per listing instead of one per listener (its own rule cases test it:
    tests/rules/cases/np010_listen_queue.yaml), and NP025/NP027 without what they now name."""
    out = []
    for f in found:
        if isinstance(f, dict) and f.get("code") == "NP010" and f.get("severity") == "info":
            continue
        if isinstance(f, dict) and f.get("code") in NAMING:
            f = {k: v for k, v in f.items() if k not in NAMING[f["code"]] and k not in DIMENSIONS}
        out.append(f)
    return out


def _samples() -> list[Path]:
    return [p for p in sorted((ROOT / "samples").rglob("*.txt")) if p.is_file()]


def test_streamed_facts_give_the_findings_of_the_whole_snapshot(tmp_path: Path) -> None:
    """What ``netparse analyze`` runs (rows streamed into columns, newest snapshot per host) and
    what the library's analyze of the parsed file gives: equal on every .txt sample and on
    generated listings, with the counts of summarise(top=0)."""
    generated = tmp_path / "netstat.txt"
    generated.write_text(netstat_antp(4000), encoding="utf-8")
    ss = tmp_path / "ss.txt"
    ss.write_text(ss_tanp(4000), encoding="utf-8")
    compared = 0
    for path in [*_samples(), generated, ss]:
        streamed = list(analysis_facts([str(path)], "auto", on_problem=lambda exc: None))
        whole = list(analysis_inputs([str(path)], "auto", on_problem=lambda exc: None))
        assert len(streamed) == len(whole), path
        for one, (snap, series) in zip(streamed, whole):
            assert one.snapshot.source == snap.source and one.snapshot.format == snap.format, path
            assert one.snapshot.sockets == []
            assert one.facts.total == len(snap.sockets), path
            assert one.summary == summarise(snap.sockets, top=0), path
            assert analyze_series(one.series, latest=one.facts) == analyze_series(series, latest=snap), path
            compared += 1
    assert compared > 150


def test_rows_sockets_and_snapshots_give_the_same_facts() -> None:
    """analyze() of a Snapshot, of its Socket list, and of Facts built from the parser's rows."""
    from netparse.parser import LineParser

    text = netstat_antp(3000)
    snapshot = parse(text)
    parser = LineParser()
    records = (x for x in parser.rows(iter(text.splitlines())) if not isinstance(x, ParseIssue))
    builder = FactsBuilder().extend(records)
    facts = builder.build(snapshot.format)
    low = {"NP001": {"warning": 3}, "NP003": {"warning_ratio": 0.0002, "critical_ratio": 0.0004}}
    expected = analyze(snapshot, low)
    assert expected, "the thresholds must make rules fire"
    assert analyze(facts, low) == expected
    assert analyze(list(snapshot.sockets), low) == analyze(Facts(snapshot.sockets), low)


def test_the_columns_keep_no_socket() -> None:
    """Facts from a stream of Sockets: once the stream is gone, no Socket is left alive."""
    text = ss_tanp(2000)

    def sockets():
        yield from parse(text).sockets

    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is Socket)
    facts = Facts(sockets(), "ss")
    gc.collect()
    alive = sum(1 for o in gc.get_objects() if type(o) is Socket)
    assert facts.total == 2000 and len(facts.tcp) == 2000
    assert alive == before
    view = facts.socket(0)
    first = parse(text).sockets[0]
    assert (view.local_address, view.local_port, view.state, view.line) == (
        first.local_address, first.local_port, first.state, first.line)


def test_values_too_wide_for_the_columns_read_back_whole() -> None:
    """A queue or line number beyond 32 bits is kept exactly (the columns hold 32-bit ints)."""
    s = parse(ss_tanp(1)).sockets[0]
    wide = s.model_copy(update={"recv_q": 2**40, "send_q": None, "line": 2**33, "pid": -(2**31) + 1})
    view = Facts([wide]).socket(0)
    assert (view.recv_q, view.send_q, view.line, view.pid) == (2**40, None, 2**33, -(2**31) + 1)
