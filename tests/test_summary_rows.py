"""The summary counts rows (no Socket per record) exactly as it counts Sockets: on every sample
and with the per-container counts."""

from __future__ import annotations

import pytest

import netparse
from netparse.summary import SummaryBuilder
from conftest import SAMPLES

LISTINGS = sorted(p for p in SAMPLES.rglob("*.txt") if p.parent.name not in ("counters",))


@pytest.mark.parametrize("path", LISTINGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rows_and_sockets_give_the_same_summary(path) -> None:
    snap = netparse.parse_file(path)
    rows = list(snap.iter_rows())
    for by in (None, "container"):
        from_rows = SummaryBuilder(by=by)
        for row in rows:
            from_rows.add(row)
        from_sockets = SummaryBuilder(by=by).extend(snap.sockets)
        assert from_rows.build() == from_sockets.build()
    assert len(rows) == len(snap.sockets)


def test_rows_with_containers_and_owners_count_per_container() -> None:
    ss = SAMPLES / "linux"
    withe = [p for p in ss.glob("*.txt") if "cgroup:" in p.read_text(errors="replace")]
    assert withe, "an ss -e sample with cgroup paths"
    for path in withe:
        snap = netparse.parse_file(path)
        builder = SummaryBuilder(by="container")
        for row in snap.iter_rows():
            builder.add(row)
        groups = builder.build().by_container
        assert groups and sum(g.count for g in groups) == len(snap.sockets)
