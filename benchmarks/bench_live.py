"""Live mode against ``ss`` on the same sockets, in one run (whole processes, start-up included).

    python benchmarks/bench_live.py [--sockets 10000] [--runs 5] [--baseline /path/to/other/netparse]

Opens ``--sockets`` TCP sockets on 127.0.0.1 only (a listener, then connected pairs, in a child
process that holds them for at most ``--hold`` seconds and then exits by itself), then times, with
``farm-bench`` (paired runs, A/B ratios; medians printed) when it is on PATH:

* ``netparse live -o jsonl`` (owners) vs ``ss -tanp``;
* ``netparse live -o jsonl --no-owners`` vs ``ss -tan``;
* ``netparse live --port P --state listen`` vs ``ss -ltnp 'sport = :P'``;
* peak RSS of ``netparse live -o jsonl --no-owners`` at 1,000 and at ``--sockets`` sockets;
* with ``--stages``, where the time goes on the same sockets: the interpreter's start-up
  (``python -c pass``, and with ``-S``: without the site packages' ``.pth`` hooks), importing
  the entry point (everything ``live -o jsonl`` loads), then, in one process, reading the sockets
  from netlink, the ``/proc/*/fd`` owner scan, putting owners and containers on the rows, and
  writing them as JSON lines (medians of ``--runs``).

With ``--baseline DIR`` (another netparse checkout, e.g. the release before) each netparse
command of that tree is timed against ``ss`` in the same run too, and against this tree's, so
a before/after comparison is made on the same sockets, the same minute, the same load.

Without farm-bench it falls back to a plain loop (wall time and peak RSS per run via wait4).
Run it as root so ``ss -p`` and netparse both see every process.

Start-up is measured with bytecode compiled, as a pip install leaves it (and as
``bench_startup.py`` measures it): the script compiles ``netparse`` (and ``--baseline``'s) with
``compileall`` and runs every command with ``PYTHONDONTWRITEBYTECODE`` removed from the
environment (these machines set it: a tree without ``__pycache__`` would then recompile every
module on every run, some 40 ms here, while a tree that has one would not).
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paired  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: where the timed commands run: not inside a checkout, as ``python -m`` puts the working
#: directory first on sys.path (a baseline tree would otherwise run this tree's netparse)
NEUTRAL = tempfile.gettempdir()
#: the environment of every timed command: bytecode read and written as an installed package's is
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

HOLDER = r"""
import resource, socket, sys, time
n, hold = int(sys.argv[1]), float(sys.argv[2])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 200, n + 200))
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(4096)
port = srv.getsockname()[1]; keep = [srv]
deadline = time.monotonic() + 120
while len(keep) + 2 <= n and time.monotonic() < deadline:
    c = socket.create_connection(("127.0.0.1", port)); a, _ = srv.accept(); keep += [c, a]
print(port, len(keep), flush=True)
time.sleep(hold)
"""


def hold_sockets(n: int, hold: float) -> tuple[subprocess.Popen, int, int]:
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(n), str(hold)], stdout=subprocess.PIPE, text=True)
    port, count = p.stdout.readline().split()
    return p, int(port), int(count)


def netparse(*args: str, tree: Path | None = None) -> list[str]:
    """``python -m netparse ARGS`` of this tree (PYTHONPATH set by the caller), or of ``tree``."""
    if tree is not None:
        return ["env", f"PYTHONPATH={tree}", sys.executable, "-m", "netparse", *args]
    return [sys.executable, "-m", "netparse", *args]


def farm(a: list[str], b: list[str], runs: int) -> dict[str, str]:
    """farm-bench's median lines (A wall, B wall, A/B wall, A peak, B peak)."""
    return paired.medians(a, " ".join(_quote(x) for x in b), runs, 600, {**ENV, "PYTHONPATH": str(ROOT)},
                          NEUTRAL)[0]


def _quote(word: str) -> str:
    return f"'{word}'" if any(c in word for c in " =:") else word


