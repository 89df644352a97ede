from __future__ import annotations

from typing import Iterator

from pydantic import Field

from ..states import TcpState
from .base import RuleSettings, endpoint
from .facts import Series
from .finding import Finding, Severity
from .trend import TrendRule, when


class ListenerGone(TrendRule):
    """A TCP listener that was there for several snapshots and is gone in the newest one.

    What it detects
        In a log with several snapshots of one host, a LISTEN socket (protocol, local address
        and port) present in a run of consecutive snapshots and absent from the newest one.
        Only checked when the newest snapshot shows listeners at all (a filtered capture
        such as ss state established shows none). When the same port still listens on
        another address (0.0.0.0 replaced by ::, say), it is reported as info. Listeners that
        vanish together (last seen in the same snapshot: one daemon's restart, a host's
        reboot) make one finding naming them all, not one finding each.

    Why it matters
        A service that stops listening refuses every new connection (RST, "connection
        refused") while its established connections may carry on, so the host can look busy
        and healthy. Crashed daemons, a failed reload, a port taken by something else at
        restart, or an intended shutdown all look like this; only the last is harmless.

    What to do
        Check the service that owned the port (the finding names it when the listing showed
        processes): systemctl status / journalctl, or the Windows event log. If it was
        stopped on purpose, nothing to do.

    Sources
        Threshold (ours): seen in at least 2 consecutive snapshots before it vanished.
    """

    code = "NP018"
    name = "listener-gone"
    summary = "A port that listened for several snapshots no longer listens"
    severities = (Severity.INFO, Severity.WARNING)
    states = (TcpState.LISTEN,)

    class Settings(RuleSettings):
        min_snapshots: int = Field(2, ge=1, description="Consecutive snapshots a listener must have been seen in (ours)")

    def check_series(self, series: Series, settings: Settings) -> Iterator[Finding]:  # type: ignore[override]
        points = series.points
        latest = points[-1]
        if not latest.listeners:
            return
        now_ports = {(proto, port) for proto, _, port in latest.listeners}
        reported: set = set()
        events: dict[tuple[int, bool], list] = {}  # (last snapshot seen, still listens elsewhere) -> listeners
        for i in range(len(points) - 2, -1, -1):  # newest first: the last time each one was seen
            for key, info in points[i].listeners.items():
                if key in latest.listeners or key in reported:
                    continue
                run = 0
                j = i
                while j >= 0 and key in points[j].listeners:
                    run += 1
                    j -= 1
                if run < settings.min_snapshots:
                    continue
                reported.add(key)
                proto, address, port = key
                events.setdefault((i, (proto, port) in now_ports), []).append((key, info, run))
        for (i, elsewhere), gone in events.items():  # listeners that vanished together: one finding
            yield self._finding(series, points[i], latest, elsewhere, gone)

    def _finding(self, series: Series, seen, latest, elsewhere: bool, gone: list) -> Finding:
        def owner(info) -> str:
            if info.process:
                return f" ({info.process}" + (f", pid {info.pid})" if info.pid else ")")
            return f" (pid {info.pid})" if info.pid else ""

        evidence = sorted(line for key, _, _ in gone for line in series.listener_lines.get(key, []))
        if len(gone) == 1:
            (key, info, run), = gone
            proto, address, port = key
            message = (
                f"{proto.upper()} {endpoint(address, port)}{owner(info)} listened in {run} snapshots until "
                f"{when(seen)} and is gone at {when(latest)}"
            )
            message += f": port {port} still listens on another address" if elsewhere else (
                ": new connections to it are refused")
            dims = dict(local_address=address, local_port=port, process=info.process, pid=info.pid)
        else:
            shown_ = [f"{key[0].upper()} {endpoint(key[1], key[2])}{owner(info)}" for key, info, _ in gone[:8]]
            more = f" and {len(gone) - 8} more" if len(gone) > 8 else ""
            message = (
                f"{len(gone)} listeners went away together: {', '.join(shown_)}{more} listened until {when(seen)} "
                f"and are gone at {when(latest)}"
            )
            message += (": their ports still listen on other addresses" if elsewhere
                        else ": new connections to them are refused")
            owners = {(info.process, info.pid) for _, info, _ in gone}
            process, pid = next(iter(owners)) if len(owners) == 1 else (None, None)
            ports = {key[2] for key, _, _ in gone}
            dims = dict(local_port=next(iter(ports)) if len(ports) == 1 else None, process=process, pid=pid)
        return Finding(
            rule=self.name,
            code=self.code,
            severity=Severity.INFO if elsewhere else Severity.WARNING,
            message=message,
            count=len(gone),
            evidence=evidence[:10],
            state=TcpState.LISTEN,
            **dims,
        )
