"""Every error netparse raises on purpose, in one place. All derive from :class:`NetparseError`;
each also derives from the built-in error a caller would naturally catch (``OSError`` for
inputs that cannot be read, ``ValueError`` for bad values, ``KeyError`` for an unknown format
name), so code written against either keeps working.

The CLI maps each class to its one-line message and exit code; no handler catches a bare
``KeyError`` or ``Exception`` to mean one of these.
"""

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


class UnknownFormatError(NetparseError, KeyError):
    """A ``format`` name no grammar has (``netparse formats`` lists them)."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        self.message = f"unknown format {name!r}; known formats: {', '.join(known)}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would print the repr
        return self.message


class InputError(NetparseError, OSError):
    """An input name that cannot be used: nothing matches it, or it cannot be opened."""


class InputReadError(NetparseError, OSError):
    """An input that could not be read to its end (corrupt or truncated compressed data)."""

    def __init__(self, message: str, filename: str) -> None:
        super().__init__(message)
        self.strerror = message
        self.filename = filename

    def __str__(self) -> str:
        return self.strerror


class InputProblem(NetparseError):
    """An input that cannot be read or holds nothing recognisable (``analyze``: exit 1 / UNKNOWN)."""


class InputSkipped(NetparseError):
    """An input that was reported as unreadable and is skipped (the CLI goes on to the next one)."""


class ConfigError(NetparseError):
    """A configuration file, mapping or ``--set`` override that cannot be used."""


class SelectionError(NetparseError, ValueError):
    """A selector that picks no snapshot (index out of range, time before the first one ...)."""


class UnknownStateError(NetparseError, ValueError):
    """No state, label or hex code by that name; ``suggestions`` holds close matches."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        self.text = text
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown state {text!r}{hint}")


class MissingDependency(NetparseError, RuntimeError):
    """An optional package a feature needs is not installed (pyarrow for Parquet ...)."""


class FilterError(NetparseError, ValueError):
    """A filter value that names nothing (``--state`` with a label no platform prints)."""


class RuleError(NetparseError):
    """A rule failed while checking (a bug in the rule, not a problem of the input): names the
    rule; the original exception is ``__cause__``."""

    def __init__(self, code: str, name: str, cause: BaseException) -> None:
        self.code = code
        self.name = name
        super().__init__(f"rule {code} {name} failed: {type(cause).__name__}: {cause}")


class NetlinkError(NetparseError, OSError):
    """Sock-diag is not usable here (no such socket family, refused, an answer not understood)."""


class SourceError(NetparseError, OSError):
    """The live source asked for (``--source``) cannot be read here."""
