"""Typed errors of the public API."""

from __future__ import annotations


class NetparseError(Exception):
    """Base class of every error netparse raises on purpose."""


class ParseError(NetparseError):
    """Raised in strict mode for the first line that could not be read cleanly."""

    def __init__(self, line: int, text: str, reason: str) -> None:
        self.line = line
        self.text = text
        self.reason = reason
        super().__init__(f"line {line}: {reason}: {text[:120]!r}")

