"""Issue 14 item 6: a layout without a state column (FreeBSD netstat -T / -x, real jc fixtures)
keeps UNKNOWN and its header warning, but says the state was *not printed* (not "label not
understood"), and the summary and the rules still see those sockets."""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.rules import Facts, analyze
from netparse.states import TcpState
from netparse.summary import summarise

FREEBSD = Path(__file__).parent.parent / "samples" / "freebsd"


@pytest.mark.parametrize("name", ["jc-freebsd12-netstat-aT", "jc-freebsd12-netstat-AaT", "jc-freebsd12-netstat-Aax"])
def test_no_state_column_is_not_an_unknown_label(name: str) -> None:
    snap = netparse.parse_file(FREEBSD / f"{name}.txt")
    tcp = [s for s in snap.sockets if s.proto == "tcp"]
    assert tcp and all(s.state is TcpState.UNKNOWN and s.state_printed is False and s.state_label is None for s in tcp)
    # still one header warning, and no "unknown state label" warning
    assert [i.kind for i in snap.issues] == ["warning"] and "no (state) column" in snap.issues[0].reason
    (unknown,) = [g for g in summarise(snap.sockets).states if g.state is TcpState.UNKNOWN]
    assert unknown.not_printed == unknown.count == len(tcp)


def test_an_unknown_label_is_counted_apart() -> None:
    # a real ss 6.1.0 row with its state word replaced by one ss never prints
    row = next(
        l for l in (Path(__file__).parent.parent / "samples/linux/oldss-v6.1.0_ss-tlnp.txt").read_text().splitlines()
        if "0.0.0.0:22022" in l
    )
    snap = netparse.parse(row.replace("LISTEN ", "LISTENX ", 1) + "\n", format="ss")
    (s,) = snap.sockets
    assert s.state is TcpState.UNKNOWN and s.state_printed is None and s.state_label == "LISTENX"
    (unknown,) = summarise(snap.sockets).states
    assert (unknown.count, unknown.not_printed) == (1, 0)


def test_rules_see_sockets_whose_state_is_not_printed() -> None:
    snap = netparse.parse_file(FREEBSD / "jc-freebsd12-netstat-Aax.txt")
    facts = Facts(snap.sockets, snap.format)
    # *.ssh (v4 and v6) and localhost.smtp have no peer; 192.168.71.1.ssh talks to .64330
    assert sorted((s.local_address, s.local_port) for s in facts.unprinted_unconnected) == [
        ("0.0.0.0", 22), ("::", 22), ("localhost", 25)
    ]
    assert [(s.remote_address, s.remote_port) for s in facts.unprinted_connected] == [("192.168.71.1", 64330)]
    # the exposed-service rule sees the wildcard ssh listeners of this -x listing
    findings = analyze(snap, {"NP013": {"ports": [22], "critical_ports": [], "info_ports": []}})
    exposed = [f for f in findings if f.code == "NP013"]
    assert len(exposed) == 1 and "port 22" in exposed[0].message
    # ... which the same listing with its states (netstat -an of the same host) finds too
    with_states = netparse.parse_file(FREEBSD / "jc-freebsd12-netstat-an.txt")
    again = [f for f in analyze(with_states, {"NP013": {"ports": [22], "critical_ports": [], "info_ports": []}}) if f.code == "NP013"]
    assert len(again) == 1
