"""Golden tests over every real sample in samples/: records, issues and line accounting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import netparse
from netparse.inputs.decode import decode
from conftest import sample_files, sample_id

SAMPLES = sample_files()


def _golden(snap: netparse.Snapshot) -> dict:
    return {
        "format": snap.format,
        "formats": snap.formats,
        "locale": snap.locale,
        "encoding": snap.encoding,
        "total_lines": snap.total_lines,
        "line_counts": snap.line_counts,
        "sockets": [s.model_dump(mode="json", exclude_none=True) for s in snap.sockets],
        "issues": [i.model_dump(mode="json") for i in snap.issues],
    }


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_sample_golden(path: Path, data_regression) -> None:
    snap = netparse.parse_file(path)
    basename = re.sub(r"[^A-Za-z0-9_.-]", "_", sample_id(path))
    data_regression.check(_golden(snap), basename=basename)


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_every_line_accounted_for(path: Path) -> None:
    """records + recognised non-data lines + unparsed issues == input lines."""
    snap = netparse.parse_file(path)
    text, _ = decode(path.read_bytes())
    expected_lines = len(re.split(r"\r\n|\r|\n", text)) - (1 if text.endswith(("\n", "\r")) else 0) if text else 0
    assert sum(snap.line_counts.values()) == snap.total_lines == expected_lines
    assert snap.line_counts.get("record", 0) == len(snap.sockets)
    unparsed = [i for i in snap.issues if i.kind == "unparsed"]
    assert snap.line_counts.get("unparsed", 0) == len(unparsed)
    # every record and every unparsed issue names a distinct, real line
    lines = [s.line for s in snap.sockets] + [i.line for i in unparsed]
    assert len(lines) == len(set(lines))
    assert all(1 <= n <= snap.total_lines for n in lines)


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_sample_has_a_note(path: Path) -> None:
    note = path.with_suffix(".note")
    assert note.is_file(), f"{path.name} needs a .note saying where it came from"
    assert "source" in note.read_text(encoding="utf-8").lower()


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 50
