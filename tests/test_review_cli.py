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
