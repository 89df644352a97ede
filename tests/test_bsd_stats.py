"""macOS/FreeBSD ``netstat -s`` (bsd-netstat-s): real samples, names, nesting, plurals, reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import netparse
from netparse.errors import ParseError
from netparse.grammars import GRAMMARS
from conftest import ROOT, SAMPLES, sample_files

COUNTERS = SAMPLES / "counters"
BSD = sorted(COUNTERS.glob("macos-*.txt")) + sorted(COUNTERS.glob("freebsd-*.txt"))
FULL = SAMPLES / "macos" / "netstat-s-2020-full.txt"
ALL_BSD = [*BSD, FULL]
#: the values of a printed line, read without the grammar: the number it starts with, then any
#: number just inside '(' (the sample text itself is the expected answer)
VALUE = re.compile(r"^\s*(\d+) |\((?:for |including |of )?(\d+) ")


def text_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def printed(path: Path, label: str) -> list[int]:
    """The values of the one line of ``path`` whose text (numbers aside) is ``label``."""
    found = [line for line in text_lines(path) if re.sub(r"\d+", "%llu", line.strip()) == label]
    assert len(found) == 1, (label, found)
    return [int(a or b) for a, b in VALUE.findall(found[0])]


@pytest.mark.parametrize("path", ALL_BSD, ids=lambda p: p.stem)
def test_every_line_is_a_counter_a_title_or_reported(path: Path) -> None:
    snap = netparse.parse_file(path)
    lines = text_lines(path)
    assert snap.format == "bsd-netstat-s" and snap.sockets == []
    assert sum(snap.line_counts.values()) == snap.total_lines == len(lines)
    titles = [n for n, line in enumerate(lines, 1) if re.fullmatch(r"[a-z_0-9]+:", line)]
    assert snap.line_counts["title"] == len(titles)
    # every line holding a value became at least one record, on that line
    numbered = {n for n, line in enumerate(lines, 1) if re.search(r"\d", line) and n not in titles}
    reported = {i.line for i in snap.issues}
    assert {c.line for c in snap.counters} == numbered - reported
    assert all(not re.search(r"\d", lines[n - 1]) or lines[n - 1].startswith("netstat: ") for n in reported)
    assert snap.line_counts["counter"] == len({c.line for c in snap.counters})
    # each record's value is one the line prints, in order for two-value lines
    by_line: dict[int, list[int]] = {}
    for c in snap.counters:
        by_line.setdefault(c.line, []).append(c.value)
    for n, got in by_line.items():
        line = lines[n - 1]
        want = [int(a or b) for a, b in VALUE.findall(line)] or [int(line.rsplit(" ", 1)[1])]
        assert got == want, (n, line)


def test_only_the_stderr_line_of_the_full_sample_is_reported() -> None:
    snap = netparse.parse_file(FULL)
    assert [(i.line, i.kind) for i in snap.issues] == [(168, "unparsed")]
    assert "net.inet.ip.input_perf_data" in snap.issues[0].reason
    assert all(not netparse.parse_file(p).issues for p in BSD)
    with pytest.raises(ParseError, match="line 168"):
        netparse.parse_file(FULL, strict=True)


def test_values_and_kernel_names_match_the_text() -> None:
    mac = COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt"
    got = {c.name: c.value for c in netparse.parse_file(mac).counters}
    assert [got["tcps_sndrexmitpack"], got["tcps_sndrexmitbyte"]] == printed(
        mac, "%llu data packets (%llu bytes) retransmitted")
    assert [got["tcps_listendrop"]] == printed(mac, "%llu listen queue overflows")
    assert [got["tcps_closed"], got["tcps_drops"]] == printed(mac, "%llu connections closed (including %llu drops)")
    assert [got["tcps_rttupdated"], got["tcps_segstimed"]] == printed(mac, "%llu segments updated rtt (of %llu attempts)")
    ip = COUNTERS / "freebsd-netstat-s-ip-excerpt.txt"
    got = {c.name: c.value for c in netparse.parse_file(ip).counters}
    assert [got["ips_forward"], got["ips_fastforward"]] == printed(ip, "%llu packets forwarded (%llu packets fast forwarded)")
    assert [got["ips_cantforward"]] == printed(ip, "%llu packets not forwardable")
    udp = COUNTERS / "freebsd-netstat-s-udp-pdns.txt"
    got = {c.name: c.value for c in netparse.parse_file(udp).counters}
    assert [got["udps_noport"]] == printed(udp, "%llu dropped due to no socket")
    assert [got["udps_delivered"]] == printed(udp, "%llu delivered")


def test_canonical_names_are_the_ones_linux_and_windows_records_carry() -> None:
    linux = {c.name: c.canonical for c in netparse.parse_file(COUNTERS / "nstat-az.txt").counters}
    windows = {c.name: c.canonical for c in netparse.parse_file(COUNTERS / "windows-en-netstat-es-rust-fixture.txt").counters}
    mac = {c.name: c.canonical for c in netparse.parse_file(COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt").counters}
    assert mac["tcps_sndrexmitpack"] == linux["TcpRetransSegs"] == windows["TcpRetransSegs"] == "tcpRetransSegs"
    assert mac["tcps_connattempt"] == windows["TcpActiveOpens"] == "tcpActiveOpens"
    assert mac["tcps_accepts"] == windows["TcpPassiveOpens"] == "tcpPassiveOpens"
    assert mac["tcps_listendrop"] == linux["TcpExtListenOverflows"] == "TcpExtListenOverflows"
    udp = {c.name: c.canonical for c in netparse.parse_file(COUNTERS / "freebsd-netstat-s-udp-pdns.txt").counters}
    assert udp["udps_fullsock"] == "UdpRcvbufErrors" and udp["udps_noport"] == windows["UdpNoPorts"] == "udpNoPorts"
    assert udp["udps_opackets"] == windows["UdpOutDatagrams"] == "udpOutDatagrams"
    # 'packets sent' counts retransmissions and 'datagrams received' the dropped ones: no MIB name
    assert mac["tcps_sndtotal"] == "tcps_sndtotal" and udp["udps_ipackets"] == "udps_ipackets"


def test_the_same_label_under_two_parents_is_two_fields() -> None:
    snap = netparse.parse_file(COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt")
    by_line = {}
    for c in snap.counters:
        by_line.setdefault(c.line, []).append(c.name)
    lines = text_lines(COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt")
    names = {}
    for n, line in enumerate(lines, 1):
        names.setdefault(line.strip().split(" ", 1)[-1], []).append(by_line.get(n))
    assert names["window update packets"] == [["tcps_sndwinup"], ["tcps_rcvwinupd"]]
    assert names["checksummed in software"] == [["tcps_snd_swcsum+tcps_snd6_swcsum"], ["tcps_rcv_swcsum+tcps_rcv6_swcsum"]]
    # three levels: the IPv4 line under 'packets sent' and under 'packets received'
    ipv4 = [names for n, names in sorted(by_line.items()) if lines[n - 1].endswith("over IPv4")]
    assert ipv4 == [["tcps_snd_swcsum", "tcps_snd_swcsum_bytes"], ["tcps_rcv_swcsum", "tcps_rcv_swcsum_bytes"]]


def test_plurals_of_both_systems_and_flat_or_nested_give_the_same_fields() -> None:
    freebsd = netparse.parse_file(COUNTERS / "freebsd-netstat-s-tcp-excerpt.txt")
    mac = netparse.parse_file(FULL)
    # FreeBSD '0 packets sent' (plural but for 1), macOS '0 packet sent' (plural above 1)
    assert "0 packets sent" in text_lines(COUNTERS / "freebsd-netstat-s-tcp-excerpt.txt")[1]
    assert "0 packet sent" in text_lines(FULL)[1]
    fb = {c.name for c in freebsd.counters if c.section == "tcp"}
    mc = {c.name for c in mac.counters if c.section == "tcp"}
    assert {"tcps_sndtotal", "tcps_sndpack", "tcps_rcvtotal", "tcps_listendrop", "tcps_closed", "tcps_drops"} <= fb & mc
    # udp: FreeBSD prints it flat (and the pasted sample indents by spaces), macOS nests it
    flat = {c.name for c in netparse.parse_file(COUNTERS / "freebsd-netstat-s-udp-pdns.txt").counters}
    nested = {c.name for c in netparse.parse_file(COUNTERS / "macos-netstat-s-p-udp-workshop.txt").counters}
    assert flat - nested == {"udps_noportbcast"} - nested
    assert {"udps_ipackets", "udps_hdrops", "udps_noport", "udps_fullsock", "udps_delivered", "udps_opackets"} <= flat & nested
    assert not [n for n in flat | nested if ":" in n]  # every udp line of both is in the tables


def test_lines_the_tables_do_not_know_are_kept_under_their_parents_names() -> None:
    snap = netparse.parse_file(FULL)
    ip6 = {c.name: c for c in snap.counters if c.section == "ip6"}
    lo0 = ip6["ip6:Mbuf statistics: > two or more mbuf: > lo0="]
    assert lo0.value == 1268 and text_lines(FULL)[lo0.line - 1] == "\t\t\tlo0= 1268"
    assert ip6["ip6:Input histogram: > TCP:"].value == 44382
    # names are unique but where the output itself prints the same line twice (pfkey's
    # 'message with memory allocation failure', for two kernel fields)
    lines = text_lines(FULL)
    by_name: dict[str, set[str]] = {}
    for c in snap.counters:
        by_name.setdefault(c.name, set()).add(lines[c.line - 1])
    twice = Counter(c.name for c in snap.counters)
    assert [n for n, k in twice.items() if k > 1] == ["pfkey:message with memory allocation failure"]
    assert all(len(by_name[n]) == 1 for n, k in twice.items() if k > 1)


def test_icmp_histograms_name_the_direction_and_the_mib_object() -> None:
    snap = netparse.parse_file(FULL)
    icmp = {c.name: c for c in snap.counters if c.section == "icmp"}
    out = icmp["icps_outhist.destination_unreachable"]
    assert out.canonical == "icmpOutDestUnreachs" and out.value == 598
    assert icmp["icps_inhist.echo_reply"].canonical == "icmpInEchoReps"
    assert snap.line_counts["header"] == sum(1 for line in text_lines(FULL) if line.startswith("\t") and not re.search(r"\d", line))


def test_unknown_title_and_its_lines_are_reported_then_a_known_title_resumes() -> None:
    text = "udp:\n\t5 datagrams output\nsomeproto:\n\t3 things counted\n\t\t1 thing under it\nudp:\n\t7 datagrams output\n"
    snap = netparse.parse(text)
    assert [(c.line, c.name, c.value) for c in snap.counters] == [(2, "udps_opackets", 5), (7, "udps_opackets", 7)]
    assert [i.line for i in snap.issues] == [3, 4, 5]
    assert "someproto:" in snap.issues[0].reason


def test_indented_numbers_without_a_title_are_not_claimed() -> None:
    snap = netparse.parse("\t465304 packets sent\n\t\t88311 data packets (71920719 bytes)\n")
    assert not snap.counters and snap.format != "bsd-netstat-s"


def test_cli_reads_netstat_s_p_tcp_from_a_pipe() -> None:
    sample = (COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt").read_bytes()
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    got = subprocess.run([sys.executable, "-m", "netparse", "counters", "--json"], input=sample, capture_output=True,
                         env=env, cwd=ROOT, timeout=120)
    assert got.returncode == 0, got.stderr
    rows = {r["name"]: r for r in map(json.loads, got.stdout.decode().splitlines())}
    assert rows["tcps_sndrexmitpack"]["canonical"] == "tcpRetransSegs"
    assert [rows["tcps_sndrexmitpack"]["value"]] == printed(COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt",
                                                            "%llu data packets (%llu bytes) retransmitted")[:1]
    bare = subprocess.run([sys.executable, "-m", "netparse"], input=sample, capture_output=True, env=env, cwd=ROOT,
                          timeout=120)
    assert bare.returncode == 0 and b"bsd-netstat-s" in bare.stdout
    table = subprocess.run([sys.executable, "-m", "netparse", "counters"], input=sample, capture_output=True, env=env,
                           cwd=ROOT, timeout=120)
    assert table.returncode == 0 and b"TcpExtListenOverflows" in table.stdout and b"tcps_listendrop" in table.stdout
    formats = subprocess.run([sys.executable, "-m", "netparse", "formats"], capture_output=True, env=env, cwd=ROOT,
                             timeout=120)
    assert b"bsd-netstat-s" in formats.stdout and b"netstat -s -p tcp" in formats.stdout


def test_other_formats_samples_with_a_bsd_title_line_are_not_taken() -> None:
    """Samples of other formats that hold a line this grammar's gate lets through keep their
    format (today there is none: the gate takes only the titles and sub-titles above)."""
    entry = GRAMMARS.entry("bsd-netstat-s")
    mine = {p.resolve() for p in ALL_BSD}
    assert all(any(entry.may_mark(line) for line in text_lines(p)) for p in ALL_BSD)
    others = [p for p in sample_files() if p.resolve() not in mine]
    candidates = [p for p in others
                  if any(entry.may_mark(line) for line in p.read_text(encoding="utf-8", errors="replace").splitlines())]
    for path in candidates:
        snap = netparse.parse_file(path)
        assert snap.format != "bsd-netstat-s" and "bsd-netstat-s" not in snap.formats, path


def test_mixed_input_keeps_each_format_its_own_lines() -> None:
    """BSD statistics, then Linux net-tools netstat -s, then a macOS socket listing, in one input:
    each part reads as it does alone (titles switch grammars both ways)."""
    parts = [COUNTERS / "freebsd-netstat-s-tcp-excerpt.txt", COUNTERS / "netstat-s.txt",
             COUNTERS / "macos-netstat-s-p-udp-workshop.txt", SAMPLES / "macos" / "jc-osx-10.14.6-netstat.txt"]
    alone = [netparse.parse_file(p) for p in parts]
    mixed = netparse.parse("".join(p.read_text(encoding="utf-8") for p in parts))
    assert [(c.name, c.value) for c in mixed.counters or []] == [(c.name, c.value) for s in alone for c in (s.counters or [])]
    assert len(mixed.sockets) == len(alone[3].sockets) > 0
    assert len(mixed.issues) == sum(len(s.issues) for s in alone)
    assert {"bsd-netstat-s", "linux-netstat-s", "bsd-netstat"} <= set(mixed.formats) | {mixed.format}


def test_rules_read_bsd_counters_under_the_linux_names_of_their_meaning() -> None:
    from netparse.rules.facts import Facts

    snap = netparse.parse_file(COUNTERS / "macos-netstat-s-p-tcp-stripchart.txt")
    by_field = {c.name: c.value for c in snap.counters}
    facts = Facts.of(snap)
    assert facts.counters["TcpExtListenOverflows"] == by_field["tcps_listendrop"] == 21
    assert facts.counters["TcpRetransSegs"] == by_field["tcps_sndrexmitpack"] == 158547
    assert "TcpOutSegs" not in facts.counters  # 'packets sent' counts retransmissions: not OutSegs
    # a Linux input keeps its own values (no alias overrides a counter the input has)
    linux = netparse.parse_file(COUNTERS / "nstat-az.txt")
    assert Facts.of(linux).counters == {c.name: c.value for c in linux.counters}


@pytest.mark.parametrize("text, name", [
    ("tcps_listendrop", "TcpExtListenOverflows"),
    ("21 listen queue overflows", "TcpExtListenOverflows"),
    ("0 listen queue overflow", "TcpExtListenOverflows"),
    ("158547 data packets (52114920 bytes) retransmitted", "TcpRetransSegs"),
    ("udps_fullsock", "UdpRcvbufErrors"),
])
def test_explain_knows_bsd_fields_and_lines(text: str, name: str) -> None:
    from netparse.explain import explain_counter

    info = explain_counter(text)
    assert info is not None and info.name == name
    assert info.labels["bsd-netstat-s"]


def test_bsd_gauges_that_fall_are_not_a_restart() -> None:
    from netparse.counters import TOTALS, counter_change, counter_values

    before = counter_values(netparse.parse_file(FULL).counters)
    gauges = [n for n in before if "current" in n or n.endswith("pcbcount")]
    assert "kctl:current kernel control sockets" in gauges
    after = {n: v + 5 for n, v in before.items()}  # every counter rose by 5 ...
    for n in gauges:
        after[n] = max(0, before[n] - 3)  # ... but the gauges fell (sockets closed)
    rises, kind = counter_change(before, after)
    assert kind == TOTALS
    assert rises["tcps_sndtotal"] == 5 and not any(n in rises for n in gauges if after[n] < before[n])
