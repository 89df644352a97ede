"""The real tools some tests run (promtool, prometheus): found on PATH, or the test is skipped;
under CI=true a missing tool fails the test instead, so a green CI means they ran (.ci/run
installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def real_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found (Debian: apt-get install prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI=true, so this fails rather than skips")
        pytest.skip(message)
    return path


def promtool_check_metrics(text: str) -> subprocess.CompletedProcess:
    """``promtool check metrics`` over ``text`` (exposition lint and parse)."""
    return subprocess.run(
        [real_tool("promtool"), "check", "metrics"], input=text.encode("utf-8"), capture_output=True, timeout=60
    )
