"""One module per output format. ``GRAMMARS`` is the registry the parser and the CLI use.

The registry is lazy: a format's module (its pyparsing expressions, label tables and compiled
row patterns) is imported the first time the format is needed, not when ``netparse.grammars``
is. Each :class:`Entry` knows without importing its module what detection needs first: the
format's name, ``shape_priority``, ``record_kind`` and its *gate*, a cheap test that is true of
every line one of its titles or headers could match (from :mod:`.gates`, generated from the
grammars and checked against them by ``tests/test_startup.py``). The parser tries a grammar's
markers only on lines that pass its gate, so ``netstat -an | netparse`` loads net-tools'
grammar and the one or two that share its title words, not sixteen. Header-less detection
tries an unimported format's rows only when one of its row patterns (also in :mod:`.gates`)
matches the line.
"""

from __future__ import annotations

import re
import threading
from importlib import import_module
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..errors import UnknownFormatError
from .gates import ENTRIES

if TYPE_CHECKING:  # pragma: no cover
    from .base import Grammar

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")

#: held while a grammar's module is imported and the grammar made
_LOADING = threading.RLock()


class Entry:
    """One format in the registry: what detection knows of it before its module is imported,
    and the grammar itself once :meth:`load` imported it."""

    __slots__ = ("name", "shape_priority", "record_kind", "module", "factory", "kwargs", "words", "patterns",
                 "rows", "_gate", "_rows_gate", "_grammar")

    def __init__(self, name: str, module: str, factory: str, kwargs: dict[str, Any], shape_priority: int,
                 record_kind: str, words: tuple[str, ...] | None, patterns: tuple[str, ...],
                 rows: tuple[str, ...] = ()) -> None:
        self.name = name
        self.module = module
        self.factory = factory
        self.kwargs = kwargs
        self.shape_priority = shape_priority
        self.record_kind = record_kind
        #: substrings and regexes (searched) one of which every marker line contains; ``words``
        #: None: some marker has no cheap test (every line may be one of its markers)
        self.words = words
        self.patterns = patterns
        #: the row patterns of a fresh block (what header-less detection tries), as text
        self.rows = rows
        self._gate: re.Pattern[str] | None = None
        self._rows_gate: re.Pattern[str] | None = None
        self._grammar: Grammar | None = None

    @property
    def loaded(self) -> bool:
        return self._grammar is not None

    def load(self) -> Grammar:
        """The grammar (its module imported on first use)."""
        grammar = self._grammar
        if grammar is None:
            with _LOADING:  # one grammar object per format, whichever thread asks first
                grammar = self._grammar
                if grammar is None:
                    grammar = getattr(import_module(self.module, __name__), self.factory)(**self.kwargs)
                    if grammar.name != self.name:  # pragma: no cover - gates.py out of date
                        raise RuntimeError(f"grammars/gates.py is stale: {self.factory} is {grammar.name!r}")
                    self._grammar = grammar
        return grammar

    def may_mark(self, line: str) -> bool:
        """False only when none of this format's titles or headers can match ``line``."""
        words = self.words
        if words is None:
            return True
        for word in words:
            if word in line:
                return True
        if self.patterns:
            gate = self._gate
            if gate is None:
                gate = self._gate = re.compile("|".join(f"(?:{p})" for p in self.patterns))
            return gate.search(line) is not None
        return False

    def may_be_row(self, line: str) -> bool:
        """False only when no row pattern of a fresh block of this format matches ``line``."""
        gate = self._rows_gate
        if gate is None:
            # one alternation of them, their named groups made plain (several rows name the same field)
            union = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', p)})" for p in self.rows)
            gate = self._rows_gate = re.compile(union or r"(?!)")
        return gate.match(line) is not None

    def __repr__(self) -> str:
        return f"<grammar entry {self.name}{' (loaded)' if self.loaded else ''}>"


class Registry(Mapping[str, "Grammar"]):
    """``name -> Grammar``, importing a grammar's module when it is first looked up.
    ``entries()`` gives the :class:`Entry` objects, which load nothing."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = {e.name: e for e in entries}

    def __getitem__(self, name: str) -> Grammar:
        return self._entries[name].load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def entry(self, name: str) -> Entry:
        """The entry called ``name``; :class:`~netparse.errors.UnknownFormatError` if none is."""
        found = self._entries.get(name)
        if found is None:
            raise UnknownFormatError(name, sorted(self._entries))
        return found

    def entries(self) -> list[Entry]:
        return list(self._entries.values())


GRAMMARS = Registry([Entry(**spec) for spec in ENTRIES])


def get(name: str) -> Grammar:
    """The grammar called ``name``; :class:`~netparse.errors.UnknownFormatError` if none is."""
    return GRAMMARS.entry(name).load()
