"""What the command modules share (kept tiny: it is imported for --help too)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import typer

#: exit codes every command shares (analyze adds 3 and 4)
EXIT_INPUT, EXIT_USAGE = 1, 2


def err(message: str) -> None:
    """One diagnostic line on stderr: the CLI's only way to talk about problems."""
    sys.stderr.write(f"netparse: {message}\n")


@contextmanager
def input_errors(name: str = "") -> Iterator[None]:
    """Reading problems become one stderr line and an exit code: an unknown ``--format`` is a
    usage error (2); an unreadable input (missing file, corrupt compressed data) or ``--strict``
    meeting a bad line is an input error (1). Never a traceback."""
    from ..errors import ParseError

    try:
        yield
    except KeyError as exc:
        err(str(exc.args[0]))
        raise typer.Exit(EXIT_USAGE) from None
    except ParseError as exc:
        err(f"{name}: {exc}" if name else str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        where = getattr(exc, "filename", None) or name
        err(f"cannot read {where}: {exc.strerror or exc}" if where else f"cannot read input: {exc}")
        raise typer.Exit(EXIT_INPUT) from None


def expand_or_exit(files: list[str]) -> list[str]:
    """Globs and directories to file names (``-`` kept), or exit 1 naming what is missing."""
    from ..inputs.files import InputError, expand

    try:
        return expand(files)
    except InputError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
