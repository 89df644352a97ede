"""Hostile and unlucky inputs (issue 13): whole-process time and peak memory of the CLI, and the
per-character cost of decoding long lines, so linear time shows as a flat column.

    PYTHONPATH=$PWD python benchmarks/bench_hostile.py [--quick]

Whole-process runs (each in its own process, peak RSS read with wait4):

* 1 MiB of random bytes -> "no socket listing found" (exit 1): the reader stops after 1000
  lines without a listing line, unknown lines get the short reason after the first 20;
* 64/256 MiB without a line end (zeros): one cut line, memory bounded by the 1 MiB limit;
* a 20,000-line syslog (no listing).

In-process: seconds per million characters of ``decode`` on 10k/100k/1M-character lines of
each kind (ASCII, one non-ASCII byte, all non-ASCII, tabs, brackets).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, user+sys seconds, peak RSS MB) of one CLI run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "netparse", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()  # type: ignore[union-attr]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def zeros(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        block = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            fh.write(block)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 256 MiB case")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        random.seed(13)
        (d / "random.bin").write_bytes(random.randbytes(1 << 20))
        (d / "syslog.log").write_text(
            "".join(f"Nov 24 19:{i // 60 % 60:02d}:{i % 60:02d} web01 sshd[{1000 + i}]: Accepted publickey for root\n" for i in range(20000))
        )
        cases = [("1 MiB random bytes", "random.bin"), ("20k-line syslog", "syslog.log")]
        for mib in (64,) if opts.quick else (64, 256):
            zeros(d / f"zeros{mib}", mib << 20)
            cases.append((f"{mib} MiB of zeros, no line end", f"zeros{mib}"))
        print("| input | wall s | cpu s | peak RSS MB |\n| --- | ---: | ---: | ---: |")
        wall, cpu, rss = run(["--version"])
        print(f"| (netparse --version) | {wall:.2f} | {cpu:.2f} | {rss} |")
        for label, name in cases:
            wall, cpu, rss = run(["parse", str(d / name)])
            print(f"| {label} | {wall:.2f} | {cpu:.2f} | {rss} |")

    sys.path.insert(0, str(ROOT))
    from netparse.inputs.decode import decode

    kinds = {
        "ASCII": lambda n: b"a" * n,
        "one non-ASCII byte": lambda n: b"\xff " + b"a" * n,
        "all non-ASCII (cp850)": lambda n: "Ö".encode("cp850") * n,
        "tabs": lambda n: b"\t" * n,
        "brackets": lambda n: b"[" * n,
    }
    print("\n| line of | 10k chars | 100k | 1M | (seconds per million characters) |\n| --- | ---: | ---: | ---: | --- |")
    for label, make in kinds.items():
        decode(make(1000))
        cells = []
        for n in (10_000, 100_000, 1_000_000):
            data = make(n) + b"\n"
            start = time.perf_counter()
            decode(data)
            cells.append(f"{(time.perf_counter() - start) / n * 1e6:.3f}")
        print(f"| {label} | {' | '.join(cells)} | |")


if __name__ == "__main__":
    main()
