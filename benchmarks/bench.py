"""Throughput and peak memory of netparse against jc, on the same generated inputs, in one run.

    python -m pip install -e '.[bench]' && python benchmarks/bench.py [--rows 200000]

Each measurement runs in its own process (so peak RSS is that run's alone, read with wait4):
netparse's library API (records validated as pydantic models), netparse's CLI writing JSON lines
to /dev/null, and jc's library and CLI on the same file. Also the start-up time of
``netparse --version`` and ``netparse --help``. Prints a Markdown table (paste it into the README).

Inputs (benchmarks/generate.py): Linux ``netstat -antp``, ``ss -tanp``, ``ss -tuanp`` and Windows
``netstat -ano`` (jc reads the last with its ``netstat`` parser too).

``--profile``: afterwards, run the library path (``netparse.iter_records`` over each file) under
cProfile in this process and print the top 10 functions by own time (tottime) for each input.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

# Library runs time themselves (reading + parsing, after the import and one warm-up call on empty
# input, for both tools) and print "rows seconds": the rate a long-lived program gets. The CLI runs are timed from outside (start-up included),
# as a user at a shell sees them.
LIB_NETPARSE = """
import sys, time, netparse
netparse.parse("")  # warm-up: imports and grammar building happen once per process
start = time.perf_counter()
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for item in netparse.iter_records(fh):
        n += isinstance(item, netparse.Socket)
print(n, time.perf_counter() - start)
"""
LIB_JC = """
import sys, time, jc
jc.parse(sys.argv[2], "", quiet=True)  # warm-up: the parser module is imported on first use
start = time.perf_counter()
text = open(sys.argv[1], encoding="utf-8").read()
n = len(jc.parse(sys.argv[2], text, quiet=True))
print(n, time.perf_counter() - start)
"""

JC_PARSER = {"netstat-antp": "netstat", "ss-tanp": "ss", "ss-tuanp": "ss", "windows-ano": "netstat"}


def measure_child(cmd: list[str], stdin_path: Path | None = None, to_null: bool = False, env: dict[str, str] | None = None):
    """Like measure, but reads the child's own rusage (wait4), not the cumulative one."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(os.devnull, "wb") if to_null else subprocess.PIPE
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read() if not to_null else b""
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    for f in (stdin, stdout):
        if hasattr(f, "close") and f not in (subprocess.DEVNULL, subprocess.PIPE):
            f.close()
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, out.decode(errors="replace").strip(), code, err.decode(errors="replace")


def library_run(cmd: list[str]):
    """(seconds the child timed itself, peak RSS, rows, stderr) of a library run."""
    _, rss, out, code, err = measure_child(cmd)
    parts = out.split()
    if code != 0 or len(parts) != 2 or not parts[0].isdigit():
        return 0.0, rss, None, err or out
    return float(parts[1]), rss, int(parts[0]), err


def find_jc() -> list[str]:
    """jc as this interpreter runs it (``python -m jc``: the jc installed where netparse is
    measured, not whatever ``jc`` is first on PATH); exits with a message when it is missing or
    broken, rather than printing "jc failed" rows."""
    try:
        import jc  # noqa: F401
    except ImportError:
        sys.exit(f"jc is not installed for {sys.executable}: python -m pip install jc (or '.[bench]')")
    cmd = [sys.executable, "-m", "jc"]
    probe = subprocess.run(cmd + ["--netstat"], input=b"", capture_output=True)
    if probe.returncode != 0:
        sys.exit(f"jc does not run ({' '.join(cmd)} --netstat exit {probe.returncode}): {probe.stderr.decode()[-300:]}")
    return cmd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--profile", action="store_true", help="cProfile the library path per input; top 10 by tottime")
    ap.add_argument("--only", nargs="*", help="only these inputs (netstat-antp ss-tanp ss-tuanp windows-ano)")
    args = ap.parse_args()
    files = generate(args.data, args.rows)
    if args.only:
        files = {k: v for k, v in files.items() if k in args.only}
    py = sys.executable
    netparse_cli = [py, "-m", "netparse"]
    jc_cli = find_jc()
    print(f"rows per input: {args.rows:,}; python {sys.version.split()[0]}; {os.cpu_count()} cpus\n")
    print("| input | tool | rows/s | time (s) | peak RSS (MiB) | vs jc (library: library, CLI: CLI) |")
    print("|---|---|---:|---:|---:|---:|")
    for name, path in files.items():
        results = {}
        results["netparse library"] = library_run([py, "-c", LIB_NETPARSE, str(path)])
        t, rss, out, code, err = measure_child(netparse_cli + ["parse", "-o", "jsonl", str(path)], to_null=True)
        results["netparse CLI (jsonl)"] = (t, rss, args.rows if code == 0 else None, err)
        results["jc library"] = library_run([py, "-c", LIB_JC, str(path), JC_PARSER[name]])
        t, rss, out, code, err = measure_child(jc_cli + [f"--{JC_PARSER[name]}"], stdin_path=path, to_null=True)
        results["jc CLI"] = (t, rss, args.rows if code == 0 else None, err)
        rates = {tool: n / t for tool, (t, _, n, _) in results.items() if n}
        for tool, (t, rss, n, err) in results.items():
            if n is None:
                why = (err.strip().splitlines() or ["failed"])[-1][:80]
                print(f"| {name} | {tool} | failed: {why} | | {rss:.0f} | |")
                print(f"{name}: {tool} failed:\n{err.strip()[-2000:]}", file=sys.stderr)
                continue
            base = rates.get("jc library" if "library" in tool else "jc CLI")
            ratio = f"{rates[tool] / base:.2f}x" if base else "n/a (jc failed)"
            print(f"| {name} | {tool} | {rates[tool]:,.0f} | {t:.2f} | {rss:.0f} | {ratio} |")
    for flag in ("--version", "--help"):
        times = []
        for _ in range(5):
            t, *_ = measure_child(netparse_cli + [flag])
            times.append(t)
        print(f"\nstart-up `netparse {flag}`: {min(times) * 1000:.0f} ms (best of 5)", end="")
    print()
    if args.profile:
        for name, path in files.items():
            profile(name, path)


def profile(name: str, path: Path, top: int = 10) -> None:
    """cProfile of the library path (what LIB_NETPARSE runs), top functions by tottime."""
    import cProfile
    import io
    import pstats

    import netparse

    prof = cProfile.Profile()
    n = 0
    with open(path, encoding="utf-8") as fh:
        prof.enable()
        for item in netparse.iter_records(fh):
            n += isinstance(item, netparse.Socket)
        prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\nprofile {name} ({n:,} records, {total:.2f} s under cProfile), top {top} by tottime:\n")
    print("| function | calls | tottime (s) | % | cumtime (s) |")
    print("|---|---:|---:|---:|---:|")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    for (filename, line, func), (cc, nc, tt, ct, _) in rows:
        where = f"{Path(filename).name}:{line}({func})" if filename != "~" else func
        print(f"| `{where}` | {nc:,} | {tt:.3f} | {100 * tt / total:.0f}% | {ct:.3f} |")


if __name__ == "__main__":
    main()
