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


#: a server per route that has imported what every command line of the route imports anyway
#: (pydantic, the models, the rules: never typer for the quick route) and forks one child per
#: command line: the child runs it as the console script would, from a fresh fork (about 0.1 s
#: instead of 0.6 s a process; the two tests run some 300 command lines). Requests and answers
#: go over two pipes; the child's standard streams are the request's files.
_SERVER = r"""
import json, os, sys, traceback
route = sys.argv[1]
if route == "typer":
    from netparse.cli.app import run  # the typer app for every command line
else:
    from netparse.cli import run  # the console script
import netparse.model, netparse.counters, netparse.logs.newest, netparse.rules.engine  # noqa: E401
from netparse.rules.registry import all_rules
all_rules()
assert route == "typer" or "typer" not in sys.modules
requests, answers = os.fdopen(int(sys.argv[2]), "r"), os.fdopen(int(sys.argv[3]), "w")
for line in requests:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the command line, as a process of its own would run it
        requests.close(); answers.close()
        for fd, path, flags in ((0, req["stdin"], os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_TRUNC),
                                (2, req["err"], os.O_WRONLY | os.O_TRUNC)):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        os.chdir(req["cwd"])
        os.environ["COLUMNS"] = req["columns"]
        sys.argv = ["netparse", *req["argv"]]
        try:
            run()
        finally:
            sys.stdout.flush()
            sys.stderr.write("\nTYPER " + str("typer" in sys.modules))
        raise SystemExit(0)  # (run() normally raises SystemExit itself; the interpreter exits as a process)
    _, status = os.waitpid(pid, 0)
    answers.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    answers.flush()
"""

_SERVERS: dict[str, tuple[subprocess.Popen, object, object]] = {}


def _server(route: str):
    got = _SERVERS.get(route)
    if got is not None and got[0].poll() is None:
        return got
    req_r, req_w = os.pipe()
    ans_r, ans_w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, route, str(req_r), str(ans_w)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, pass_fds=(req_r, ans_w), cwd="/",
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(req_r)
    os.close(ans_w)
    got = _SERVERS[route] = (proc, os.fdopen(req_w, "w"), os.fdopen(ans_r, "r"))
    return got


def run_route(route: str, argv: list[str], stdin, cwd: Path, prefix: tuple[str, ...] = (),
              columns: str = "100") -> tuple[int, bytes, bytes, bool]:
    """(exit code, stdout, stderr, whether typer was imported) of ``netparse ARGV`` by ``route``
    (``quick``: the console script; ``typer``: the typer app), under ``prefix`` (``unshare -n``).
    Standard input a file or ``subprocess.DEVNULL``: run in a child forked from the route's
    server (see ``_SERVER``); a terminal's fd or a ``prefix``: as a process of its own."""
    path = os.devnull if stdin is subprocess.DEVNULL else getattr(stdin, "name", None)
    if prefix or not isinstance(path, str):
        done = subprocess.run([*prefix, sys.executable, "-c", _ROUTE, route, *argv], stdin=stdin,
                              capture_output=True, cwd=cwd, timeout=180,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": columns})
        err, _, loaded = done.stderr.rpartition(b"\nTYPER ")
        return done.returncode, done.stdout, err, loaded == b"True"
    import json
    import select
    import tempfile

    proc, requests, answers = _server(route)
    with tempfile.TemporaryDirectory() as tmp:
        out, errs = Path(tmp, "out"), Path(tmp, "err")
        out.write_bytes(b"")
        errs.write_bytes(b"")
        requests.write(json.dumps({"argv": list(argv), "stdin": str(Path(path).resolve()), "out": str(out),
                                   "err": str(errs), "cwd": str(cwd), "columns": columns}) + "\n")
        requests.flush()
        ready, _, _ = select.select([answers], [], [], 180)
        if not ready:
            proc.kill()
            raise TimeoutError(f"netparse {' '.join(argv)} by {route}: no answer in 180 s")
        code = json.loads(answers.readline())
        err, _, loaded = errs.read_bytes().rpartition(b"\nTYPER ")
        return code, out.read_bytes(), err, loaded == b"True"


def quick_kind(annotation) -> str:
    """The plain parse's kind (``netparse.cli.quick.Option``) of a typer parameter's annotation:
    ``flag`` for bool, ``str``/``int``/``float``, ``list:`` of those for a list, a word (``str``)
    for an enum; ``Optional`` is its type's."""
    if choices(annotation) is not None:
        return "str"
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (list, typing.List):
        return "list:" + quick_kind(args[0])
    if args:  # Optional[X]
        (kind,) = args
        return quick_kind(kind)
    return "flag" if annotation is bool else annotation.__name__


def typer_options(command) -> list[tuple]:
    """The typer ``command``'s options as rows of an ``Option`` table (name, words, kind
    (:func:`quick_kind`), default, minimum, choices); a first parameter ``files``, when there
    is one, is checked to be the one argument (no default) and left out."""
    import inspect

    parameters = inspect.signature(command, eval_str=True).parameters
    params = list(parameters.items())
    if "files" in parameters:
        files = parameters["files"].default
        assert type(files).__name__ == "ArgumentInfo" and files.default is None and params[0][0] == "files"
        params = params[1:]
    rows = []
    for name, param in params:
        info = param.default
        annotation = param.annotation
        default = info.default.value if isinstance(info.default, Enum) else info.default
        rows.append((name, tuple(info.param_decls), quick_kind(annotation), default, getattr(info, "min", None),
                     choices(annotation)))
    return rows
