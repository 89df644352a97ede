"""A command's options read without typer: the plain parse that ``live`` and ``analyze`` share
(:mod:`netparse.cli.live_quick`, :mod:`netparse.cli.analyze_run`).

Building the typer app costs more than a small listing's whole analysis (typer, click and
rich imported, a pydantic adapter per option). A command whose options are plain (flags, words,
numbers, a choice of words, repeatable words, file names) declares them once more as a table
of :class:`Option` (a test per command compares the table with its typer declarations) and
:func:`quick_arguments` reads a command line with it as typer would, or says None for anything
it does not take exactly as typer would: then :mod:`netparse.cli.entry` leaves the whole command
line to typer, before any output, and typer parses it and words any usage error.
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple


class Option(NamedTuple):
    """One option as its typer declaration has it: parameter name, option words (``--on/--off``
    for a flag with an off word), kind (``flag``, ``str``, ``int``, ``float``, ``list:str``,
    ``list:int``), default, minimum (numbers), choices (a word out of these: typer's enum)."""

    name: str
    decls: tuple[str, ...]
    kind: str
    default: Any = None
    minimum: float | None = None
    choices: tuple[str, ...] | None = None


#: numbers in the plain spelling only, which every reader takes the same way (``1``, ``007``,
#: ``0.5``); anything else (``1e-1``, ``inf``, ``nan``, ``1_0``, other scripts' digits, spaces) is
#: left to typer (pydantic), which takes or refuses it in its own words
_INT = re.compile(r"[0-9]{1,18}")
_FLOAT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
_NUMBERS: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
    "int": (_INT, int), "list:int": (_INT, int), "float": (_FLOAT, float),
}


def _words(options: tuple[Option, ...]) -> dict[str, tuple[Option, bool]]:
    """Every option word -> (its option, the value a flag word sets)."""
    table: dict[str, tuple[Option, bool]] = {}
    for option in options:
        for decl in option.decls:
            if "/" in decl:
                on, off = decl.split("/")
                table[on], table[off] = (option, True), (option, False)
            else:
                table[decl] = (option, True)
    return table


def _value(option: Option, text: str) -> tuple[bool, Any]:
    """(taken, the value) of ``text`` for ``option`` as typer reads it."""
    number = _NUMBERS.get(option.kind)
    if number is not None:
        pattern, convert = number
        if pattern.fullmatch(text) is None:
            return False, None
        value = convert(text)
        return option.minimum is None or value >= option.minimum, value
    return option.choices is None or text in option.choices, text


def quick_arguments(argv: list[str], options: tuple[Option, ...], positionals: str | None = None) -> dict | None:
    """The parameters typer would call the command with for ``argv`` (every option of
    ``options``, its default when not given; ``positionals``: the parameter that takes the
    words that are no option, a list; None: a command without arguments), or None for anything
    this parse does not take as typer would: help, an unknown word, an option word glued to
    another or to its value, a missing value, a value not in the plain spelling, below a
    minimum or not one of the choices, ``--``, an argument where none is taken."""
    words = _words(options)
    values: dict[str, Any] = {}
    given: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-") or word == "-":  # a file name ('-': standard input)
            if positionals is None:
                return None
            given.append(word)
            continue
        text = None
        if word.startswith("--") and "=" in word:
            word, text = word.split("=", 1)
        got = words.get(word)
        if got is None:
            return None
        option, flag = got
        if option.kind == "flag":
            if text is not None:
                return None
            values[option.name] = flag
            continue
        if text is None:
            if i >= len(argv):
                return None
            text = argv[i]
            i += 1
        taken, value = _value(option, text)
        if not taken:
            return None
        if option.kind.startswith("list:"):
            values.setdefault(option.name, []).append(value)
        else:
            values[option.name] = value
    for option in options:
        if option.name not in values:
            default = option.default
            values[option.name] = list(default) if isinstance(default, list) else default
    if positionals is not None:
        values[positionals] = given or None  # typer's value for no argument
    return values


__all__ = ["Option", "quick_arguments"]
