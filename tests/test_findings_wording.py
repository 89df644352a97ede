"""Findings that fit the case (issue 12): NP015 knows whether the listing was read as root, live
findings name their sockets rather than lines of /proc tables nobody saw."""

from __future__ import annotations

import io

from rich.console import Console

from netparse import parse
from netparse.cli.findings import render_findings
from netparse.rules.engine import analyze

SS = (
    "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
    'LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=900,fd=3))\n'
    'ESTAB 0 0 10.0.0.5:80 10.0.0.9:50000 users:(("nginx",pid=900,fd=4))\n'
    "ESTAB 0 0 10.0.0.5:5000 10.0.0.9:50001\n"
    "ESTAB 0 0 10.0.0.5:5000 10.0.0.9:50002\n"
)


def np015(root):
    (finding,) = [f for f in analyze(parse(SS), root=root) if f.code == "NP015"]
    return finding.message


def test_np015_is_root_aware() -> None:
    assert "take it as root" in np015(None)  # a file: we cannot know
    assert "sudo netparse live" in np015(False)
    as_root = np015(True)
    assert "read as root" in as_root and "not hidden by permissions" in as_root
    assert "take it as root" not in as_root and "sudo" not in as_root


def test_live_findings_name_sockets_not_lines() -> None:
    snap = parse(SS)
    findings = [f for f in analyze(snap) if f.code == "NP015"]
    con = Console(file=io.StringIO(), width=80, color_system=None)
    render_findings(findings, con, snap.sockets)
    out = con.file.getvalue()
    assert "tcp 10.0.0.5:5000 -> 10.0.0.9:50001 ESTABLISHED" in out
    assert "lines " not in out
    con = Console(file=io.StringIO(), width=80, color_system=None)
    render_findings(findings, con)  # a file: line numbers of that file
    assert "lines 4, 5" in con.file.getvalue()


def test_watch_view_shows_changes_and_findings_within_the_width() -> None:
    from netparse.cli.live import summary_renderable, watch_counts

    before = parse(SS).sockets
    after = parse(SS + "ESTAB 0 0 10.0.0.5:5000 10.0.0.9:50003\n").sockets
    findings = [f for f in analyze(after) if f.code == "NP015"]
    con = Console(file=io.StringIO(), width=80, color_system=None)
    con.print(summary_renderable(after, "web01 12:00:01", 79, watch_counts(before), findings))
    out = con.file.getvalue()
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "Change" in lines[2] or "Change" in lines[1]
    assert any(line.startswith("tcp") and "ESTABLISHED" in line and "+1" in line for line in lines)
    assert "NP015" in out
