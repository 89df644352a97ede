"""``netparse counters``: the counter and setting records of the inputs (nstat, /proc/net/snmp,
netstat -s, sysctl ...), or with ``--delta`` how much each counter rose between consecutive
snapshots of a log. Mounted on the main app with :func:`register`."""

from __future__ import annotations

import json
import sys
from sys import intern
from typing import List, Optional

import typer

from ..errors import InputSkipped
from .exits import not_understood
from .options import EXIT_INPUT, FilesArg, FormatOpt, err, expand_or_exit, input_errors

COUNTERS_HELP = (
    "Print the kernel counters and settings in the inputs (nstat -az, /proc/net/snmp, netstat, snmp6, "
    "netstat -s, sysctl, grep -H . /proc/sys/...): one row per counter with its section, label and canonical "
    "name. --delta: how much each counter rose between consecutive snapshots of a log (and per second when "
    "they have timestamps), each host's snapshots against its own in time order; counters that did not move are left out. Where "
    "counters fell they restarted (reboot): a 'reset' row; "
    "from plain nstat (no zeros printed) they are its increments, taken as the rises."
)


def counters_command(
    files: Optional[List[str]] = FilesArg,
    format: str = FormatOpt,
    delta: bool = typer.Option(False, "--delta", help="Rises between consecutive snapshots instead of values."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    from ..counters import RESET, counter_values
    from ..logs.reader import LogReader, snapshot_model
    from ..logs.timeline import Row, counter_steps, ordered
    from ..output.grid import Column, say_dropped, stdout_width, write_table
    from ..output.safe import json_safe

    out = sys.stdout
    state = {"found": False, "failed": False, "unread": 0}

    def snapshots():
        """(block, snapshot) with counters or settings of every input; reading problems reported
        here (writing happens in the caller, so a closed pipe is never 'cannot read')."""
        for name in expand_or_exit(list(files or ["-"])):
            try:
                with input_errors(name, skip=True):
                    reader = LogReader(name, format=format)
                    for block, sockets, issues in reader.by_snapshot():
                        snap = snapshot_model(block, sockets, issues)
                        if snap.counters or snap.settings:
                            state["found"] = True
                            yield block, snap
                    state["unread"] += reader.parser.line_counts().get("unparsed", 0)
            except InputSkipped:
                state["failed"] = True

    def where(snap) -> dict:
        return {"source": snap.source, "timestamp": snap.timestamp.isoformat() if snap.timestamp else None}

    def values():
        for _, snap in snapshots():
            for rec in [*(snap.counters or []), *(snap.settings or [])]:
                yield snap, rec.model_dump(mode="json", exclude_none=True)

    def rises():
        """(snapshot, counter, rise, per second) for each counter that rose since the host's
        previous snapshot, as the timeline decides it (:func:`counter_steps` over its
        :func:`ordered` rows: each host's snapshots in time order when they all have a time, so
        logs given out of order are no restart); (snapshot, None, None, None) where the counters
        fell (a reset: how much they rose across it is unknown). Holds every snapshot's counters
        (their names shared) until the inputs end."""
        rows = ordered([Row(block.index, snap.source, block.first_line, snap.timestamp, block.stamp_kind, snap.host,
                            [], counters={intern(k): v for k, v in counter_values(snap.counters).items()})
                        for block, snap in snapshots()])
        for step in counter_steps(rows):
            if step.kind == RESET:
                yield step.row, None, None, None
            elif step.kind != "first":
                for key, rise in step.rises.items():
                    if rise:
                        yield step.row, key, rise, step.per_second(key)

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
