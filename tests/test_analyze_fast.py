"""``netparse analyze`` answered without typer (netparse/cli/analyze_run.py, netparse/cli/entry.py,
issue 16): its option table is the typer command's, the plain parse gives the values typer
gives, and a command line run through the console script (the quick route) prints the same
bytes on stdout and stderr, with the same exit code, as the typer app run on it; what the plain
parse does not take goes to typer before any output.

``--live`` is compared inside a fresh network namespace (``unshare -n``: no socket but loopback's,
the same answer twice); that needs root on Linux, and fails (not skips) under CI=true without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netparse.cli import analyze_run
from netparse.cli.quick import quick_arguments
from routetools import run_route, typer_options, typer_parse

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SS = SAMPLES / "linux" / "ss-tanp.txt"
PROBLEMS = SAMPLES / "linux" / "problems_ss-tanp.txt"
NETSTAT = SAMPLES / "linux" / "problems_netstat-an.txt"
LOG = SAMPLES / "logs" / "counters-retrans.log"
CI = os.environ.get("CI") == "true"


# -- the option table is the typer command's --------------------------------------------------

def test_the_option_table_is_the_typer_commands() -> None:
    """Every option of the typer ``analyze`` command, with its words, kind, default, minimum and
    choices, is in OPTIONS, and nothing else; the files are its one argument."""
    from netparse.cli.analyze import analyze_command

    assert list(analyze_run.OPTIONS) == typer_options(analyze_command)
    assert analyze_run.OPTIONS[3].choices == ("text", "json", "nagios", "openmetrics", "checkmk")


@pytest.mark.parametrize("argv", [
    [], ["-"], [str(SS)], [str(SS), str(NETSTAT), "-f", "ss"], ["--format=linux-netstat", str(NETSTAT)],
    ["-o", "json"], ["-o", "nagios", "--fail-on", "critical"], ["--output=checkmk"], ["-o", "openmetrics"],
    ["--set", "NP001.warning=5", "--set", "NP001.critical=9", "--config", "x.toml"], ["--fail-on", "warning"],
    ["--live", "--all-netns", "--interval", "0.5"], ["--live", "--interval", "2"], ["--interval", "0.1", "--live"],
    ["a", "-o", "text", "b", "-o", "json"], ["--set", "-x", "--config", "--live"], [""],
])
def test_quick_arguments_are_typers(argv: list[str]) -> None:
    """The plain parse gives the values typer gives ``analyze_command`` (the last of a repeated
    option, the repeatable ``--set`` in order, files between options)."""
    assert quick_arguments(argv, analyze_run.OPTIONS, positionals="files") == typer_parse("analyze", argv)


@pytest.mark.parametrize("argv", [
    ["--help"], ["-o", "JSON"], ["-o", "xml"], ["--fail-on", "info"], ["--interval", "0.05"], ["--interval", "nan"],
    ["--interval", "1e-1"], ["--interval", "\u0661"], ["--bogus"], ["--live=yes"], ["--", "file"], ["-oj"],
    ["-o"], ["--set"], ["-x"],
])
def test_quick_arguments_leave_the_rest_to_typer(argv: list[str]) -> None:
    assert quick_arguments(argv, analyze_run.OPTIONS, positionals="files") is None


def test_answer_leaves_an_unknown_format_to_typer(capsys) -> None:
    """typer words an unknown format as a usage error of --format: left to it, before any output."""
    assert analyze_run.answer(["-f", "nonesuch", str(SS)]) is False
    assert analyze_run.answer(["-o", "nagios", "--format", "ss-nope"]) is False
    assert capsys.readouterr() == ("", "")


# -- the quick route is the typer route --------------------------------------------------------

def _run(route: str, argv: list[str], stdin, cwd: Path, prefix: tuple[str, ...] = ()) -> tuple[int, bytes, bytes, bool]:
    """(exit code, stdout, stderr, whether typer was imported) of ``netparse analyze ARGV`` by ``route``."""
    return run_route(route, ["analyze", *argv], stdin, cwd, prefix)


def _both(argv: list[str], stdin_path: Path | None, cwd: Path, prefix: tuple[str, ...] = ()):
    results = []
    for route in ("quick", "typer"):
        if stdin_path is None:
            results.append(_run(route, argv, subprocess.DEVNULL, cwd, prefix))
        else:
            with stdin_path.open("rb") as f:
                results.append(_run(route, argv, f, cwd, prefix))
    return results


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    here = tmp_path_factory.mktemp("analyze-fast")
    (here / "empty.txt").write_bytes(b"")
    (here / "garbage.txt").write_text("hello\nworld\n")
    (here / "bad.toml").write_text("[rules.close-wait-leak\nwarning = \n")
    (here / "unknown-key.toml").write_text("[rules.close-wait-leak]\nnonesuch = 1\n")
    (here / "good.toml").write_text("[rules.close-wait-leak]\nwarning = 3\n")
    unreadable = here / "unreadable.txt"  # for anyone but root
    unreadable.write_text(SS.read_text())
    unreadable.chmod(0)
    if Path("/proc/self/mem").exists():  # a read error for root too (EIO: nothing mapped at 0)
        unreadable = Path("/proc/self/mem")
    return {p.stem: p for p in here.iterdir()} | {"dir": here, "unreadable": unreadable}


#: (argv, standard input, exit code): every -o, --fail-on, --set, --config (good, bad, unknown
#: key, missing), unknown format, unreadable and missing files, empty input, input that is no
#: listing, a log, several files, --live with a file; then what typer parses
CASES = [
    ([], SS, 0), (["-o", "text"], PROBLEMS, 0), (["-o", "json"], PROBLEMS, 0), (["-o", "nagios"], PROBLEMS, 2),
    (["-o", "openmetrics"], PROBLEMS, 0), (["-o", "checkmk"], PROBLEMS, 0), (["--fail-on", "warning"], PROBLEMS, 4),
    (["--fail-on", "critical", "-o", "json"], PROBLEMS, 4), (["--fail-on", "critical"], SS, 0),
    (["--set", "NP001.warning=5", "-o", "nagios"], PROBLEMS, 2), (["--set", "NP001.nonesuch=1"], SS, 3),
    (["--set", "nonsense"], SS, 3), (["--set", "NP001.warning=x", "-o", "nagios"], SS, 3),
    (["--set", "NP001.warning=x", "-o", "checkmk"], SS, 3),
    (["--config", "{bad}"], SS, 3), (["--config", "{bad}", "-o", "nagios"], SS, 3),
    (["--config", "{unknown-key}"], SS, 3), (["--config", "{good}", "-o", "json"], PROBLEMS, 0),
    (["--config", "{missing}.toml"], SS, 3), (["--config", "{good}", "-o", "openmetrics"], PROBLEMS, 0),
    (["-f", "nonesuch"], SS, 2), (["-f", "nonesuch", "-o", "nagios"], SS, 3), (["-f", "ss", str(SS)], None, 0),
    (["-f", "linux-netstat", str(SS)], None, 1),
    (["{unreadable}"], None, 1), (["{missing}.txt"], None, 1), (["{unreadable}", "-o", "nagios"], None, 3),
    (["{missing}.txt", "-o", "checkmk"], None, 3), (["{missing}.txt", str(SS)], None, 1), (["{dir}"], None, 1),
    ([], "{empty}", 1), (["-o", "json"], "{empty}", 1), (["-o", "nagios"], "{empty}", 3), ([], "{garbage}", 1),
    (["-"], "{garbage}", 1), ([str(LOG)], None, 0), ([str(LOG), "-o", "json"], None, 0),
    ([str(LOG), "-o", "openmetrics"], None, 0), ([str(SS), str(NETSTAT), str(PROBLEMS)], None, 0),
    ([str(SS), "-", str(NETSTAT)], PROBLEMS, 0), ([str(SS), str(NETSTAT), "-o", "checkmk"], None, 0),
    ([str(SS), str(NETSTAT), "-o", "nagios"], None, 1),
    (["--live", str(SS)], None, 2), (["--live", str(SS), "-o", "nagios"], None, 3),
    (["-o", "xml"], SS, 2), (["--fail-on", "info"], SS, 2), (["--help"], None, 0), (["--bogus"], SS, 2),
    (["--interval", "0"], SS, 2),
]


def _fill(word: str, inputs: dict[str, Path]) -> str:
    return word.format(**{k: str(v) for k, v in inputs.items()}, missing=str(inputs["dir"] / "missing"))


@pytest.mark.parametrize("argv, stdin, expected", CASES,
                         ids=lambda x: " ".join(x) if isinstance(x, list) else getattr(x, "name", str(x)))
def test_the_quick_route_prints_what_typer_prints(argv, stdin, expected, inputs) -> None:
    """The same stdout, stderr and exit code through the console script as through the typer
    app; the console script without typer when the plain parse takes the command line."""
    argv = [_fill(a, inputs) for a in argv]
    stdin_path = Path(_fill(stdin, inputs)) if isinstance(stdin, str) else stdin
    (code, out, err, loaded), (typer_code, typer_out, typer_err, _) = _both(argv, stdin_path, inputs["dir"])
    assert (code, out.decode(), err.decode()) == (typer_code, typer_out.decode(), typer_err.decode())
    taken = quick_arguments(argv, analyze_run.OPTIONS, positionals="files")
    known = taken is not None and taken["format"] != "nonesuch"
    assert loaded is not known, (argv, err)  # typer only for what the plain parse leaves to it
    assert code == expected, err
    assert out or err  # every ending says something


def test_no_input_on_a_terminal_is_the_same_usage_message(inputs) -> None:
    """Standard input a terminal and no file named: 'no input: pipe a listing in ...', exit 2,
    on both routes."""
    leader, follower = os.openpty()
    try:
        for argv in ([], ["-o", "nagios"], ["-o", "checkmk"]):
            (code, out, err, loaded), typers = _both_on(argv, follower, inputs["dir"])
            assert (code, out, err) == typers[:3]
            assert not loaded
        assert b"no input: pipe a listing in" in _both_on([], follower, inputs["dir"])[0][2]
    finally:
        os.close(leader)
        os.close(follower)


def _both_on(argv: list[str], fd: int, cwd: Path):
    return [_run(route, argv, fd, cwd) for route in ("quick", "typer")]


def _need_netns() -> tuple[str, ...]:
    unshare = shutil.which("unshare")
    if not (sys.platform.startswith("linux") and os.geteuid() == 0 and unshare):
        if CI:
            pytest.fail("CI must run the live tests as root on Linux")
        pytest.skip("needs root on Linux (unshare -n)")
    return (unshare, "-n")


@pytest.mark.parametrize("argv", [
    ["--live", "-o", "nagios"], ["--live", "-o", "checkmk"], ["--live", "--interval", "0.1", "-o", "nagios"],
    ["--live", "-o", "nagios", "--fail-on", "warning"], ["--live", "--config", "{bad}", "-o", "nagios"],
])
def test_live_in_an_empty_namespace_is_the_same_answer(argv, inputs) -> None:
    prefix = _need_netns()
    argv = [_fill(a, inputs) for a in argv]
    (code, out, err, loaded), (typer_code, typer_out, typer_err, _) = _both(argv, None, inputs["dir"], prefix)
    assert (code, out, err) == (typer_code, typer_out, typer_err)
    assert not loaded and out, err
    assert code == (3 if "--config" in argv else 0)
