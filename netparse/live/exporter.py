"""What ``netparse exporter`` serves and ``netparse live --textfile`` writes: the exposition of
this machine's sockets (or of a log's newest snapshots), analysed with the rules.

* :func:`live_families` / :func:`log_families`: the :class:`~netparse.output.openmetrics.Family`
  list of one look;
* :func:`write_textfile`: the exposition into node_exporter's textfile directory, through a
  temporary file in the same directory and a rename, so a scrape never sees half a file;
* :class:`Snapshots` and :func:`serve`: the HTTP endpoint, on the official ``prometheus_client``
  library (imported only here, only when serving). A scrape takes a new snapshot unless the last
  one is younger than ``min_interval`` seconds; then the last one is served again, so scrapes
  (several Prometheus servers, a reload storm) cannot make the exporter read /proc in a loop.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from ..output.openmetrics import Family, MetricLimits, render, snapshot_families, valid_text

if TYPE_CHECKING:  # pragma: no cover
    from ..rules.config import Config


def live_families(
    config: "Config", limits: MetricLimits, proc: str = "/proc", unix: bool = False, keep=None
) -> list[Family]:
    """One look at this machine's sockets, analysed. Raises OSError when they cannot be read."""
    from ..rules.engine import analyze
    from .proc import sample

    live = sample(proc, unix)
    snap = live.snapshot
    if keep is not None:
        snap = snap.model_copy(update={"sockets": [s for s in snap.sockets if keep(s)]})
    unattributed = live.attribution.unattributed if live.attribution is not None else None
    return snapshot_families([(snap, analyze(snap, config))], limits, unattributed)


def log_families(path: str, format: str, config: "Config", limits: MetricLimits) -> list[Family]:
    """The newest snapshot of every host in the log ``path`` (as ``analyze`` reads it), with the
    trend rules over the whole log. Raises InputProblem when it holds no listing."""
    from ..logs.newest import analysis_inputs
    from ..rules.engine import analyze_series

    results = [(snap, analyze_series(series, config, latest=snap)) for snap, series in analysis_inputs([path], format)]
    return snapshot_families(results, limits)


def write_textfile(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a hidden temporary file in the same directory
    (not ending in .prom, so the textfile collector ignores it), fsync, mode 0644, rename."""
    target = Path(path)
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Snapshots:
    """Families from ``take`` at most once per ``min_interval`` seconds, shared by concurrent
    scrapes. A failed look is served as ``netparse_up 0`` with the last error's time; the error
    goes to ``on_error`` (the command prints it on stderr)."""

    def __init__(
        self,
        take: Callable[[], list[Family]],
        min_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.take = take
        self.min_interval = min_interval
        self.clock = clock
        self.on_error = on_error
        self._lock = threading.Lock()
        self._at: float | None = None
        self._families: list[Family] = []
        self._ok = False
        self._duration = 0.0
        self.looks = 0

    def families(self) -> list[Family]:
        with self._lock:
            now = self.clock()
            if self._at is None or now - self._at >= self.min_interval:
                started = time.perf_counter()
                try:
                    self._families = self.take()
                    self._ok = True
                except Exception as exc:  # noqa: BLE001 - any failure of one look is reported, the server stays up
                    self._families, self._ok = [], False
                    if self.on_error is not None:
                        self.on_error(f"{type(exc).__name__}: {exc}")
                self._duration = time.perf_counter() - started
                self._at = now
                self.looks += 1
            return list(self._families) + self._own()

    def _own(self) -> list[Family]:
        up = Family("netparse_up", "1 when the last look at the sockets succeeded, 0 when it failed (see the exporter's stderr).")
        up.samples[()] = 1 if self._ok else 0
        took = Family("netparse_look_duration_seconds", "How long the last look at the sockets (read and analyse) took.", unit="seconds")
        took.samples[()] = round(self._duration, 6)
        every = Family("netparse_min_interval_seconds", "Minimum time between two looks; scrapes in between get the last look again.", unit="seconds")
        every.samples[()] = self.min_interval
        return [up, took, every]

    def text(self) -> str:
        return render(self.families())


class SnapshotCollector:
    """A prometheus_client collector over :class:`Snapshots`."""

    def __init__(self, snapshots: Snapshots) -> None:
        self.snapshots = snapshots

    def collect(self) -> Iterator[object]:
        from prometheus_client.metrics_core import Metric

        for fam in self.snapshots.families():
            if not fam.samples:
                continue
            metric = Metric(fam.name, fam.help, fam.type, fam.unit)
            for labels, value in fam.samples.items():
                # prometheus_client escapes; lone surrogates it cannot encode become U+FFFD first
                metric.add_sample(fam.name, {k: valid_text(v) for k, v in labels}, value)
            yield metric

    def describe(self) -> Sequence[object]:
        return []  # no look at registration: the first scrape takes the first one


def serve(snapshots: Snapshots, host: str, port: int):
    """Start the HTTP server (``/metrics`` and ``/``) in a thread; returns the server (its
    ``server_address`` says the port when ``port`` was 0). Raises ImportError without
    prometheus_client, OSError when the address cannot be bound."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshots))  # type: ignore[arg-type]
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
