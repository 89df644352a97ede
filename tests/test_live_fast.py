"""``netparse live`` answered without typer and without pydantic (netparse/cli/live_quick.py,
netparse/cli/entry.py): its option table is typer's, its table and JSON are byte for byte what
the records' path (``live.collect.sample`` + ``Socket``) prints on the same sockets of this
machine, at 80 and 120 columns and piped; what it does not take goes to typer; a closed output
pipe ends every path with the same exit code.

The sockets are opened here on loopback (a listener with a full accept queue, a busy pair, a
half-closed pair, UDP on IPv6). Tests that need root fail (not skip) under CI=true when it is
missing."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netparse.cli import live_quick
from netparse.filters import socket_filter
from netparse.live import collect, stream
from netparse.output.records import record_json, write_json
from netparse.output.rowjson import row_text
from netparse.output.tables import render_table
from routetools import typer_options

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "linux" / "netstat-an.txt"
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()
CI = os.environ.get("CI") == "true"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def need_root() -> None:
    if not (LINUX and os.geteuid() == 0):
        if CI:
            pytest.fail("CI must run the live tests as root on Linux")
        pytest.skip("needs root on Linux")


@pytest.fixture(scope="module")
def opened():
    """Sockets on two loopback ports of this test's own; their states do not move while it runs."""
    need_root()
    keep = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    keep.append(listener)
    for _ in range(2):  # backlog 1, never accepted: a full accept queue
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        keep.append(c)
    busy = socket.socket(socket.AF_INET6)
    busy.bind(("::1", 0))
    busy.listen(8)
    busy_port = busy.getsockname()[1]
    a = socket.create_connection(("::1", busy_port))
    b, _ = busy.accept()
    a.sendall(b"x" * 100_000)
    half = socket.create_connection(("::1", busy_port))
    half_srv, _ = busy.accept()
    half.shutdown(socket.SHUT_WR)
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.bind(("::1", busy_port))
    keep += [busy, a, b, half, half_srv, udp]
    time.sleep(0.3)
    yield {"port": port, "busy_port": busy_port}
    for s in keep:
        s.close()


# -- the option table is typer's -------------------------------------------------------------

def test_the_option_table_is_the_typer_commands() -> None:
    """Every parameter of the typer ``live`` command, with its option words, kind, default and
    minimum (no choices: ``--output`` is a word the command checks), is in OPTIONS, and nothing
    else."""
    from netparse.cli.live import live_command

    assert list(live_quick.OPTIONS) == typer_options(live_command)


# -- the same bytes as the records' path, on this machine's sockets -------------------------

def _both(ports: list[int], states=None, **options):
    """The records' path (sample(): validated Sockets) and the row path (Stream), on the same
    sockets, filtered as the command filters them."""
    keep = socket_filter([s.value for s in states or ()], ports)
    live = collect.sample(states=states, ports=ports, **options)
    sockets = [s for s in live.snapshot.sockets if keep(s)]
    rows = list(stream.Stream(query=stream.Query(states, ports), keep=keep, **options))
    return sockets, rows


@pytest.mark.parametrize("width", [80, 120, None])
@pytest.mark.parametrize("which", ["all", "listen", "established", "info"])
def test_the_table_from_rows_is_the_models(opened, which: str, width, capsys) -> None:
    from netparse.states import TcpState

    ports = [opened["port"], opened["busy_port"]]
    states = {"listen": {TcpState.LISTEN}, "established": {TcpState.ESTABLISHED}}.get(which)
    sockets, rows = _both(ports, states, info=which == "info", owners=which != "info")
    assert len(rows) == len(sockets) >= (2 if states else 8)
    old, new = io.StringIO(), io.StringIO()
    render_table(sockets, old, width=width)
    old_note = capsys.readouterr().err
    render_table((stream.Row(r) for r in rows), new, width=width)
    assert new.getvalue() == old.getvalue()
    assert capsys.readouterr().err == old_note  # Recv-Q/Send-Q left out at 80 columns, said the same way
    if width == 80 and not states:  # the remote addresses make the rows wider than 80
        assert "left out to fit 80 columns" in old_note
    # -o json: the same document (the time-dependent tcp_info fields aside, read twice)
    if which != "info":
        old, new = io.StringIO(), io.StringIO()
        write_json((record_json(s) for s in sockets), old)
        write_json((row_text(r) for r in rows), new)
        assert new.getvalue() == old.getvalue()


