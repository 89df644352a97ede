"""The ``netparse`` command's entry point (``netparse.cli:run``, ``python -m netparse``).

Four kinds of command line are answered here without typer, the typer app (:mod:`netparse.cli.app`)
being built, and its options parsed, only for the others:

* the plain pipe, ``netstat -an | netparse`` with no argument (:func:`netparse.cli.pipe.bare`,
  what typer's default command runs too; ``tests/test_startup.py`` compares them);
* one sample of ``netparse live`` as a table, JSON or JSON lines with plain options
  (:func:`netparse.cli.live_quick.answer`, which the typer command's single sample shares;
  anything it does not take goes to typer before any output);
* ``netparse analyze`` with plain options (:func:`netparse.cli.analyze_run.answer`: the typer
  command runs the same :func:`netparse.cli.analyze_run.run_analyze`; help, an unknown word, a
  bad value or an unknown format go to typer before any output);
* ``netparse parse`` with plain options (:func:`netparse.cli.parse_run.answer`: the typer
  command runs the same :func:`netparse.cli.parse_run.run_parse`; what typer words as a usage
  error goes to it before any output).

Each runs as typer's standalone mode runs a command (:func:`standalone`), inside
:func:`netparse.cli.exits.guarded`: the same exit codes whichever way a command line goes
(0 done; a closed output pipe 1 in silence; Ctrl-C 130; a bug 70).
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from .exits import guarded
from .pipe import bare


def run() -> None:
    """Console-script entry point: never a traceback for bad input or a closed pipe (see
    :func:`netparse.cli.exits.guarded`)."""
    guarded(_dispatch)


def _dispatch() -> None:
    argv = sys.argv[1:]
    if _plain_pipe(argv):
        standalone(bare)
        return
    route = _QUICK.get(argv[0]) if argv else None
    if route is not None and not _completing():
        import importlib

        quick = importlib.import_module(route, __package__).answer
        if standalone(lambda: quick(argv[1:])):
            return
    from .app import typer_main

    typer_main()


#: the commands answered without typer when their plain parse takes the command line: the
#: module whose ``answer(argv)`` does it (imported only for its command: the bare pipe loads none)
_QUICK: dict[str, str] = {"live": ".live_quick", "analyze": ".analyze_run", "parse": ".parse_run"}


def _completing() -> bool:
    return any(name.endswith("_COMPLETE") for name in os.environ)  # click's completion protocol


def _plain_pipe(argv: list[str]) -> bool:
    """No argument, standard input not a terminal, no shell-completion request."""
    if argv or sys.stdin is None or _completing():
        return False
    try:
        return not sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def standalone(call: Callable[[], object]) -> object:
    """``call()`` with what typer's standalone mode does around a command besides what
    :func:`netparse.cli.exits.guarded` does (a closed output pipe, Ctrl-C): its ``Exit`` as the
    exit code, end of input at a prompt as 'Aborted!'."""
    try:
        return call()
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(1) from None
    except Exception as exc:
        typer = sys.modules.get("typer")  # findings raise typer's Exit for a bad config
        if typer is not None and isinstance(exc, typer.Exit):
            raise SystemExit(exc.exit_code) from None
        raise
