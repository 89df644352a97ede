"""The package's shape, checked from its source with ``ast``: no import circles between modules,
no ``_private`` name imported from another module, worker processes free of typer and rich,
the CLI's start-up free of the heavy libraries; and a bug inside a rule is reported as a bug,
never as a bad ``--format``."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "netparse"
SAMPLE = ROOT / "samples" / "linux" / "corpus-linux_nettools_netstat-antp.txt"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, list[str], int, bool]]:
    """(imported module, names taken, line, at module level?) for every netparse import in
    ``path``, ``from X import y`` resolved to the module ``X.y`` when that is a module. Imports
    under ``if TYPE_CHECKING:`` are left out (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if not target.startswith("netparse"):
                    continue
                names = [a.name for a in child.names]
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
                for sub in submodules:
                    found.append((sub, [], child.lineno, top))
                rest = [n for n in names if f"{target}.{n}" not in modules]
                if rest or not submodules:
                    found.append((target, rest, child.lineno, top))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("netparse"):
                        found.append((alias.name, [], child.lineno, top))
            else:
                inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, inner)

    visit(tree, True)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, _, _, _ in _imports(name, path, modules):
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_the_walker_sees_the_imports() -> None:
    graph = _graph()
    assert "netparse.parser" in graph["netparse.api"]
    assert "netparse.rules.registry" in graph["netparse.rules.config"]
    assert "netparse.filters" in graph["netparse.scale.pool"]
    # a package __init__ that imports its parts depends on them
    assert "netparse.logs.reader" in graph["netparse.logs"]


def test_a_planted_circle_is_found() -> None:
    graph = _graph()
    graph["netparse.model"] = graph["netparse.model"] | {"netparse.api"}
    assert any("netparse.model" in c and "netparse.api" in c for c in _cycles(graph))


def test_no_import_circles() -> None:
    # every import counts, also those inside functions: a circle hidden in a function is a circle
    assert _cycles(_graph()) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    modules = _modules()
    bad = []
    for name, path in modules.items():
        for target, names, line, _ in _imports(name, path, modules):
            for n in names:
                if n.startswith("_") and not n.startswith("__") and target != name:
                    bad.append(f"{path.relative_to(ROOT)}:{line}: {n} from {target}")
    assert bad == []


def _loaded_after(code: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    )
    return set(json.loads(out.stdout))


def test_worker_processes_load_neither_typer_nor_rich() -> None:
    loaded = _loaded_after(
        "from netparse.scale.pool import parse_file_job, timeline_job\n"
        "import tempfile, pathlib\n"
        f"d = tempfile.mkdtemp(); r = parse_file_job({str(SAMPLE)!r}, d, 'auto', False, None, ([], [80], [], []), True)\n"
        "list(r.lines())\n"
        f"timeline_job({str(SAMPLE)!r}, 'auto', 'port', None)"
    )
    assert not {m for m in loaded if m.split(".")[0] in ("typer", "rich", "click")}


def test_cli_start_up_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import netparse.cli")
    heavy = {m.split(".")[0] for m in loaded} & {"pydantic", "pyparsing", "rich"}
    assert heavy == set(), "netparse --help would pay for these: import them inside the commands"


def test_every_error_raised_on_purpose_derives_from_netparse_error() -> None:
    import netparse.errors as errors

    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, BaseException)]
    assert len(classes) >= 10
    assert all(issubclass(c, errors.NetparseError) for c in classes)
    # and nothing outside errors.py defines an exception class
    stray = []
    for name, path in _modules().items():
        if name == "netparse.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(b).endswith(("Error", "Exception")) for b in node.bases
            ):
                stray.append(f"{name}.{node.name}")
    assert stray == []


