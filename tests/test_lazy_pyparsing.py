"""pyparsing loads only for lines that need the reference path.

Titles and headers are matched by patterns compiled from their pyparsing expressions
(``netparse.grammars.pexpr``): here, on every sample line, each marker's compiled pattern and
pyparsing itself accept the same lines and leave the same context (section, columns, language,
values); the common pipes, in fresh processes, never import pyparsing; an odd line still gets
pyparsing's reason (which column, what was expected).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, sample_files, sample_id
from netparse.grammars import GRAMMARS
from netparse.grammars import pexpr
from netparse.inputs.decode import decode
from netparse.parser import split_lines

MARKERS = [(entry.load(), marker) for entry in GRAMMARS.entries() for marker in entry.load().markers]


def _after(grammar, marker, res) -> tuple:
    ctx = grammar.new_context()
    if marker.section:
        ctx.section = marker.section
    if marker.on_match:
        marker.on_match(res, ctx)
    return ctx.section, ctx.columns, ctx.language, ctx.values


@pytest.mark.parametrize("path", sample_files() + sorted((SAMPLES / "logs").glob("*.log")), ids=sample_id)
def test_marker_patterns_agree_with_pyparsing(path: Path) -> None:
    text, _ = decode(path.read_bytes())
    lines = [line.replace("\x00", "") for line in split_lines(text)]
    for grammar, marker in MARKERS:
        for line in lines:
            fast, slow = marker.match(line), marker.reference_match(line)
            assert (fast is None) == (slow is None), (grammar.name, marker.name, line)
            if fast is None:
                continue
            for name in marker.pattern.names:
                assert (name in fast) == (name in slow), (marker.name, name, line)
                assert fast.get(name) == slow.get(name), (marker.name, name, line)
            assert fast.tokens() == list(slow), (marker.name, line)
            assert _after(grammar, marker, fast) == _after(grammar, marker, slow), (marker.name, line)


def test_every_marker_matched_somewhere() -> None:
    """Not vacuous: the samples hold a line of nearly every marker (the comparison above ran)."""
    seen = set()
    for path in sample_files():
        text, _ = decode(path.read_bytes())
        for line in split_lines(text):
            for grammar, marker in MARKERS:
                if (grammar.name, marker.name) not in seen and marker.match(line) is not None:
                    seen.add((grammar.name, marker.name))
    assert len(seen) >= 0.8 * len(MARKERS), sorted({(g.name, m.name) for g, m in MARKERS} - seen)


def test_pyparsing_constants() -> None:
    """What the compiled markers assume of pyparsing's defaults."""
    import re

    import pyparsing as pp

    assert pp.ParserElement.DEFAULT_WHITE_CHARS == pexpr.WHITE
    chars = pp.Keyword.DEFAULT_KEYWORD_CHARS
    assert all(re.fullmatch(pexpr.KEYWORD_CHARS, c) for c in chars)
    assert not any(re.fullmatch(pexpr.KEYWORD_CHARS, chr(c)) for c in range(0x110000) if chr(c) not in chars)


def test_marker_pattern_follows_pyparsing_rules() -> None:
    """No backtracking into an optional part that matched; whitespace between elements; a name
    on an absent optional part is no result; ``res[0]`` the first token."""
    expr = pexpr.Opt(pexpr.Literal("a b"))("x") + pexpr.Regex(r"b\S*")("y")
    marker = pexpr.MarkerPattern(expr, raw=False)
    assert marker.match("a b") is None  # pyparsing takes "a b" for x and finds no y
    found = marker.match("a b  \t bcd ")
    assert found["x"] == "a b" and found["y"] == "bcd" and found[0] == "a b"
    only = marker.match("bz")
    assert "x" not in only and only.get("x") is None and only[0] == "bz"
    from netparse.grammars.base import Marker

    ref = Marker("header", "t", expr, None)
    assert ref.reference_match("a b") is None and ref.reference_match("a b bcd")["y"] == "bcd"
    assert not pexpr.MarkerPattern(expr, raw=True).match(" bz")


# -- fresh processes: what the common pipes import ------------------------------------------------

_PIPE = """
import atexit, runpy, sys
atexit.register(lambda: print("\\nPYPARSING=" + str("pyparsing" in sys.modules), file=sys.stderr))
sys.argv = ["netparse", *sys.argv[1:]]
runpy.run_module("netparse", run_name="__main__")
"""

PIPES = [
    "linux/corpus-linux_nettools_netstat-an.txt",  # netstat -an
    "linux/netstat-an.txt",
    "linux/ss-tanp.txt",  # ss -tanp
    "windows/netstat-ano-findstr-listening.txt",  # Windows netstat -ano (English)
    "windows/de-netstat-ano.txt",  # German
    "windows/en-netstat-anob-more.txt",
    "logs/corpus-date-netstat-antu-loop.log",  # logs
    "logs/windows-en-date-time.log",
]


def _pipe(sample: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    with open(SAMPLES / sample, "rb") as stdin:
        return subprocess.run([sys.executable, "-c", _PIPE, *args], stdin=stdin, capture_output=True, text=True,
                              env=env, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("sample", PIPES)
@pytest.mark.parametrize("args", [(), ("parse", "-o", "json")], ids=["netparse", "parse-json"])
def test_common_pipes_do_not_import_pyparsing(sample: str, args: tuple[str, ...]) -> None:
    done = _pipe(sample, *args)
    assert "PYPARSING=False" in done.stderr, done.stderr[-2000:]
    assert done.stdout.strip()


_LIBRARY = """
import json, sys
import netparse
snap = netparse.parse(sys.stdin.read())
print(json.dumps([snap.format, len(snap.sockets), [i.reason for i in snap.issues], "pyparsing" in sys.modules]))
"""


def _library(text: str) -> list:
    done = subprocess.run([sys.executable, "-c", _LIBRARY], input=text, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_other_formats_do_not_import_pyparsing() -> None:
    """A sample of each other format whose lines all read (headers, rows, counters, settings)."""
    for sample in ["freebsd", "macos", "openbsd", "solaris", "aix", "busybox", "proc", "counters"]:
        paths = sorted(p for p in (SAMPLES / sample).glob("*.txt"))
        assert paths, sample
        for path in paths:
            text, _ = decode(path.read_bytes())
            fmt, _, reasons, loaded = _library(text)
            unparsed = [r for r in reasons if r.startswith(("not a ", "no known format"))]
            assert loaded == bool(unparsed), (path.name, fmt, unparsed)


def test_an_odd_line_still_gets_pyparsings_reason() -> None:
    text = (SAMPLES / "linux" / "corpus-linux_nettools_netstat-an.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    odd = "tcp        0      0 0.0.0.0:22  0.0.0.0:*  LISTEN  extra words here"
    fmt, _, reasons, loaded = _library("\n".join(lines[:4] + [odd] + lines[4:]) + "\n")
    assert fmt == "linux-netstat" and loaded
    assert any(r.startswith("not a linux-netstat row (column ") and "expected" in r for r in reasons), reasons
    # the same sentence the library gives in this process (pyparsing's message, not a made-up one)
    import netparse

    snap = netparse.parse("\n".join(lines[:4] + [odd] + lines[4:]) + "\n")
    assert [i.reason for i in snap.issues] == reasons
