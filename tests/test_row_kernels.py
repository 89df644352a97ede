"""The row kernels (``Grammar.kernel``: str.split and cached addresses) against the reference
path (every row through the grammar's regex and builder, validated by pydantic): identical
records, issues, line counts, formats and languages on every sample and on large generated
inputs; trusted construction equal to validation; rows written as JSON/CSV byte-identical to
the models'."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from netparse.api import parse_file
from netparse.inputs.source import open_source
from netparse.model import Socket
from netparse.output.records import record_dict, record_json
from netparse.parser import LineParser
from netparse.rows import as_row, row_dict, row_json, socket_of

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import GENERATORS  # noqa: E402

SAMPLES = sorted(p for p in (ROOT / "samples").rglob("*.txt") if "capture" not in p.parts)


def _read(lines: list[str], kernels: bool, monkeypatch) -> tuple[list, LineParser]:
    monkeypatch.setattr(LineParser, "use_kernels", kernels)
    parser = LineParser()
    items = list(parser.rows(lines))
    return items, parser


def _compare(lines: list[str], monkeypatch) -> int:
    """Both paths over ``lines``; returns how many records the kernels made."""
    ref, ref_parser = _read(lines, False, monkeypatch)
    fast, fast_parser = _read(lines, True, monkeypatch)
    assert all(x.__class__ is not dict for x in ref)
    assert len(ref) == len(fast)
    kernel_rows = 0
    for a, b in zip(ref, fast):
        if b.__class__ is dict:
            kernel_rows += 1
            assert isinstance(a, Socket), (a, b)
            sock = socket_of(b)
            assert sock == a and sock.model_fields_set == a.model_fields_set, (a, b)
            assert list(sock.__dict__) == list(a.__dict__)
            assert row_json(b, record_json, source="x") == record_json(a, source="x")
            assert row_dict(b, record_dict, host="h") == record_dict(a, host="h")
            assert socket_of(b).model_dump_json() == a.model_dump_json()
        else:
            assert a == b
            assert as_row(b) is b.__dict__ or b.__class__ is not Socket
    assert ref_parser.line_counts() == fast_parser.line_counts()
    assert ref_parser.records_by_format == fast_parser.records_by_format
    assert ref_parser.format_name == fast_parser.format_name
    assert ref_parser.language == fast_parser.language
    assert ref_parser.languages == fast_parser.languages
    return kernel_rows


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(ROOT / "samples")))
def test_every_sample_reads_the_same_through_the_kernels(path, monkeypatch):
    source = open_source(str(path), None)
    try:
        lines = list(source.lines())
    finally:
        source.close()
    _compare(lines, monkeypatch)


def test_kernels_take_most_rows_of_the_samples(monkeypatch):
    """Not vacuous: the kernels do read the plain rows of real samples."""
    taken = 0
    for name in ("linux", "windows"):
        for path in sorted((ROOT / "samples" / name).glob("*.txt")):
            source = open_source(str(path), None)
            try:
                taken += _compare(list(source.lines()), monkeypatch)
            finally:
                source.close()
    assert taken > 200
    ss_taken = 0
    for path in sorted((ROOT / "samples" / "linux").glob("*ss-*.txt")):
        source = open_source(str(path), None)
        try:
            ss_taken += _compare(list(source.lines()), monkeypatch)
        finally:
            source.close()
    assert ss_taken > 1000  # the ss kernel reads the plain rows of the ss samples (1735 of 2485)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generated_inputs_read_the_same(name, monkeypatch):
    lines = GENERATORS[name](20_000).splitlines()
    taken = _compare(lines, monkeypatch)
    assert taken > 19_000  # the benchmark's rows are the kernels' rows


EDGE_LINES = [
    "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name",
    "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      812/sshd",
    "tcp        0      0 10.0.0.5:22\x0b           10.0.0.9:5000           ESTABLISHED 812/sshd",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000\u00a0         ESTABLISHED 812/sshd",
    "tcp        0      0 10.0.0.5:ssh            10.0.0.9:5000           ESTABLISHED -",
    "tcp6       0      0 fe80::fc:ff:fe00::18085 :::*                    LISTEN      -",
    "tcp6       0      0 127.0.0.1:80            ::ffff:10.0.0.1:5000    ESTABLISHED 1/x",
    "udp        0      0 0.0.0.0:68              0.0.0.0:*                           644/dhclient",
    "udp        0      0 0.0.0.0:68              0.0.0.0:*",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000           ESTABLISHED 600/sshd: /usr/sbin",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000           ESTABLISHED 1234",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000           FOO         1/x",
    "tcp        0      0 127.0.0.53%lo:53        0.0.0.0:*               LISTEN      -",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000           ESTABLISHED 1/x keepalive (7.1/0/0)",
    "tcp        0      0 10.0.0.5:22             10.0.0.9:5000           établi      1/x",
    "",
    "  Proto  Local Address          Foreign Address        State           PID",
    "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       912",
    "  TCP    [fe80::1%4]:139        [::]:0                 LISTENING       4",
    "  TCP    10.0.0.5:49863         104.18.13.33:https     ESTABLISHED     4",
    "  UDP    0.0.0.0:123            *:*                                    1200",
    "  TCP    [::1]:52636            [2001:db8::844f]:8282ESTABLISHED     48624",
    "  TCP    10.0.0.5:49863         10.0.0.1:443           ESTABLISHED     4       InHost",
    "  TCP    DESKTOP-1:49863        10.0.0.1:443           ESTABLISHED",
    "  TCP    10.0.0.5:49863         10.0.0.1:443           ABHÖREN         4",
]


def test_edge_lines_read_the_same(monkeypatch):
    _compare(EDGE_LINES, monkeypatch)


#: ss rows the kernel takes and rows it must leave to the builder, in one listing
SS_EDGE_LINES = [
    "Netid State  Recv-Q Send-Q    Local Address:Port   Peer Address:Port Process",
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("sshd",pid=812,fd=3))',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("sshd",pid=812,fd=3),("sshd",pid=813,fd=4))',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("my daemon",pid=812,fd=3))',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("a\\"b",pid=812,fd=3))',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("sshd",812,3))',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:()',
    'tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     users:(("sshd",pid=812,fd=3)) uid:0 ino:1 sk:1',
    "tcp   ESTAB  0      0         10.0.0.5:22          10.0.0.9:5000     timer:(keepalive,119min,0)",
    "udp   UNCONN 0      0         *:5353               *:*",
    "udp   UNCONN 0      0         0.0.0.0%lo:53        0.0.0.0:*",
    "tcp   LISTEN 0      128       [fe80::1]%eth0:22    [::]:*",
    "tcp   LISTEN 0      128       [::ffff:127.0.0.1]:80 [::]:*",
    "tcp   ESTAB  0      0         10.0.0.5:ssh         10.0.0.9:5000",
    "tcp   ESTAB  0      0         10.0.0.5:22\x0b      10.0.0.9:5000",
    "tcp   ESTAB  0      0         10.0.0.5:22\u00a0    10.0.0.9:5000",
    "tcp   FOO    0      0         10.0.0.5:22          10.0.0.9:5000",
    "tcp   ESTAB  0      0         10.0.0.5:2*2         10.0.0.9:5000",
    "tcp   ESTAB  0      0         host-a.example:22    10.0.0.9:5000",
    "raw   UNCONN 0      0         0.0.0.0:255          0.0.0.0:*",
    "mptcp LISTEN 0      4096      0.0.0.0:8080         0.0.0.0:*",
    "nl    UNCONN 0      0         rtnl:kernel          *",
    "u_str ESTAB  0      0         /run/x.sock 1234     * 5678",
    "",
    # no Netid, no Process word, a '*' row before any evidence of the era: one row of look-ahead,
    # then evidence of the old layout that names the rows read before it
    "State      Recv-Q Send-Q      Local Address:Port        Peer Address:Port",
    "LISTEN     0      128                     *:22                     *:*",
    "ESTAB      0      0                10.0.0.5:22              10.0.0.9:5000",
    "LISTEN     0      128                     *:80                     *:*",
    "ESTAB      0      0                10.0.0.5:22              10.0.0.9:5001",
    "LISTEN     0      128                    :::22                   :::*",
    "LISTEN     0      128                     *:25                     *:*",
    "UNCONN     0      0                       *:68                     *:*",
    "",
    "State      Recv-Q Send-Q      Local Address:Port        Peer Address:Port",
    "UNCONN     0      0                 0.0.0.0:68               0.0.0.0:*",
    "UNCONN     0      0                       *:5353                   *:*",
    "ESTAB      0      0                10.0.0.5:68              10.0.0.1:67",
    "SYN-SENT   0      1                10.0.0.5:40000           10.0.0.1:80",
    "ESTAB      0      0                10.0.0.5:40001           10.0.0.1:80",
]


def test_ss_edge_lines_read_the_same(monkeypatch):
    assert _compare(SS_EDGE_LINES, monkeypatch) >= 12
    rows = [x for x in _read(SS_EDGE_LINES, True, monkeypatch)[0] if x.__class__ is dict]
    # a new header starts a new listing: its UNCONN rows without Netid are UDP again
    assert [r["proto"] for r in rows if r["line"] in (35, 38)] == ["udp", "tcp"]
    assert {r["line"]: r.get("dialect") for r in rows if r["line"] in (31, 36)} == {31: "iproute2<4.13", 36: "iproute2>=4.13"}


def test_ss_kernel_owners_equal_validated_owners(monkeypatch):
    """The kernel builds owners without validation: equal models, same fields set."""
    line = 'tcp ESTAB 0 0 10.0.0.5:22 10.0.0.9:5000 users:(("sshd",pid=812,fd=3),("sshd",pid=813,fd=4))'
    (row,), _ = _read([SS_EDGE_LINES[0], line], True, monkeypatch)
    (ref,), _ = _read([SS_EDGE_LINES[0], line], False, monkeypatch)
    assert row.__class__ is dict and row["pid"] == 812 and row["fd"] == 3 and row["process"] == "sshd"
    for mine, theirs in zip(row["owners"], ref.owners, strict=True):
        assert mine == theirs and mine.model_fields_set == theirs.model_fields_set
        assert hash(mine) == hash(theirs)


def test_iter_rows_gives_the_records_fields(monkeypatch):
    import netparse

    lines = GENERATORS["netstat-antp"](500).splitlines() + ["garbage line here"]
    rows = list(netparse.iter_rows(lines))
    records = list(netparse.iter_records(lines))
    assert len(rows) == len(records) == 501
    for row, rec in zip(rows, records):
        if isinstance(rec, Socket):
            assert isinstance(row, dict)
            assert {k: v for k, v in row.items() if v is not None} == rec.model_dump(exclude_none=True)
        else:
            assert row == rec


def test_rows_and_filters_import_no_pydantic() -> None:
    """The live stream's filter reads rows through ``rows.as_row``: importing them loads no model."""
    import subprocess

    code = "import sys, netparse.rows, netparse.filters; print(sorted(m for m in sys.modules if m.startswith('pydantic')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_one_field_dict_for_every_reader() -> None:
    """``as_row``: a Socket's own field dict, a row as it is, a dict of another class (rows read
    with ``object_pairs_hook``) a row too; the filter, the summary and the rules' columns read all
    three alike."""
    from collections import OrderedDict

    from netparse.filters import socket_filter
    from netparse.rules.facts import Facts
    from netparse.summary import SummaryBuilder

    snap = parse_file(ROOT / "samples" / "linux" / "corpus-linux_iproute2_ss-tan.txt")
    rows = list(snap.iter_rows())
    assert rows and all(as_row(s) is s.__dict__ for s in snap.sockets) and all(as_row(r) is r for r in rows)
    keep = socket_filter(state=["listen"])
    kept = [keep(s) for s in snap.sockets]
    assert any(kept) and not all(kept)
    assert [keep(r) for r in rows] == [keep(OrderedDict(r)) for r in rows] == kept
    summaries = [SummaryBuilder().extend(items).build() for items in (snap.sockets, rows, map(OrderedDict, rows))]
    assert summaries[0] == summaries[1] == summaries[2]
    facts = [Facts(items) for items in (snap.sockets, rows, map(OrderedDict, rows))]
    assert len(facts[0].tcp) > 0 and [len(f.tcp) for f in facts] == [len(facts[0].tcp)] * 3
    assert [len(f.listeners) for f in facts] == [len(facts[0].listeners)] * 3
