"""``netparse parse`` answered without typer (netparse/cli/parse_run.py, netparse/cli/entry.py,
issue 16): its option table is the typer command's, the plain parse gives the values typer
gives, and a command line run through the console script (the quick route) prints the same
bytes on stdout and stderr, with the same exit code, as the typer app run on it; what typer
words as a usage error goes to typer before any output.

``-o parquet`` needs pyarrow (the test extra has it): skipped without it, except under CI=true,
where it fails."""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

from netparse.cli import parse_run
from netparse.cli.quick import quick_arguments
from routetools import run_route, typer_options, typer_parse

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SS = SAMPLES / "linux" / "ss-tanp.txt"
NETSTAT = SAMPLES / "linux" / "problems_netstat-an.txt"
PROC = SAMPLES / "proc" / "capture-proc_net_tcp.txt"
CP850 = SAMPLES / "windows" / "de-netstat-an-cp850-mojibake.txt"
LOG = SAMPLES / "logs" / "counters-retrans.log"
LOG_GZ = SAMPLES / "logs" / "linux-epoch-hostname.log.gz"
CI = os.environ.get("CI") == "true"


# -- the option table is the typer command's --------------------------------------------------

def test_the_option_table_is_the_typer_commands() -> None:
    """Every option of the typer ``parse`` command, with its words, kind, default, minimum and
    choices, is in OPTIONS, and nothing else; the files are its one argument."""
    from netparse.cli.app import parse

    assert list(parse_run.OPTIONS) == typer_options(parse)
    assert parse_run.OPTIONS[0].choices == parse_run.OUTPUTS == ("table", "json", "jsonl", "csv", "parquet")


@pytest.mark.parametrize("argv", [
    [], ["-"], [str(SS)], [str(SS), str(NETSTAT), "-f", "ss"], ["--format=linux-netstat", str(NETSTAT)],
    ["-o", "json"], ["--output=jsonl"], ["-o", "csv", "--csv-raw"], ["-o", "parquet", "--out", "dir"],
    ["--state", "LISTEN", "--state", "time-wait", "--port", "ssh", "--port", "80", "--proto", "udp", "--pid", "12"],
    ["--show-issues", "--strict", "--encoding", "cp850", "--byte-order", "big", "--jobs", "2"], ["-j", "1", "a", "b"],
    ["a", "-o", "table", "b", "-o", "json"], ["--state", "-x", "--proto", "--strict"], [""], ["--pid", "007"],
])
def test_quick_arguments_are_typers(argv: list[str]) -> None:
    """The plain parse gives the values typer gives ``parse`` (the last of a repeated option, the
    repeatable filters in order, files between options)."""
    assert quick_arguments(argv, parse_run.OPTIONS, positionals="files") == typer_parse("parse", argv)


@pytest.mark.parametrize("argv", [
    ["--help"], ["-o", "JSON"], ["-o", "xml"], ["--byte-order", "middle"], ["--jobs", "0"], ["--jobs", "x"],
    ["--pid", "1e3"], ["--pid", "\u0661"], ["--bogus"], ["--strict=yes"], ["--", "file"], ["-oj"], ["-o"],
    ["--state"], ["-x"],
])
def test_quick_arguments_leave_the_rest_to_typer(argv: list[str]) -> None:
    assert quick_arguments(argv, parse_run.OPTIONS, positionals="files") is None


@pytest.mark.parametrize("argv", [
    ["-f", "nonesuch", str(SS)], ["--state", "BOGUS", str(SS)], ["--port", "nonesuch", str(SS)],
    ["--port", "70000", str(SS)], ["--encoding", "rot13", str(SS)], ["--encoding", "nonesuch", str(SS)],
    ["--out", "dir", str(SS)], ["-o", "parquet", str(SS)], ["-o", "csv", "--out", "dir", str(SS)],
])
def test_answer_leaves_usage_errors_to_typer(argv: list[str], capsys) -> None:
    """What typer words as a usage error (Usage: ... Error: Invalid value for ...) is left to it,
    before any output."""
    assert parse_run.answer(argv) is False
    assert capsys.readouterr() == ("", "")


# -- the quick route is the typer route --------------------------------------------------------

