"""What a person's commands cost on a big listing: the streamed table, summary and analyze.

    PYTHONPATH=. python benchmarks/bench_tables.py [--rows 1000000] [--commands parse,head,summary,analyze]

Each command runs in its own process on a generated Linux ``netstat -antp`` listing
(benchmarks/generate.py); its wall time and peak RSS (wait4) are printed as a Markdown table.
``head`` is ``netparse parse FILE | head -1``: the time until the first table line arrives and
the reader goes away (the table streams, so this stays short whatever the size). The issue-12
target: table, summary and analyze memory flat, 1M rows within 150 MiB (``--limit``: the last
column says whether each command's peak is within it).

``analyze``'s peak is the listing's columns (rules/facts.py, about 50 bytes a socket) plus its
findings, which are kept until sorted worst first. Every generated LISTEN row (one row in 13)
has connections waiting and netstat shows no backlog: NP010 says so in one finding for all of
them (before, one per listener: 77,000 findings at 1M rows, 185 MiB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


COMMANDS = {
    "parse": ["parse"],
    "summary": ["summary"],
    "analyze": ["analyze"],
    "jsonl": ["parse", "-o", "jsonl"],
}


def run(args: list[str], path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of ``python -m netparse ARGS PATH`` to /dev/null."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen([sys.executable, "-m", "netparse", *args, str(path)], stdout=null,
                                stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def first_line(path: Path) -> float:
    """Seconds until ``netparse parse PATH | head -1`` has its line and netparse has exited."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "netparse", "parse", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its line: netparse sees a closed pipe and stops
    proc.wait()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--commands", default="parse,head,summary,analyze")
    ap.add_argument("--limit", type=float, default=150, help="peak RSS target, MiB (issue 12)")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="netparse-bench-") as tmp:
        path = Path(tmp) / "netstat-antp.txt"
        # generated in a child: a child forked from a process holding the text would count it in
        # its own peak RSS (fork shares the pages until exec)
        subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                        "from generate import netstat_antp; "
                        "open(sys.argv[2], 'w', encoding='utf-8').write(netstat_antp(int(sys.argv[3])))",
                        str(HERE), str(path), str(opts.rows)], check=True)
        print(f"{opts.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB), Python {sys.version.split()[0]}\n")
        print(f"| command | seconds | peak RSS MiB | exit | within {opts.limit:g} MiB |")
        print("|---|---:|---:|---:|---|")
        for name in opts.commands.split(","):
            if name == "head":
                print(f"| parse FILE \\| head -1 | {first_line(path):.2f} | | | |", flush=True)
                continue
            seconds, rss, code = run(COMMANDS[name], path)
            within = "yes" if rss <= opts.limit else "no"
            print(f"| {' '.join(COMMANDS[name])} FILE | {seconds:.1f} | {rss:.0f} | {code} | {within} |", flush=True)


if __name__ == "__main__":
    main()
