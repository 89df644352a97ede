"""The line loop: text -> Socket records + ParseIssues, with every line accounted for.

For each line, in order:

1. a continuation of the pending record (``ss -i`` lines) is attached to it;
2. blank lines are counted;
3. the active grammar's compiled row patterns are tried (the hot path: one ``re`` match);
4. titles and headers of every grammar (pyparsing) switch the active grammar and section;
5. rows of the other grammars (header-less input: ``netstat -an | grep 8080``) switch to the
   grammar whose row shape matches;
6. known non-data lines (prompts with the command, tools' stderr notes) are counted as notes;
7. anything else becomes a ``ParseIssue`` with its line number and a reason: pyparsing's (which
   column, what was expected) for the first ``explain`` such lines (all of them in strict mode or
   with ``explain=None``), a short one after that (pyparsing costs ~10 ms a line over every
   grammar: a 20k-line syslog took 67 s).

So records + recognised lines + unparsed issues == input lines, always. Lines the reader flagged
(:class:`netparse.inputs.decode.Flagged`: cut at the line limit) are unparsed issues without being
parsed; its notes between lines (trailing garbage after gzip data ...) are ``warning`` issues
that count no line. ``give_up_after``: with no listing line (record, title, header, summary) in
that many lines, reading stops with one ``warning`` issue saying so (the CLI uses it; the
library default reads everything).

Counter and setting lines (grammars whose ``record_kind`` is ``counter``/``setting``: nstat,
/proc/net/snmp, netstat -s, sysctl) never enter the ``Socket | ParseIssue`` stream: their
records go to :attr:`LineParser.side` (in input order, each with its ``line``), the lines are
counted as ``counter``/``setting``, and only a line such a grammar cannot read becomes an issue.
"""

from __future__ import annotations

import sys

from collections import Counter
from typing import Any, Iterable, Iterator, Protocol

from .collector import collector_paused
from .errors import ParseError
from .grammars import GRAMMARS, Entry
from .grammars.base import Context, Grammar
from .counters import NetCounter, NetSetting
from .inputs.decode import MAX_LINE, Flagged
from .model import ParseIssue, Snapshot, Socket
from .notes import note_kind
from .rows import socket_of

MAX_ISSUE_TEXT = 200
#: unparsed lines explained through pyparsing before the short reason is used (lenient mode)
EXPLAIN_FIRST = 20

#: record kind of a grammar -> the model of the records it keeps beside the sockets
SIDE_MODELS = {"counter": NetCounter, "setting": NetSetting}


def _issue(lineno: int, text: str, reason: str, kind: str = "unparsed") -> ParseIssue:
    return ParseIssue(line=lineno, text=text[:MAX_ISSUE_TEXT], reason=reason, kind=kind)  # type: ignore[arg-type]


class ParserHooks(Protocol):
    """What :class:`LineParser` tells an observer (both are called before the line is counted)."""

    def marker(self, kind: str, grammar: str, line: str, lineno: int) -> None:
        """A title/header/summary ``line`` of ``grammar`` was read at ``lineno``."""

    def line(self, line: str, lineno: int) -> str | None:
        """A line no grammar reads (tried before notes): a kind to count it under, or None."""