def plain(cmd: list[str], runs: int) -> tuple[float, float]:
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**ENV, "PYTHONPATH": str(ROOT)}, cwd=NEUTRAL)
        _, _, usage = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
    walls.sort()
    peaks.sort()
    return walls[len(walls) // 2], peaks[len(peaks) // 2]


def compare(name: str, a: list[str], b: list[str], runs: int) -> None:
    if paired.available():
        got = farm(a, b, runs)
        print(f"| {name} | {got.get('A wall s')} s | {got.get('B wall s')} s | {got.get('A/B wall')} | "
              f"{got.get('A cpu s')} s | {got.get('B cpu s')} s | {got.get('A/B cpu')} | {got.get('A peak MiB')} MiB |",
              flush=True)
    else:
        (wa, pa), (wb, _) = plain(a, runs), plain(b, runs)
        print(f"| {name} | {wa:.3f} s | {wb:.3f} s | {wa / wb:.2f} | | | | {pa:.1f} MiB |", flush=True)


STAGES = r"""
import io, os, sys, time
from netparse.live import stream
from netparse.live.owners import OwnerCache, attribute, scan
from netparse.output.rowjson import write_rows

def timed(fn):  # CPU seconds of this process (user + system): steadier than wall time on a loaded machine
    start = time.process_time(); out = fn(); return time.process_time() - start, out

runs = int(sys.argv[1])
got = {"netlink read": [], "owner scan": [], "owners + containers on rows": [], "JSON lines written": []}
for _ in range(runs):
    t, rows = timed(lambda: list(stream.Stream(owners=False)))
    got["netlink read"].append(t)
    t, found = timed(lambda: scan("/proc", OwnerCache()))
    got["owner scan"].append(t)
    cache = OwnerCache()
    def put():
        attribute(rows, found)
        for r in rows:
            stream.put_container(r, "/proc", cache)
    got["owners + containers on rows"].append(timed(put)[0])
    with open(os.devnull, "w") as out:
        got["JSON lines written"].append(timed(lambda: write_rows(rows, out))[0])
for name, ts in got.items():
    ts.sort()
    print(f"| {name} ({len(rows):,} rows) | {ts[len(ts) // 2] * 1000:.0f} ms cpu |")
"""


def stages(runs: int) -> None:
    """Where the time of ``live -o jsonl`` goes (see the module docstring)."""
    print("\n| stage | median |\n| --- | --- |")
    py = [sys.executable]
    for name, cmd in (("`python -c pass` (start-up)", py + ["-c", "pass"]),
                      ("`python -S -c pass` (no site hooks)", py + ["-S", "-c", "pass"]),
                      ("`python -c 'import netparse.cli.entry'`", py + ["-c", "import netparse.cli.entry"]),
                      ("`live -o jsonl --no-owners`, whole", netparse("live", "-o", "jsonl", "--no-owners"))):
        if paired.available():
            got = paired.medians(cmd, "true", runs, 600, {**ENV, "PYTHONPATH": str(ROOT)}, NEUTRAL)[0]
            print(f"| {name} | {got.get('A wall s')} s wall, {got.get('A cpu s')} s cpu |", flush=True)
        else:
            print(f"| {name} | {plain(cmd, runs)[0]:.3f} s wall |", flush=True)
    subprocess.run([sys.executable, "-c", STAGES, str(runs)], env={**ENV, "PYTHONPATH": str(ROOT)},
                   cwd=NEUTRAL, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hold", type=float, default=300)
    ap.add_argument("--baseline", type=Path, default=None, help="another netparse tree to time in the same run")
    ap.add_argument("--stages", action="store_true", help="also time the stages of live -o jsonl (see above)")
    ap.add_argument("--no-compare", action="store_true", help="skip the comparisons with ss (with --stages)")
    args = ap.parse_args()
    base = args.baseline.resolve() if args.baseline else None
    for tree in [ROOT] + ([base] if base else []):
        compileall.compile_dir(str(tree / "netparse"), quiet=1)
    holder, port, count = hold_sockets(args.sockets, args.hold)
    try:
        total = int(subprocess.run(["ss", "-tanH"], capture_output=True, text=True).stdout.count("\n"))
        print(f"{count:,} sockets held on 127.0.0.1 (listener port {port}); {total:,} TCP sockets in all\n")
        print("| netparse (A) vs ss (B) | A wall (median) | B wall | A/B wall | A cpu | B cpu | A/B cpu | A peak |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        cases = [
            ("`live -o jsonl` vs `ss -tanp`", ("live", "-o", "jsonl"), ["ss", "-tanp"]),
            ("`live -o jsonl --no-owners` vs `ss -tan`", ("live", "-o", "jsonl", "--no-owners"), ["ss", "-tan"]),
            (f"`live --port {port} --state listen` vs `ss -ltnp 'sport = :{port}'`",
             ("live", "--port", str(port), "--state", "listen"), ["ss", "-ltnp", f"sport = :{port}"]),
        ]
        for name, args_a, ss in cases if not args.no_compare else ():
            compare(name, netparse(*args_a), ss, args.runs)
            if base is not None:
                compare(f"{name} (baseline)", netparse(*args_a, tree=base), ss, args.runs)
                compare(f"{name.split(' vs ')[0]}: this tree vs baseline", netparse(*args_a),
                        netparse(*args_a, tree=base), args.runs)
        if args.stages:
            stages(args.runs)
    finally:
        holder.kill()
        holder.wait()
    # peak RSS flat in the number of sockets when streaming -o jsonl
    for n in (1_000, args.sockets) if not args.no_compare else ():
        holder, port, count = hold_sockets(n, args.hold)
        try:
            wall, peak = plain(netparse("live", "-o", "jsonl", "--no-owners"), 3)
            wall_o, peak_o = plain(netparse("live", "-o", "jsonl"), 3)
            print(f"\npeak RSS with {count:,} sockets: {peak:.1f} MiB without owners, {peak_o:.1f} MiB with "
                  f"(wall {wall:.3f} s / {wall_o:.3f} s)", flush=True)
        finally:
            holder.kill()
            holder.wait()


if __name__ == "__main__":
    main()