def test_the_cli_table_and_json_are_the_records_paths(opened) -> None:
    """The command itself, the fast path (the console script) against the records' path (sample()
    validated, as every run drew the table before), piped."""
    port, busy = opened["port"], opened["busy_port"]
    code = ("import io, sys\n"
            "from netparse.cli import live_quick\n"
            "from netparse.live.collect import sample\n"
            "from netparse.output.records import record_json, write_json\n"
            "from netparse.output.tables import render_table\n"
            "out = sys.argv[1]; ports = [int(p) for p in sys.argv[2:]]\n"
            "s = [x for x in sample(ports=ports).snapshot.sockets if x.local_port in ports or x.remote_port in ports]\n"
            "(render_table(s, sys.stdout) if out == 'table' else write_json((record_json(x) for x in s), sys.stdout))\n")
    for out in ("table", "json"):
        model = subprocess.run([sys.executable, "-c", code, out, str(port), str(busy)], capture_output=True,
                               text=True, env=ENV, timeout=60)
        fast = subprocess.run([sys.executable, "-m", "netparse", "live", "-o", out, "--port", str(port), "--port",
                               str(busy)], capture_output=True, text=True, env=ENV, timeout=60, cwd="/tmp")
        assert fast.returncode == 0 and fast.stderr == "", fast.stderr
        assert fast.stdout == model.stdout and model.stdout.count("\n") >= 9, model.stderr


# -- what loads -------------------------------------------------------------------------------

_MODULES = """
import sys
sys.argv = ["netparse", *sys.argv[1:]]
from netparse.cli import run
try:
    run()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("LOADED", code, *sorted({m.split(".")[0] for m in sys.modules} & {"typer", "click", "pydantic", "rich",
      "pyparsing"} | {m for m in sys.modules if m in ("netparse.model", "netparse.grammars")}),
      file=sys.stderr)
"""


def _loaded(*argv: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    done = subprocess.run([sys.executable, "-c", _MODULES, *argv], capture_output=True, text=True, env=ENV,
                          timeout=60, stdin=subprocess.DEVNULL)
    return done, done.stderr.rpartition("LOADED ")[2].split()


@pytest.mark.parametrize("argv", [
    ["live", "-o", "jsonl"], ["live", "-o", "jsonl", "--no-owners"], ["live", "--state", "listen"],
    ["live", "-o", "json", "--port", "ssh", "--info"], ["live", "--port=22", "--state", "LISTEN", "--proto", "tcp"],
    ["live", "-o", "jsonl", "--pid", "1", "--show-issues", "--unix"],
])
def test_plain_live_loads_neither_typer_nor_pydantic(argv, opened) -> None:
    done, loaded = _loaded(*argv)
    assert loaded == ["0"], done.stderr


@pytest.mark.parametrize("argv, code", [
    (["live", "-o", "csv", "--port", "1"], 0), (["live", "--count", "0"], 2), (["live", "--port", "nope"], 2),
    (["live", "--state", "bogus"], 2), (["live", "--bogus"], 2), (["live", "--help"], 0),
    (["live", "-o", "xml"], 2),
])
def test_the_rest_goes_to_typer(argv, code, opened) -> None:
    done, loaded = _loaded(*argv)
    assert loaded[0] == str(code) and "typer" in loaded, done.stderr
    if code == 2:
        assert "Usage:" in done.stderr


# -- a closed output pipe: one exit code on every path ---------------------------------------

def _closed_pipe(argv: list[str], stdin=None, typer_app: bool = False) -> tuple[int, str]:
    """Run with the reader of standard output gone before the first byte."""
    code = ("import sys\nsys.argv = ['netparse', *sys.argv[1:]]\n"
            + ("from netparse.cli.app import app\napp()\n" if typer_app else "from netparse.cli import run\nrun()\n"))
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], stdin=stdin or subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


