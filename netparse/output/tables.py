"""Tables for a person (rich): the records of ``parse``/``live`` and the summary. Colour only
on a terminal without NO_COLOR."""

from __future__ import annotations

import os
import sys
from typing import IO, Iterable, Iterator

from ..model import Socket
from ..summary import Summary


def use_color(stream: IO[str] = sys.stdout) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def console(stream: IO[str] = sys.stdout):
    from rich.console import Console

    fancy = use_color(stream)
    return Console(
        file=stream,
        no_color=not fancy,
        highlight=False,
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


def table(title: str | None, columns: list[str], rows: Iterator[list[str]], fancy: bool):
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD if fancy else None, show_edge=False, pad_edge=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def render_table(sockets: Iterable[Socket], stream: IO[str] = sys.stdout) -> None:
    con = console(stream)
    rows = (
        [
            s.proto + ("6" if s.family == "inet6" else ""),
            endpoint_text(s.local_address, s.local_port, s.local_service),
            endpoint_text(s.remote_address, s.remote_port, s.remote_service),
            str(s.state),
            "" if s.recv_q is None else str(s.recv_q),
            "" if s.send_q is None else str(s.send_q),
            (f"{s.pid}/{s.process}" if s.process else str(s.pid)) if s.pid is not None else (s.process or ""),
        ]
        for s in sockets
    )
    con.print(table(None, ["Proto", "Local", "Remote", "State", "Recv-Q", "Send-Q", "PID/Process"], rows, use_color(stream)))


def top_text(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in items)


def render_summary(summary: Summary, stream: IO[str] = sys.stdout, title: str | None = None) -> None:
    con = console(stream)
    protos = ", ".join(f"{k} {v}" for k, v in summary.by_proto.items())
    con.print(f"{title + ': ' if title else ''}{summary.total} sockets ({protos})" if summary.total else "0 sockets")
    rows = (
        [str(s.state), str(s.count), top_text(s.local_ports), top_text(s.processes), top_text(s.remote_hosts)]
        for s in summary.states
    )
    con.print(
        table(None, ["State", "Count", "Top local ports", "Top processes", "Top remote hosts"], rows, use_color(stream))
    )
