"""``netparse counters``: the counter and setting records of the inputs (nstat, /proc/net/snmp,
netstat -s, sysctl ...), or with ``--delta`` how much each counter rose between consecutive
snapshots of a log. Mounted on the main app with :func:`register`."""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

from ..errors import InputSkipped
from .options import EXIT_INPUT, FilesArg, FormatOpt, err, expand_or_exit, input_errors

COUNTERS_HELP = (
    "Print the kernel counters and settings in the inputs (nstat -az, /proc/net/snmp, netstat, snmp6, "
    "netstat -s, sysctl, grep -H . /proc/sys/...): one row per counter with its section, label and canonical "
    "name. --delta: how much each counter rose between consecutive snapshots of a log (and per second when "
    "they have timestamps); counters that did not move are left out."
)


def counters_command(
    files: Optional[List[str]] = FilesArg,
    format: str = FormatOpt,
    delta: bool = typer.Option(False, "--delta", help="Rises between consecutive snapshots instead of values."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    from ..counters import deltas
    from ..logs.reader import LogReader, snapshot_model
    from ..output.safe import json_safe, shown

    out = sys.stdout
    found = False
    failed = False
    unread = 0

    def line(text: str) -> None:  # names, labels and values come from the input: shown, never escapes
        out.write(shown(text) + "\n")

    def dump(doc: dict) -> None:
        out.write(json_safe(json.dumps(doc, ensure_ascii=False)) + "\n")

    for name in expand_or_exit(list(files or ["-"])):
        try:
            with input_errors(name, skip=True):
                reader = LogReader(name, format=format)
                previous = None
                for block, sockets, issues in reader.by_snapshot():
                    snap = snapshot_model(block, sockets, issues)
                    if not snap.counters and not snap.settings:
                        continue
                    found = True
                    where = {"source": snap.source, "timestamp": snap.timestamp.isoformat() if snap.timestamp else None}
                    if not delta:
                        for rec in [*(snap.counters or []), *(snap.settings or [])]:
                            row = rec.model_dump(mode="json", exclude_none=True)
                            if as_json:
                                dump({**row, **where})
                            elif "numbers" in row or "canonical" not in row:
                                line(f"{row['name']:<40} {row['value']!s:>20}  setting")
                            else:
                                line(f"{row['name']:<40} {row['value']:>20}  {row.get('section') or '':<10} "
                                     f"{row['canonical']:<24} {row.get('label') or ''}")
                        continue
                    values = {c.name: c.value for c in snap.counters or []}
                    if previous is not None:
                        seconds = None
                        if previous[1] is not None and snap.timestamp is not None:
                            try:
                                seconds = (snap.timestamp - previous[1]).total_seconds() or None
                            except TypeError:
                                seconds = None
                        for key, rise in deltas(previous[0], values).items():
                            if not rise:
                                continue
                            rate = rise / seconds if seconds else None
                            if as_json:
                                dump({"name": key, "delta": rise, "per_second": rate, **where})
                            else:
                                line(f"{key:<40} +{rise:<12,} {'' if rate is None else f'{rate:,.2f}/s':>12}  {snap.source}")
                    previous = (values, snap.timestamp)
                unread += reader.parser.line_counts().get("unparsed", 0)
        except InputSkipped:
            failed = True
    if unread:
        err(f"{unread} line{'s' if unread != 1 else ''} not understood (netparse parse --show-issues lists them)")
    if not found:
        err("no counters or settings found")
        raise typer.Exit(EXIT_INPUT)
    if failed:
        raise typer.Exit(EXIT_INPUT)


def register(app: typer.Typer) -> None:
    """Add ``counters`` to the netparse typer app."""
    app.command("counters", help=COUNTERS_HELP)(counters_command)
