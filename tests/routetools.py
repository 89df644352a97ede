"""What the tests of a command answered without typer share (``tests/test_analyze_fast.py``,
``tests/test_parse_fast.py``): the values typer's parse gives a command, an annotation's enum
choices, and one command line run as a subprocess through the console script (the quick route)
or through the typer app."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from enum import Enum
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def typer_parse(command: str, argv: list[str]) -> dict:
    """The parameters typer calls ``command`` with for ``argv`` (enums as their words, lists as lists)."""
    from typer.main import get_command

    from netparse.cli.app import app

    params = get_command(app).commands[command].make_context(command, list(argv)).params
    values = {k: v.value if isinstance(v, Enum) else v for k, v in params.items()}
    values["files"] = list(values["files"]) or None
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def choices(annotation) -> tuple[str, ...] | None:
    """The words of the enum ``annotation`` is (or holds, ``Optional[Enum]``), or None."""
    for kind in (annotation, *typing.get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, Enum):
            return tuple(member.value for member in kind)
    return None


_ROUTE = """
import sys
route = sys.argv.pop(1)
sys.argv[0] = "netparse"
if route == "typer":
    from netparse.cli.app import run  # the typer app for every command line
else:
    from netparse.cli import run  # the console script
try:
    run()
finally:
    sys.stdout.flush()
    sys.stderr.write("\\nTYPER " + str("typer" in sys.modules))
"""


def run_route(route: str, argv: list[str], stdin, cwd: Path, prefix: tuple[str, ...] = (),
              columns: str = "100") -> tuple[int, bytes, bytes, bool]:
    """(exit code, stdout, stderr, whether typer was imported) of ``netparse ARGV`` by ``route``
    (``quick``: the console script; ``typer``: the typer app), under ``prefix`` (``unshare -n``)."""
    done = subprocess.run([*prefix, sys.executable, "-c", _ROUTE, route, *argv], stdin=stdin, capture_output=True,
                          cwd=cwd, timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": columns})
    err, _, loaded = done.stderr.rpartition(b"\nTYPER ")
    return done.returncode, done.stdout, err, loaded == b"True"


def typer_options(command, kinds: dict[str, str]) -> list[tuple]:
    """The typer ``command``'s options as rows of an ``Option`` table (name, words, kind by
    ``kinds`` of the annotation's name, default, minimum, choices); its first parameter, the
    files, is checked to be the one argument (no default)."""
    import inspect

    parameters = inspect.signature(command, eval_str=True).parameters
    files = parameters["files"].default
    assert type(files).__name__ == "ArgumentInfo" and files.default is None
    rows = []
    for name, param in list(parameters.items())[1:]:
        info = param.default
        annotation = param.annotation
        shown = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
        spelled = str(annotation).replace("typing.", "").replace(command.__module__ + ".", "")
        default = info.default.value if isinstance(info.default, Enum) else info.default
        rows.append((name, tuple(info.param_decls), kinds[shown or spelled], default, getattr(info, "min", None),
                     choices(annotation)))
    return rows
