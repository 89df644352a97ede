"""The library API: lenient never raises on data, strict raises one typed error naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netparse
from netparse import ParseError, TcpState

ROOT = Path(__file__).resolve().parent.parent
NETSTAT = (ROOT / "samples/linux/netstat-antp.txt").read_text()


def test_parse_gives_typed_records() -> None:
    snap = netparse.parse(NETSTAT)
    assert snap.format == "linux-netstat"
    assert len(snap.sockets) == 55 and not snap.issues
    listen = [s for s in snap.sockets if s.state is TcpState.LISTEN]
    assert listen and all(isinstance(s.local_port, int) for s in listen)


def test_header_less_grep_output_is_detected_from_row_shape() -> None:
    rows = [l for l in NETSTAT.splitlines() if "18084" in l]
    snap = netparse.parse("\n".join(rows))
    assert snap.format == "linux-netstat"
    assert len(snap.sockets) == len(rows) and not snap.issues


def test_header_less_ss_rows() -> None:
    text = "ESTAB 0 0 127.0.0.1:8080 127.0.0.1:5000\nCLOSE-WAIT 1 0 127.0.0.1:8080 127.0.0.1:5001\n"
    snap = netparse.parse(text)
    assert snap.format == "ss"
    assert [s.state for s in snap.sockets] == [TcpState.ESTABLISHED, TcpState.CLOSE_WAIT]
    assert all(s.proto == "tcp" for s in snap.sockets)


def test_strict_raises_parse_error_with_line() -> None:
    text = NETSTAT + "garbage here\n"
    with pytest.raises(ParseError) as info:
        netparse.parse(text, strict=True)
    assert info.value.line == 58
    assert "garbage" in info.value.text


def test_strict_raises_on_unknown_state_label() -> None:
    text = "tcp        0      0 127.0.0.1:80            127.0.0.1:5000          FOOBAR\n"
    with pytest.raises(ParseError):
        netparse.parse(text, strict=True)
    snap = netparse.parse(text)
    assert snap.sockets[0].state is TcpState.UNKNOWN and snap.sockets[0].state_label == "FOOBAR"
    assert snap.issues[0].kind == "warning" and snap.issues[0].line == 1


def test_iter_records_streams(tmp_path) -> None:
    path = tmp_path / "n.txt"
    path.write_text(NETSTAT)
    with open(path) as fh:
        items = list(netparse.iter_records(fh))
    assert len([i for i in items if isinstance(i, netparse.Socket)]) == 55


def test_parse_accepts_bytes_and_reports_encoding() -> None:
    snap = netparse.parse(NETSTAT.encode("utf-16"))
    assert len(snap.sockets) == 55
    assert snap.encoding and snap.encoding.startswith("utf-16")


def test_forced_format() -> None:
    snap = netparse.parse(NETSTAT, format="ss")
    assert not snap.sockets
    assert len(snap.issues) >= 55
    with pytest.raises(KeyError):
        netparse.parse(NETSTAT, format="nope")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_lenient_never_raises_and_accounts_for_every_line(text: str) -> None:
    snap = netparse.parse(text)
    assert sum(snap.line_counts.values()) == snap.total_lines


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_bytes_never_raise(data: bytes) -> None:
    snap = netparse.parse(data)
    assert sum(snap.line_counts.values()) == snap.total_lines


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NETSTAT.splitlines()), max_size=30), st.integers(0, 80))
def test_cut_lines_never_raise(lines: list[str], cut: int) -> None:
    text = "\n".join(lines)
    snap = netparse.parse(text[: len(text) - cut] if cut < len(text) else text)
    assert sum(snap.line_counts.values()) == snap.total_lines


def test_parse_restores_the_garbage_collector_state() -> None:
    """parse() pauses the cyclic collector while it builds the record list, and leaves it as it
    found it: enabled stays enabled, disabled stays disabled, also when nested or on an error."""
    import gc

    from netparse.parser import collector_paused

    text = "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN\n"
    assert gc.isenabled()
    assert len(netparse.parse(text).sockets) == 1
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            netparse.parse(text)
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        netparse.parse(text)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(netparse.ParseError):
        netparse.parse(text + "garbage line\n", strict=True)
    assert gc.isenabled()


@pytest.mark.parametrize("odd_digit", ["\u00b2", "\u0663", "\uff13"])  # superscript two, Arabic-Indic three, fullwidth three
def test_lenient_never_raises_on_unicode_digits(odd_digit: str) -> None:
    """str.isdigit() is true for '²' but int('²') fails: every sample, with one digit of each line
    replaced by an odd digit, still parses without raising (records or issues)."""
    root = Path(__file__).resolve().parent.parent / "samples"
    for path in sorted(root.glob("*/*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[:40]
        for pos in (0, -1):
            changed = []
            for line in lines:
                digits = [i for i, c in enumerate(line) if c.isdigit()]
                if digits:
                    i = digits[pos]
                    line = line[:i] + odd_digit + line[i + 1 :]
                changed.append(line)
            snap = netparse.parse("\n".join(changed))
            assert sum(snap.line_counts.values()) == snap.total_lines, path.name
