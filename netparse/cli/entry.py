"""The ``netparse`` command's entry point (``netparse.cli:run``, ``python -m netparse``).

The plain pipe, ``netstat -an | netparse`` with no argument, is answered here without typer:
the typer app (:mod:`netparse.cli.app`) is built, and its options parsed, only for a command
line that has something to parse, for ``netparse`` on a terminal (live) and for shell
completion. The pipe behaves as typer's default command does (the same output and exit
codes, :func:`netparse.cli.pipe.bare` is what both run; ``tests/test_startup.py`` compares them).
"""

from __future__ import annotations

import errno
import os
import sys

from .exits import guarded, silence_stdout


def run() -> None:
    """Console-script entry point: never a traceback for bad input or a closed pipe (see
    :func:`netparse.cli.exits.guarded`)."""
    if _plain_pipe(sys.argv[1:]):
        guarded(_pipe)
        return
    from .app import run as typer_run

    typer_run()


def _plain_pipe(argv: list[str]) -> bool:
    """No argument, standard input not a terminal, no shell-completion request."""
    if argv or sys.stdin is None:
        return False
    if any(name.endswith("_COMPLETE") for name in os.environ):  # click's completion protocol
        return False
    try:
        return not sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _pipe() -> None:
    """:func:`netparse.cli.pipe.bare` with what typer's standalone mode does around a command:
    its ``Exit`` as the exit code, a closed output pipe as exit 1 in silence, Ctrl-C as 130,
    end of input at a prompt as 'Aborted!'."""
    from .pipe import bare

    try:
        bare()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(1) from None
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        silence_stdout()  # typer: later flushes of a closed pipe are ignored
        raise SystemExit(1) from None
    except Exception as exc:
        typer = sys.modules.get("typer")  # findings raise typer's Exit for a bad config
        if typer is not None and isinstance(exc, typer.Exit):
            raise SystemExit(exc.exit_code) from None
        raise
