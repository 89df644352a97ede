"""Fuzz target over the CLI's input path: bytes -> (compression) -> decoder -> log reader ->
parser (issue 13). Asserts: no exception in lenient mode, strict raises only ``ParseError``,
line accounting exact (every line is a record, a recognised line or an issue, and the streaming
reader counts the lines a whole-data decode + ``split_lines`` gives), and memory bounded by the
line limit (no yielded line longer than ``max_line`` bytes).

Bounded for CI (``max_examples`` below, ~10 s). A longer local run:

    NETPARSE_FUZZ_EXAMPLES=20000 PYTHONPATH=$PWD python -m pytest -q tests/test_fuzz_inputs.py

(hypothesis keeps failing examples in .hypothesis/ and replays them first.)
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netparse
from netparse.inputs.decode import DecodedLines, decode
from netparse.inputs.source import InputReadError, open_source
from netparse.logs.reader import LogReader
from netparse.parser import split_lines

ROOT = Path(__file__).resolve().parent.parent
LINES = [
    line
    for name in ("linux/corpus-linux_iproute2_ss-6tanp.txt", "windows/de-netstat-ano-flair-mojibake.txt")
    for line in (ROOT / "samples" / name).read_bytes().splitlines(keepends=True)
]
EXAMPLES = int(os.environ.get("NETPARSE_FUZZ_EXAMPLES", "150"))
MAX_LINE = 64

piece = st.one_of(
    st.sampled_from(LINES),
    st.binary(max_size=80),
    st.sampled_from([b"\n", b"\r", b"\r\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", "Ö".encode("cp850"), "é".encode()]),
    st.integers(1, 300).map(lambda n: b"a" * n),
    st.sampled_from(["=== 2026-11-24T19:11:04+00:00 ===\n", "9999-12-31T23:59:00-14:00\n", "host: web01\n"]).map(str.encode),
)
payload = st.tuples(st.lists(piece, max_size=40).map(b"".join), st.sampled_from(["plain", "gzip", "gzip+garbage"]))


def _stored(data: bytes, how: str) -> bytes:
    if how == "plain":
        return data
    out = gzip.compress(data)
    return out + b"not gzip" if how == "gzip+garbage" else out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(payload, st.sampled_from([None, "utf-16", "cp850"]))
def test_input_path_never_raises_and_accounts_for_every_line(tmp_path: Path, case, encoding) -> None:
    data, how = case
    path = tmp_path / "input"
    path.write_bytes(_stored(data, how))
    reader = LogReader(open_source(str(path), encoding, max_line=MAX_LINE), format="auto")
    try:
        items = list(reader)
    except InputReadError:
        # compressed data cut inside a member (or that looks compressed): one typed error, by
        # design (the CLI: "cannot read X: corrupt or truncated compressed data", exit 1)
        assert data.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd"))
        return
    parser = reader.parser
    counts = parser.line_counts()
    assert sum(counts.values()) == parser.lineno
    unparsed = sum(1 for _, item in items if item is not None and getattr(item, "kind", None) == "unparsed")
    assert unparsed == counts.get("unparsed", 0)
    # the stream has as many lines as the whole data decoded at once (no limit) and split
    text, _ = decode(data, encoding=encoding)
    assert parser.lineno == sum(1 for _ in split_lines(text))
    # bounded: no line the reader yields holds more characters than the limit has bytes
    assert all(len(line) <= MAX_LINE for line in DecodedLines(io.BytesIO(data), encoding=encoding, max_line=MAX_LINE))
    # strict raises nothing but ParseError
    try:
        netparse.parse(data, strict=True, encoding=encoding, max_line=MAX_LINE)
    except netparse.ParseError:
        pass