def test_an_unknown_format_is_its_own_error() -> None:
    import netparse
    from netparse.errors import NetparseError, UnknownFormatError

    with pytest.raises(UnknownFormatError) as info:
        netparse.parse("x", format="no-such-format")
    assert isinstance(info.value, NetparseError) and isinstance(info.value, KeyError)  # old code catching KeyError still works
    assert str(info.value).startswith("unknown format 'no-such-format'; known formats: ")


def _plant_key_error(monkeypatch) -> None:
    from netparse.rules import get_rule

    rule = get_rule("NP001")

    def broken(facts, settings):
        raise KeyError("planted")

    monkeypatch.setattr(type(rule), "check", lambda self, facts, settings: broken(facts, settings))


def test_a_key_error_inside_a_rule_is_not_a_format_problem(monkeypatch) -> None:
    from netparse.cli import app
    from netparse.errors import RuleError

    _plant_key_error(monkeypatch)
    result = CliRunner().invoke(app, ["analyze", str(SAMPLE)])
    assert result.exit_code != 2
    assert "--format" not in result.output and "Invalid value" not in result.output
    assert isinstance(result.exception, RuleError)
    assert "rule NP001 close-wait-leak failed: KeyError: 'planted'" in str(result.exception)
    assert isinstance(result.exception.__cause__, KeyError)

    nagios = CliRunner().invoke(app, ["analyze", "-o", "nagios", str(SAMPLE)])
    assert nagios.exit_code == 3 and nagios.stdout.startswith("NETPARSE UNKNOWN - internal error: rule NP001")


def test_a_bug_is_one_line_and_exit_70_through_the_entry_point() -> None:
    code = (
        "from netparse.rules import get_rule\n"
        "rule = get_rule('NP001')\n"
        "def broken(self, facts, settings): raise KeyError('planted')\n"
        "type(rule).check = broken\n"
        "import sys; sys.argv = ['netparse', 'analyze', sys.argv[1]]\n"
        "from netparse.cli import run; run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NETPARSE_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, env=env)
    assert proc.returncode == 70
    assert "Traceback" not in proc.stderr and "--format" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "netparse: internal error: rule NP001 close-wait-leak failed: KeyError: 'planted' "
        "(a bug in netparse; NETPARSE_DEBUG=1 shows the traceback)"
    ]


def test_the_architecture_map_matches_the_tree() -> None:
    import re

    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    files = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    missing = []
    for p in files:
        rel = p.relative_to(PACKAGE)
        if rel.parent.name == "rules" and re.match(r"np\d{3}_", p.name):
            continue  # covered by the `npNNN_<name>.py` line
        if p.name == "__init__.py" and rel.parent != Path(".") and f"`{rel.parent.as_posix()}/`" in doc:
            continue  # a package's registry or loader is named in its section
        if f"`{p.name}`" not in doc:
            missing.append(rel.as_posix())
        if rel.parent != Path(".") and f"`{rel.parent.as_posix()}/`" not in doc:
            missing.append(f"{rel.parent.as_posix()}/")
    assert missing == [], "docs/ARCHITECTURE.md does not name these"
    named = set(re.findall(r"`(\w+\.py)`", doc))
    existing = {p.name for p in files}
    assert named - existing == set(), "docs/ARCHITECTURE.md names modules that do not exist"


EDGE_LOG = (
    "=== 9999-12-31T23:59:00-14:00\n"
    "tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN\n"
    "=== 0001-01-01T00:30:00+14:00\n"
    "tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN\n"
)


