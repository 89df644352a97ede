"""What every grammar shares: pyparsing building blocks, the pyparsing -> regex compiler, and the
``Grammar``/``Section`` shapes the parser drives.

Each format module defines its rows **once**, as pyparsing expressions built from ``pp.Regex``
terminals joined by explicit whitespace (``SP``). :func:`compile_row` turns such an expression into
one compiled ``re`` pattern with a named group per results name: the row loop calls that pattern
directly (fast); titles and headers are matched by their own compiled pattern too
(:class:`netparse.grammars.pexpr.MarkerPattern`), and the explanation of a line that did not match
goes through pyparsing itself (clear). The expressions are recorded by :mod:`.pexpr` and made in
pyparsing only when a line needs that (pyparsing is not imported before).
``tests/test_grammar_equivalence.py`` checks on every sample row that the compiled pattern and the
pyparsing expression read the same fields; ``tests/test_lazy_pyparsing.py`` does so for markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, ClassVar, Iterable

from . import pexpr as pp
from .pexpr import MarkerPattern, to_pyparsing


def R(pattern: str, name: str | None = None) -> pp.ParserElement:
    """A row terminal: a ``pp.Regex`` that does not skip leading whitespace.

    Whitespace is explicit in row grammars (``SP``), so the compiled regex means exactly what
    pyparsing does. (Changing pyparsing's global default whitespace would leak into other users
    of pyparsing in the same process.)"""
    expr = pp.Regex(pattern).leave_whitespace()
    if name:
        # the name also makes pyparsing's messages readable: "expected recv_q, found 'x'"
        return expr.set_name(name)(name)
    return expr.set_name("whitespace" if pattern == WS else pattern)


# Possessive quantifiers (``++``, Python 3.11+; pyparsing's Regex uses the same ``re``): a row's
# terminals are separated by explicit whitespace, so a run of digits, of non-blanks or of blanks
# never has to give characters back to the next terminal. Saying so stops ``re`` from
# backtracking through every shorter split when an optional column is absent (the row loop's
# regexes run about 2x faster). Use them only where the next terminal cannot start with the
# same characters.
#: a run of blanks
WS = r"[ \t]++"
#: a whitespace-free field (address, user, ...)
WORD = r"\S++"
#: a number
NUM = r"\d++"

SP = R(WS)
TRAIL = pp.Opt(R(WS))
#: optional indentation before a row (pastes, Windows' two leading spaces)
LEAD = pp.Opt(R(WS))


def compile_row(expr: pp.ParserElement) -> re.Pattern[str]:
    """The regex equivalent of a row grammar, anchored at both ends."""
    return re.compile(pp.row_regex(expr, set()) + r"[ \t]*+\Z")


#: id(row expression) -> (the expression, it + TRAIL + StringEnd in pyparsing): built once, not per line
_WHOLE_ROWS: dict[int, tuple[pp.ParserElement, Any]] = {}


def pyparse_row(expr: pp.ParserElement, line: str) -> dict[str, str]:
    """Parse one row with pyparsing itself (the slow, reference path; imports pyparsing)."""
    kept = _WHOLE_ROWS.get(id(expr))
    if kept is None or kept[0] is not expr:
        import pyparsing

        whole = (to_pyparsing(expr) + to_pyparsing(TRAIL) + pyparsing.StringEnd()).parse_with_tabs()
        kept = _WHOLE_ROWS[id(expr)] = (expr, whole)
    result = kept[1].parse_string(line, parse_all=True)
    return {k: v for k, v in result.as_dict().items() if isinstance(v, str)}


def mismatch(expr: pp.ParserElement, line: str) -> tuple[int, str] | None:
    """Where and why pyparsing rejects ``line`` as a row: (0-based column, reason), or None."""
    import pyparsing

    try:
        pyparse_row(expr, line)
    except pyparsing.ParseBaseException as exc:
        found = line[exc.loc : exc.loc + 20].strip() or "end of line"
        return exc.loc, f"column {exc.loc + 1}: expected {exc.msg.removeprefix('Expected ')}, found {found!r}"
    return None


def label_regex(labels: Iterable[str], fallback: str | None = None) -> str:
    """Alternation of known labels, longest first (so 'POSLEDNÍ ACK' wins over 'POSLEDNÍ')."""
    alts = [re.escape(label) for label in sorted({l for l in labels if l}, key=len, reverse=True)]
    if fallback:
        alts.append(fallback)
    return "(?:" + "|".join(alts) + ")"


@dataclass
class Context:
    """What the parser knows about the block being read (set by titles/headers)."""

    section: str | None = None
    columns: frozenset[str] = frozenset()
    language: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


RowBuilder = Callable[[dict[str, str | None], Context], dict[str, Any]]


@dataclass
class Row:
    """One kind of data line: its grammar, the regex compiled from it, and how to build fields."""

    name: str
    grammar: pp.ParserElement
    build: RowBuilder

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The compiled row regex (compiled when first used: a format's other sections' rows
        cost nothing until a line of them comes)."""
        return compile_row(self.grammar)


