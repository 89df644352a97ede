"""Counter and setting inputs (nstat, /proc/net/snmp, netstat, snmp6, net-tools netstat -s,
sysctl, /proc/sys): real captures in samples/counters/, read into records beside the sockets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import netparse
from netparse.errors import ParseError
from netparse.logs.reader import parse_log_file
from conftest import SAMPLES

COUNTERS = SAMPLES / "counters"
FILES = sorted(COUNTERS.glob("*.txt"))


def values(path: Path) -> dict[str, int]:
    return {c.name: c.value for c in netparse.parse_file(path).counters or []}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_counter_sample_golden(path: Path, data_regression) -> None:
    snap = netparse.parse_file(path)
    assert not snap.issues, snap.issues[:3]
    data_regression.check(
        {
            "format": snap.format,
            "locale": snap.locale,
            "line_counts": snap.line_counts,
            "counters": [c.model_dump(mode="json", exclude_none=True) for c in snap.counters or []],
            "settings": [s.model_dump(mode="json", exclude_none=True) for s in snap.settings or []],
        },
        basename="counters_" + re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem),
    )


def test_every_counter_line_is_a_counter_or_a_title() -> None:
    snap = netparse.parse_file(COUNTERS / "nstat-az.txt")
    assert snap.line_counts == {"title": 1, "counter": snap.total_lines - 1}
    assert len(snap.counters) == snap.total_lines - 1
    assert snap.sockets == []


def test_the_same_moment_read_five_ways_gives_the_same_values() -> None:
    """capture.py ran nstat -az, cat /proc/net/snmp, netstat, snmp6 and netstat -s back to back
    in an idle namespace: every counter two of them print must agree."""
    nstat = values(COUNTERS / "nstat-az.txt")
    proc = {**values(COUNTERS / "proc-net-snmp.txt"), **values(COUNTERS / "proc-net-netstat.txt"),
            **values(COUNTERS / "proc-net-snmp6.txt")}
    stats = values(COUNTERS / "netstat-s.txt")
    assert len(proc) > 390 and len(stats) > 30
    shared = set(nstat) & set(proc)
    assert len(shared) > 350
    assert {n: proc[n] for n in shared} == {n: nstat[n] for n in shared}
    # netstat -s labels map back to the kernel names: every one is a name nstat knows, same value
    assert set(stats) <= set(proc)
    assert {n: proc[n] for n in stats} == stats


def test_canonical_names_are_the_mib_names() -> None:
    snap = netparse.parse_file(COUNTERS / "netstat-s.txt")
    by_name = {c.name: c for c in snap.counters}
    retrans = by_name["TcpRetransSegs"]
    assert (retrans.canonical, retrans.section, retrans.label) == ("tcpRetransSegs", "Tcp", "%llu segments retransmitted")
    assert by_name["UdpInDatagrams"].canonical == "udpInDatagrams"
    assert by_name["TcpExtTW"].canonical == "TcpExtTW"  # a Linux extension: its own name


@pytest.mark.parametrize("lang", ["cs", "de", "et", "fr", "ja", "pt-BR"])
def test_localized_netstat_s(lang: str) -> None:
    snap = netparse.parse_file(COUNTERS / f"netstat-s-{lang}.txt")
    assert snap.issues == []
    assert snap.locale == lang  # from the translated histogram title
    assert values(COUNTERS / f"netstat-s-{lang}.txt") == values(COUNTERS / "netstat-s.txt")


def test_host_netstat_s_histograms_in_and_out() -> None:
    snap = netparse.parse_file(COUNTERS / "netstat-s6-host.txt")
    assert snap.issues == []
    names = {c.name for c in snap.counters}
    assert {"Icmp6InDestUnreachs", "Icmp6OutDestUnreachs", "Udp6InDatagrams", "Ip6InReceives"} <= names


def test_sysctl_and_proc_sys_agree() -> None:
    a = {s.name: s for s in netparse.parse_file(COUNTERS / "sysctl-net.txt").settings}
    b = {s.name: s for s in netparse.parse_file(COUNTERS / "proc-sys-grep.txt").settings}
    assert len(a) >= 16 and len(b) == 6
    assert {n: (s.value, s.numbers) for n, s in b.items()} == {n: (a[n].value, a[n].numbers) for n in b}
    assert a["net.ipv4.ip_local_port_range"].numbers == [32768, 60999]


def test_header_less_nstat_rows_after_grep() -> None:
    text = (COUNTERS / "nstat-az.txt").read_text()
    picked = "".join(line + "\n" for line in text.splitlines() if "Listen" in line)
    snap = netparse.parse(picked)
    assert snap.format == "nstat" and snap.issues == []
    assert {c.name for c in snap.counters} >= {"TcpExtListenOverflows", "TcpExtListenDrops"}


def test_snmp_values_without_header_are_reported_and_strict_raises() -> None:
    line = "Tcp: 1 200 120000 -1 5 5 0 0 0 25 25 0 0 0 0"
    snap = netparse.parse(line + "\n")
    assert snap.counters is None
    assert [i.kind for i in snap.issues] == ["unparsed"] and "header line" in snap.issues[0].reason
    with pytest.raises(ParseError) as err:
        netparse.parse(line + "\n", strict=True)
    assert err.value.line == 1


def test_snmp_value_count_mismatch_keeps_what_it_can_name_with_a_warning() -> None:
    snap = netparse.parse("Tcp: RtoAlgorithm RtoMin RtoMax\nTcp: 1 200\n")
    assert [(c.name, c.value) for c in snap.counters] == [("TcpRtoAlgorithm", 1), ("TcpRtoMin", 200)]
    assert [i.kind for i in snap.issues] == ["warning"]


def test_unknown_netstat_s_sentence_is_an_issue_not_a_guess() -> None:
    snap = netparse.parse("Tcp:\n    5 active connection openings\n    7 connections made of cheese\n")
    assert [(c.name, c.value) for c in snap.counters] == [("TcpActiveOpens", 5)]
    assert [(i.line, i.kind) for i in snap.issues] == [(3, "unparsed")]
    assert sum(snap.line_counts.values()) == 3


def test_log_keeps_counters_per_snapshot() -> None:
    snaps = parse_log_file(str(SAMPLES / "logs" / "counters-accept-overflow.log"))
    assert len(snaps) == 2
    before, after = ({c.name: c.value for c in s.counters} for s in snaps)
    assert before["TcpExtListenOverflows"] == 0 < after["TcpExtListenOverflows"]
    for s in snaps:
        assert s.sockets and s.format == "ss"
        first = int(s.source.rsplit(":", 1)[1])
        # date, then ss rows, then nstat's counters, all in the snapshot's own lines
        assert first < min(x.line for x in s.sockets) < min(c.line for c in s.counters)
    assert max(c.line for c in snaps[0].counters) < int(snaps[1].source.rsplit(":", 1)[1])


def test_cli_counters_and_delta() -> None:
    from typer.testing import CliRunner

    from netparse.cli.app import app

    runner = CliRunner()
    got = runner.invoke(app, ["counters", str(COUNTERS / "netstat-s.txt")])
    assert got.exit_code == 0
    assert "TcpRetransSegs" in got.stdout and "%llu segments retransmitted" in got.stdout
    got = runner.invoke(app, ["counters", "--delta", "--json", str(SAMPLES / "logs" / "counters-accept-overflow.log")])
    assert got.exit_code == 0
    rows = {r["name"]: r for r in map(__import__("json").loads, got.stdout.splitlines())}
    assert rows["TcpExtListenOverflows"]["delta"] == 54 and rows["TcpExtListenOverflows"]["per_second"] > 0
    assert runner.invoke(app, ["counters", str(SAMPLES / "linux" / "corpus-linux_iproute2_ss-tan.txt")]).exit_code == 1


# -- Windows netstat -s -------------------------------------------------------------------------

WINDOWS = COUNTERS


@pytest.mark.parametrize("name, lang", [("en-netstat-es-rust-fixture", None), ("de-netstat-s-win81", "de")])
def test_windows_netstat_s_counters_share_the_linux_names(name: str, lang: str | None) -> None:
    snap = netparse.parse_file(WINDOWS / f"windows-{name}.txt")
    assert snap.format == "windows-netstat-s" and snap.locale == lang and not snap.issues
    assert snap.sockets == [] and "unparsed" not in snap.line_counts
    by_name = {c.name: c for c in snap.counters}
    retrans = by_name["TcpRetransSegs"]
    assert retrans.canonical == "tcpRetransSegs" and retrans.section == "Tcp"
    # the same line of text holds the number: the label is what was printed before ' = '
    line = (WINDOWS / f"windows-{name}.txt").read_text(encoding="utf-8").splitlines()[retrans.line - 1]
    assert line.split("=")[0].strip() == retrans.label and line.rstrip().endswith(f"= {retrans.value}")
    # every 'label = value' line and every received/sent row became counters
    assert snap.line_counts["counter"] == len({c.line for c in snap.counters})
    assert {"Tcp6RetransSegs", "UdpInErrors", "Udp6NoPorts", "IcmpInMsgs", "IcmpOutMsgs", "Icmp6InNeighborSolicits",
            "IpInReceives", "Ip6OutForwDatagrams"} <= set(by_name)


def test_windows_german_and_english_rows_map_to_the_same_fields() -> None:
    en = {c.name for c in netparse.parse_file(WINDOWS / "windows-en-netstat-es-rust-fixture.txt").counters}
    de = {c.name for c in netparse.parse_file(WINDOWS / "windows-de-netstat-s-win81.txt").counters}
    assert de <= en and en - de == {n for n in en if n.startswith("If")}  # German sample has no -e part


def test_windows_unknown_label_is_reported_not_lost() -> None:
    text = "TCP Statistics for IPv4\n\n  Active Opens   = 5\n  Made Up Label  = 7\n"
    snap = netparse.parse(text)
    assert [c.name for c in snap.counters] == ["TcpActiveOpens"]
    assert [(i.line, i.kind) for i in snap.issues] == [(4, "unparsed")]
    with pytest.raises(ParseError, match="line 4"):
        netparse.parse(text, strict=True)


def test_counters_command_shows_input_text_safely_and_reads_like_the_others(tmp_path) -> None:
    from typer.testing import CliRunner

    from netparse.cli import app

    (tmp_path / "a.sysctl").write_text("kernel.hostname = evil\x1b]0;owned\x07\nnet.core.somaxconn = 4096\nnot a setting at all ###\n")
    result = CliRunner().invoke(app, ["counters", str(tmp_path)])  # a directory: expanded like every command
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\\x1b]0;owned\\x07" in result.stdout
    assert "net.core.somaxconn" in result.stdout
    assert "1 line not understood" in result.stderr
    bad = CliRunner().invoke(app, ["counters", "-f", "no-such", str(tmp_path / "a.sysctl")])
    assert bad.exit_code == 2 and "unknown format 'no-such'" in bad.stderr and bad.exception is None or isinstance(bad.exception, SystemExit)
    missing = CliRunner().invoke(app, ["counters", str(tmp_path / "a.sysctl"), str(tmp_path / "gone.txt")])
    assert missing.exit_code == 1


def test_counters_into_a_closed_pipe_is_quiet() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run(f"{sys.executable} -m netparse counters samples/counters/nstat-az.txt | head -1",
                          shell=True, capture_output=True, text=True, env=env, cwd=root)
    assert proc.stdout.startswith("Counter") and proc.stderr == ""


def test_counters_table_names_the_columns_it_leaves_out_at_80_columns(capsys) -> None:
    import io

    from netparse.output.grid import Column, say_dropped, write_table

    columns = [Column("Counter"), Column("Value", right=True), Column("Canonical", drop=2), Column("Label", drop=1, sep=" ")]
    rows = [["udps_rcv_swcsum+udps_rcv6_swcsum", "5627", "udps_rcv_swcsum+udps_rcv6_swcsum",
             "%llu checksummed in software".split()]]
    buf = io.StringIO()
    grid = write_table(columns, rows, buf, 60)
    say_dropped(grid, 60, "--json has them")
    assert all(len(line) <= 60 for line in buf.getvalue().splitlines())
    assert capsys.readouterr().err == f"netparse: {', '.join(grid.dropped)} left out to fit 60 columns (--json has them)\n"
    assert grid.dropped
    say_dropped(write_table(columns, rows, io.StringIO(), None), None, "--json has them")  # piped: every column, no note
    assert capsys.readouterr().err == ""
