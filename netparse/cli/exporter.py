"""``netparse exporter``: a Prometheus endpoint (``/metrics``) on the official prometheus_client
library, serving this machine's sockets (a new look per scrape, at most one per
``--min-interval``) or the newest snapshots of a log file that keeps growing.

Exit codes: 0 stopped by SIGTERM or Ctrl-C; 1 the address cannot be bound or the first look
failed; 2 usage error (bad --listen, prometheus_client missing); 3 configuration error.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .options import EXIT_INPUT, EXIT_USAGE, FormatOpt, err

DEFAULT_LISTEN = "127.0.0.1:9814"

EXPORTER_HELP = f"""Serve the openmetrics exposition over HTTP for Prometheus to scrape.

Listens on {DEFAULT_LISTEN} (loopback only) unless told otherwise: --listen 0.0.0.0:9814 or
--listen [::]:9814 opens it to the network, so put it behind a firewall or a reverse proxy with
TLS; the metrics name processes, ports and peers. Each scrape takes a new look at this machine's
sockets (/proc on Linux, as 'netparse live') unless the last look is younger than --min-interval
seconds, then that look is served again: scrapes cannot make it read /proc in a loop. With
--log FILE it serves the newest snapshot per host of FILE instead (re-read when it changed), for
logs a cron job appends 'date; ss -tanp' to. Findings use the rule settings, and the series limits
come from [metrics], of the config file analyze reads (or --config). Needs prometheus_client:
pip install 'netparse[exporter]'.
"""


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:9814' / '[::1]:9814' / ':9814' (loopback) -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdecimal() or not 0 <= int(port) <= 65535:
        raise typer.BadParameter(f"{text!r}: expected HOST:PORT such as {DEFAULT_LISTEN} or [::1]:9814", param_hint="--listen")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise typer.BadParameter(f"{text!r}: put an IPv6 address in brackets, [::1]:9814", param_hint="--listen")
    return host or "127.0.0.1", int(port)


def exporter_command(
    listen: str = typer.Option(DEFAULT_LISTEN, "--listen", help="HOST:PORT to listen on (default: loopback only).",
                              metavar="HOST:PORT"),
    min_interval: float = typer.Option(
        5.0, "--min-interval", min=0.0, help="Seconds a look is reused for before a scrape takes a new one.",
        metavar="SECONDS",
    ),
    log: Optional[str] = typer.Option(None, "--log", metavar="FILE", help="Serve the newest snapshots of this log file instead of this machine."),
    format: str = FormatOpt,
    config_file: Optional[str] = typer.Option(None, "--config", help="Read rule settings and [metrics] limits from this TOML file.",
                                              metavar="FILE"),
    unix: bool = typer.Option(False, "--unix", help="Also read unix-domain sockets (/proc/net/unix)."),
    proc: str = typer.Option("/proc", "--proc", hidden=True, help="Where procfs is (tests)."),
) -> None:
    host, port = parse_listen(listen)
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        err("the exporter needs prometheus_client: pip install 'netparse[exporter]'")
        raise typer.Exit(EXIT_USAGE) from None
    from ..live.exporter import Snapshots, live_families, serve
    from .metrics import config_or_exit

    config, limits = config_or_exit(config_file)
    if log is not None:
        take = _log_source(log, format, config, limits)
    else:
        def take():
            return live_families(config, limits, proc, unix)

    snapshots = Snapshots(take, min_interval, on_error=err)
    try:
        take()  # the first look, so a source that cannot be read stops us here with one line
    except Exception as exc:  # noqa: BLE001 - whatever the source raised, one line and exit 1
        err(f"cannot read {'this machine' if log is None else log}: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    try:
        server = serve(snapshots, host, port)
    except OSError as exc:
        err(f"cannot listen on {listen}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INPUT) from None
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    err(f"serving http://{shown}:{bound_port}/metrics (a new look at most every {min_interval:g}s)")
    sys.stderr.flush()
    _wait()
    server.shutdown()


def _log_source(path: str, format: str, config, limits):
    """A ``take`` that re-reads the log when its size or modification time changed."""
    import os

    from ..live.exporter import log_families

    seen: dict[str, object] = {}

    def take():
        st = os.stat(path)
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        if seen.get("key") != key:
            seen["families"] = log_families(path, format, config, limits)
            seen["key"] = key
        return seen["families"]

    return take


def _wait() -> None:
    """Block until SIGTERM or Ctrl-C."""
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    """Add ``exporter`` to the netparse typer app."""
    app.command("exporter", help=EXPORTER_HELP)(exporter_command)
