"""Where the start-up of ``netstat -an | netparse`` goes, stage by stage, in fresh processes.

    python benchmarks/startup_stages.py [--runs 15]

Each round starts one child process that reads the real 47-line net-tools listing on standard
input and times, with ``time.perf_counter``, one stage after another in the order the bare pipe
meets them (each stage's modules imported by the stages before it are not counted again):

* ``pydantic``: ``import pydantic`` (the package; its model machinery loads on first use);
* ``model classes``: ``netparse.model`` and ``netparse.counters`` (the records' pydantic classes:
  the first class built also imports pydantic's schema builder and plugin loader);
* ``pipe modules``: what ``netparse.cli.pipe.bare`` imports besides (the log reader, parser,
  summary, tables, rules' columns);
* ``grammar``: the net-tools grammar (its patterns compiled);
* ``rules``: every rule module and the default settings (``load_config``: a pydantic settings
  model per rule);
* ``read``: the listing read into the rules' columns and its summary counted;
* ``findings``: the rules run, the summary table and the findings written (to /dev/null).

The interpreter's own start-up (``python -c pass``) is timed in the same rounds. Medians of
``--runs`` rounds, in milliseconds, with bytecode compiled and ``PYTHONDONTWRITEBYTECODE``
removed (as a pip install leaves it). The stages add up to the child's work after its
interpreter started; the whole process is ``bench_startup.py``'s figure.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LISTING = ROOT / "samples" / "linux" / "corpus-linux_nettools_netstat-an.txt"

CHILD = r"""
import sys, time
t = [time.perf_counter()]
def mark():
    t.append(time.perf_counter())
import pydantic; mark()
import netparse.model, netparse.counters; mark()
import netparse.cli.pipe, netparse.logs.newest, netparse.output.tables, netparse.summary, netparse.rules.facts; mark()
import netparse.grammars.linux_netstat; mark()
from netparse.rules import load_config
from netparse.rules.registry import all_rules
all_rules(); load_config(None, []); mark()
from netparse.logs.newest import analysis_facts
found = list(analysis_facts(["-"], "auto", top=3)); mark()
import io, os
from netparse.cli.findings import report_findings
from netparse.output.tables import render_summary
from netparse.summary import SummaryBuilder
sys.stdout = open(os.devnull, "w")
counts = SummaryBuilder()
for one in found:
    counts.merge(one.counts)
render_summary(counts.build(), sys.stdout, title=None)
report_findings([(one.facts, one.series) for one in found])
sys.stdout.flush(); mark()
print(" ".join(f"{(b - a) * 1000:.3f}" for a, b in zip(t, t[1:])), file=sys.stderr)
"""

STAGES = ("pydantic", "model classes", "pipe modules", "grammar", "rules", "read", "findings")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    compileall.compile_dir(str(ROOT / "netparse"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    samples: list[list[float]] = [[] for _ in STAGES]
    bare: list[float] = []
    whole: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True, cwd="/")
        bare.append((time.perf_counter() - start) * 1000)
        with open(LISTING, "rb") as listing:
            start = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", CHILD], env=env, stdin=listing, capture_output=True,
                                 text=True, cwd="/")
            whole.append((time.perf_counter() - start) * 1000)
        if res.returncode != 0:
            sys.exit(f"the child failed: {res.stderr.strip()}")
        for i, value in enumerate(res.stderr.split()):
            samples[i].append(float(value))
    med = [statistics.median(s) for s in samples]
    print(f"`netstat -an | netparse` start-up by stage: medians of {args.runs} fresh processes, ms "
          f"(Python {sys.version.split()[0]}, bytecode compiled)\n")
    print("| stage | ms | share of the stages |")
    print("| --- | ---: | ---: |")
    total = sum(med)
    for name, value in zip(STAGES, med):
        print(f"| {name} | {value:.1f} | {value / total:.0%} |")
    print(f"| all stages | {total:.1f} | |")
    print(f"| `python -c pass` (the interpreter alone) | {statistics.median(bare):.1f} | |")
    print(f"| the whole child process, from outside | {statistics.median(whole):.1f} | |")


if __name__ == "__main__":
    main()