@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    here = tmp_path_factory.mktemp("parse-fast")
    (here / "empty.txt").write_bytes(b"")
    (here / "garbage.txt").write_text("hello\nworld\n")
    lines = SS.read_text().splitlines(keepends=True)
    (here / "badline.txt").write_text("".join(lines[:5] + ["this is no socket line\n"] + lines[5:]))
    (here / "ss.txt.gz").write_bytes(gzip.compress(SS.read_bytes()))
    listings = here / "listings"  # a directory: read recursively
    listings.mkdir()
    (listings / "ss.txt").write_bytes(SS.read_bytes())
    (listings / "netstat.txt").write_bytes(NETSTAT.read_bytes())
    (here / "nothing").mkdir()  # a directory without a file
    unreadable = here / "unreadable.txt"  # for anyone but root
    unreadable.write_text(SS.read_text())
    unreadable.chmod(0)
    if Path("/proc/self/mem").exists():  # a read error for root too (EIO: nothing mapped at 0)
        unreadable = Path("/proc/self/mem")
    for route in ("quick", "typer"):  # each route's working directory (-o parquet --out writes there)
        (here / route).mkdir()
    found = {p.stem: p for p in here.iterdir()} | {"dir": here, "unreadable": unreadable}
    return found | {"gz": here / "ss.txt.gz", "missing": here / "missing.txt"}


def _fill(word: str, inputs: dict[str, Path]) -> str:
    return word.format(**{k: str(v) for k, v in inputs.items()})


S, N, P, L = str(SS), str(NETSTAT), str(PROC), str(LOG)

#: (argv, standard input, exit code): every -o, the filters and their bad values, unknown and
#: known formats, missing and unreadable files, directories, gzip, empty input, input that is no
#: listing, --strict on a bad line, --show-issues, several files, logs, --jobs 2, --encoding,
#: --byte-order, --out without parquet; then what typer parses. Every usage error (2) and help
#: is typer's (the quick route declines them); every other command line, the quick route's.
CASES = [
    ([], SS, 0), (["-"], NETSTAT, 0), (["-o", "table", S], None, 0), ([S, N], None, 0), (["-o", "json", S], None, 0),
    (["-o", "jsonl", N], None, 0), (["--output=csv", S], None, 0), (["-o", "csv", "--csv-raw", S, N], None, 0),
    (["-o", "json"], NETSTAT, 0), (["-o", "jsonl", "-", S], NETSTAT, 0),
    (["--state", "LISTEN", S], None, 0), (["--state", "time-wait", "--state", "ESTAB", "-o", "json", S, N], None, 0),
    (["--port", "18090", "-o", "jsonl", S], None, 0), (["--port", "https", "--proto", "tcp6", N], None, 0),
    (["--proto", "udp", "-o", "csv", N], None, 0), (["--pid", "4090", "-o", "json", S], None, 0),
    (["--pid", "4090", "--state", "LISTEN", S], None, 0),
    (["--state", "BOGUS", S], None, 2), (["--port", "nonesuch", S], None, 2), (["--port", "0", "-o", "json", S], None, 2),
    (["--pid", "x", S], None, 2), (["-f", "nonesuch", S], None, 2), (["-f", "nonesuch"], SS, 2),
    (["-f", "ss", S], None, 0), (["-f", "linux-netstat", S], None, 1), (["--format", "proc-net", "-o", "json", P], None, 0),
    (["--byte-order", "big", "-o", "json", P], None, 0), (["--byte-order", "little", P], None, 0),
    (["{missing}"], None, 1), (["{missing}", S], None, 1), (["-o", "json", S, "{missing}", N], None, 1),
    (["{unreadable}"], None, 1), (["-o", "json", "{unreadable}", S], None, 1),
    (["{listings}"], None, 0), (["-o", "jsonl", "{listings}"], None, 0), (["{nothing}"], None, 1),
    (["{gz}"], None, 0), (["-o", "json", "{gz}"], None, 0), ([str(LOG_GZ), "-o", "jsonl"], None, 0),
    ([], "{empty}", 1), (["-o", "json"], "{empty}", 1), (["{empty}", "-o", "csv"], None, 1), ([], "{garbage}", 1),
    (["--strict", "{badline}"], None, 1), (["--strict", "-o", "json", "{badline}"], None, 1),
    (["{badline}"], None, 0), (["--show-issues", "{badline}"], None, 0), (["--show-issues", "-o", "jsonl", "{badline}", N], None, 0),
    (["--show-issues"], "{garbage}", 1),
    ([L], None, 0), ([L, "-o", "json"], None, 0), ([L, "-o", "csv", S], None, 0), ([L, "--state", "time-wait", "-o", "jsonl"], None, 0),
    (["--jobs", "2", S, N], None, 0), (["-j", "2", "-o", "json", S, N, L], None, 0), (["-j", "2", "-o", "csv", S, N], None, 0),
    (["-j", "2", "--state", "LISTEN", "-o", "jsonl", S, N], None, 0), (["-j", "2", S, "{missing}", N], None, 1),
    (["-j", "2", "-o", "json", "{unreadable}", S], None, 1), (["-j", "2", "--strict", "{badline}", S], None, 1),
    (["-j", "2", "--show-issues", "{badline}", N], None, 0), (["-j", "1", "-o", "json", S, N], None, 0),
    (["--encoding", "cp850", str(CP850)], None, 0), (["--encoding", "cp850", "-o", "json", str(CP850)], None, 0),
    (["--encoding", "rot13", S], None, 2), (["--encoding", "nonesuch", S], None, 2),
    (["--out", "pq", S], None, 2), (["-o", "json", "--out", "pq", S], None, 2), (["-o", "parquet", S], None, 2),
    (["-o", "xml", S], None, 2), (["--help"], None, 0), (["--bogus", S], None, 2), (["--jobs", "0", S, N], None, 2),
]

