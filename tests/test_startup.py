"""Start-up: the lazy grammar registry detects exactly what the eager one did, its gates are
current, and small common inputs import only the grammars they need (fresh processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import netparse
from netparse.errors import UnknownFormatError
from netparse.grammars import GRAMMARS
from netparse.grammars.gates import ENTRIES
from netparse.inputs.decode import decode
from netparse.parser import split_lines
from conftest import ROOT, SAMPLES, sample_files, sample_id

ALL = sample_files()


def _run(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gates_are_current() -> None:
    """grammars/gates.py says what the grammars say (else: python -m netparse.grammars.gates)."""
    got = _run("import json; from netparse.grammars.gates import specs; print(json.dumps(specs()))", PYTHONHASHSEED="0")
    assert json.loads(got) == json.loads(json.dumps(ENTRIES)), "run: python -m netparse.grammars.gates"


@pytest.mark.parametrize("path", ALL, ids=sample_id)
def test_every_marker_line_passes_its_gate(path: Path) -> None:
    """A gate may let through lines that are no marker, never keep out one that is."""
    text, _ = decode(path.read_bytes())
    lines = [line.replace("\x00", "") for line in split_lines(text)]
    for entry in GRAMMARS.entries():
        grammar = entry.load()
        for line in lines:
            if any(marker.match(line) is not None for marker in grammar.markers):
                assert entry.may_mark(line), (entry.name, line)


_DETECT = """
import json, sys
import netparse
from netparse.grammars import GRAMMARS
if sys.argv[1] == "eager":
    for entry in GRAMMARS.entries():
        entry.load()
out = {}
for path in sys.argv[2:]:
    snap = netparse.parse_file(path)
    out[path] = [snap.format, snap.formats, snap.locale, snap.line_counts, len(snap.issues),
                 [i.reason for i in snap.issues][:30]]
print(json.dumps(out))
"""


def test_lazy_detection_is_the_eager_detection() -> None:
    """Every sample read with the registry lazy (fresh process) and with every grammar loaded
    first: the same format, formats, language, line counts and issue reasons."""
    paths = [str(p) for p in ALL]

    def detect(mode: str) -> dict:
        done = subprocess.run([sys.executable, "-c", _DETECT, mode, *paths], capture_output=True, text=True, cwd=ROOT,
                              timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    lazy, eager = detect("lazy"), detect("eager")
    assert lazy.keys() == eager.keys() and len(lazy) >= 50
    for path in paths:
        assert lazy[path] == eager[path], path


_LOADED = """
import sys
import netparse
from netparse.grammars import GRAMMARS
snap = netparse.parse(open(sys.argv[1], encoding="utf-8").read())
print(snap.format, " ".join(e.name for e in GRAMMARS.entries() if e.loaded))
"""


@pytest.mark.parametrize(("sample", "expected", "loaded"), [
    ("linux/netstat-an.txt", "linux-netstat", {"linux-netstat", "busybox-netstat"}),  # they share the title line
    ("linux/ss-tanp.txt", "ss", {"ss"}),
    ("windows/de-netstat-ano.txt", "windows-netstat", {"windows-netstat"}),
])
def test_small_inputs_load_only_their_grammars(sample: str, expected: str, loaded: set[str]) -> None:
    fmt, *names = _loaded(SAMPLES / sample)
    assert fmt == expected
    assert set(names) == loaded


def _loaded(path: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _LOADED, str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_named_format_loads_only_itself() -> None:
    out = _run("import netparse; from netparse.grammars import GRAMMARS\n"
               "netparse.parse('tcp 0 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED\\n', format='linux-netstat')\n"
               "print(' '.join(e.name for e in GRAMMARS.entries() if e.loaded))")
    assert out.split() == ["linux-netstat"]


def test_registry_is_a_mapping_of_grammars() -> None:
    assert sorted(GRAMMARS) == sorted(e["name"] for e in ENTRIES)
    assert "ss" in GRAMMARS and "nonesuch" not in GRAMMARS
    assert GRAMMARS["ss"].name == "ss" and len(GRAMMARS) == len(ENTRIES)
    with pytest.raises(UnknownFormatError):
        netparse.parse("x\n", format="nonesuch")


# -- the CLI: typer without a pydantic TypeAdapter per option -----------------------------------

_CLI = """
import sys
import netparse.cli.options as options
if sys.argv.pop(1) == "adapters":
    options.cheap_coercion = lambda: None  # typer's own coercion for every option
