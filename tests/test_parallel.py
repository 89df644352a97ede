"""--jobs: several files parsed in worker processes give the in-process output, in input order;
a broken file is reported, skipped, and makes the exit code 1."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app
from netparse.scale.pool import Failure, run_ordered, use_pool

ROOT = Path(__file__).resolve().parent.parent
LINUX = sorted(str(p) for p in (ROOT / "samples" / "linux").glob("*.txt"))[:12]
LOGS = str(ROOT / "samples" / "logs")
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def _square(name: str, bump: int) -> int:
    if name == "boom":
        raise OSError(5, "Input/output error")
    return int(name) ** 2 + bump


def test_run_ordered_keeps_input_order_and_reports_failures() -> None:
    names = [str(i) for i in range(20)] + ["boom", "3"]
    results = list(run_ordered(_square, names, 3, 1))
    assert [n for n, _ in results] == names
    assert [r for _, r in results if not isinstance(r, Failure)] == [i * i + 1 for i in range(20)] + [10]
    failure = results[20][1]
    assert isinstance(failure, Failure) and failure.message == "cannot read boom: Input/output error"


def test_use_pool_only_for_several_named_files() -> None:
    assert use_pool(2, ["a", "b"])
    assert not use_pool(1, ["a", "b"])
    assert not use_pool(4, ["a"])
    assert not use_pool(4, ["a", "-"])


@pytest.mark.parametrize("output", ["jsonl", "json", "csv", "table"])
def test_parse_same_output_with_one_and_two_jobs(output: str) -> None:
    one = invoke("parse", "-o", output, "--jobs", "1", *LINUX, LOGS)
    two = invoke("parse", "-o", output, "--jobs", "2", *LINUX, LOGS)
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and one.stdout
    assert one.stderr == two.stderr


def test_parse_issues_and_filters_same_with_two_jobs() -> None:
    args = ("parse", "-o", "jsonl", "--show-issues", "--state", "established", *LINUX)
    one, two = invoke(*args, "-j", "1"), invoke(*args, "-j", "2")
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert all(json.loads(line)["state"] == "ESTABLISHED" for line in two.stdout.splitlines())


def test_timeline_same_with_one_and_two_jobs() -> None:
    files = [LOGS, str(ROOT / "samples" / "logs" / "hosts"), *LINUX]
    for extra in ([], ["--by", "port", "--top", "3"], ["--by", "process"]):
        one = invoke("timeline", "-o", "csv", "--jobs", "1", *extra, *files)
        two = invoke("timeline", "-o", "csv", "--jobs", "2", *extra, *files)
        assert one.exit_code == two.exit_code == 0
        assert one.stdout == two.stdout and len(one.stdout.splitlines()) > 10


@pytest.fixture
def broken(tmp_path: Path) -> str:
    path = tmp_path / "broken.log.gz"
    data = gzip.compress((ROOT / "samples" / "logs" / "linux-iso-ss.log").read_bytes())
    path.write_bytes(data[:-40])  # truncated
    return str(path)


def test_parse_skips_broken_file_in_the_middle(broken: str) -> None:
    files = [LINUX[0], broken, LINUX[1]]
    result = invoke("parse", "-o", "jsonl", "--jobs", "2", *files)
    assert result.exit_code == 1
    assert f"cannot read {broken}: corrupt or truncated compressed data (Compressed file ended" in result.stderr
    assert "Traceback" not in result.stderr
    good = invoke("parse", "-o", "jsonl", "--jobs", "2", LINUX[0], LINUX[1])
    # the others all there, in order; the records read from the broken file before its error
    # between them (one failure policy for every --jobs, issue 13), exactly as in one process
    lines, wanted = result.stdout.splitlines(), good.stdout.splitlines()
    assert wanted and [line for line in lines if '"source": "' + broken + '"' not in line] == wanted
    assert result.stdout == invoke("parse", "-o", "jsonl", "--jobs", "1", *files).stdout


def test_timeline_skips_broken_file(broken: str) -> None:
    files = [str(ROOT / "samples" / "logs" / "linux-iso-ss.log"), broken, str(ROOT / "samples" / "logs" / "hosts")]
    result = invoke("timeline", "-o", "csv", "--jobs", "2", *files)
    assert result.exit_code == 1
    assert "cannot read" in result.stderr and "broken.log.gz" in result.stderr
    good = invoke("timeline", "-o", "csv", "--jobs", "2", files[0], files[2])
    # every row of the good files, plus the snapshots read from the broken one before its error
    # (one failure policy for every --jobs, issue 13), exactly as in one process
    rows = [r for r in result.stdout.splitlines() if "broken.log.gz" not in r]
    assert rows == good.stdout.splitlines() and len(rows) > 1
    assert result.stdout == invoke("timeline", "-o", "csv", "--jobs", "1", *files).stdout


def test_one_job_reports_broken_file_and_reads_on(broken: str) -> None:
    result = invoke("parse", "-o", "jsonl", "--jobs", "1", LINUX[0], broken, LINUX[1])
    assert result.exit_code == 1
    assert f'"source": "{LINUX[1]}"' in result.stdout
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_unknown_format_is_usage_error_with_jobs() -> None:
    result = invoke("parse", "-o", "jsonl", "--jobs", "2", "--format", "nope", *LINUX[:3])
    assert result.exit_code == 2


def test_strict_stops_at_first_bad_file_with_jobs() -> None:
    one = invoke("parse", "-o", "jsonl", "--strict", "--jobs", "1", *LINUX, LOGS)
    two = invoke("parse", "-o", "jsonl", "--strict", "--jobs", "2", *LINUX, LOGS)
    assert one.exit_code == two.exit_code
    assert "Traceback" not in two.stderr
    if one.exit_code == 1:
        assert two.stderr.splitlines()[-1] == one.stderr.splitlines()[-1]
