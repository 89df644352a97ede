"""Renderers: records and summaries to table, JSON, JSON lines and CSV. A renderer never parses
and never decides what is an anomaly."""

from __future__ import annotations

import csv
import json
import os
import sys
from typing import IO, Iterable, Iterator

from ..model import Socket
from ..summary import Summary

CSV_COLUMNS = [
    "line",
    "proto",
    "family",
    "local_address",
    "local_port",
    "local_service",
    "remote_address",
    "remote_port",
    "remote_service",
    "state",
    "state_label",
    "recv_q",
    "send_q",
    "pid",
    "process",
    "user",
    "inode",
    "timer",
    "fd",
    "path",
    "type",
    "truncated",
]


def record_dict(sock: Socket, **extra: object) -> dict:
    data = sock.model_dump(mode="json", exclude_none=True)
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


_TO_JSON = Socket.__pydantic_serializer__.to_json  # model_dump_json without its per-call wrapper


def record_json(sock: Socket, **extra: object) -> str:
    """One record as compact JSON (pydantic's serializer; nulls left out), plus extra keys."""
    text = _TO_JSON(sock, exclude_none=True).decode()
    more = {k: v for k, v in extra.items() if v is not None}
    if more:
        text = text[:-1] + "," + json.dumps(more, ensure_ascii=False)[1:]
    return text


def write_jsonl(records: Iterable[str], out: IO[str]) -> int:
    """``records`` are JSON texts (see :func:`record_json`)."""
    n = 0
    for text in records:
        out.write(text)
        out.write("\n")
        n += 1
    return n


def write_json(records: Iterable[str], out: IO[str]) -> int:
    """A JSON array, written as it streams (no list held in memory)."""
    n = 0
    out.write("[")
    for text in records:
        out.write(",\n  " if n else "\n  ")
        out.write(text)
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_csv(records: Iterable[dict], out: IO[str]) -> int:
    """Fixed core columns; every other field goes into ``extra`` as JSON so nothing is lost."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + ["extra"])
    n = 0
    core = set(CSV_COLUMNS)
    for rec in records:
        rest = {k: v for k, v in rec.items() if k not in core}
        row = ["" if rec.get(c) is None else rec[c] for c in CSV_COLUMNS]
        row.append(json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "")
        writer.writerow(row)
        n += 1
    return n


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


def _endpoint(addr: str | None, port: int | None, service: str | None) -> str:
    if addr is None and port is None:
        return "-"
    p = service if (service and port is None) else ("*" if port is None else str(port))
    a = addr or "*"
    return f"[{a}]:{p}" if ":" in a else f"{a}:{p}"


def _table(title: str | None, columns: list[str], rows: Iterator[list[str]], fancy: bool):
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
            _endpoint(s.local_address, s.local_port, s.local_service),
            _endpoint(s.remote_address, s.remote_port, s.remote_service),
            str(s.state),
            "" if s.recv_q is None else str(s.recv_q),
            "" if s.send_q is None else str(s.send_q),
            (f"{s.pid}/{s.process}" if s.process else str(s.pid)) if s.pid is not None else (s.process or ""),
        ]
        for s in sockets
    )
    con.print(_table(None, ["Proto", "Local", "Remote", "State", "Recv-Q", "Send-Q", "PID/Process"], rows, use_color(stream)))


def _top(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in items)


def render_summary(summary: Summary, stream: IO[str] = sys.stdout, title: str | None = None) -> None:
    con = console(stream)
    protos = ", ".join(f"{k} {v}" for k, v in summary.by_proto.items())
    con.print(f"{title + ': ' if title else ''}{summary.total} sockets ({protos})" if summary.total else "0 sockets")
    rows = (
        [str(s.state), str(s.count), _top(s.local_ports), _top(s.processes), _top(s.remote_hosts)]
        for s in summary.states
    )
    con.print(
        _table(None, ["State", "Count", "Top local ports", "Top processes", "Top remote hosts"], rows, use_color(stream))
    )
