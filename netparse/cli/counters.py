"""``netparse counters``: the counter and setting records of the inputs (nstat, /proc/net/snmp,
netstat -s, sysctl ...), or with ``--delta`` how much each counter rose between consecutive
snapshots of a log. Mounted on the main app with :func:`register`."""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

from ..errors import InputSkipped
from .exits import not_understood
from .options import EXIT_INPUT, FilesArg, FormatOpt, err, expand_or_exit, input_errors

COUNTERS_HELP = (
    "Print the kernel counters and settings in the inputs (nstat -az, /proc/net/snmp, netstat, snmp6, "
    "netstat -s, sysctl, grep -H . /proc/sys/...): one row per counter with its section, label and canonical "
    "name. --delta: how much each counter rose between consecutive snapshots of a log (and per second when "
    "they have timestamps), each host's snapshots against its own; counters that did not move are left out. Where "
    "counters fell they restarted (reboot): a 'reset' row; "
    "from plain nstat (no zeros printed) they are its increments, taken as the rises."
)


def counters_command(
    files: Optional[List[str]] = FilesArg,
    format: str = FormatOpt,
    delta: bool = typer.Option(False, "--delta", help="Rises between consecutive snapshots instead of values."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    from ..counters import RESET, counter_change
    from ..logs.reader import LogReader, snapshot_model
    from ..logs.stamps import seconds_between
    from ..output.grid import Column, say_dropped, stdout_width, write_table
    from ..output.safe import json_safe

    out = sys.stdout
    state = {"found": False, "failed": False, "unread": 0}

    def snapshots():
        """The snapshots with counters or settings of every input; reading problems reported
        here (writing happens in the caller, so a closed pipe is never 'cannot read')."""
        for name in expand_or_exit(list(files or ["-"])):
            try:
                with input_errors(name, skip=True):
                    reader = LogReader(name, format=format)
                    for block, sockets, issues in reader.by_snapshot():
                        snap = snapshot_model(block, sockets, issues)
                        if snap.counters or snap.settings:
                            state["found"] = True
                            yield snap
                    state["unread"] += reader.parser.line_counts().get("unparsed", 0)
            except InputSkipped:
                state["failed"] = True

    def where(snap) -> dict:
        return {"source": snap.source, "timestamp": snap.timestamp.isoformat() if snap.timestamp else None}

    def values():
        for snap in snapshots():
            for rec in [*(snap.counters or []), *(snap.settings or [])]:
                yield snap, rec.model_dump(mode="json", exclude_none=True)

    def rises():
        """(snapshot, counter, rise, per second) for each counter that rose since the previous
        snapshot of the same host; (snapshot, None, None, None) where the counters fell (a
        reset: how much they rose across it is unknown)."""
        previous: dict = {}  # host -> (values, timestamp): never one host's against another's
        for snap in snapshots():
            current = {c.name: c.value for c in snap.counters or []}
            before = previous.get(snap.host)
            if before is not None and current:
                changes, kind = counter_change(before[0], current)
                if kind == RESET:
                    yield snap, None, None, None
                else:
                    seconds = seconds_between(before[1], snap.timestamp)
                    for key, rise in changes.items():
                        if rise:
                            yield snap, key, rise, (rise / seconds if seconds else None)
            if current:
                previous[snap.host] = (current, snap.timestamp)

    if as_json:
        docs = ({**row, **where(snap)} for snap, row in values()) if not delta else (
            ({"name": key, "delta": rise, "per_second": rate} if key is not None else {"reset": True}) | where(snap)
            for snap, key, rise, rate in rises())
        for doc in docs:
            out.write(json_safe(json.dumps(doc, ensure_ascii=False)) + "\n")
    elif not delta:
        columns = [Column("Counter"), Column("Value", right=True), Column("Section", drop=3),
                   Column("Canonical", drop=2), Column("Label", drop=1, sep=" ")]
        rows = ([row["name"], str(row["value"]), row.get("section") or ("setting" if "canonical" not in row else ""),
                 row.get("canonical") or "", (row.get("label") or "").split()] for _, row in values())
        width = stdout_width()
        say_dropped(write_table(columns, rows, out, width), width, "--json has them")
    else:
        columns = [Column("Counter"), Column("Rise", right=True), Column("Per second", right=True, drop=2),
                   Column("Snapshot", drop=1)]
        resets = []

        def delta_rows():
            for snap, key, rise, rate in rises():
                if key is None:
                    resets.append(snap)
                    yield ["(every counter)", "reset", "", snap.source or ""]
                else:
                    yield [key, f"+{rise:,}", "" if rate is None else f"{rate:,.2f}", snap.source or ""]

        width = stdout_width()
        say_dropped(write_table(columns, delta_rows(), out, width), width, "--json has them")
        if resets:
            out.write("reset: the counters fell (reboot, new namespace, 32-bit wrap): rise unknown\n")
    out.flush()
    not_understood(state["unread"])
    if not state["found"]:
        err("no counters or settings found")
        raise typer.Exit(EXIT_INPUT)
    if state["failed"]:
        raise typer.Exit(EXIT_INPUT)


def register(app: typer.Typer) -> None:
    """Add ``counters`` to the netparse typer app."""
    app.command("counters", help=COUNTERS_HELP)(counters_command)
