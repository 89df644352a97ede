"""The HTML/SVG plot in a real browser (issue 12): headless Chromium renders a timeline whose
host and process names hold markup, control characters and XML-invalid characters; the page
loads as well-formed, shows the names as printed (or visibly escaped), and the legend names the
states as the table does. Under CI=true a missing Chromium is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app
from netparse.output.safe import shown

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

NAME = "<b>[bold]x&\x01"  # a process name with markup, an XML-invalid character
LOG = "".join(
    f"2026-11-24T19:1{i}:00Z\n"
    "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
    f'LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("{NAME}",pid=7,fd=3))\n'
    + "".join(f"ESTAB 0 0 10.0.0.5:80 10.0.0.9:{50000 + k} users:((\"{NAME}\",pid=7,fd=4))\n" for k in range(i + 1))
    + "".join(f"CLOSE-WAIT 1 0 10.0.0.5:80 10.0.0.9:{51000 + k}\n" for k in range(i + 1))
    for i in range(3)
)


def browser() -> str:
    if BROWSER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is needed for this test under CI (apt-get install -y chromium)")
        pytest.skip("chromium not installed")
    return BROWSER


def run_browser(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="netparse-chromium-") as profile:
        return subprocess.run([browser(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=120)


def test_plot_renders_names_as_printed_in_chromium(tmp_path: Path) -> None:
    browser()
    log = tmp_path / "web.log"
    log.write_text(LOG, encoding="utf-8")
    page = tmp_path / "plot.html"
    result = CliRunner().invoke(app, ["timeline", str(log), "--plot", str(page)])
    assert result.exit_code == 0, result.output
    dom = run_browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    text = dom.stdout
    assert "<svg" in text and "parsererror" not in text.lower()
    assert "ESTABLISHED (3)" in text and "CLOSE_WAIT (3)" in text  # the legend says what the table says
    assert "sockets per TCP state / kind" in text  # the y axis is labelled
    svg = tmp_path / "plot.svg"
    result = CliRunner().invoke(app, ["timeline", str(log), "--by", "process", "--plot", str(svg)])
    assert result.exit_code == 0, result.output
    dom = run_browser("--dump-dom", svg.as_uri())
    assert "parsererror" not in dom.stdout.lower() and "<svg" in dom.stdout
    assert shown(NAME).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in dom.stdout
    shot = tmp_path / "plot.png"
    done = run_browser("--window-size=1000,400", f"--screenshot={shot}", svg.as_uri())
    assert done.returncode == 0 and shot.stat().st_size > 5000, done.stderr[-500:]
