"""iproute2 ``ss`` before and after 4.13: the per-listing era decision, both ways (issue 14).

The samples are real captures of ss built from iproute2 tags v3.2.0, v3.12.0, v5.3.0 and the
system's 6.1.0 over the same sockets (samples/capture/old_ss.py): port 22022 has two listeners,
IPv4 0.0.0.0 and IPv6-only [::]; 18083 is one dual-stack :: listener. Where a test re-orders
lines, they are lines of those captures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.grammars.ss import NEW_ERA, OLD_ERA

LINUX = Path(__file__).parent.parent / "samples" / "linux"


def _lines(name: str) -> list[str]:
    return (LINUX / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def _by_port(snap: netparse.Snapshot, port: int) -> list[tuple[str | None, str | None]]:
    return sorted((s.family, s.local_address) for s in snap.sockets if s.local_port == port)


@pytest.mark.parametrize("name", ["oldss-v3.2.0_ss-tanp", "oldss-v3.2.0_ss-tln", "oldss-v3.12.0_ss-tln", "oldss-v3.12.0_ss-tlnp"])
def test_old_listing_star_is_ipv4(name: str) -> None:
    snap = netparse.parse_file(LINUX / f"{name}.txt")
    assert not snap.issues
    # two separate listeners of one service stay two different sockets
    assert _by_port(snap, 22022) == [("inet", "0.0.0.0"), ("inet6", "::")]
    # the dual-stack listener is printed ':::18083' by old ss: IPv6
    assert _by_port(snap, 18083)[0] == ("inet6", "::")
    assert {s.dialect for s in snap.sockets} == {OLD_ERA}


@pytest.mark.parametrize("name", ["oldss-v5.3.0_ss-tln", "oldss-v5.3.0_ss-tlnp", "oldss-v6.1.0_ss-tlnp"])
def test_new_listing_star_is_dual_stack(name: str) -> None:
    snap = netparse.parse_file(LINUX / f"{name}.txt")
    assert not snap.issues
    assert _by_port(snap, 22022) == [("inet", "0.0.0.0"), ("inet6", "::")]
    (dual,) = [s for s in snap.sockets if s.local_port == 18083]
    assert (dual.family, dual.local_address, dual.dialect) == ("inet6", "::", NEW_ERA)
    # rows the era does not change carry no dialect
    assert {s.dialect for s in snap.sockets if s.local_port != 18083} == {None}


def test_old_owner_syntax_gives_owners() -> None:
    snap = netparse.parse_file(LINUX / "oldss-v3.2.0_ss-tanp.txt")
    shared = [s for s in snap.sockets if s.local_port == 18088 and s.state == "LISTEN"]
    assert len(shared) == 1
    owners = shared[0].owners
    assert owners is not None and len(owners) == 2
    assert all(o.process == "python3" and o.pid and o.fd == 3 for o in owners)
    assert shared[0].pid == owners[0].pid and shared[0].info is None
    assert all(s.pid is not None and s.process == "python3" for s in snap.sockets)


def test_no_process_header_alone_decides_nothing() -> None:
    """v5.3.0 prints no 'Process' header word either: a '*' row with no other evidence keeps the
    newer (dual-stack) reading and says nothing about the era."""
    header = _lines("oldss-v5.3.0_ss-tln")[0]
    star = next(l for l in _lines("oldss-v5.3.0_ss-tln") if "*:18083" in l)
    snap = netparse.parse(header + "\n" + star + "\n")
    (s,) = snap.sockets
    assert (s.family, s.local_address, s.dialect) == ("inet6", "::", None)


def test_next_row_decides_a_pending_star_row() -> None:
    """'*:22022' first, then ':::22022' (as ss 3.12 printed them): the row after the '*' row shows
    the old layout, so the '*' row is read as IPv4 after all, with no warning."""
    lines = _lines("oldss-v3.12.0_ss-tln")
    header = lines[0]
    v4 = next(l for l in lines if "*:22022" in l)
    v6 = next(l for l in lines if ":::22022" in l)
    snap = netparse.parse("\n".join([header, v4, v6]) + "\n")
    assert [(s.family, s.local_address, s.dialect) for s in snap.sockets] == [
        ("inet", "0.0.0.0", OLD_ERA),
        ("inet6", "::", OLD_ERA),
    ]
    assert not snap.issues


def test_late_evidence_is_reported_not_silent() -> None:
    """Two '*' rows before the first old-layout row: the first can no longer be read again
    (one row of look-ahead), so the evidence row carries a warning naming it."""
    lines = _lines("oldss-v3.12.0_ss-tln")
    header = lines[0]
    stars = [l for l in lines if l.split()[3].startswith("*:")]
    v6 = next(l for l in lines if ":::22022" in l)
    snap = netparse.parse("\n".join([header, *stars, v6]) + "\n")
    assert len(stars) == 2
    assert [s.family for s in snap.sockets] == ["inet6", "inet", "inet6"]
    (warning,) = snap.issues
    assert warning.kind == "warning" and warning.line == 4
    assert "line(s) 2 " in warning.reason and "IPv4 0.0.0.0" in warning.reason


def test_each_listing_decides_again() -> None:
    """An old listing followed by a new one (a log of two runs): the second '*' is dual-stack."""
    old = _lines("oldss-v3.2.0_ss-tln")
    new = _lines("oldss-v6.1.0_ss-tlnp")
    snap = netparse.parse("\n".join(old + new) + "\n")
    dual = [s for s in snap.sockets if s.local_port == 18083]
    assert [(s.family, s.dialect) for s in dual] == [("inet6", OLD_ERA), ("inet6", NEW_ERA)]
    wild4 = [s for s in snap.sockets if s.local_port == 22022 and s.family == "inet"]
    assert [s.dialect for s in wild4] == [OLD_ERA, None]


def test_listening_is_listen_in_ss_like_in_net_tools() -> None:
    """Issue 14 item 5: 'LISTENING' in an ss row means LISTEN (an unverified alias: no real ss output
    with it was found, so the row below is a real ss 6.1.0 row with its state word replaced)."""
    from netparse.locales import state_labels

    assert state_labels("ss")["LISTENING"] == state_labels("linux-netstat")["LISTENING"] == "LISTEN"
    lines = _lines("oldss-v6.1.0_ss-tlnp")
    row = next(l for l in lines if "0.0.0.0:22022" in l).replace("LISTEN ", "LISTENING ", 1)
    snap = netparse.parse(lines[0] + "\n" + row + "\n")
    (s,) = snap.sockets
    assert (s.state, s.state_label, s.local_port, s.pid) == ("LISTEN", "LISTENING", 22022, s.owners[0].pid)
    assert not snap.issues
