"""Review of the pexpr/bsd-netstat-s change: what a hostile or pasted line did to bsd-netstat-s."""

from __future__ import annotations

import pytest

import netparse


@pytest.mark.parametrize("line", [
    "\t" + "1" * 5000 + " packets sent",
    "\t" + "1" * 21 + " packets sent",
    "\t5 data packets (" + "9" * 5000 + " bytes) retransmitted",
    "\t\tdestination unreachable: " + "7" * 5000,
    "\t\t\tlo0= " + "3" * 5000,
], ids=["5000-digits", "21-digits", "inner-5000", "histogram", "interface"])
def test_a_value_too_long_for_a_counter_is_a_reported_line(line: str) -> None:
    """A value over 64 bits (%llu) is no counter: its line is reported, the parse goes on
    (a 5000-digit value stopped the whole parse with Python's int-string limit)."""
    text = f"icmp:\n\tOutput histogram:\n\t\techo reply: 2\nip6:\n\tMbuf statistics:\n\t\ttwo or more mbuf:\n{line}\n" \
           "udp:\n\t7 datagrams output\n"
    snap = netparse.parse(text)
    assert [i.line for i in snap.issues] == [7]
    assert "64 bits" in snap.issues[0].reason
    assert [(c.line, c.value) for c in snap.counters] == [(3, 2), (9, 7)]
