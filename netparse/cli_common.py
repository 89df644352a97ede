"""What the command modules share (kept tiny: it is imported for --help too)."""

from __future__ import annotations

import sys


def err(message: str) -> None:
    """One diagnostic line on stderr: the CLI's only way to talk about problems."""
    sys.stderr.write(f"netparse: {message}\n")
