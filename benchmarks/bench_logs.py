"""Peak memory and throughput of netparse over a big multi-snapshot log: memory must stay flat.

    python benchmarks/bench_logs.py                 # a ~1 GB log (generated once, kept in benchmarks/data/)
    python benchmarks/bench_logs.py --size 200M     # smaller; K/M/G suffixes
    python benchmarks/bench_logs.py --size 200M --commands timeline analyze diff

The log imitates a cron job writing ``date; netstat -antp`` every minute on a busy server: each
snapshot is a ``date`` line (C locale, UTC) and a ``netstat -antp`` listing of ``--rows`` rows
(default 2,000) built from the same realistic row generator as benchmarks/bench.py
(benchmarks/generate.py), with a slowly growing CLOSE_WAIT leak on :8080 so the trend rules have
work to do. Each command runs in its own process; its peak RSS is read with wait4 (so it is that
run's alone) and printed with its wall time and throughput as a Markdown table. The target:
peak RSS well under 200 MB for a 1 GB log (``netparse timeline``).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import _rows  # noqa: E402

HEADER = ("Active Internet connections (servers and established)\n"
          "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n")


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B")
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KMG" else text
    return int(float(number) * factor)


def _row(state, v6, la, lp, ra, rp, rq, sq, owner) -> str:
    loc = f"{la}:{lp}"
    rem = f"{ra}:{'*' if rp is None else rp}"
    own = f"{owner[0]}/{owner[1]}" if owner else "-"
    return f"{'tcp6' if v6 else 'tcp':<4}  {rq:>6} {sq:>6} {loc:<23} {rem:<23} {state:<11} {own:<20}\n"


def generate_log(path: Path, size: int, rows: int, seed: int = 5) -> tuple[int, int]:
    """Write snapshots until ``size`` bytes; returns (snapshots, bytes)."""
    pool = [_row(*r) for r in _rows(50_000, seed)]
    rnd = random.Random(seed)
    start = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
    written = 0
    snapshots = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        while written < size:
            when = start + timedelta(minutes=snapshots)
            leak = 5 + snapshots % 500  # CLOSE_WAIT on :8080 growing, reset every 500 snapshots (a restart)
            offset = rnd.randrange(len(pool) - rows)
            parts = [when.strftime("%a %b %e %H:%M:%S UTC %Y") + "\n", HEADER]
            parts.append(_row("LISTEN", False, "0.0.0.0", 8080, "0.0.0.0", None, 0, 0, (3121, "java")))
            parts.extend(pool[offset : offset + rows - leak - 1])
            parts.extend(_row("CLOSE_WAIT", False, "10.0.0.5", 8080, f"10.1.{i // 250}.{i % 250 + 1}", 40000 + i, 1, 0,
                              (3121, "java")) for i in range(leak))
            text = "".join(parts)
            fh.write(text)
            written += len(text)
            snapshots += 1
    return snapshots, written


COMMANDS = {
    "timeline": ["timeline", "-o", "csv"],
    "timeline-by-port": ["timeline", "-o", "csv", "--by", "port"],
    "analyze": ["analyze", "-o", "json"],
    "diff": ["diff"],
    "summary": ["summary"],
}


def measure(args: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MiB, exit code, stderr) of one netparse run, stdout to /dev/null."""
    cmd = [sys.executable, "-m", "netparse", *args]
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
        err = proc.stderr.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), err.decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1G", help="log size, e.g. 1G (default), 200M")
    parser.add_argument("--rows", type=int, default=2000, help="sockets per snapshot")
    parser.add_argument("--log", type=Path, help="log file to use/write (default benchmarks/data/log-SIZE.log)")
    parser.add_argument("--commands", nargs="+", default=["timeline"], choices=sorted(COMMANDS))
    parser.add_argument("--gzip", action="store_true", help="also measure timeline over the gzipped log")
    args = parser.parse_args()
    size = parse_size(args.size)
    log = args.log or HERE / "data" / f"log-{args.size.upper()}-{args.rows}.log"
    if not log.exists() or log.stat().st_size < size:
        start = time.perf_counter()
        snapshots, written = generate_log(log, size, args.rows)
        print(f"generated {log} ({written / 2**20:,.0f} MiB, {snapshots:,} snapshots) in "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    mib = log.stat().st_size / 2**20
    print(f"log: {log.name}, {mib:,.0f} MiB, {args.rows:,} sockets per snapshot\n")
    print("| command | wall time | throughput | peak RSS |")
    print("|---|---:|---:|---:|")
    runs = [(name, COMMANDS[name] + [str(log)]) for name in args.commands]
    if args.gzip:
        gz = log.with_suffix(log.suffix + ".gz")
        if not gz.exists():
            subprocess.run(["gzip", "-k", "-1", str(log)], check=True)
        runs.append(("timeline (.gz)", ["timeline", "-o", "csv", str(gz)]))
    for name, cmd in runs:
        seconds, rss, code, err = measure(cmd)
        if code != 0:
            print(f"netparse {' '.join(cmd)} failed ({code}): {err.strip()[-500:]}", file=sys.stderr)
        print(f"| netparse {name} | {seconds:,.1f} s | {mib / seconds:,.1f} MiB/s | {rss:,.0f} MiB |", flush=True)


if __name__ == "__main__":
    main()
