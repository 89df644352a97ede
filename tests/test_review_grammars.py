"""Review of the pexpr/bsd-netstat-s change: what a hostile or pasted line did to bsd-netstat-s."""

from __future__ import annotations

import re

import pytest

import netparse
from netparse.grammars import GRAMMARS
from netparse.grammars.gates import ENTRIES


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
@pytest.mark.parametrize("line", [
    "tcp:\xa0", "ip6: \x0c", "tcp:\u3000", "Output histogram:", "\tMbuf statistics:\xa0", " Input histogram:",
])
def test_bsd_marker_gate_passes_every_line_its_marker_accepts(line: str) -> None:
    """The registry's gate for bsd-netstat-s (gates.py) must pass every line the markers accept,
    or a listing reads differently before and after the module is imported."""
    grammar = next(e for e in GRAMMARS.entries() if e.name == "bsd-netstat-s").load()
    accepted = [m.name for m in grammar.markers if m.match(line) is not None]
    patterns = next(e for e in ENTRIES if e["name"] == "bsd-netstat-s")["patterns"]
    gated = any(re.search(p, line) for p in patterns)
    assert accepted and gated, (accepted, gated)


def test_a_title_with_a_pasted_trailing_blank_reads_the_same_before_the_module_is_imported() -> None:
    """'tcp:' then a no-break space (a web page's paste): before, unparsed when bsd_stats was not
    imported yet, a title and two lines of counters when it was."""
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys, netparse; from netparse.grammars import GRAMMARS\n"
            "if sys.argv[1] == 'eager': [e.load() for e in GRAMMARS.entries()]\n"
            "s = netparse.parse('tcp:\\xa0\\n\\t465304 packets sent\\n')\n"
            "print(s.format, sorted(s.line_counts.items()))")
    out = [subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout for mode in ("lazy", "eager")]
    assert out[0] == out[1] and out[0].startswith("bsd-netstat-s"), out


def test_the_lines_under_a_reported_too_long_value_keep_their_parent() -> None:
    """macOS nests 'data packets' under 'packets sent': with the parent's value unreadable, the
    child is still the sent side's field (not the fallback name of an orphan)."""
    text = ("tcp:\n\t5 packets received\n\t\t3 window update packets\n\t" + "9" * 25 + " packets sent\n"
            "\t\t4 window update packets\n")
    snap = netparse.parse(text)
    assert [i.line for i in snap.issues] == [4]
    assert [(c.line, c.name) for c in snap.counters] == [(2, "tcps_rcvtotal"), (3, "tcps_rcvwinupd"), (5, "tcps_sndwinup")]
