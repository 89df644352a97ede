"""Throughput and peak memory of netparse against jc, on the same generated inputs, in one run.

    python -m pip install -e '.[bench]' && python benchmarks/bench.py [--rows 200000]

Each measurement runs in its own process (so peak RSS is that run's alone, read with wait4):
netparse's library API (records validated as pydantic models), netparse's CLI writing JSON lines
to /dev/null, and jc's library and CLI on the same file. Also the start-up time of
``netparse --version`` and ``netparse --help``. Prints a Markdown table (paste it into the README).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

LIB_NETPARSE = """
import sys, netparse
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for item in netparse.iter_records(fh):
        n += isinstance(item, netparse.Socket)
print(n)
"""
LIB_JC = """
import sys, jc
text = open(sys.argv[1], encoding="utf-8").read()
print(len(jc.parse(sys.argv[2], text, quiet=True)))
"""

JC_PARSER = {"netstat-antp": "netstat", "ss-tanp": "ss", "ss-tuanp": "ss", "windows-ano": "netstat"}


def measure_child(cmd: list[str], stdin_path: Path | None = None, to_null: bool = False):
    """Like measure, but reads the child's own rusage (wait4), not the cumulative one."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(os.devnull, "wb") if to_null else subprocess.PIPE
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    out = proc.stdout.read() if not to_null else b""
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    for f in (stdin, stdout):
        if hasattr(f, "close") and f not in (subprocess.DEVNULL, subprocess.PIPE):
            f.close()
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, out.decode(errors="replace").strip(), code, err.decode(errors="replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    args = ap.parse_args()
    files = generate(args.data, args.rows)
    py = sys.executable
    netparse_cli = [py, "-m", "netparse"]
    have_jc = shutil.which("jc") is not None
    print(f"rows per input: {args.rows:,}; python {sys.version.split()[0]}; {os.cpu_count()} cpus\n")
    print("| input | tool | rows/s | peak RSS (MiB) | vs jc library |")
    print("|---|---|---:|---:|---:|")
    for name, path in files.items():
        results = {}
        t, rss, out, code, err = measure_child([py, "-c", LIB_NETPARSE, str(path)])
        results["netparse library"] = (t, rss, int(out) if code == 0 else None, err)
        t, rss, out, code, err = measure_child(netparse_cli + ["parse", "-o", "jsonl", str(path)], to_null=True)
        results["netparse CLI (jsonl)"] = (t, rss, args.rows if code == 0 else None, err)
        if have_jc:
            t, rss, out, code, err = measure_child([py, "-c", LIB_JC, str(path), JC_PARSER[name]])
            results["jc library"] = (t, rss, int(out) if code == 0 and out.isdigit() else None, err)
            t, rss, out, code, err = measure_child(["jc", f"--{JC_PARSER[name]}"], stdin_path=path, to_null=True)
            results["jc CLI"] = (t, rss, args.rows if code == 0 else None, err)
        base = results.get("jc library")
        base_rate = base[2] / base[0] if base and base[2] else None
        for tool, (t, rss, n, err) in results.items():
            if n is None:
                why = (err.strip().splitlines() or ["failed"])[-1][:80]
                print(f"| {name} | {tool} | failed: {why} | {rss:.0f} | |")
                continue
            rate = n / t
            ratio = f"{rate / base_rate:.2f}x" if base_rate else "n/a"
            print(f"| {name} | {tool} | {rate:,.0f} | {rss:.0f} | {ratio} |")
    for flag in ("--version", "--help"):
        times = []
        for _ in range(5):
            t, *_ = measure_child(netparse_cli + [flag])
            times.append(t)
        print(f"\nstart-up `netparse {flag}`: {min(times) * 1000:.0f} ms (best of 5)", end="")
    print()


if __name__ == "__main__":
    main()
