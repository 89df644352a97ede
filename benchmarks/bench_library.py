"""The library side by side with jc's, and the CLI beside jc's CLI: time and peak memory per path,
ratios to jc, in one run.

    PYTHONPATH=. python benchmarks/bench_library.py [--rows 200000] [--rounds 3] [--before ../main]

Per input (benchmarks/generate.py: Linux ``netstat -antp``, ``ss -tuanp`` (jc's ss parser needs the
Netid column), Windows ``netstat -ano``), each path runs in a fresh process (peak RSS is that run's
alone, read with wait4), in interleaved rounds; the table shows medians:

* ``jc`` library: ``jc.parse('netstat' | 'ss', text)`` (reading the file included);
* ``parse_file``, every record read as a ``Socket``: ``netparse.parse_file(path).sockets``;
* ``parse_file`` + ``Snapshot.iter_rows()``: the snapshot read as rows (no models built);
* ``iter_rows()``: ``netparse.iter_rows(open file)``, streamed rows;
* CLI: ``netparse parse -o jsonl FILE`` and ``jc --netstat``/``--ss`` with the file on stdin, both
  to /dev/null, timed from outside (start-up included).

Library runs time themselves after the imports and a warm-up call on empty input (both tools).
``--before DIR``: the netparse paths also run from that checkout (``PYTHONPATH=DIR``), in the same
rounds, so a change is measured against its base on the same machine at the same time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import JC_PARSER, LIB_JC, find_jc, measure_child  # noqa: E402
from generate import generate  # noqa: E402

_WARM = """
import sys, time, netparse
netparse.parse("")  # warm-up: imports and grammar building happen once per process
start = time.perf_counter()
"""
#: parse_file with every record read as a Socket (the models are kept in the snapshot)
LIB_MODELS = _WARM + """
snap = netparse.parse_file(sys.argv[1])
n = sum(1 for s in snap.sockets if isinstance(s, netparse.Socket))
print(n, time.perf_counter() - start)
"""
#: parse_file, the snapshot's records read as rows (models on access: none is built)
LIB_SNAPSHOT_ROWS = _WARM + """
snap = netparse.parse_file(sys.argv[1])
if not hasattr(snap, "iter_rows"):
    sys.exit("this netparse has no Snapshot.iter_rows")
n = sum(1 for row in snap.iter_rows() if row.get("state") is not None)
print(n, time.perf_counter() - start)
"""
#: the streamed rows of the file
LIB_ITER_ROWS = _WARM + """
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for item in netparse.iter_rows(fh):
        n += item.__class__ is dict
print(n, time.perf_counter() - start)
"""

#: ``--stages``: each stage of the row path timed alone over the same rows, in one process
STAGES = """
import gc, sys, time
from netparse.model import Socket, trusted_socket
from netparse.output.records import record_json
from netparse.parser import LineParser
from netparse.rows import row_json

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
parser = LineParser()
rows = [x for x in parser.rows(lines) if x.__class__ is dict]
kernel = parser.active.kernel(parser.ctx)  # the kernel for the context the listing left
data = lines[-len(rows):]

gc.disable()  # as the parser has it while it builds a list of records


def timed(fn):  # the best of three passes (the first also warms the caches)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        made = fn()
        best = min(best, time.perf_counter() - start)
        del made  # freed outside the timing
    return best / len(data) * 1e6

