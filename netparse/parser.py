"""The line loop: text -> Socket records + ParseIssues, with every line accounted for.

For each line, in order:

1. a continuation of the pending record (``ss -i`` lines) is attached to it;
2. blank lines are counted;
3. the active grammar's compiled row patterns are tried (the hot path: one ``re`` match);
4. titles and headers of every grammar (pyparsing) switch the active grammar and section;
5. rows of the other grammars (header-less input: ``netstat -an | grep 8080``) switch to the
   grammar whose row shape matches;
6. known non-data lines (prompts with the command, tools' stderr notes) are counted as notes;
7. anything else becomes a ``ParseIssue`` with its line number and pyparsing's reason.

So records + recognised lines + unparsed issues == input lines, always.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Iterator

from .errors import ParseError
from .grammars import GRAMMARS, get
from .grammars.base import Context, Grammar
from .model import ParseIssue, Snapshot, Socket
from .notes import note_kind

MAX_ISSUE_TEXT = 200


def _issue(lineno: int, text: str, reason: str, kind: str = "unparsed") -> ParseIssue:
    return ParseIssue(line=lineno, text=text[:MAX_ISSUE_TEXT], reason=reason, kind=kind)  # type: ignore[arg-type]


class LineParser:
    """Incremental parser: feed lines, get records and issues; keeps the line accounting.

    ``format`` is ``"auto"`` (detect from titles, headers and row shapes, switching when the input
    switches) or a grammar name to read the whole input with.
    """

    def __init__(self, format: str = "auto", strict: bool = False) -> None:
        if format == "auto":
            self.grammars: list[Grammar] = sorted(GRAMMARS.values(), key=lambda g: g.shape_priority)
        else:
            self.grammars = [get(format)]
        self.strict = strict
        self.active: Grammar | None = self.grammars[0] if format != "auto" else None
        self.ctx: Context = self.active.new_context() if self.active else Context()
        self.counts: Counter[str] = Counter()
        self.records_by_format: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.lineno = 0
        self._pending: dict[str, Any] | None = None
        self._pending_grammar: Grammar | None = None

    # -- helpers -------------------------------------------------------------------------------

    def _emit(self) -> list[Socket | ParseIssue]:
        """Validate the pending record into a Socket (plus its warnings, if any)."""
        rec = self._pending
        if rec is None:
            return []
        self._pending = None
        text = rec.pop("_text")
        warnings = rec.pop("_warnings", None)
        out: list[Socket | ParseIssue] = [Socket.model_validate(rec)]
        if warnings:
            lineno = rec["line"]
            for reason in warnings:
                if self.strict:
                    raise ParseError(lineno, text, reason)
                out.append(_issue(lineno, text, reason, "warning"))
        return out

    def _try_rows(self, grammar: Grammar, ctx: Context, line: str) -> dict[str, Any] | None:
        for row in grammar.rows_for(ctx):
            m = row.pattern.match(line)
            if m is not None:
                return row.build(m.groupdict(), ctx)
        return None

    def _start_record(self, grammar: Grammar, rec: dict[str, Any], line: str) -> None:
        rec["line"] = self.lineno
        rec["_text"] = line
        self._pending = rec
        self._pending_grammar = grammar
        self.counts["record"] += 1
        self.records_by_format[grammar.name] += 1
        if self.ctx.language:
            self.languages[self.ctx.language] += 1

    # -- the loop ------------------------------------------------------------------------------

    def feed(self, raw: str) -> list[Socket | ParseIssue]:
        """Read one line (with or without its line end); return what it completed."""
        self.lineno += 1
        line = raw.rstrip("\r\n")
        if "\x00" in line:
            line = line.replace("\x00", "")
        out: list[Socket | ParseIssue] = []
        if self._pending is not None:
            grammar = self._pending_grammar
            assert grammar is not None
            if grammar.has_continuations and grammar.is_continuation(line, self.ctx):
                grammar.attach(self._pending, line, self.ctx)
                self.counts["continuation"] += 1
                return out
            out = self._emit()
        active = self.active
        if active is not None:
            # the hot path: one compiled regex per row kind of the active grammar
            for row in active.rows_for(self.ctx):
                m = row.pattern.match(line)
                if m is not None:
                    self._start_record(active, row.build(m.groupdict(), self.ctx), line)
                    return out
        if not line.strip():
            self.counts["blank"] += 1
            return out
        out.extend(self._slow_path(line, active))
        return out

    def _slow_path(self, line: str, active: Grammar | None) -> list[Socket | ParseIssue]:
        """Markers (titles, headers), other grammars' row shapes, notes, else an issue."""
        for grammar in ([active] if active else []) + [g for g in self.grammars if g is not active]:
            for marker in grammar.markers:
                res = marker.match(line)
                if res is None:
                    continue
                if grammar is not active or marker.kind == "title":
                    self.ctx = grammar.new_context()
                self.active = grammar
                if marker.section:
                    self.ctx.section = marker.section
                if marker.on_match:
                    marker.on_match(res, self.ctx)
                self.counts[marker.kind] += 1
                warning = self.ctx.values.pop("header_warning", None)
                if warning:
                    if self.strict:
                        raise ParseError(self.lineno, line, warning)
                    return [_issue(self.lineno, line, warning, "warning")]
                return []
        for grammar in self.grammars:
            if grammar is active:
                continue
            ctx = grammar.new_context()
            rec = self._try_rows(grammar, ctx, line)
            if rec is not None:
                self.active, self.ctx = grammar, ctx
                self._start_record(grammar, rec, line)
                return []
        kind = note_kind(line)
        if kind is not None:
            self.counts["note"] += 1
            return []
        if active is not None:
            reason = f"not a {active.name} row ({active.explain(line, self.ctx)[1]})"
        else:
            loc, why, name = max((*g.explain(line, g.new_context()), g.name) for g in self.grammars)
            tried = ", ".join(g.name for g in self.grammars)
            reason = f"no known format matches this line (tried: {tried}; closest: {name}, {why})"
        self.counts["unparsed"] += 1
        if self.strict:
            raise ParseError(self.lineno, line, reason)
        return [_issue(self.lineno, line, reason)]

    def close(self) -> list[Socket | ParseIssue]:
        """Flush the last pending record."""
        return self._emit()

    def run(self, lines: Iterable[str]) -> Iterator[Socket | ParseIssue]:
        feed = self.feed
        for line in lines:
            out = feed(line)
            if out:
                yield from out
        yield from self.close()

    # -- results -------------------------------------------------------------------------------

    @property
    def format_name(self) -> str:
        if self.records_by_format:
            return self.records_by_format.most_common(1)[0][0]
        return self.active.name if self.active else "unknown"

    @property
    def language(self) -> str | None:
        return self.languages.most_common(1)[0][0] if self.languages else None


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


def parse_lines(lines: Iterable[str], format: str = "auto", strict: bool = False, **meta: Any) -> Snapshot:
    parser = LineParser(format=format, strict=strict)
    sockets: list[Socket] = []
    issues: list[ParseIssue] = []
    for item in parser.run(lines):
        if isinstance(item, Socket):
            sockets.append(item)
        else:
            issues.append(item)
    counts = {k: v for k, v in sorted(parser.counts.items()) if v}
    return Snapshot(
        format=parser.format_name,
        formats=sorted(parser.records_by_format),
        locale=parser.language,
        sockets=sockets,
        issues=issues,
        line_counts=counts,
        total_lines=parser.lineno,
        **meta,
    )
