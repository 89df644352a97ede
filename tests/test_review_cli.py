"""Review: command lines the typer-free `live` parse must leave to typer (typer rejects them)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("argv", [
    ["--interval", "nan"], ["--interval", "-NaN"], ["--watch", "nan"], ["--count", "\u0661"],
    ["--pid", "\u0661\u0662"], ["--interval", "\u0661.5"], ["--count", "\uff11"],
])
def test_numbers_typer_rejects_are_left_to_typer(argv) -> None:
    """typer (pydantic) refuses NaN for a bounded float and digits other than 0-9; the plain
    parse took them (`live --count 2 --interval nan` was an 'internal error', exit 70)."""
    from typer.main import get_command

    from netparse.cli.app import app
    from netparse.cli.live_quick import quick_arguments

    live = get_command(app).commands["live"]
    with pytest.raises(Exception, match="--|Input should|whole number|number"):
        live.make_context("live", list(argv))
    assert quick_arguments(list(argv)) is None


@pytest.mark.parametrize("argv", [["live", "-o", "jsonl"], ["live", "-o", "json"], ["live"],
                                  ["live", "-o", "jsonl", "--source", "proc"]])
def test_a_full_disk_is_a_write_error_not_unreadable_sockets(argv) -> None:
    """stdout on /dev/full: 'cannot write output' (as parse says), not 'cannot read this
    machine's sockets' (the write error was taken for a read error), exit 1."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "netparse", *argv], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(root)})
    assert res.returncode == 1
    assert res.stderr == "netparse: cannot write output: No space left on device\n", res.stderr