@pytest.mark.parametrize(
    "args",
    [["timeline"], ["analyze"], ["summary"], ["diff", "--to", "9999-12-31"], ["parse", "-o", "parquet", "--out", "{out}"]],
)
def test_timestamps_at_the_edges_of_datetime(tmp_path, args) -> None:
    from netparse.cli import app

    log = tmp_path / "edge.log"
    log.write_text(EDGE_LOG)
    argv = [a.replace("{out}", str(tmp_path / "pq")) for a in args] + [str(log)]
    result = CliRunner().invoke(app, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    if args[0] == "timeline":  # in time order: year 1 (+14:00) first; years padded
        assert result.stdout.index("0001-01-01 00:30:00+14:00") < result.stdout.index("9999-12-31 23:59:00-14:00")
    if args[0] == "parse":
        import pandas as pd

        stamps = sorted(pd.read_parquet(tmp_path / "pq")["timestamp"].astype(str))
        assert stamps == ["0000-12-31 10:30:00", "10000-01-01 13:59:00"]


def test_time_key_orders_aware_and_naive_times() -> None:
    from datetime import datetime, timedelta, timezone

    from netparse.clock import time_key

    east = timezone(timedelta(hours=14))
    west = timezone(timedelta(hours=-14))
    late = datetime(9999, 12, 31, 23, 59, tzinfo=west)
    early = datetime(1, 1, 1, 0, 30, tzinfo=east)
    naive = datetime(2026, 11, 24, 19, 11, 4)
    utc = datetime(2026, 11, 24, 19, 11, 4, tzinfo=timezone.utc)
    assert time_key(early) < time_key(naive) == time_key(utc) < time_key(late)
    assert time_key(datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))) == time_key(datetime(2026, 1, 1))
    half = timezone(timedelta(hours=5, minutes=30, microseconds=1))
    assert time_key(datetime(2026, 1, 1, 5, 30, 0, 0, tzinfo=half)) == (time_key(datetime(2025, 12, 31, 23, 59, 59))[0], 999999)


def _netparse(*args: str, stdin=None, stdout=None, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "netparse", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=env, **kw)


def test_a_full_disk_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "w") as full:
        proc = _netparse("parse", "-o", "jsonl", str(SAMPLE), stdout=full)
    assert proc.returncode == 1
    assert proc.stderr == "netparse: cannot write output: No space left on device\n"


def test_closed_standard_streams() -> None:
    closed_out = _netparse("parse", str(SAMPLE), stdout=None, stdin=subprocess.DEVNULL, close_fds=True,
                           preexec_fn=lambda: os.close(1))
    assert closed_out.returncode == 1
    assert closed_out.stderr == "netparse: standard output is closed: nowhere to write\n"
    closed_in = _netparse("parse", stdout=subprocess.PIPE, preexec_fn=lambda: os.close(0))
    assert closed_in.returncode == 1
    assert closed_in.stderr == "netparse: cannot read -: standard input is closed\n"


def test_config_values_that_lax_validation_would_take(tmp_path) -> None:
    from netparse.cli import app

    deep = "[" * 3000 + "]" * 3000
    result = CliRunner().invoke(app, ["analyze", "--set", f"NP001.warning={deep}", str(SAMPLE)])
    assert result.exit_code == 3 and "nested too deeply" in result.stderr
    result = CliRunner().invoke(app, ["analyze", "--set", "NP002.threshold=true", str(SAMPLE)])
    assert result.exit_code == 3
    assert "invalid value for NP002.threshold in --set NP002.threshold=true: expected a number, got true" in result.stderr
    (tmp_path / "netparse.toml").write_text(f"[rules.NP001]\nwarning = {deep}\n")
    result = CliRunner().invoke(app, ["analyze", "--config", str(tmp_path / "netparse.toml"), str(SAMPLE)])
    assert result.exit_code == 3 and "nested too deeply" in result.stderr
    (tmp_path / "netparse.toml").write_text("[rules.NP001]\nwarning = [[[[[[[[[[1]]]]]]]]]]\n")
    result = CliRunner().invoke(app, ["analyze", "--config", str(tmp_path / "netparse.toml"), str(SAMPLE)])
    assert result.exit_code == 3 and "NP001.warning" in result.stderr and "nested more than 8 levels" in result.stderr
    # a boolean where a boolean belongs is fine
    result = CliRunner().invoke(app, ["analyze", "--set", "NP002.enabled=false", str(SAMPLE)])
    assert result.exit_code == 0, result.stderr
