"""The one sanitiser: every place that shows input text to a person goes through here.

Input is data, never code. Text read from a listing (process names, host names, paths, labels)
may hold anything a local user can put in a process name (``prctl(PR_SET_NAME)``) or a file
name: terminal escape sequences, rich markup, spreadsheet formulas, characters XML 1.0 forbids.

* :func:`shown` — for a terminal or any text a person reads: C0/C1 control characters, DEL,
  the Unicode bidirectional overrides and isolates, line/paragraph separators, lone surrogates
  and non-characters become visible escapes (``\\x1b``, ``\\u202e``, ``\\udc80``); everything else is
  kept as printed. Backslashes are kept as printed (a Windows path stays ``C:\\Windows``), so
  ``\\x1b`` in the output is either the escape character or those four characters as printed.
* :func:`shown_edges` — :func:`shown` for a table cell, whitespace at either end escaped too
  (tables pad and trim cells: ``"java "`` would lose its space).
* :func:`cell` — a rich ``Text`` of :func:`shown`: never read as markup, never an emoji code.
* :func:`csv_cell` — a CSV cell that a spreadsheet would run as a formula (starting with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'``, as OWASP's "CSV
  Injection" page recommends; ``--csv-raw`` turns that off for machine use.
* :func:`xml_text` — text for SVG/HTML: :func:`shown` (which also removes every character
  XML 1.0 does not allow), then ``&``, ``<``, ``>`` and quotes escaped.
* :func:`json_safe` — JSON text with DEL and C1 controls (which JSON leaves raw, and some
  terminals read as escape sequences) written as ``\\u`` escapes: the same JSON value.

No rich import at module level: worker processes and ``netparse.cli`` start-up import this.
"""

from __future__ import annotations

import re

#: characters never written raw for a person: C0 controls, DEL, C1 controls, bidi embeddings /
#: overrides / isolates and marks that reorder text, line and paragraph separators, BOM and
#: zero-width no-break space, lone surrogates (from surrogateescape decoding), non-characters
#: U+FFFE/U+FFFF (XML 1.0 forbids them too).
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
    "\ud800-\udfff\ufffe\uffff]"
)

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` as a person may see it: unsafe characters (see :data:`UNSAFE`) as visible escapes."""
    s = text if isinstance(text, str) else str(text)
    if UNSAFE.search(s) is None:  # the common case: one C-level scan, no copy
        return s
    return UNSAFE.sub(_escape, s)


def shown_edges(text: object) -> str:
    """:func:`shown` for a table cell: whitespace at either end (a process named ``"java "``)
    also as escapes (``java\\x20``): a table pads and trims its cells, where it would vanish."""
    s = shown(text)
    if s and (s[0].isspace() or s[-1].isspace()):
        n = len(s)
        lead = n - len(s.lstrip())
        trail = n - len(s.rstrip()) if lead < n else 0
        return "".join(map(_edge, s[:lead])) + s[lead:n - trail] + "".join(map(_edge, s[n - trail:]))
    return s


def _edge(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown_text(text: str) -> str:
    """:func:`shown` line by line: newlines kept, everything else as :func:`shown` makes it."""
    if UNSAFE.search(text) is None:
        return text
    return "\n".join(shown(part) for part in text.split("\n"))


def cell(text: object, style: str = ""):
    """A rich ``Text`` of :func:`shown`: what rich prints of input text (never markup)."""
    from rich.text import Text

    return Text(shown(text), style=style)


#: a cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object, guard: bool = True) -> object:
    """A CSV value: strings that start a formula prefixed with ``'`` when ``guard`` (numbers,
    which are never formulas, pass unchanged)."""
    if guard and isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` with ``\n`` line ends that still quotes a cell holding a carriage return
    (the csv module quotes only the characters of its own line terminator, so a lone CR in a
    process name would split the row for every reader)."""

    def __init__(self, out) -> None:
        import csv
        import io

        self.out = out
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\r\n")

    def writerow(self, row) -> None:
        self.writer.writerow(row)
        text = self.buf.getvalue()
        self.buf.seek(0)
        self.buf.truncate()
        self.out.write(text[:-2] + "\n")


def xml_text(text: object) -> str:
    """Text for SVG/HTML content or attribute values: well-formed XML 1.0 whatever the input."""
    from html import escape  # (only for the plot: html costs start-up)

    return escape(shown(text), quote=True)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 controls, bidi overrides and line separators as ``\\uXXXX``
    escapes: the same JSON value, and nothing a terminal acts on. (JSON encoders already
    escape C0 controls.)"""
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
