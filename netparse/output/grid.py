"""Plain-text tables that never break a value, written as the rows stream in.

A cell is one *atom* (an address:port, a pid/process pair, a timestamp, a count) or a list of
atoms (``443 ×3``, ``22 ×1``; the words of a sentence). An atom is never split, cut or
wrapped: a cell wraps only between its atoms. When the terminal is too narrow the table gives
up other things first: columns marked droppable go (lowest value first, and the caller says so
in ``--help``), list cells wrap between atoms, and a record that still does not fit continues
on an indented second line at a column boundary.

Without a width (output piped to a file or another program) every column is kept, a record is
one line, nothing wraps and lines carry no trailing padding, so ``grep``/``awk``/``cut`` work.

Widths are measured on the first :data:`WINDOW` rows, so the first line comes out as soon as
those rows (or the whole input, if shorter) are read and memory stays flat; a later, longer
value pushes its line's later cells right rather than being cut.

Every atom goes through :func:`netparse.output.safe.shown_edges` (:func:`~netparse.output.safe.shown`, whitespace at its ends escaped: cells are padded and trimmed). No rich here.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import IO, Iterable, Sequence, Union

from .safe import shown, shown_edges

#: rows read before the column widths are fixed
WINDOW = 200
GAP = 2
INDENT = 4

Cell = Union[str, Sequence[str]]


@dataclass
class Column:
    header: str
    right: bool = False  # right-aligned (numbers)
    drop: int = 0  # 0: always kept; otherwise dropped when too narrow, lowest first
    sep: str = ", "  # between the atoms of a list cell
    short: str | None = None  # header when the column is narrower than ``header``


def use_color(stream: IO[str]) -> bool:
    return _isatty(stream) and "NO_COLOR" not in os.environ


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def width_of(stream: IO[str]) -> int | None:
    """The width text output follows: the terminal's (``COLUMNS`` when set), or None when
    ``stream`` is not a terminal (piped: unlimited, one record per line)."""
    if not _isatty(stream):
        return None
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def text_width(s: str) -> int:
    """Columns ``s`` takes on a terminal (East Asian wide characters count two, combining
    marks none)."""
    if s.isascii():
        return len(s)
    n = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def _atoms(value: Cell) -> list[str]:
    if isinstance(value, str):
        return [shown_edges(value)]
    return [shown_edges(a) for a in value]


def _pad(s: str, width: int, right: bool) -> str:
    room = width - text_width(s)
    if room <= 0:
        return s
    return " " * room + s if right else s + " " * room


def wrap_atoms(atoms: list[str], sep: str, width: int | None) -> list[str]:
    """The atoms joined by ``sep`` (", " or " ") in lines of at most ``width`` (an atom longer
    stays whole)."""
    if width is None or not atoms:
        return [sep.join(atoms)]
    lines: list[str] = []
    cur = ""
    glue = sep.rstrip()
    for i, atom in enumerate(atoms):
        piece = atom + (glue if i < len(atoms) - 1 else "")
        if not cur:
            cur = piece
        elif text_width(cur) + 1 + text_width(piece) <= width:
            cur += " " + piece
        else:
            lines.append(cur)
            cur = piece
    lines.append(cur)
    return lines


class Grid:
    """Lay out rows of cells under ``columns`` for ``width`` (None: unlimited)."""

    def __init__(self, columns: list[Column], width: int | None, color: bool = False) -> None:
        self.all_columns = columns
        self.width = width
        self.color = color
        self.keep: list[int] = list(range(len(columns)))
        self.widths: list[int] = []
        self.headers: list[str] = []
        self.dropped: list[str] = []
        self._band_cache: list[list[int]] | None = None

    # -------------------------------------------------------------- measuring

    def fit(self, sample: list[list[list[str]]]) -> None:
        cols = self.all_columns
        natural = [text_width(c.header) for c in cols]
        least = [text_width(c.short or c.header) for c in cols]
        for row in sample:
            for i, atoms in enumerate(row):
                if not atoms:
                    continue
                natural[i] = max(natural[i], text_width(cols[i].sep.join(atoms)))
                glue = len(cols[i].sep.rstrip()) if len(atoms) > 1 else 0  # the comma after a wrapped atom
                least[i] = max(least[i], max(text_width(a) for a in atoms) + glue)
        keep = list(range(len(cols)))
        if self.width is not None:
            def total(ws: Iterable[int]) -> int:
                ws = list(ws)
                return sum(ws) + GAP * (len(ws) - 1)

            droppable = sorted((c.drop, i) for i, c in enumerate(cols) if c.drop)
            while total(least[i] for i in keep) > self.width and droppable:
                level = droppable[0][0]
                gone = [i for d, i in droppable if d == level]  # a level goes as one (Recv-Q with Send-Q)
                droppable = [(d, i) for d, i in droppable if d != level]
                keep = [i for i in keep if i not in gone]
                self.dropped.extend(cols[i].header for i in gone)
            # still too wide: a record is laid over several lines, each value whole (see _bands)
            widths = {i: natural[i] for i in keep}
            excess = total(widths.values()) - self.width
            # shrink list cells (wrapping between atoms), the widest first, down to their longest atom
            while excess > 0:
                shrinkable = [i for i in keep if widths[i] > least[i]]
                if not shrinkable:
                    break
                i = max(shrinkable, key=lambda j: widths[j])
                widths[i] -= 1
                excess -= 1
            self.widths = [widths[i] for i in keep]
        else:
            self.widths = [natural[i] for i in keep]
        self.keep = keep
        self.headers = [
            cols[i].header if text_width(cols[i].header) <= w else (cols[i].short or cols[i].header)
            for i, w in zip(keep, self.widths)
        ]

    # -------------------------------------------------------------- writing

    def _line_cells(self, cells: list[list[str]]) -> list[str]:
        """Physical lines of one record (cells already narrowed to the kept columns)."""
        cols = [self.all_columns[i] for i in self.keep]
        wrapped = [
            wrap_atoms(atoms, col.sep, w if self.width is not None else None)
            for atoms, col, w in zip(cells, cols, self.widths)
        ]
        height = max((len(w) for w in wrapped), default=1)
        out = []
        for k in range(height):
            parts = [w[k] if k < len(w) else "" for w in wrapped]
            out.extend(self._join(parts, cols))
        return out

    def _bands(self) -> list[list[int]]:
        """Which kept columns go on each physical line of a record: all on one when they fit,
        else as many as fit per line, later lines indented by :data:`INDENT`."""
        if self.width is None:
            return [list(range(len(self.widths)))]
        bands: list[list[int]] = [[]]
        used = 0
        for j, w in enumerate(self.widths):
            if bands[-1] and used + GAP + w > self.width:
                bands.append([])
            if not bands[-1]:
                used = (INDENT if len(bands) > 1 else 0) + w
            else:
                used += GAP + w
            bands[-1].append(j)
        return bands

    def _join(self, parts: list[str], cols: list[Column]) -> list[str]:
        """The padded parts on one line, or on the lines of :meth:`_bands` (split at a column
        boundary, never inside a value); no trailing padding."""
        if self._band_cache is None:
            self._band_cache = self._bands()
        lines = []
        for k, band in enumerate(self._band_cache):
            cells = [_pad(parts[j], self.widths[j], cols[j].right) for j in band]
            line = (" " * INDENT if k else "") + (" " * GAP).join(cells)
            if k and not line.strip():
                continue  # nothing in this band for this line
            lines.append(line.rstrip())
        return lines

    def header_lines(self) -> list[str]:
        cols = [self.all_columns[i] for i in self.keep]
        lines = self._join(self.headers, cols)
        if self.color:
            return [f"\x1b[1m{line}\x1b[0m" for line in lines]
        return lines

    def record_lines(self, row: list[list[str]]) -> list[str]:
        return self._line_cells([row[i] for i in self.keep])


def write_table(
    columns: list[Column],
    rows: Iterable[Sequence[Cell]],
    out: IO[str],
    width: int | None = None,
    color: bool = False,
    header: bool = True,
    spaced: bool = False,
) -> Grid:
    """Write ``rows`` under ``columns``: the header and rows as they come, widths measured on
    the first :data:`WINDOW` rows; nothing at all when there are no rows. ``spaced``: a blank
    line between records (for prose cells). Returns the grid
    (``dropped`` names the columns left out)."""
    it = iter(rows)
    grid = Grid(columns, width, color)
    first = [[_atoms(c) for c in row] for row in islice(it, WINDOW)]
    grid.fit(first)
    if header and first:  # no rows, no table (an empty input says so on stderr instead)
        for line in grid.header_lines():
            out.write(line + "\n")
    blank = "\n" if spaced else ""
    for k, row in enumerate(first):
        out.write((blank if k else "") + "".join(line + "\n" for line in grid.record_lines(row)))
    del first
    for row in it:
        out.write(blank + "".join(line + "\n" for line in grid.record_lines([_atoms(c) for c in row])))
    return grid


def say_dropped(grid: Grid, width: int | None, hint: str, name=None) -> None:
    """The one stderr line naming the columns ``grid`` left out to fit ``width`` (none when
    nothing was left out, or piped: piped output has every column). ``hint``: where the rest
    is ('-o json has them'); ``name``: how to name a column (default its header)."""
    if grid.dropped and width is not None:
        gone = ", ".join(name(c) if name else c for c in grid.dropped)
        sys.stderr.write(shown(f"netparse: {gone} left out to fit {width} columns ({hint})") + "\n")


def fill(text: str, width: int, first: str = "", rest: str = "") -> str:
    """``text`` wrapped at ``width`` between words only (a name such as tcp_fin_timeout or a
    hyphenated label stays whole), ``first`` before its first line and ``rest`` before the others."""
    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False)


def say(text: str) -> None:
    """A note for a person on stderr, ``netparse: text``: on a terminal wrapped between words at
    its width (later lines under the text), else one line (none when stderr is closed)."""
    if sys.stderr is None:
        return
    line = shown(f"netparse: {text}")
    width = width_of(sys.stderr)
    sys.stderr.write((line if width is None else fill(line, width, "", " " * len("netparse: "))) + "\n")


def lines_of(columns: list[Column], rows: Iterable[Sequence[Cell]], width: int | None, header: bool = True) -> list[str]:
    """The table as a list of lines (for rich's live view and tests)."""
    import io

    buf = io.StringIO()
    write_table(columns, rows, buf, width, False, header)
    return buf.getvalue().splitlines()


def stdout_width() -> int | None:
    return width_of(sys.stdout)
