"""The ``netparse`` command: :mod:`.app` holds the typer app (parse, summary, formats, schema,
the bare command); one module per command group mounts the rest: :mod:`.analyze` (analyze,
explain), :mod:`.live` (live), :mod:`.logs` (timeline, diff). :mod:`.options` is what they share.

``run`` (the console script) is :func:`.entry.run`, which answers the plain pipe without typer;
``app`` and ``main`` are the typer app and its default command, imported from :mod:`.app` when
first asked for (so ``netparse.cli.app`` is the typer app, as it always was, while importing
``netparse.cli`` loads no typer)."""

from __future__ import annotations

import sys
from types import ModuleType

from .entry import run

__all__ = ["app", "main", "run"]


class _Package(ModuleType):
    """``app`` and ``main`` resolved from :mod:`.app` on access: the import system's own
    ``netparse.cli.app = <module>`` (after importing the submodule) does not replace the app."""

    @property
    def app(self):  # type: ignore[override]
        from .app import app

        return app

    @app.setter
    def app(self, value) -> None:
        pass  # the submodule being bound by the import system: ``app`` stays the typer app

    @property
    def main(self):
        from .app import main

        return main


sys.modules[__name__].__class__ = _Package
