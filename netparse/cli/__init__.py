"""The ``netparse`` command: :mod:`.app` holds the typer app (parse, summary, formats, schema,
the bare command); one module per command group mounts the rest: :mod:`.analyze` (analyze,
explain), :mod:`.live` (live), :mod:`.logs` (timeline, diff). :mod:`.options` is what they share."""

from .app import app, main, run

__all__ = ["app", "main", "run"]