def test_a_closed_output_pipe_is_exit_1_in_silence_on_every_path(opened) -> None:
    port = str(opened["busy_port"])
    results = {}
    for argv in (["live", "-o", "jsonl"], ["live", "--port", port], ["live", "-o", "json", "--port", port],
                 ["live", "-o", "csv", "--port", port], ["live", "--port", port, "--count", "1", "--interval", "0"],
                 ["parse", "-o", "jsonl", str(SAMPLE)], ["parse", str(SAMPLE)]):
        results[" ".join(argv)] = _closed_pipe(argv)
        results["typer " + " ".join(argv)] = _closed_pipe(argv, typer_app=True)  # typer's own standalone mode
    with SAMPLE.open("rb") as f:
        results["netparse < sample"] = _closed_pipe([], stdin=f)
    assert results == {k: (1, "") for k in results}


def test_a_closed_output_pipe_after_output_fitted_the_buffer(opened, tmp_path: Path) -> None:
    """Output small enough to sit in the buffer until the end: the closed pipe shows at the last
    flush, and is the same exit 1 (as typer's own mode ends a command that wrote more)."""
    small = tmp_path / "one.txt"
    small.write_text(SAMPLE.read_text().splitlines()[0] + "\n" + SAMPLE.read_text().splitlines()[2] + "\n")
    for argv in (["live", "--port", str(opened["port"]), "--state", "listen"], ["parse", "-o", "jsonl", str(small)]):
        assert _closed_pipe(argv) == (1, ""), argv


def test_answer_leaves_what_it_does_not_stream_before_any_output(capsys) -> None:
    for argv in (["--watch", "1"], ["--count", "2"], ["-o", "csv"], ["-o", "openmetrics"], ["--textfile", "x.prom"],
                 ["--all-netns"], ["--port", "nope"], ["--state", "bogus"], ["--source", "proc"], ["--help"]):
        assert live_quick.answer(argv) is False, argv
    assert capsys.readouterr() == ("", "")


def test_a_stream_of_rows_is_json_lines_of_the_same_records(opened) -> None:
    ports = [opened["port"], opened["busy_port"]]
    sockets, rows = _both(ports)
    lines = [json.loads(line) for line in row_lines(rows)]
    assert lines == [json.loads(record_json(s)) for s in sockets]


def row_lines(rows) -> list[str]:
    from netparse.output.rowjson import write_rows

    buf = io.StringIO()
    assert write_rows(rows, buf, batch=3) == len(rows)
    return buf.getvalue().splitlines()


def test_ascii_text_is_written_as_json_safe_writes_it() -> None:
    """The writers skip json_safe's pass for ASCII text without DEL: it escapes nothing below DEL."""
    from netparse.output.rowjson import write_jsonl
    from netparse.output.safe import json_safe

    assert all(json_safe(chr(c)) == chr(c) for c in range(0x7f))
    texts = ['{"process":"a\x7fb"}', '{"process":"\u202e\u0085x"}', '{"process":"plain"}', '{"p":"é"}']
    buf = io.StringIO()
    write_jsonl(texts, buf)
    assert buf.getvalue().splitlines() == [json_safe(t) for t in texts]
    assert "\\u007f" in buf.getvalue() and "\\u202e" in buf.getvalue()
    rows = [{"proto": "tcp", "state": "LISTEN", "process": p} for p in ("a\x7fb", "\u2028", "x")]
    assert row_lines(rows) == [json_safe(row_text(r)) for r in rows]