split = timed(lambda: [line.split() for line in data])
kern = timed(lambda: [kernel(line) for line in data])
loop = timed(lambda: sum(1 for _ in LineParser().rows(lines)))
model = timed(lambda: [trusted_socket(r) for r in rows])
validate = timed(lambda: [Socket.model_validate(r) for r in rows])
as_json = timed(lambda: [row_json(r, record_json) for r in rows])
sockets = [trusted_socket(r) for r in rows]
model_json = timed(lambda: [record_json(s) for s in sockets])
print(f"{len(rows)} {split:.1f} {kern:.1f} {loop:.1f} {model:.1f} {validate:.1f} {as_json:.1f} {model_json:.1f}")
"""
STAGE_NAMES = ("str.split", "row kernel", "the parser's whole row path (LineParser.rows, kernel included)", "Socket from a row (trusted)",
               "validating it instead", "JSON of a row (orjson)", "JSON of the model (pydantic)")

INPUTS = ("netstat-antp", "ss-tuanp", "windows-ano")
PATHS = {
    "parse_file, every record a Socket": LIB_MODELS,
    "parse_file + Snapshot.iter_rows()": LIB_SNAPSHOT_ROWS,
    "iter_rows() (streamed)": LIB_ITER_ROWS,
}


def run_library(script: str, path: Path, args: list[str], env: dict[str, str] | None = None):
    """(seconds the child timed itself, peak RSS MiB, records) or (None, rss, reason)."""
    cmd = [sys.executable, "-P", "-c", script, str(path), *args]  # -P: netparse from PYTHONPATH, not the cwd
    _, rss, out, code, err = measure_child(cmd, env=env)
    parts = out.split()
    if code != 0 or len(parts) != 2 or not parts[0].isdigit():
        return None, rss, (err.strip() or out).splitlines()[-1:] or ["failed"]
    return float(parts[1]), rss, int(parts[0])


def run_cli(cmd: list[str], stdin: Path | None, env: dict[str, str] | None = None):
    t, rss, _out, code, err = measure_child(cmd, stdin_path=stdin, to_null=True, env=env)
    if code != 0:
        return None, rss, err.strip().splitlines()[-1:] or [f"exit {code}"]
    return t, rss, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--before", type=Path, help="a netparse checkout to measure beside this one (its PYTHONPATH)")
    ap.add_argument("--only", nargs="*", choices=INPUTS, help="only these inputs")
    ap.add_argument("--stages", action="store_true", help="only the per-row cost of each stage (µs), per input")
    args = ap.parse_args()
    # generated in a child: a child's peak RSS (wait4) counts the parent's at the fork, so this
    # process stays small (generating 200k-row inputs here made every figure read >= 139 MiB)
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import "
                    f"generate; from pathlib import Path; generate(Path({str(args.data)!r}), {args.rows})"], check=True)
    files = {k: v for k, v in generate(args.data, args.rows).items() if k in (args.only or INPUTS)}
    if args.stages:
        stages(files)
        return
    here = str(HERE.parent)
    trees = {"": here} | ({" (before)": str(args.before.resolve())} if args.before else {})
    jc_cli = find_jc()
    py = sys.executable

    def env_for(tree: str) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=tree)

    # every measurement: (input, path label) -> list of (seconds, rss, records|reason)
    runs: dict[tuple[str, str], list[tuple]] = {}
    for rnd in range(args.rounds):
        for name, path in files.items():
            jc_name = JC_PARSER[name]
            todo = [("jc library", lambda: run_library(LIB_JC, path, [jc_name]))]
            for suffix, tree in trees.items():
                for label, script in PATHS.items():
                    todo.append((label + suffix, lambda s=script, t=tree: run_library(s, path, [], env_for(t))))
            todo.append(("jc CLI", lambda: run_cli(jc_cli + [f"--{jc_name}"], path)))
            for suffix, tree in trees.items():
                todo.append((
                    "CLI `parse -o jsonl`" + suffix,
                    lambda t=tree: run_cli([py, "-P", "-m", "netparse", "parse", "-o", "jsonl", str(path)], None, env_for(t)),
                ))
            for label, fn in todo:
                runs.setdefault((name, label), []).append(fn())
            print(f"round {rnd + 1}/{args.rounds}: {name} done", file=sys.stderr)

    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows per input: {args.rows:,}; {args.rounds} interleaved rounds, medians; python "
          f"{sys.version.split()[0]}; {os.cpu_count()} cpus; load average {os.getloadavg()[0]:.1f}; "
          f"peak RSS cannot read below this script's own, {floor:.0f} MiB\n")
    print("| input | path | time (s) | rows/s | peak RSS (MiB) | speed vs jc | RSS vs jc |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in files:
        medians = {}
        for (inp, label), results in runs.items():
            if inp != name:
                continue
            ok = [r for r in results if r[0] is not None]
            if not ok:
                medians[label] = (None, max(r[1] for r in results), results[-1][2])
                continue
            medians[label] = (statistics.median(r[0] for r in ok), statistics.median(r[1] for r in ok), ok[-1][2])
        for label, (t, rss, n) in medians.items():
            if t is None:
                print(f"| {name} | {label} | failed: {' '.join(n)[:80]} | | {rss:.0f} | | |")
                continue
            base = medians["jc CLI" if label.startswith(("CLI", "jc CLI")) else "jc library"]
            speed = f"{base[0] / t:.2f}x" if base[0] else "n/a"
            mem = f"{rss / base[1]:.2f}" if base[0] else "n/a"
            rate = f"{args.rows / t:,.0f}"
            print(f"| {name} | {label} | {t:.2f} | {rate} | {rss:.0f} | {speed} | {mem} |")


def stages(files: dict[str, Path]) -> None:
    """Per row, each stage timed alone (µs): what a row costs where, without cProfile's overhead
    on every Python-level call."""
    print("| stage (µs per row) | " + " | ".join(files) + " |")
    print("|---|" + "---:|" * len(files))
    cols = []
    for name, path in files.items():
        _, _, out, code, err = measure_child([sys.executable, "-P", "-c", STAGES, str(path)],
                                             env=dict(os.environ, PYTHONPATH=str(HERE.parent)))
        if code != 0:
            sys.exit(f"{name}: stage timing failed: {err.strip()[-500:]}")
        cols.append(out.split()[1:])
    for i, stage in enumerate(STAGE_NAMES):
        print(f"| {stage} | " + " | ".join(col[i] for col in cols) + " |")


if __name__ == "__main__":
    main()