@dataclass
class Marker:
    """A non-data line a grammar recognises: a title or a column header.

    ``expr`` is a pyparsing expression (recorded by :mod:`.pexpr`); :meth:`match` runs its
    compiled pattern, :meth:`reference_match` pyparsing itself. ``on_match`` turns the results
    into context updates (it reads them by name, ``res.get``/``res[...]``/``in``, or ``res[0]``:
    both kinds of results answer the same).
    """

    kind: str  # "title" or "header"
    name: str
    expr: pp.ParserElement
    section: str | None
    on_match: Callable[[pp.ParseResults, Context], None] | None = None
    prefilter: str | None = None  # cheap substring test before running pyparsing
    strip: bool = True  # match the line with surrounding whitespace removed

    def gate(self) -> tuple[str, str] | None:
        """A cheap test every line :meth:`match` accepts passes: ``("in", text)`` (a substring of
        the line) or ``("search", pattern)`` (a regex found in it); None when there is none. A
        subclass with a ``quick`` regex searches it before anything else (``_QuickMarker``,
        ``LabelMarker``); the registry's gates (:mod:`netparse.grammars.gates`) are built from
        this, and ``tests/test_startup.py`` checks it on every sample line."""
        quick = getattr(self, "quick", None)
        if quick is not None and quick.flags & ~re.UNICODE == 0:
            return ("search", quick.pattern)
        if self.prefilter is not None:
            return ("in", self.prefilter)
        return None

    #: True: the line is matched as printed, no whitespace skipped anywhere (BusyBox's headers,
    #: whose trailing blanks tell them from net-tools')
    raw: ClassVar[bool] = False

    def text_of(self, line: str) -> str:
        """What the marker's expression must match all of."""
        if self.raw:
            return line
        return line.strip() if self.strip else line.rstrip()

    @cached_property
    def pattern(self) -> MarkerPattern:
        """The compiled form of ``expr`` (compiled when first needed)."""
        return MarkerPattern(self.expr, self.raw)

    def match(self, line: str) -> pp.ParseResults | None:
        if self.prefilter is not None and self.prefilter not in line:
            return None
        return self.pattern.match(self.text_of(line))

    def reference_match(self, line: str) -> Any:
        """:meth:`match` through pyparsing (its ``ParseResults``), for the equivalence tests."""
        import pyparsing

        if self.prefilter is not None and self.prefilter not in line:
            return None
        whole = self.__dict__.get("_whole")
        if whole is None:  # built once (building it per line cost more than the parse)
            whole = (to_pyparsing(self.expr) + pyparsing.StringEnd()).parse_with_tabs()
            if self.raw:
                whole = whole.leave_whitespace()
            self.__dict__["_whole"] = whole
        try:
            return whole.parse_string(self.text_of(line), parse_all=True)
        except pyparsing.ParseBaseException:
            return None


class Grammar:
    """A format: its markers (titles, headers) and its sections' rows.

    Subclasses set ``name``, ``description``, ``example``, ``markers`` and ``sections``
    (section name -> rows tried in order). A grammar never prints and never decides what is an
    anomaly; it turns lines into record fields.
    """

    name: str = ""
    description: str = ""
    example: str = ""
    markers: list[Marker] = []
    sections: dict[str, list[Row]] = {}
    #: Row kinds tried for header-less input, in order of specificity.
    shape_priority: int = 100
    #: What the rows make: ``socket`` (a record dict per row); ``counter`` / ``setting``: a list
    #: of :mod:`netparse.counters` record dicts per row, which the parser keeps beside the
    #: socket stream (``LineParser.side``), or a ``str``: why the row is not understood.
    record_kind: str = "socket"

    def kernel(self, ctx: Context) -> "Callable[[str], dict[str, Any] | None] | None":
        """The row kernel for the rows of ``ctx``'s section, or None: a function turning a data
        line into the record dict the row's builder makes (same keys, same values) with cheap
        primitives (``str.split``), or returning None for anything it does not take (then the
        compiled row regex and the builder read the line as before). It may only accept lines
        the row regex matches; ``tests/test_row_kernels.py`` checks both paths agree on every
        sample and on generated input."""
        return None

    def rows_for(self, ctx: Context) -> list[Row]:
        if ctx.section and ctx.section in self.sections:
            return self.sections[ctx.section]
        return [row for rows in self.sections.values() for row in rows]

    #: False lets the parser skip the continuation check for every line
    has_continuations: bool = False

    def is_continuation(self, line: str, ctx: Context) -> bool:
        """True when ``line`` belongs to the record before it (ss -i lines, Windows -b lines)."""
        return False

    def attach(self, record: dict[str, Any], line: str, ctx: Context) -> None:
        """Fold a continuation line into the pending record."""

    def explain(self, line: str, ctx: Context) -> tuple[int, str]:
        """Why ``line`` is not a row: (column reached, pyparsing's reason) from the row kind that
        read furthest."""
        best: tuple[int, str] = (-1, "no row grammar")
        for row in self.rows_for(ctx):
            found = mismatch(row.grammar, line)
            if found is None:
                return len(line), f"matches {row.name} but was not accepted"
            if found[0] > best[0]:
                best = found
        return best

    def new_context(self) -> Context:
        return Context()

