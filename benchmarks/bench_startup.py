"""Start-up of the common interactive paths, whole processes, side by side with jc in one run.

    python benchmarks/bench_startup.py [--runs 20] [--baseline DIR]

Times, with ``farm-bench`` (paired runs A B A B ..., medians of the pair ratios) when it is on
PATH, else a plain interleaved loop:

* ``netstat -an | netparse`` (a real 47-line net-tools listing: summary and findings);
* ``ss -tanp | netparse analyze`` (a real 56-line ss listing);
* ``netstat -ano | netparse`` (a real German Windows listing; jc reads no Windows netstat, so
  only against ``python -c pass`` and the baseline);
* ``netparse parse -o json FILE`` (the same net-tools listing);
* ``netparse live`` (this machine's sockets: run it on a quiet box);
* ``netparse --help``;

each against ``jc --netstat`` (``jc --ss`` for the ss input) on the same input, and against
``python -c pass`` (the interpreter's own start-up on this machine); ``jc --netstat`` against
``python -c pass`` too. ``--baseline DIR`` adds each netparse path against the same path run from
another checkout (``PYTHONPATH=DIR``), for before/after figures.

Start-up is measured with bytecode compiled, as a pip install leaves it: the script compiles
``netparse`` (and ``--baseline``'s) with ``compileall`` and runs every command with
``PYTHONDONTWRITEBYTECODE`` removed from the environment (these machines set it; then every
run would recompile every module). jc must be installed in the running environment (the
``bench`` extra): the script stops with a message when it is not.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paired  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NETSTAT = ROOT / "samples" / "linux" / "corpus-linux_nettools_netstat-an.txt"
SS = ROOT / "samples" / "linux" / "ss-tanp.txt"
WINDOWS = ROOT / "samples" / "windows" / "de-netstat-ano.txt"
#: where the commands run: ``python -m`` puts the working directory first on ``sys.path``, so run
#: from a checkout every "baseline" would import that checkout's netparse
NEUTRAL = tempfile.mkdtemp(prefix="bench-startup-")


def jc_command() -> list[str]:
    """jc of the running environment (beside this interpreter, else on PATH); exits loudly without it."""
    beside = Path(sys.executable).with_name("jc")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("jc")
    if found:
        return [found]
    try:
        import jc  # noqa: F401
    except ImportError:
        sys.exit("bench_startup: jc is not installed in this environment (pip install 'netparse[bench]' or pip install jc)")
    return [sys.executable, "-m", "jc"]


def shell(cmd: list[str], stdin: Path | None = None, pythonpath: Path | None = None) -> list[str]:
    """``cmd`` as one ``sh -c`` command line (a pipe's input as a redirection), so both sides of
    a pair pay the same shell."""
    line = " ".join(shlex.quote(w) for w in cmd)
    if pythonpath is not None:
        line = f"PYTHONPATH={shlex.quote(str(pythonpath))} exec {line}"
    else:
        line = f"exec {line}"
    if stdin is not None:
        line += f" < {shlex.quote(str(stdin))}"
    return ["sh", "-c", line]


def farm(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    """Medians from farm-bench: A wall, B wall, A/B wall."""
    found, out = paired.medians(a, shlex.join(b), runs, 900, env(), NEUTRAL)
    got = {k: float(found[k]) for k in ("A/B wall", "A wall s", "B wall s") if k in found}
    if len(got) < 3:
        sys.exit(f"bench_startup: farm-bench gave no figures for {a} vs {b}:\n{out}")
    return got


def plain(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    """Interleaved wall times (A B A B ...), medians and the median of the pair ratios."""
    wa, wb, ratios = [], [], []
    for _ in range(runs + 1):
        pair = []
        for cmd in (a, b):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=NEUTRAL)
            pair.append(time.perf_counter() - start)
        wa.append(pair[0])
        wb.append(pair[1])
        ratios.append(pair[0] / pair[1])
    del wa[0], wb[0], ratios[0]  # the first pair warms the caches

    def median(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    return {"A wall s": median(wa), "B wall s": median(wb), "A/B wall": median(ratios)}


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--baseline", type=Path, help="another checkout to compare each netparse path with")
    args = ap.parse_args()
    for tree in [ROOT] + ([args.baseline] if args.baseline else []):
        compileall.compile_dir(str(tree / "netparse"), quiet=1)
    jc = jc_command()
    py = [sys.executable]
    netparse = [*py, "-m", "netparse"]
    pass_ = [*py, "-c", "pass"]
    paths = [
        ("`netstat -an | netparse` (47 lines)", netparse, NETSTAT, [*jc, "--netstat"]),
        ("`ss -tanp | netparse analyze` (56 lines)", [*netparse, "analyze"], SS, [*jc, "--ss"]),
        ("`netstat -ano | netparse` (Windows, German, 81 lines)", netparse, WINDOWS, None),
        ("`netparse parse -o json FILE` (47 lines)", [*netparse, "parse", "-o", "json", str(NETSTAT)], None,
         [*jc, "--netstat"]),
        ("`netparse live` (this machine)", [*netparse, "live"], None, None),
        ("`netparse --help`", [*netparse, "--help"], None, None),
    ]
    measure = farm if paired.available() else plain
    how = "farm-bench, paired" if measure is farm else "interleaved loop"
    version = re.search(r"\d+\.\d+(?:\.\d+)?", subprocess.run([*jc, "--version"], capture_output=True, text=True).stdout)
    print(f"whole-process wall time, medians of {args.runs} runs ({how}), bytecode compiled; "
          f"jc {version.group(0) if version else '?'}, Python {sys.version.split()[0]}\n")
    print("| path | netparse | jc on the same input | netparse / jc | python -c pass | netparse / python -c pass |"
          + (" baseline | netparse / baseline |" if args.baseline else ""))
    print("| --- | --- | --- | --- | --- | --- |" + (" --- | --- |" if args.baseline else ""))
    for name, cmd, stdin, yard in paths:
        a = shell(cmd, stdin, ROOT)
        if yard is not None:
            vs_jc = measure(a, shell(yard, stdin if stdin is not None else NETSTAT), args.runs)
            jc_cells = f"{vs_jc['B wall s']:.3f} s | {vs_jc['A/B wall']:.2f}x"
        else:
            jc_cells = "- | -"
        vs_py = measure(a, shell(pass_), args.runs)
        row = f"| {name} | {vs_py['A wall s']:.3f} s | {jc_cells} | {vs_py['B wall s']:.3f} s | {vs_py['A/B wall']:.2f}x |"
        if args.baseline:
            vs_base = measure(a, shell(cmd, stdin, args.baseline), args.runs)
            row += f" {vs_base['B wall s']:.3f} s | {vs_base['A/B wall']:.2f}x |"
        print(row, flush=True)
    vs_py = measure(shell([*jc, "--netstat"], NETSTAT), shell(pass_), args.runs)
    print(f"| `jc --netstat` (47 lines) | - | {vs_py['A wall s']:.3f} s | - | {vs_py['B wall s']:.3f} s | "
          f"{vs_py['A/B wall']:.2f}x |" + (" - | - |" if args.baseline else ""), flush=True)


if __name__ == "__main__":
    main()