class LineParser:
    """Incremental parser: feed it lines, get records and issues; keeps the line accounting.

    ``format`` is ``"auto"`` (detect from titles, headers and row shapes, switching when the input
    switches) or a grammar name to read the whole input with. :meth:`run` is the loop;
    :meth:`feed` + :meth:`close` do the same one line at a time.
    """

    #: False: every row through the grammar's regex and builder, validated (the reference path
    #: the equivalence test compares the kernels with)
    use_kernels = True

    def __init__(
        self,
        format: str = "auto",
        strict: bool = False,
        hooks: "ParserHooks | None" = None,
        explain: int | None = EXPLAIN_FIRST,
        give_up_after: int | None = None,
        max_line: int | None = MAX_LINE,
    ) -> None:
        #: unparsed lines still to be explained through pyparsing (None: every one)
        self.explain = explain
        #: stop reading when no listing line came in this many lines (None: read everything)
        self.give_up_after = give_up_after
        #: a plain ``str`` line longer than this (characters) is an issue without being parsed
        self.max_line = max_line
        #: True once reading stopped early (``give_up_after``)
        self.gave_up = False
        #: Optional observer (``netparse.logs`` uses it to cut a log into snapshots): told about
        #: every title/header, and offered lines nothing else understood before they become issues.
        self.hooks = hooks
        #: the formats tried, in order (registry entries: a grammar's module is imported when a
        #: line could be one of its titles or headers, see :mod:`netparse.grammars`)
        if format == "auto":
            self.grammars: list[Entry] = sorted(GRAMMARS.entries(), key=lambda e: e.shape_priority)
        else:
            self.grammars = [GRAMMARS.entry(format)]
        self.strict = strict
        self.active: Grammar | None = self.grammars[0].load() if format != "auto" else None
        self.ctx: Context = self.active.new_context() if self.active else Context()
        #: counter and setting records read so far, in input order (see the module docstring);
        #: a consumer may take them away as it goes (``del parser.side[:n]``)
        self.side: list[NetCounter | NetSetting] = []
        #: side records by grammar (``records_by_format`` counts sockets only)
        self.side_by_format: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self._set_rows(self.active.rows_for(self.ctx) if self.active else [], self.active)
        self.records_by_format: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.lineno = 0
        self._pending: dict[str, Any] | None = None
        self._trusted = False  # the pending record is a kernel row (no validation needed)
        self._pending_grammar: Grammar | None = None

    # -- the loop ------------------------------------------------------------------------------

    def run(self, lines: Iterable[str]) -> Iterator[Socket | ParseIssue]:
        """Parse every line; yields records (``Socket``) and issues in input order."""
        trusted = socket_of
        for item in self._lines(lines):
            yield trusted(item) if item.__class__ is dict else item  # type: ignore[arg-type]
        yield from self.close()

    def rows(self, lines: Iterable[str]) -> Iterator[dict[str, Any] | Socket | ParseIssue]:
        """Like :meth:`run`, without building the models of kernel rows: each record is a row
        (a ``dict``, see :mod:`netparse.rows`) or a validated ``Socket`` (lines the kernels
        leave to the grammar's builder); issues as ``ParseIssue``."""
        yield from self._lines(lines)
        yield from self._close()

    def _lines(self, lines: Iterable[str]) -> Iterator[dict[str, Any] | Socket | ParseIssue]:
        validate = Socket.__pydantic_validator__.validate_python  # model_validate without its wrapper
        by_format = self.records_by_format
        for raw in lines:
            if raw.__class__ is not str and raw.__class__ is Flagged:
                yield from self._flagged(raw)  # type: ignore[arg-type]
                continue
            self.lineno += 1
            line = raw.rstrip("\r\n")
            if "\x00" in line:
                line = line.replace("\x00", "")
            pending = self._pending
            if pending is not None:
                grammar = self._pending_grammar
                if grammar.has_continuations and grammar.is_continuation(line, self.ctx):  # type: ignore[union-attr]
                    grammar.attach(pending, line, self.ctx)  # type: ignore[union-attr]
                    self._trusted = False  # what attach adds is validated
                    self.counts["continuation"] += 1
                    continue
                self._pending = None
                if self._trusted:
                    yield pending
                elif "_warnings" in pending:
                    yield from self._with_warnings(pending)
                else:
                    yield validate(pending)
            try:
                # the hottest path: the active grammar's row kernel (str.split, cached addresses)
                kernel = self._kernel
                if kernel is not None:
                    rec = kernel(line)
                    if rec is not None:
                        rec["line"] = self.lineno
                        self._pending = rec
                        self._trusted = True
                        self._pending_grammar = active = self.active
                        by_format[active.name] += 1  # type: ignore[union-attr]
                        if self.ctx.language:
                            self.languages[self.ctx.language] += 1
                        continue
                # the hot path: the compiled regexes of the active grammar's row kinds
                for match, build in self._matchers:
                    m = match(line)
                    if m is not None:
                        ctx = self.ctx
                        rec = build(m.groupdict(), ctx)
                        if rec.__class__ is not dict:  # a counter/setting row: its records are in self.side
                            if rec is not None:
                                yield self._side_issue(rec, line)
                            break
                        rec["line"] = self.lineno
                        if "_warnings" in rec:
                            rec["_text"] = line
                        self._pending = rec
                        self._trusted = False
                        self._pending_grammar = active = self.active
                        by_format[active.name] += 1  # type: ignore[union-attr]
                        if ctx.language:
                            self.languages[ctx.language] += 1
                        break
                else:
                    if line.strip():
                        issue = self._slow_path(line)
                        if issue is not None:
                            yield issue
                            if self.give_up_after is not None and self.lineno >= self.give_up_after:
                                stop = self._give_up()
                                if stop is not None:
                                    yield stop
                                    return
                    else:
                        self.counts["blank"] += 1
            except ValueError as exc:  # int() of a number past Python's digit limit: data, not a bug
                if "integer string conversion" not in str(exc):
                    raise
                self._pending = None
                reason = f"a number of more than {sys.get_int_max_str_digits():,} digits: no field netstat or ss prints is that long"
                self.counts["unparsed"] += 1
                if self.strict:
                    raise ParseError(self.lineno, line, reason) from None
                yield _issue(self.lineno, line, reason)

    def feed(self, line: str) -> list[Socket | ParseIssue]:
        """Read one more line; return what it completed (the record before it, an issue ...)."""
        return [socket_of(x) if x.__class__ is dict else x for x in self._lines((line,))]  # type: ignore[misc]

    def close(self) -> list[Socket | ParseIssue]:
        """End of input: the last pending record."""
        return [socket_of(x) if x.__class__ is dict else x for x in self._close()]  # type: ignore[misc]

    def _close(self) -> list[dict[str, Any] | Socket | ParseIssue]:
        return list(self._flush())

    # -- helpers -------------------------------------------------------------------------------

    def _flush(self) -> Iterator[dict[str, Any] | Socket | ParseIssue]:
        pending, self._pending = self._pending, None
        if pending is not None:
            if self._trusted:
                yield pending
            else:
                yield from self._with_warnings(pending)

    def _flagged(self, raw: Flagged) -> Iterator[Socket | ParseIssue]:
        """A line the reader cut (an unparsed line, not parsed) or its note between lines (a
        warning that counts no line)."""
        yield from self._flush()
        if raw.is_line:
            self.lineno += 1
            self.counts["unparsed"] += 1
            if self.strict:
                raise ParseError(self.lineno, raw, raw.reason)
            yield _issue(self.lineno, raw, raw.reason)
            return
        if self.strict:
            raise ParseError(self.lineno, "", raw.reason)
        yield _issue(self.lineno, "", raw.reason, "warning")

    def _give_up(self) -> ParseIssue | None:
        """At ``give_up_after`` lines: an issue that ends reading when no listing line came."""
        limit, self.give_up_after = self.give_up_after, None  # asked once
        if found_listing(self.line_counts()):
            return None
        self.gave_up = True
        return _issue(
            self.lineno, "", f"no socket listing in the first {limit} lines: the rest of the input was not read", "warning"
        )

    def _with_warnings(self, rec: dict[str, Any]) -> Iterator[Socket | ParseIssue]:
        text = rec.pop("_text", "")
        warnings = rec.pop("_warnings", None)
        yield Socket.model_validate(rec)
        for reason in warnings or ():
            if self.strict:
                raise ParseError(rec["line"], text, reason)
            yield _issue(rec["line"], text, reason, "warning")

    def _start_record(self, grammar: Grammar, rec: dict[str, Any], line: str) -> None:
        rec["line"] = self.lineno
        self._trusted = False
        if "_warnings" in rec:
            rec["_text"] = line
        self._pending = rec
        self._pending_grammar = grammar
        self.records_by_format[grammar.name] += 1
        if self.ctx.language:
            self.languages[self.ctx.language] += 1

    def resume(self, grammar: Grammar, ctx: Context) -> None:
        """Continue as if earlier lines had left ``grammar`` active with ``ctx`` (a log read in
        byte ranges: :class:`netparse.logs.LogReader` with ``resume``)."""
        self._switch(grammar, ctx)

    def _switch(self, grammar: Grammar, ctx: Context) -> None:
        self.active, self.ctx = grammar, ctx
        self._set_rows(grammar.rows_for(ctx), grammar)

    def _set_rows(self, rows: list, grammar: Grammar | None = None) -> None:
        #: (bound regex match, builder) of each row kind: what the hot path calls
        kind = grammar.record_kind if grammar is not None else "socket"
        #: the row kernel of the active rows (see ``Grammar.kernel``), tried before the regexes
        self._kernel = grammar.kernel(self.ctx) if grammar is not None and kind == "socket" and self.use_kernels else None
        if kind == "socket":
            self._matchers = [(row.pattern.match, row.build) for row in rows]
        else:
            self._matchers = [(row.pattern.match, self._side_builder(row.build, kind)) for row in rows]

    def _side_builder(self, build, kind: str):
        def run(groups: dict, ctx: Context) -> tuple[str, str] | None:
            return self._keep_side(build(groups, ctx), kind, ctx)

        return run

    def _keep_side(self, made: "list[dict[str, Any]] | str", kind: str, ctx: Context) -> tuple[str, str] | None:
        """Validate and keep a counter/setting row's records; (issue kind, reason) when the line
        is not (fully) understood."""
        if isinstance(made, str):
            return ("unparsed", made)
        model = SIDE_MODELS[kind]
        warning = None
        for rec in made:
            warning = rec.pop("_warning", None) or warning
            rec["line"] = self.lineno
            self.side.append(model.model_validate(rec))
        self.counts[kind] += 1
        self.side_by_format[self.active.name] += 1  # type: ignore[union-attr]
        if ctx.language:
            self.languages[ctx.language] += 1
        return ("warning", warning) if warning else None

    def _side_issue(self, result: tuple[str, str] | None, line: str) -> ParseIssue | None:
        if result is None:
            return None
        kind, reason = result
        if kind == "unparsed":
            self.counts["unparsed"] += 1
        if self.strict:
            raise ParseError(self.lineno, line, reason)
        return _issue(self.lineno, line, reason, kind)

    def _slow_path(self, line: str) -> ParseIssue | None:
        """Markers (titles, headers), other grammars' row shapes, notes, else an issue."""
        if self.max_line is not None and len(line) > self.max_line:
            # a whole text handed in (parse(str)): the reader's line limit, without its cut
            reason = f"line too long: {len(line)} characters, over the limit of {self.max_line}: not parsed"
            self.counts["unparsed"] += 1
            if self.strict:
                raise ParseError(self.lineno, line, reason)
            return _issue(self.lineno, line, reason)
        active = self.active
        for grammar in self._marking(line):
            for marker in grammar.markers:
                res = marker.match(line)
                if res is None:
                    continue
                ctx = grammar.new_context() if (grammar is not active or marker.kind == "title") else self.ctx
                if marker.section:
                    ctx.section = marker.section
                if marker.on_match:
                    marker.on_match(res, ctx)
                if self.hooks is not None:
                    self.hooks.marker(marker.kind, grammar.name, line, self.lineno)
                self._switch(grammar, ctx)
                self.counts[marker.kind] += 1
                warning = ctx.values.pop("header_warning", None)
                if warning:
                    if self.strict:
                        raise ParseError(self.lineno, line, warning)
                    return _issue(self.lineno, line, warning, "warning")
                return None
        for entry in self.grammars:
            if not entry.loaded and not entry.may_be_row(line):
                continue  # none of its rows reads the line: not imported for it
            grammar = entry.load()
            if grammar is active:
                continue
            ctx = grammar.new_context()
            rec = self._try_rows(grammar, ctx, line)
            if rec is not None:
                self._switch(grammar, ctx)
                if grammar.record_kind != "socket":
                    return self._side_issue(self._keep_side(rec, grammar.record_kind, ctx), line)
                self._start_record(grammar, rec, line)
                return None
        if self.hooks is not None:
            kind = self.hooks.line(line, self.lineno)
            if kind is not None:
                self.counts[kind] += 1
                return None
        if note_kind(line) is not None:
            self.counts["note"] += 1
            return None
        reason = self._reason(line)
        self.counts["unparsed"] += 1
        if self.strict:
            raise ParseError(self.lineno, line, reason)
        return _issue(self.lineno, line, reason)

    def _marking(self, line: str) -> Iterator[Grammar]:
        """The grammars whose titles and headers are tried on ``line``, in order: the active one,
        then the others by ``shape_priority``; one not imported yet only when ``line`` passes its
        gate (a line failing it cannot be one of its markers, so the result is the same)."""
        active = self.active
        if active is not None:
            yield active
        for entry in self.grammars:
            if entry.loaded:
                grammar = entry.load()
                if grammar is not active:
                    yield grammar
            elif entry.may_mark(line):
                yield entry.load()

    def _reason(self, line: str) -> str:
        """Why ``line`` is no row: pyparsing's explanation while ``explain`` lasts (always in
        strict mode), else the short form of the same sentence."""
        active = self.active
        full = self.strict or self.explain is None or self.explain > 0
        if full and self.explain:
            self.explain -= 1
        if active is not None:
            if not full:
                return f"not a {active.name} row"
            return f"not a {active.name} row ({active.explain(line, self.ctx)[1]})"
        listings = [g for g in self.grammars if g.record_kind == "socket"] or self.grammars
        tried = ", ".join(g.name for g in listings)
        if not full:
            return f"no known format matches this line (tried: {tried})"
        loc, why, name = max((*g.explain(line, g.new_context()), g.name) for g in (e.load() for e in listings))
        return f"no known format matches this line (tried: {tried}; closest: {name}, {why})"

    @staticmethod
    def _try_rows(grammar: Grammar, ctx: Context, line: str) -> dict[str, Any] | None:
        for row in grammar.rows_for(ctx):
            m = row.pattern.match(line)
            if m is not None:
                return row.build(m.groupdict(), ctx)
        return None

    # -- results -------------------------------------------------------------------------------

    def line_counts(self) -> dict[str, int]:
        """Lines by kind so far; they add up to the number of lines read."""
        counts = dict(self.counts)
        counts["record"] = sum(self.records_by_format.values())
        return {k: v for k, v in sorted(counts.items()) if v}

    @property
    def format_name(self) -> str:
        if self.records_by_format:
            return self.records_by_format.most_common(1)[0][0]
        if self.side_by_format:
            return self.side_by_format.most_common(1)[0][0]
        return self.active.name if self.active else "unknown"

    @property
    def language(self) -> str | None:
        return self.languages.most_common(1)[0][0] if self.languages else None


