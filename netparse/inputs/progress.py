"""A progress bar on stderr while inputs are read (only when stderr is a terminal; rich is
imported only then)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Iterable


class ReadProgress:
    """A rich progress bar on stderr (bytes read of all inputs), shown only when stderr is a
    terminal; otherwise every method does nothing. Use as a context manager, call
    :meth:`start` per input and :meth:`tick` often (it updates at most ten times a second)."""

    def __init__(self, names: Iterable[str], label: str = "reading", enabled: bool | None = None) -> None:
        self.names = list(names)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.label = label
        self._progress = None
        self._task = None
        self._done = 0
        self._source = None
        self._last = 0.0

    def __enter__(self) -> "ReadProgress":
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

        total = 0
        for name in self.names:
            try:
                total += os.path.getsize(name) if name != "-" else 0
            except OSError:
                pass
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=total or None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def start(self, source) -> None:
        """A new input begins (a :class:`netparse.inputs.source.TextSource`)."""
        if self._progress is None:
            return
        if self._source is not None:
            self._done += self._source.size or 0
        self._source = source
        self._progress.update(self._task, description=f"{self.label} {Path(source.name).name}", completed=self._done)

    def tick(self) -> None:
        if self._progress is None or self._source is None:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        self._progress.update(self._task, completed=self._done + self._source.position())
