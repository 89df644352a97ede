"""Tables for a person: the records of ``parse``/``live`` and the summary, laid out by
:mod:`netparse.output.grid` (no value ever split; streamed; plain when piped). Colour (a bold
header) only on a terminal without NO_COLOR. Every input string goes through
:mod:`netparse.output.safe`.

The records' table reads a record by attribute only (``proto``, addresses, ports, ``state``,
queues, ``pid``/``process``): a ``Socket``, or a row read by attribute
(:class:`netparse.live.stream.Row`), which is how ``netparse live`` draws it without loading
pydantic. Nothing here imports the models at run time; the summary's helpers
(:mod:`netparse.summary`, pydantic) are imported by the summary's renderers when called."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, Iterable

from .grid import Column, say_dropped, use_color, width_of, wrap_atoms, write_table
from .safe import shown

if TYPE_CHECKING:  # annotations only: the records' table is drawn from rows too, without pydantic
    from ..model import Socket
    from ..summary import Summary

__all__ = ["PlainConsole", "PlainText", "console", "endpoint_text", "render_summary", "render_table", "rich_console",
           "summary_lines", "text_class", "use_color"]

#: what ``--help`` of the table commands says about narrow terminals
NARROW_HELP = (
    "Tables never split a value: on a narrow terminal the Recv-Q/Send-Q columns are left out first "
    "(a wider terminal, COLUMNS=200, or piping the output shows every column; -o json has every field)."
)


class PlainText:
    """What a :class:`PlainConsole` prints: the part of rich's ``Text`` the findings use
    (``Text(text, style=)``, ``append(text, style=)``, ``str()``), styles dropped."""

    __slots__ = ("plain",)

    def __init__(self, text: str = "", style: str = "") -> None:
        self.plain = text

    def append(self, text: str, style: str | None = None) -> "PlainText":
        self.plain += text
        return self

    def __str__(self) -> str:
        return self.plain


class PlainConsole:
    """A console for output that is not a terminal: writes each ``print`` as its
    text and a newline, byte for byte what rich's console writes there (no colour, 200 columns,
    no wrapping: ``tests/test_startup.py`` compares them), without importing rich."""

    width = 200

    def __init__(self, stream: IO[str]) -> None:
        self.file = stream

    def print(self, *objects: object, style: str | None = None, highlight: bool | None = None,
              no_wrap: bool | None = None, crop: bool = True, soft_wrap: bool | None = None) -> None:
        self.file.write(" ".join(str(o) for o in objects) + "\n")


def text_class(out) -> type:
    """The ``Text`` to print on ``out``: rich's for a rich console, :class:`PlainText` for a
    :class:`PlainConsole`."""
    if isinstance(out, PlainConsole):
        return PlainText
    from rich.text import Text

    return Text


def console(stream: IO[str] = sys.stdout):
    """A console for ``stream`` that never reads input as markup (callers print ``Text``, see
    :func:`text_class`): rich's on a terminal (bold and dim stay there with NO_COLOR), a
    :class:`PlainConsole` otherwise (the same bytes, without importing rich)."""
    if width_of(stream) is None:  # not a terminal
        return PlainConsole(stream)
    return rich_console(stream)


def rich_console(stream: IO[str] = sys.stdout):
    """rich's console for ``stream`` as :func:`console` sets it up (colour on a terminal only)."""
    from rich.console import Console

    fancy = use_color(stream)
    return Console(
        file=stream,
        no_color=not fancy,
        highlight=False,
        markup=False,
        emoji=False,
        force_terminal=fancy,
        width=None if fancy else 200,
        soft_wrap=not fancy,
    )


def endpoint_text(addr: str | None, port: int | None, service: str | None) -> str:
    if addr is None and port is None:
        return "-"
    p = service if (service and port is None) else ("*" if port is None else str(port))
    a = addr or "*"
    return f"[{a}]:{p}" if ":" in a else f"{a}:{p}"


def owner_text(s: "Socket | Any") -> str:
    if s.pid is not None:
        return f"{s.pid}/{s.process}" if s.process else str(s.pid)
    return s.process or ""


RECORD_COLUMNS = [
    Column("Proto"),
    Column("Local"),
    Column("Remote"),
    Column("State"),
    Column("Recv-Q", right=True, drop=1),
    Column("Send-Q", right=True, drop=1),
    Column("PID/Process"),
]