#: Line kinds that show the input is a socket listing (even one with no socket in it).
LISTING_KINDS = ("record", "title", "header", "summary", "counter", "setting")


def found_listing(line_counts: dict[str, int]) -> bool:
    """True when something in the input was recognised as (part of) a socket listing."""
    return any(line_counts.get(kind) for kind in LISTING_KINDS)


def split_lines(text: str) -> Iterator[str]:
    """Lines of ``text``, splitting on \\n, \\r\\n and lone \\r (old Mac, some pastes)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = 0
    n = len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def parse_lines(
    lines: Iterable[str],
    format: str = "auto",
    strict: bool = False,
    max_line: int | None = MAX_LINE,
    *,
    validated: bool = False,
    **meta: Any,
) -> Snapshot:
    """One listing from its text lines. The snapshot keeps the parser's rows and builds its
    ``Socket`` list when ``sockets`` is first read (:meth:`Snapshot.of_rows`, models on access);
    ``validated=True``: every record a validated ``Socket`` as the grammar builds it (the
    reference the equivalence tests compare the rows with)."""
    parser = LineParser(format=format, strict=strict, max_line=max_line)
    records: list[Any] = []
    issues: list[ParseIssue] = []
    keep, report = records.append, issues.append
    with collector_paused():
        for item in (parser.run(lines) if validated else parser.rows(lines)):
            if item.__class__ is ParseIssue:
                report(item)
            else:
                keep(item)
    counters = [x for x in parser.side if isinstance(x, NetCounter)]
    settings = [x for x in parser.side if isinstance(x, NetSetting)]
    if counters:
        meta.setdefault("counters", counters)
    if settings:
        meta.setdefault("settings", settings)
    fields = dict(
        format=parser.format_name,
        formats=sorted(set(parser.records_by_format) | set(parser.side_by_format)),
        locale=parser.language,
        issues=issues,
        line_counts=parser.line_counts(),
        total_lines=parser.lineno,
        **meta,
    )
    if validated:
        return Snapshot(sockets=records, **fields)
    return Snapshot.of_rows(records, **fields)
