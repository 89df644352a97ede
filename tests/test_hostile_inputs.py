"""Inputs that must not hurt (issue 13): bounded lines, linear decoding, cheap unknown lines,
codecs that are not text codecs, pipes/FIFOs/``/dev/fd/N``, symlink loops, gzip with trailing
garbage, a file cut inside a UTF-8 character.

Each test failed before the fix. Timing tests compare per-character cost across sizes (ratios
with a generous bound), never absolute times; the absolute figures are in
benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

import netparse
from netparse.inputs.decode import DecodedLines, Flagged, decode, plausibility, repair_mojibake, text_codec
from netparse.inputs.files import expand
from netparse.parser import LineParser, parse_lines, split_lines

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "linux" / "corpus-linux_iproute2_ss-6tanp.txt"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


class Endless(io.RawIOBase):
    """``size`` bytes of ``fill`` (no line end), produced as read: like /dev/zero, held nowhere."""

    def __init__(self, size: int, fill: bytes = b"\0", tail: bytes = b"") -> None:
        self.left = size
        self.fill = fill
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.left <= 0:
            out, self.tail = self.tail[: len(buffer)], self.tail[len(buffer) :]
        else:
            n = min(len(buffer) // len(self.fill), self.left)
            self.left -= n
            out = self.fill * n
        buffer[: len(out)] = out
        return len(out)


def _accounted(snap: netparse.Snapshot) -> None:
    assert sum(snap.line_counts.values()) == snap.total_lines


# -- 1. the line limit ---------------------------------------------------------------------------


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r", b""])
def test_long_line_is_cut_reported_once_and_reading_goes_on(end: bytes) -> None:
    listing = SAMPLE.read_bytes()
    data = listing + b"x" * 5000 + end + (listing if end else b"")  # no end: the file's last line
    snap = netparse.parse(data, max_line=1000)
    cut = [i for i in snap.issues if "too long" in i.reason]
    assert len(cut) == 1
    first = listing.count(b"\n") + 1
    assert cut[0].line == first and "5000 bytes" in cut[0].reason and "limit of 1000" in cut[0].reason
    assert len(snap.sockets) == (2 if end else 1) * len(netparse.parse(listing).sockets)
    _accounted(snap)


def test_line_limit_through_parse_file_and_strict(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(SAMPLE.read_bytes() + b"y" * 3000 + b"\n")
    snap = netparse.parse_file(path, max_line=2048)
    assert [i.reason for i in snap.issues if "too long" in i.reason] == [
        "line too long: 3000 bytes, over the limit of 2048: cut to its first 2048 bytes"
    ]
    with pytest.raises(netparse.ParseError) as err:
        netparse.parse_file(path, strict=True, max_line=2048)
    assert err.value.line == SAMPLE.read_bytes().count(b"\n") + 1


@pytest.mark.parametrize("fill", [b"\0", b"a", "é".encode()])
def test_memory_is_bounded_by_the_line_limit_without_line_ends(fill: bytes) -> None:
    # 48 MiB without a line end (the old reader held it whole and grew quadratically in time)
    stream = io.BufferedReader(Endless((48 << 20) // len(fill), fill, tail=b"\nlast\n"), buffer_size=1 << 16)
    tracemalloc.start()
    try:
        lines = list(DecodedLines(stream, max_line=256 << 10))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak
    assert len(lines) == 2 and isinstance(lines[0], Flagged) and lines[1] == "last"
    assert lines[0].reason.startswith(f"line too long: {(48 << 20) // len(fill) * len(fill)} bytes")
    assert len(lines[0].encode()) <= 256 << 10


def test_lone_cr_file_is_not_held_whole() -> None:
    body = b"Proto Recv-Q\r" + b"tcp 0 0\r" * 200_000
    stream = io.BufferedReader(io.BytesIO(body), buffer_size=1 << 16)
    tracemalloc.start()
    try:
        n = 0
        for _ in DecodedLines(stream, chunk_bytes=1 << 16):
            n += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 200_001 and peak < 6 << 20


def _per_char(fn, n: int) -> float:
    best = float("inf")
    for _ in range(3 if n < 1_000_000 else 1):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return best / n


def test_splitting_a_line_without_ends_is_linear() -> None:
    # each size in a fresh process (in a warm test process the smaller line reused memory the
    # suite had already touched and ran 4-10x faster per character, which read as growth);
    # quadratic splitting would be 8x here
    code = (
        "import io, sys, time\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from test_hostile_inputs import Endless\n"
        "from netparse.inputs.decode import DecodedLines\n"
        "n = int(sys.argv[1]); best = 1e9\n"
        "for _ in range(2):\n"
        "    s = io.BufferedReader(Endless(n, b'z'), buffer_size=1 << 16); t = time.perf_counter()\n"
        "    list(DecodedLines(s, chunk_bytes=1 << 16, max_line=None)); best = min(best, time.perf_counter() - t)\n"
        "print(best / n)\n"
    )

    def per_char(n: int) -> float:
        out = subprocess.run([sys.executable, "-c", code, str(n), str(Path(__file__).parent)],
                             capture_output=True, text=True, check=True)
        return float(out.stdout)

    small, large = per_char(8 << 20), per_char(64 << 20)
    assert large < 4 * small, (small, large)


# -- 2. linear decoding ---------------------------------------------------------------------------

KINDS = {
    "ascii": lambda n: b"a" * n,
    "one non-ASCII byte": lambda n: b"\xff " + b"a" * n,
    "all non-ASCII": lambda n: "Ö".encode("cp850") * n,
    "all non-ASCII UTF-8": lambda n: "é".encode() * (n // 2),
    "tabs": lambda n: b"\t" * n,
    "brackets": lambda n: b"[" * n,
    "mojibake": lambda n: ("ABH™REN" * (n // 7)).encode(),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_decoding_cost_per_character_does_not_grow(kind: str) -> None:
    make = KINDS[kind]
    decode(make(1000))  # warm caches (labels, character scores)

    def run(n: int) -> None:
        data = make(n) + b"\n"
        decode(data)
        text = data.decode("latin-1")
        plausibility(text)
        repair_mojibake(text)

    costs = [_per_char(run, n) for n in (10_000, 100_000, 1_000_000)]
    # quadratic code is 10x per step; allow noise on a shared machine
    assert costs[1] < 5 * costs[0] and costs[2] < 5 * costs[1], costs


# -- 3. unknown lines --------------------------------------------------------------------------------

SYSLOG = [f"Nov 24 19:11:{i % 60:02d} web01 sshd[{1000 + i}]: Accepted publickey for root" for i in range(60)]


def test_only_the_first_unknown_lines_are_explained_by_pyparsing() -> None:
    snap = parse_lines(SYSLOG)
    closest = [i for i in snap.issues if "closest:" in i.reason]
    assert len(closest) == 20 and all(i.line <= 20 for i in closest)
    assert all(i.reason.startswith("no known format matches this line (tried: ") for i in snap.issues)
    assert len(snap.issues) == 60
    _accounted(snap)
    everything = LineParser(explain=None)
    assert all("closest:" in i.reason for i in everything.run(SYSLOG))
    with pytest.raises(netparse.ParseError, match="closest:"):
        parse_lines(SYSLOG[25:], strict=True)


def test_give_up_after_a_prefix_without_a_listing() -> None:
    parser = LineParser(give_up_after=30)
    items = list(parser.run(iter(SYSLOG * 10)))
    assert parser.gave_up and parser.lineno == 30
    assert items[-1].kind == "warning" and "first 30 lines" in items[-1].reason
    assert sum(parser.line_counts().values()) == parser.lineno
    # a listing within the prefix: everything is read
    parser = LineParser(give_up_after=30)
    list(parser.run(SAMPLE.read_text().splitlines() + SYSLOG))
    assert not parser.gave_up and parser.lineno == len(SAMPLE.read_text().splitlines()) + 60
    # the library default reads everything
    assert parse_lines(SYSLOG * 10).total_lines == 600


def test_cli_stops_early_on_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.bin"
    path.write_bytes(os.urandom(1 << 20))
    proc = subprocess.run([sys.executable, "-m", "netparse", "parse", str(path)], capture_output=True, env=ENV, timeout=120)
    assert proc.returncode == 1 and b"no socket listing found" in proc.stderr and b"Traceback" not in proc.stderr


# -- 4. encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rot13", "base64", "punycode", "zlib", "idna", "no-such-codec"])
def test_not_a_text_codec(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        text_codec(name)
    proc = subprocess.run(
        [sys.executable, "-m", "netparse", "parse", "--encoding", name, str(SAMPLE)], capture_output=True, env=ENV, timeout=60
    )
    assert proc.returncode == 2 and b"--encoding" in proc.stderr and b"Traceback" not in proc.stderr
    # the library: lenient, detected instead, with a note
    snap = netparse.parse(SAMPLE.read_bytes(), encoding=name)
    assert snap.sockets and (name == "no-such-codec" or any("encoding not used" in i.reason for i in snap.issues))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_forced_without_bom(codec: str, tmp_path: Path) -> None:
    text = SAMPLE.read_text()
    path = tmp_path / "x.txt"
    path.write_bytes(text.encode(codec))
    expected = netparse.parse(text)
    snap = netparse.parse_file(path, encoding=codec[:6])
    assert [s.model_dump() for s in snap.sockets] == [s.model_dump() for s in expected.sockets]
    assert snap.encoding == codec
    assert decode(text.encode(codec), encoding=codec[:6])[0] == text
    proc = subprocess.run(
        [sys.executable, "-m", "netparse", "parse", "-o", "jsonl", "--encoding", codec[:6], str(path)],
        capture_output=True, env=ENV, timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.count(b"\n") == len(expected.sockets), proc.stderr


def test_odd_utf16_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"\x00a\x00b\xd8\x00\x00\nz")  # lone surrogate, odd length
    snap = netparse.parse_file(path, encoding="utf-16")
    _accounted(snap)


# -- 5. non-seekable inputs, FIFOs, symlink loops -----------------------------------------------------


def _writer(path: str, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(path, "wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("compress", [False, True])
def test_fifo_is_read_like_a_pipe(tmp_path: Path, compress: bool) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = SAMPLE.read_bytes()
    thread = _writer(str(fifo), gzip.compress(data) if compress else data)
    snap = netparse.parse_file(fifo)
    thread.join(5)
    assert len(snap.sockets) == len(netparse.parse(data).sockets) > 0


def test_dev_fd_of_a_pipe_as_process_substitution_gives_it() -> None:
    data = gzip.compress(SAMPLE.read_bytes())
    code = (
        "import netparse,sys; s=netparse.parse_file(sys.argv[1]); print(len(s.sockets))"
    )
    read, write = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", code, f"/dev/fd/{read}"], pass_fds=(read,), stdout=subprocess.PIPE, env=ENV)
    os.close(read)
    with os.fdopen(write, "wb") as fh:
        fh.write(data)
    out, _ = proc.communicate(timeout=60)
    assert int(out) == len(netparse.parse(SAMPLE.read_bytes()).sockets)


def test_gzip_on_stdin_through_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "netparse", "parse", "-o", "jsonl", "-"],
        input=gzip.compress(SAMPLE.read_bytes()), capture_output=True, env=ENV, timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.count(b"\n") == len(netparse.parse(SAMPLE.read_bytes()).sockets)


def test_directory_holding_a_fifo_and_symlink_loops(tmp_path: Path) -> None:
    top = tmp_path / "d"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_bytes(SAMPLE.read_bytes())
    (top / "sub" / "b.txt").write_bytes(SAMPLE.read_bytes())
    os.mkfifo(top / "sub" / "pipe.txt")
    for i in range(6):
        os.symlink("..", top / "sub" / f"up{i}")
    os.symlink(".", top / "self")
    start = time.perf_counter()
    walked = expand([str(top)])
    globbed = expand([str(top / "**" / "*.txt")])
    assert time.perf_counter() - start < 10
    assert sorted(map(os.path.realpath, walked)) == sorted(map(os.path.realpath, globbed))
    assert {os.path.basename(p) for p in walked} == {"a.txt", "b.txt"}


# -- 6. gzip with trailing garbage, a file cut inside a UTF-8 character -------------------------------


def test_gzip_trailing_garbage_keeps_the_members(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(data) + gzip.compress(data) + b"\0\0" + b"this is not gzip\n" * 3)
    snap = netparse.parse_file(path)
    assert len(snap.sockets) == 2 * len(netparse.parse(data).sockets)
    notes = [i for i in snap.issues if "not gzip data" in i.reason]
    assert len(notes) == 1 and notes[0].kind == "warning" and "after gzip member 2" in notes[0].reason
    _accounted(snap)
    proc = subprocess.run([sys.executable, "-m", "netparse", "parse", str(path)], capture_output=True, env=ENV, timeout=60)
    assert proc.returncode == 0 and b"1 warning" in proc.stderr


def test_file_cut_inside_a_utf8_character(tmp_path: Path) -> None:
    data = "Proto Recv-Q\nÜbersicht der Verbindungen – grün\n".encode()[:-3]
    path = tmp_path / "cut.txt"
    path.write_bytes(data)
    whole = netparse.parse(data)
    streamed = netparse.parse_file(path)
    assert [i.text for i in whole.issues] == [i.text for i in streamed.issues]
    assert whole.encoding == streamed.encoding == "utf-8"
    assert whole.issues[-1].text.endswith("gr\ufffd")


# -- 7. one algorithm -----------------------------------------------------------------------------------


def test_decode_is_decoded_lines_with_line_ends() -> None:
    data = "a\r\nbé\rc\n\nABH™REN\r\n Direcci¢n\r".encode("utf-8")
    text, encoding = decode(data)
    assert text == "a\r\nbé\rc\n\nABHÖREN\r\n Dirección\r"
    stream = DecodedLines(io.BytesIO(data), head_bytes=len(data))
    assert list(stream) == list(split_lines(text)) and stream.encoding == encoding


_BIG = "9" * 5000  # past Python's int() digit limit (4,300): int() raises ValueError
_BIG_NUMBER_INPUTS = {
    "ss": f"State Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB {_BIG} 0 127.0.0.1:22 127.0.0.1:5000\n",
    "nstat": f"#kernel\nIpInReceives                    {_BIG}                0.0\n",
    "linux-netstat-s": f"Tcp:\n    {_BIG} active connection openings\n",
    "linux-netstat": "Active Internet connections (servers and established)\n"
                     "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
                     f"tcp   {_BIG}      0 0.0.0.0:22              0.0.0.0:*               LISTEN\n",
    "windows": "\nActive Connections\n\n  Proto  Local Address          Foreign Address        State           PID\n"
               f"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       {_BIG}\n",
}


@pytest.mark.parametrize("name", sorted(_BIG_NUMBER_INPUTS))
def test_a_number_past_the_digit_limit_is_an_issue_not_a_crash(name: str) -> None:
    text = _BIG_NUMBER_INPUTS[name]
    last = len(text.rstrip("\n").split("\n"))
    snap = netparse.parse(text)
    assert [(i.line, i.kind) for i in snap.issues] == [(last, "unparsed")]
    assert "more than 4,300 digits" in snap.issues[0].reason
    assert snap.sockets == [] and not snap.counters
    rows = list(netparse.iter_rows(io.StringIO(text)))
    assert [r.line for r in rows if isinstance(r, netparse.ParseIssue)] == [last]
    with pytest.raises(netparse.ParseError) as err:
        netparse.parse(text, strict=True)
    assert err.value.line == last
    proc = subprocess.run([sys.executable, "-m", "netparse"], input=text, capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "1 line not understood" in proc.stderr