_IDS = [" ".join(a) + (f" < {s}" if s else "") for a, s, _ in CASES]


def _same(argv: list[str], stdin, inputs: dict[str, Path], columns: str = "100"):
    argv = [_fill(a, inputs) for a in argv]
    stdin_path = Path(_fill(stdin, inputs)) if isinstance(stdin, str) else stdin
    results = []
    for route in ("quick", "typer"):
        if stdin_path is None:
            results.append(run_route(route, ["parse", *argv], subprocess.DEVNULL, inputs[route], columns=columns))
        else:
            with stdin_path.open("rb") as f:
                results.append(run_route(route, ["parse", *argv], f, inputs[route], columns=columns))
    (code, out, err, loaded), (typer_code, typer_out, typer_err, _) = results
    assert (code, out.decode(), err.decode()) == (typer_code, typer_out.decode(), typer_err.decode())
    return code, out, err, loaded


@pytest.mark.parametrize("argv, stdin, expected", CASES, ids=_IDS)
def test_the_quick_route_prints_what_typer_prints(argv, stdin, expected, inputs) -> None:
    """The same stdout, stderr and exit code through the console script as through the typer
    app; the console script without typer unless typer words the answer (usage, help)."""
    code, out, err, loaded = _same(argv, stdin, inputs)
    assert code == expected, err
    assert loaded is (code == 2 or "--help" in argv), (argv, err)
    assert out or err  # every ending says something


@pytest.mark.parametrize("columns", ["80", "120"])
@pytest.mark.parametrize("argv", [["-o", "table", S, N], [L], ["-j", "2", S, N]])
def test_tables_at_80_and_120_columns(argv, columns, inputs) -> None:
    """The table (written to a pipe here) with COLUMNS=80 and 120: the same bytes either way."""
    code, out, err, loaded = _same(argv, None, inputs, columns)
    assert code == 0 and out and not loaded, err


def _need_pyarrow() -> None:
    if importlib.util.find_spec("pyarrow") is None:
        if CI:
            pytest.fail("CI installs the test extra, which has pyarrow")
        pytest.skip("-o parquet needs pyarrow")


@pytest.mark.parametrize("argv", [["-o", "parquet", "--out", "pq-one", S, L], ["-j", "2", "-o", "parquet", "--out", "pq-jobs", S, N]])
def test_parquet_is_the_same_files(argv, inputs) -> None:
    """``-o parquet --out DIR`` (relative: each route's own directory): the same message, exit
    code and tables."""
    _need_pyarrow()
    import pyarrow.parquet as pq

    code, out, err, loaded = _same(argv, None, inputs)
    assert code == 0 and b"wrote " in err and not loaded, err
    where = argv[argv.index("--out") + 1]
    quick, typers = (sorted((inputs[r] / where).rglob("*.parquet")) for r in ("quick", "typer"))
    assert [p.relative_to(inputs["quick"]) for p in quick] == [p.relative_to(inputs["typer"]) for p in typers] != []
    for a, b in zip(quick, typers):
        assert pq.read_table(a).equals(pq.read_table(b))