def record_cells(s: "Socket | Any") -> list[str]:
    """A record's cells (a ``Socket``, or a row read by attribute)."""
    return [
        s.proto + ("6" if s.family == "inet6" else ""),
        endpoint_text(s.local_address, s.local_port, s.local_service),
        endpoint_text(s.remote_address, s.remote_port, s.remote_service),
        str(s.state),
        "" if s.recv_q is None else str(s.recv_q),
        "" if s.send_q is None else str(s.send_q),
        owner_text(s),
    ]


def render_table(sockets: "Iterable[Socket | Any]", stream: IO[str] = sys.stdout, width: int | None = -1) -> None:
    """The records as a table, written as they stream in. ``width``: -1 follows ``stream``
    (the terminal's width, unlimited when piped), None is unlimited."""
    w = width_of(stream) if width == -1 else width
    grid = write_table(RECORD_COLUMNS, (record_cells(s) for s in sockets), stream, w, use_color(stream))
    say_dropped(grid, w, "-o json has them")


def top_text(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in items)


SUMMARY_COLUMNS = [
    Column("Kind"),
    Column("State"),
    Column("Count", right=True),
    Column("Top ports"),
    Column("Top processes"),
    Column("Top remote hosts", short="Top remotes"),
]


def summary_lines(
    summary: Summary, title: str | None, width: int | None, previous: dict | None = None
) -> tuple[list[str], list[str]]:
    """The summary as lines of text: the head (kinds, TCP states), and the table. ``previous``
    (``live --watch``): the counts of the last refresh, {(kind, state): count}; a Change column
    then says what moved (groups that emptied stay, at 0)."""
    import io

    from ..summary import counts_atoms  # pydantic: imported when a summary is drawn (see the module docstring)

    if summary.total:
        noun = 'socket' if summary.total == 1 else 'sockets'
        atoms = [f"{title + ': ' if title else ''}{summary.total:,} {noun}:"] + counts_atoms(summary)
        head = wrap_atoms([shown(a) for a in atoms], " ", width)
    else:
        head = [f"{shown(title) + ': ' if title else ''}0 sockets"]
    buf = io.StringIO()
    columns = list(SUMMARY_COLUMNS)
    groups = [(s.kind, str(s.state), s.count, s) for s in summary.states]
    if previous is not None:
        columns.insert(3, Column("Change", right=True))
        seen = {(k, st) for k, st, _, _ in groups}
        groups += [(k, st, 0, None) for (k, st) in previous if (k, st) not in seen]

    def change(kind: str, state: str, count: int) -> list[str]:
        if previous is None:
            return []
        delta = count - previous.get((kind, state), 0)
        return [f"{delta:+,}" if delta else ""]

    rows = (
        [kind, state, f"{count:,}", *change(kind, state, count)]
        + ([[], [], []] if s is None else [
            [f"{k} ×{v:,}" for k, v in s.ports],
            [f"{k} ×{v:,}" for k, v in s.processes],
            [f"{k} ×{v:,}" for k, v in s.remote_hosts],
        ])
        for kind, state, count, s in groups
    )
    write_table(columns, rows, buf, width)
    return head, buf.getvalue().splitlines()


def render_summary(summary: Summary, stream: IO[str] = sys.stdout, title: str | None = None, width: int | None = -1) -> None:
    w = width_of(stream) if width == -1 else width
    head, body = summary_lines(summary, title, w)
    bold = use_color(stream)
    for line in head:
        stream.write(line + "\n")
    for i, line in enumerate(body):
        stream.write((f"\x1b[1m{line}\x1b[0m" if bold and i == 0 else line) + "\n")


GROUP_COLUMNS = [
    Column("Container"),
    Column("Sockets", right=True),
    Column("Kinds"),
    Column("TCP states"),
    Column("Listening", drop=2),
    Column("Top processes", short="Processes", drop=1),
]


def render_groups(summary: Summary, stream: IO[str] = sys.stdout, width: int | None = -1) -> None:
    """``summary --by container``: one row per container (then the host, then unknown)."""
    w = width_of(stream) if width == -1 else width
    rows = (
        [g.name, f"{g.count:,}", [f"{k} {n:,}" for k, n in g.by_kind.items()],
         [f"{n:,} {st}" for st, n in g.tcp_states.items()], [f"{p} ×{n:,}" for p, n in g.listening],
         [f"{p} ×{n:,}" for p, n in g.processes]]
        for g in summary.by_container or ()
    )
    stream.write("\n")
    write_table(GROUP_COLUMNS, rows, stream, w, use_color(stream))