sys.argv[0] = "netparse"
from netparse.cli.app import run
run()
"""

NETSTAT = SAMPLES / "linux" / "problems_netstat-an.txt"
SS = SAMPLES / "linux" / "ss-tanp.txt"

ARGVS = [
    [], ["parse"], ["parse", "-o", "json"], ["parse", "-o", "jsonl", "--state", "LISTEN", "--proto", "tcp"],
    ["parse", "-o", "csv", "--port", "ssh", "--port", "18090"], ["parse", "--pid", "12x"], ["parse", "--pid", "007"],
    ["parse", "--pid", " 7"], ["parse", "-o", "jsn"], ["parse", "-o", "JSON"], ["parse", "-j", "0", str(SS)],
    ["parse", "-j", "1", "-o", "jsonl", str(SS), str(NETSTAT)], ["parse", "--encoding", "cp850"],
    ["parse", "--encoding", "rot13"], ["parse", "-f", "nonesuch"], ["parse", "-f", "ss", "--strict"],
    ["parse", "--byte-order", "big", "-o", "json"], ["parse", "--byte-order", "middle"], ["parse", "--show-issues"],
    ["summary", "-o", "json"], ["summary", "--all-snapshots"], ["analyze"], ["analyze", "-o", "json"],
    ["analyze", "--fail-on", "info"], ["analyze", "--fail-on", "bogus"], ["analyze", "--set", "NP001.nonesuch=1"],
    ["--version"], ["--help"], ["parse", "--help"], ["analyze", "--help"], ["formats"], ["explain", "TIME_WAIT"],
    ["parse", "--nonesuch"], ["nonesuch"], ["timeline"], ["parse", "-o", "parquet"],
    ["live", "--watch", "0.05"], ["live", "--watch", "1e-1", "--count", "0"], ["live", "--interval", "x"],
    ["live", "--interval", "-1", "--count", "2"], ["live", "--count", "1", "--interval", "0.5", "-o", "yaml"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=lambda a: " ".join(a) or "(bare)")
def test_cli_coercion_is_typers(argv: list[str]) -> None:
    """Every argv gives the same output, errors and exit code with the cheap coercion as with
    typer's pydantic adapters."""

    def run(mode: str) -> tuple[int, str, str]:
        with NETSTAT.open("rb") as stdin:
            done = subprocess.run([sys.executable, "-c", _CLI, mode, *argv], stdin=stdin, capture_output=True, cwd=ROOT,
                                  timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
        return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")

    cheap, typers = run("cheap"), run("adapters")
    assert cheap == typers
    assert cheap[0] in (0, 1, 2, 3, 4), cheap[2]


def _modules_after(argv: list[str], stdin: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run the CLI on ``stdin``; its result and the top-level packages (and typer._adapters) it imported."""
    report = ("print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules}"
              " | ({'typer._adapters'} & set(sys.modules)))), file=sys.stderr)")
    code = _CLI.replace("run()", "try:\n    run()\nfinally:\n    " + report)
    with stdin.open("rb") as f:
        done = subprocess.run([sys.executable, "-c", code, "cheap", *argv], stdin=f, capture_output=True, text=True,
                              cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done, done.stderr.rpartition("MODULES ")[2].split()


@pytest.mark.parametrize("argv", [[], ["parse", "-o", "json", "--state", "LISTEN", "--pid", "12"], ["analyze"]])
def test_plain_options_build_no_type_adapter(argv: list[str]) -> None:
    done, modules = _modules_after(argv, NETSTAT)
    assert done.returncode == 0, done.stderr
    assert "typer._adapters" not in modules


# -- findings written plain when piped ----------------------------------------------------------

@pytest.mark.parametrize("sample", ["linux/problems_netstat-an.txt", "linux/problems_ss-tanp.txt",
                                    "linux/netstat-an.txt", "windows/de-netstat-ano.txt"])
def test_plain_console_writes_what_rich_writes(sample: str) -> None:
    """Findings printed through the plain console are byte for byte rich's (not a terminal)."""
    import io

    from netparse.cli.findings import render_findings
    from netparse.logs.newest import analysis_inputs
    from netparse.output.tables import PlainConsole, rich_console
    from netparse.rules.config import load_config
    from netparse.rules.engine import analyze_series

    results = list(analysis_inputs([str(SAMPLES / sample)], "auto"))
    found = [f for snap, series in results for f in analyze_series(series, load_config(), latest=snap)]
    assert sample.endswith("netstat-an.txt") or found  # the problem samples have findings
    plain, fancy = io.StringIO(), io.StringIO()
    for out in (PlainConsole(plain), rich_console(fancy)):
        out.print()  # the blank line before the findings
        render_findings(found, out)
    assert plain.getvalue() == fancy.getvalue()
    for snap, _ in results:  # live: the evidence as sockets
        plain, fancy = io.StringIO(), io.StringIO()
        render_findings(found, PlainConsole(plain), snap.sockets)
        render_findings(found, rich_console(fancy), snap.sockets)
        assert plain.getvalue() == fancy.getvalue()


def test_the_bare_command_piped_imports_no_rich() -> None:
    done, modules = _modules_after([], NETSTAT)
    assert done.returncode == 0 and "finding" in done.stdout
    assert "rich" not in modules and "typer" in modules


@pytest.mark.parametrize("argv", [["analyze"], ["analyze", "-o", "json"], ["analyze", "-o", "nagios", "-"],
                                  ["analyze", "--fail-on", "critical", str(SS)], ["parse", "-o", "json", str(SS)],
                                  ["parse"], ["parse", "--state", "LISTEN", "-o", "jsonl"], ["parse", "-o", "csv", "-"]])
def test_plain_analyze_and_parse_piped_import_neither_typer_nor_rich(argv: list[str]) -> None:
    """``netstat -an | netparse analyze`` and ``netparse parse -o json FILE`` through the console
    script: no typer (their options read by the plain parse, ``cli/analyze_run.py``,
    ``cli/parse_run.py``) and, piped, no rich."""
    code = ("import sys\nsys.argv[0] = 'netparse'\nfrom netparse.cli import run\ntry:\n    run()\nfinally:\n"
            "    print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n")
    with NETSTAT.open("rb") as f:
        done = subprocess.run([sys.executable, "-c", code, *argv], stdin=f, capture_output=True, text=True, cwd=ROOT,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    modules = done.stderr.rpartition("MODULES ")[2].split()
    assert done.returncode in (0, 1, 2) and done.stdout, done.stderr  # nagios: WARNING 1, CRITICAL 2
    assert not {"typer", "click", "rich"} & set(modules), done.stderr


# -- the plain pipe answered before typer -----------------------------------------------------

_ENTRY = """
import sys
sys.argv[0] = "netparse"
if sys.argv.pop(1) == "typer":
    from netparse.cli.app import run  # the typer app for every command line
else:
    from netparse.cli import run  # the console script: the plain pipe without typer
try:
    run()
finally:
    print("TYPER", "typer" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("stdin", [
    "linux/problems_netstat-an.txt", "linux/problems_ss-tanp.txt", "linux/netstat-an.txt", "windows/de-netstat-ano.txt",
    "linux/linux_nettools_netstat-antp_non-root_stderr-note.txt", "counters/nstat.txt", "-empty-", "-garbage-",
])
def test_the_plain_pipe_is_the_typer_default_command(stdin: str, tmp_path: Path) -> None:
    """``netparse`` with piped input: the same output, messages and exit code without typer."""
    if stdin == "-empty-":
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
    elif stdin == "-garbage-":
        path = tmp_path / "garbage.txt"
        path.write_text("hello\nworld\n")
    else:
        path = SAMPLES / stdin

    def run(mode: str) -> tuple[int, str, str]:
        with path.open("rb") as f:
            done = subprocess.run([sys.executable, "-c", _ENTRY, mode], stdin=f, capture_output=True, text=True,
                                  cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        return done.returncode, done.stdout, done.stderr

    (fast_rc, fast_out, fast_err), (typer_rc, typer_out, typer_err) = run("entry"), run("typer")
    assert (fast_rc, fast_out) == (typer_rc, typer_out)
    assert fast_err.replace("TYPER False", "TYPER True") == typer_err
    assert "TYPER False" in fast_err or "finding" not in fast_out  # (a bad config would import typer for its Exit)


def test_the_plain_pipe_closed_early_is_typers_exit(tmp_path: Path) -> None:
    """``netparse < big | head -1``: the same exit status as through typer, nothing on stderr."""
    big = tmp_path / "big.txt"
    big.write_text((SAMPLES / "linux" / "netstat-an.txt").read_text() * 1)
    results = []
    for mode in ("entry", "typer"):
        with big.open("rb") as f:
            proc = subprocess.Popen([sys.executable, "-c", _ENTRY, mode], stdin=f, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            proc.stdout.close()  # the reader went away before the first line
            err = proc.stderr.read().decode()
            results.append((proc.wait(timeout=120), err.rpartition("TYPER")[0]))
    assert results[0] == results[1]


def test_a_bare_command_line_on_a_terminal_or_with_arguments_goes_to_typer() -> None:
    from netparse.cli import entry

    assert not entry._plain_pipe(["parse"])
    assert not entry._plain_pipe(["--help"])


OTHER_TYPER = """
import dataclasses, sys
from typer import _coercion
real = _coercion.RuntimeParam

@dataclasses.dataclass(frozen=True)
class Other:  # a typer whose RuntimeParam has other fields
    something_else: object = None

_coercion.RuntimeParam = Other
import netparse.cli.options as options
options.cheap_coercion()
_coercion.RuntimeParam = real
options.cheap_coercion = lambda: None
sys.argv[0] = "netparse"
from netparse.cli.app import run
run()
"""


PLAIN_TYPER = "import sys\nsys.argv[0] = 'netparse'\nfrom netparse.cli.app import run\nrun()\n"


def test_cheap_coercion_falls_back_when_typer_looks_otherwise() -> None:
    """A typer with the names cheap_coercion looks for but parameters of another shape: typer's
    own coercion, the same output, not an internal error."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results = []
    for argv in (["parse", "-o", "jsonl", "--state", "LISTEN", "-j", "1", str(SS)], ["parse", "--pid", "12x", str(SS)]):
        other, plain = (subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env,
                                       cwd=ROOT, timeout=120) for code in (OTHER_TYPER, PLAIN_TYPER))
        assert (other.returncode, other.stdout, other.stderr) == (plain.returncode, plain.stdout, plain.stderr)
        results.append(other)
    listing, usage = results
    assert listing.returncode == 0 and '"state":"LISTEN"' in listing.stdout
    assert usage.returncode == 2 and usage.stdout == "" and "12x" in usage.stderr  # typer's usage error


def test_the_plain_pipe_loads_no_other_command() -> None:
    """``netstat -an | netparse`` through the console script imports neither typer nor the other
    commands' typer-free routes (``live``'s, ``analyze``'s): each is loaded for its own command."""
    code = ("import sys\nsys.argv[0] = 'netparse'\nfrom netparse.cli import run\ntry:\n    run()\nfinally:\n"
            "    print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    with NETSTAT.open("rb") as f:
        done = subprocess.run([sys.executable, "-c", code], stdin=f, capture_output=True, text=True, cwd=ROOT,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    modules = set(done.stderr.rpartition("MODULES ")[2].split())
    assert done.returncode == 0 and "netparse.cli.pipe" in modules, done.stderr
    assert not {"typer", "netparse.cli.analyze_run", "netparse.cli.live_quick", "netparse.cli.quick"} & modules
