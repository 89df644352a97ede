"""Paired whole-process timing for the benchmarks: ``farm-bench`` (runs A B A B ..., medians of
the pair ratios) and the medians it prints, read the same way by every script that uses it."""

from __future__ import annotations

import re
import shutil
import subprocess

#: a median line of farm-bench's table: the figure's name, then min, median, max
MEDIAN = re.compile(r"(A/B \w+|[AB] \w+ (?:s|MiB))\s+\S+\s+(\S+)")


def available() -> bool:
    return shutil.which("farm-bench") is not None


def medians(a: list[str], vs: str, runs: int, timeout: int, env: dict[str, str], cwd: str) -> tuple[dict[str, str], str]:
    """farm-bench's medians of ``a`` against the command line ``vs`` ({"A wall s": "0.123",
    "A/B wall": "0.91", ...}), and its whole output (to show when a figure is missing)."""
    cmd = ["farm-bench", "-n", str(runs), "--timeout", str(timeout), "--vs", vs, "--", *a]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd).stdout
    return {m.group(1): m.group(2) for m in map(MEDIAN.match, out.splitlines()) if m}, out
