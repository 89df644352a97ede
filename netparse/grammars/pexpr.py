"""pyparsing's building blocks, built without importing pyparsing.

A format module writes its rows, titles and headers with the names it would use from pyparsing
(``from . import pexpr as pp``: ``pp.Regex``, ``pp.Literal``, ``pp.Keyword``, ``pp.Opt``,
``pp.And``, ``+``, ``expr("name")``), and that text stays the single definition of the format.
What it builds here is a light tree that records each construction; from it come

* the compiled ``re`` pattern of a row (:func:`row_regex`, what ``base.compile_row`` compiles)
  and of a title or header (:func:`marker_regex`, with pyparsing's parsing rules: whitespace
  skipped before each element, no backtracking into an element that matched, named results), the
  forms the parser uses on every line;
* the real pyparsing expression (:func:`to_pyparsing`), made by replaying the same constructor
  calls on pyparsing the first time a line needs the reference path (why a line is not a row,
  ``validated`` reading, the equivalence tests). Importing pyparsing costs ~110 ms and building a
  format's expressions compiles every terminal's regex (another 10-40 ms per format), which a
  listing whose lines the compiled patterns read never pays.

``tests/test_lazy_pyparsing.py`` checks on every sample line that each marker's compiled pattern
and its pyparsing expression accept the same lines and give the same results, and that the
common pipes never import pyparsing.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

#: pyparsing's ``ParserElement.DEFAULT_WHITE_CHARS`` (checked by the test against pyparsing)
WHITE = " \n\t\r"
_SKIP = r"[ \n\t\r]*+"
#: pyparsing's ``Keyword.DEFAULT_KEYWORD_CHARS`` as a class (checked by the test)
KEYWORD_CHARS = "[A-Za-z0-9_$]"


class ParserElement:
    """One recorded pyparsing construction: ``kind`` names the pyparsing class (or the operator),
    ``args`` its arguments (child elements or text)."""

    __slots__ = ("kind", "args", "resultsName", "customName", "skipWhitespace", "_left", "_tabs")

    def __init__(self, kind: str, args: tuple, skip: bool = True) -> None:
        self.kind = kind
        self.args = args
        self.resultsName = ""
        self.customName: str | None = None
        self.skipWhitespace = skip
        self._left: bool | None = None  # leave_whitespace(recursive) was called
        self._tabs = False

    # -- what pyparsing's elements offer while a grammar is built --------------------------------

    def __add__(self, other: "ParserElement | str") -> "ParserElement":
        other = _element(other)
        return ParserElement("+", (self, other), self.skipWhitespace)

    def __radd__(self, other: str) -> "ParserElement":
        return _element(other) + self

    def __or__(self, other: "ParserElement | str") -> "ParserElement":
        other = _element(other)
        return ParserElement("|", (self, other), self.skipWhitespace and other.skipWhitespace)

    def __call__(self, name: str) -> "ParserElement":
        """``expr("name")``: a copy carrying a results name (pyparsing copies too)."""
        new = ParserElement("named", (self,), self.skipWhitespace)
        new.resultsName = name
        return new

    def set_name(self, name: str) -> "ParserElement":
        self.customName = name
        return self

    def leave_whitespace(self, recursive: bool = True) -> "ParserElement":
        if self.kind not in _TERMINALS and self.kind != "named":
            raise TypeError("leave_whitespace on a compound element: call it on the whole marker instead")
        self.skipWhitespace = False
        self._left = recursive
        return self

    def parse_with_tabs(self) -> "ParserElement":
        self._tabs = True
        return self

    def __repr__(self) -> str:
        return f"<{self.kind} {self.resultsName or self.customName or ''}>"


_TERMINALS = ("Regex", "Literal", "Keyword", "StringEnd")


def _element(x: "ParserElement | str") -> ParserElement:
    if isinstance(x, str):
        return Literal(x)
    if not isinstance(x, ParserElement):
        raise TypeError(f"not a grammar element: {x!r}")
    return x


def Regex(pattern: str) -> ParserElement:
    return ParserElement("Regex", (pattern,))


def Literal(text: str) -> ParserElement:
    return ParserElement("Literal", (text,))


def Keyword(text: str) -> ParserElement:
    return ParserElement("Keyword", (text,))


def StringEnd() -> ParserElement:
    return ParserElement("StringEnd", ())


def And(exprs: list) -> ParserElement:
    exprs = tuple(_element(e) for e in exprs)
    return ParserElement("And", exprs, exprs[0].skipWhitespace if exprs else False)


def Opt(expr: "ParserElement | str") -> ParserElement:
    expr = _element(expr)
    return ParserElement("Opt", (expr,), expr.skipWhitespace)


#: what the grammars annotate their marker callbacks with (pyparsing's results, or :class:`Found`)
ParseResults = Any


# -- the forms the parser uses --------------------------------------------------------------------


def row_regex(expr: ParserElement, names: set[str]) -> str:
    """The regex of a row grammar (its terminals do not skip whitespace: rows spell it out), the
    same text the pyparsing expression compiled to when rows were built with pyparsing."""
    body = _row_body(expr, names)
    name = expr.resultsName
    if name:
        if name in names:
            raise ValueError(f"results name {name!r} used twice in one row grammar")
        names.add(name)
        return f"(?P<{name}>{body})"
    return f"(?:{body})" if expr.kind == "Regex" and "|" in body else body


def _row_body(expr: ParserElement, names: set[str]) -> str:
    kind = expr.kind
    if kind == "named":  # pyparsing's copy with a results name: the original's body
        return _row_body(expr.args[0], names)
    if kind == "Regex":
        return expr.args[0]
    if kind in ("Literal", "Keyword"):
        return re.escape(expr.args[0])
    if kind in ("+", "And"):
        return "".join(row_regex(e, names) for e in expr.args)
    if kind == "|":
        return "(?:" + "|".join(row_regex(e, names) for e in expr.args) + ")"
    if kind == "Opt":
        return "(?:" + row_regex(expr.args[0], names) + ")?"
    # pragma: no cover - a grammar author used something the compiler does not know
    raise TypeError(f"cannot compile {kind} to a row regex")


class _MarkerCompiler:
    """A marker's pyparsing expression as one regex with pyparsing's semantics: each element
    skips leading whitespace when pyparsing's would (``skipWhitespace``), matched atomically
    (pyparsing never backtracks into an element that matched); every token gets a hidden group
    (``_t0``, ``_t1`` ...) so ``res[0]`` works, every results name a named group, and the named
    groups of a ``Regex`` terminal are results while that terminal matched (as pyparsing's)."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw
        self.tokens: list[str] = []
        self.names: dict[str, str | None] = {}  # results name -> token group of its Regex (None: own group)

    def skip(self, expr: ParserElement) -> str:
        return "" if self.raw or not expr.skipWhitespace else _SKIP

    def compile(self, expr: ParserElement) -> str:
        return self.skip(expr) + self.body(expr)

    def body(self, expr: ParserElement) -> str:
        kind = expr.kind
        if kind in ("Regex", "Literal", "Keyword"):
            text = expr.args[0]
            if kind == "Regex":
                if re.search(r"\\[1-9]|\(\?P=", text):
                    raise TypeError(f"back-references do not survive composition: {text!r}")
                # its named groups (compiled only when it has some: compiling a label
                # alternation costs as much as the marker's whole pattern)
                inner = re.compile(text).groupindex if "(?P<" in text else {}
                pattern = f"(?>{text})"
            elif kind == "Literal":
                inner = {}
                pattern = re.escape(text)
            else:
                inner = {}
                pattern = f"(?<!{KEYWORD_CHARS}){re.escape(text)}(?!{KEYWORD_CHARS})"
            group = f"_t{len(self.tokens)}"
            self.tokens.append(group)
            for name in inner:
                self._name(name, group)
            return f"(?P<{group}>{pattern})"
        if kind == "StringEnd":
            return r"\Z"
        if kind in ("+", "And"):
            return "".join(self.compile(e) for e in expr.args)
        if kind == "Opt":
            return "(?>(?:" + self.compile(expr.args[0]) + ")?)"
        if kind == "named":
            base, name = expr.args[0], expr.resultsName
            while base.kind == "named":  # a copy of a copy: the last name wins
                base = base.args[0]
            if self._may_give_more_than_one_token(base):
                raise TypeError(f"results name {name!r} on an element of several tokens")
            self._name(name, None)
            if base.kind == "Opt":  # no result at all when absent (not an empty one)
                inner = base.args[0]
                return f"(?>(?:{self.skip(inner)}(?P<{name}>{self.body(inner)}))?)"
            return f"(?P<{name}>{self.body(base)})"
        raise TypeError(f"cannot compile {kind} to a marker regex")

    def _name(self, name: str, group: str | None) -> None:
        if name in self.names or name.startswith("_t"):
            raise ValueError(f"results name {name!r} used twice in one marker")
        self.names[name] = group

    def _may_give_more_than_one_token(self, expr: ParserElement) -> bool:
        kind = expr.kind
        if kind in _TERMINALS:
            return False
        if kind in ("Opt", "named"):
            return self._may_give_more_than_one_token(expr.args[0])
        return True


class Found:
    """A marker's match as its callbacks read it, the way they read pyparsing's ``ParseResults``:
    ``res["name"]``, ``res.get("name")``, ``"name" in res``, ``res[0]`` (the first token)."""

    __slots__ = ("_m", "_spec")

    def __init__(self, m: re.Match[str], spec: "MarkerPattern") -> None:
        self._m = m
        self._spec = spec

    def _present(self, name: str) -> bool:
        names = self._spec.names
        if name not in names:
            return False
        group = names[name]
        return self._m.group(group if group is not None else name) is not None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._present(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self._m.group(name) if self._present(name) else default

    def tokens(self) -> list[str]:
        group = self._m.group
        return [t for t in (group(g) for g in self._spec.tokens) if t is not None]

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self.tokens()[key]
        if not self._present(key):
            raise KeyError(key)
        return self._m.group(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tokens())

    def __repr__(self) -> str:
        return f"Found({self.tokens()!r})"


class MarkerPattern:
    """A title's or header's compiled pattern: ``match(text)`` gives a :class:`Found` or None."""

    __slots__ = ("regex", "tokens", "names", "_match")

    def __init__(self, expr: ParserElement, raw: bool) -> None:
        comp = _MarkerCompiler(raw)
        whole = And([expr, StringEnd()])
        # parse_string(parse_all=True) skips whitespace once more before the end (never when raw:
        # the line is matched as printed, trailing blanks included)
        self.regex = comp.compile(whole) + ("" if raw else _SKIP + r"\Z")
        self.tokens = tuple(comp.tokens)
        self.names = comp.names
        self._match = re.compile(self.regex).match

    def match(self, text: str) -> Found | None:
        m = self._match(text)
        return None if m is None else Found(m, self)


# -- the real thing, when a line needs it ---------------------------------------------------------


def to_pyparsing(expr: ParserElement, _made: dict[int, Any] | None = None) -> Any:
    """The pyparsing expression ``expr`` records (made once per element, shared where the
    definition shares it, as pyparsing's own objects would be)."""
    made = _PYPARSING if _made is None else _made
    key = id(expr)
    kept = made.get(key)
    if kept is not None and kept[0] is expr:
        return kept[1]
    import pyparsing as pp

    kind, args = expr.kind, expr.args
    if kind == "Regex":
        obj = pp.Regex(args[0])
    elif kind == "Literal":
        obj = pp.Literal(args[0])
    elif kind == "Keyword":
        obj = pp.Keyword(args[0])
    elif kind == "StringEnd":
        obj = pp.StringEnd()
    elif kind == "+":
        obj = to_pyparsing(args[0], made) + to_pyparsing(args[1], made)
    elif kind == "|":
        obj = to_pyparsing(args[0], made) | to_pyparsing(args[1], made)
    elif kind == "And":
        obj = pp.And([to_pyparsing(e, made) for e in args])
    elif kind == "Opt":
        obj = pp.Opt(to_pyparsing(args[0], made))
    elif kind == "named":
        obj = to_pyparsing(args[0], made)(expr.resultsName)  # pyparsing copies
    else:  # pragma: no cover
        raise TypeError(kind)
    if expr._left is not None:
        obj.leave_whitespace(expr._left)
    if expr.customName is not None:
        obj.set_name(expr.customName)
    if expr._tabs:
        obj.parse_with_tabs()
    made[key] = (expr, obj)
    return obj


#: id(element) -> (element, its pyparsing expression)
_PYPARSING: dict[int, tuple[ParserElement, Any]] = {}
