"""Header-less detection imports a format only when one of its row patterns reads the line
(``Entry.may_be_row``, the patterns in ``grammars/gates.py``): logs read the same with every
grammar loaded first, and a log's ``date`` lines no longer import every grammar."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT, SAMPLES
from netparse.grammars import GRAMMARS

LOGS = sorted(str(p) for p in (SAMPLES / "logs").iterdir() if p.suffix in (".log", ".gz", ".xz"))

_READ = """
import json, sys
import netparse
from netparse.grammars import GRAMMARS
if sys.argv[1] == "eager":
    for entry in GRAMMARS.entries():
        entry.load()
out = {}
for path in sys.argv[2:]:
    snaps = netparse.parse_log_file(path)
    out[path] = [[s.format, s.formats, s.locale, s.line_counts, [i.reason for i in s.issues][:30],
                  [x.model_dump(mode="json") for x in s.sockets][:50], len(s.counters or []), len(s.settings or [])]
                 for s in snaps]
out["loaded"] = [e.name for e in GRAMMARS.entries() if e.loaded]
print(json.dumps(out))
"""


def _read(mode: str, paths: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _READ, mode, *paths], capture_output=True, text=True, cwd=ROOT,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_logs_read_the_same_lazy_and_eager() -> None:
    assert len(LOGS) >= 10
    lazy, eager = _read("lazy", LOGS), _read("eager", LOGS)
    for path in LOGS:
        assert lazy[path] == eager[path], path


def test_a_date_netstat_log_loads_few_grammars() -> None:
    loaded = _read("lazy", [str(SAMPLES / "logs" / "corpus-date-netstat-antu-loop.log")])["loaded"]
    assert "linux-netstat" in loaded and len(loaded) <= 4, loaded


def test_row_gate_is_the_rows() -> None:
    """The gate says yes exactly when a fresh block's row pattern matches (on every sample line)."""
    from netparse.inputs.decode import decode
    from netparse.parser import split_lines

    lines = []
    for path in sorted(SAMPLES.rglob("*.txt"))[::3]:
        text, _ = decode(path.read_bytes())
        lines += [line.replace("\x00", "") for line in split_lines(text)]
    hits = 0
    for entry in GRAMMARS.entries():
        grammar = entry.load()
        rows = grammar.rows_for(grammar.new_context())
        for line in lines:
            expected = any(row.pattern.match(line) is not None for row in rows)
            assert entry.may_be_row(line) == expected, (entry.name, line)
            hits += expected
    assert hits > 100
