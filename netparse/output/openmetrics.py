"""Socket counts, findings and parse health as metrics: the Prometheus text exposition format
(``text/plain; version=0.0.4``), written so it is also valid OpenMetrics 1.0 (gauges only, unit
suffixes in the names, ``# UNIT`` lines, ``# EOF`` at the end).

**Bounded cardinality by design.** Per-port and per-process series are what metric agents
refuse to ship (node_exporter's maintainers declined unbounded per-port series: every port a
client picks becomes a series, and a busy host has tens of thousands). Here:

* ports appear only for TCP *listeners* (the services of this host, at most ``max_ports``), and
  for the *remote* ports of client-side pileups (at least ``remote_port_min`` sockets towards
  one remote port, at most ``max_remote_ports``); ephemeral ports never become label values;
* processes and remote hosts: the top ``top_processes`` / ``top_remotes`` by socket count, the
  rest summed into the value ``other`` (so sums over a family still equal the socket total);
  pids are never labels (they change on every restart);
* findings: the first ``max_findings`` (worst first); ``netparse_findings{severity}`` counts all.

The limits come from ``[metrics]`` in ``netparse.toml`` (``[tool.netparse.metrics]`` in
``pyproject.toml``), the same file as the rule settings (:func:`load_limits`).

Text from the input (process names, hosts, paths) only ever appears as label values, escaped as
the format requires: backslash, double quote and line feed become ``\\\\``, ``\\"`` and ``\\n``;
everything else is kept as is (the format allows any UTF-8 there), except lone surrogates (bytes
that were not text), which become U+FFFD so the output is always valid UTF-8.

Pure data and text: no prometheus_client here (:mod:`netparse.live.exporter` converts the same
:class:`Family` objects for the HTTP exporter).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Snapshot, Socket
    from ..rules.finding import Finding

#: HTTP Content-Type of :func:`render` output (Prometheus text format; also OpenMetrics text).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: The label value that stands for "everything beyond the top N".
OTHER = "other"

_WILDCARD_REMOTES = frozenset({"0.0.0.0", "::", "*", "::ffff:0.0.0.0"})
_SURROGATE = re.compile("[\ud800-\udfff]")


class MetricLimits(BaseModel):
    """``[metrics]``: how many label values each bounded family may carry."""

    model_config = ConfigDict(extra="forbid")

    max_ports: int = Field(50, ge=1, description="Listening ports with their own series (the busiest); the rest: port=\"other\"")
    max_remote_ports: int = Field(20, ge=1, description="Remote ports of client-side pileups with their own series")
    remote_port_min: int = Field(10, ge=1, description="Client-side sockets towards one remote port for it to count as a pileup")
    top_processes: int = Field(10, ge=1, description="Processes with their own series; the rest: process=\"other\"")
    top_remotes: int = Field(10, ge=1, description="Remote addresses with their own series; the rest: remote=\"other\"")
    top_containers: int = Field(10, ge=1, description="Containers with their own series (live mode); the rest: container=\"other\"")
    max_findings: int = Field(50, ge=1, description="Findings exported one by one (worst first); all are counted")


def load_limits(path: str | Path | None = None, start: Path | None = None) -> MetricLimits:
    """The ``[metrics]`` table of the config file ``analyze`` would read (``path``, or the first
    ``netparse.toml`` / ``pyproject.toml`` with ``[tool.netparse]`` upward from ``start``), over
    the defaults. Unknown keys and bad values raise :class:`~netparse.errors.ConfigError`."""
    from ..rules.config import load_section

    found = load_section(path, start)
    if found is None:
        return MetricLimits()
    origin, section = found
    table = section.get("metrics", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{origin}: 'metrics' must be a table")
    try:
        return MetricLimits.model_validate(dict(table))
    except ValidationError as exc:
        problems = "; ".join(
            f"metrics.{'.'.join(map(str, e['loc'])) or 'metrics'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid [metrics] setting in {origin}: {problems}") from None


# ---------------------------------------------------------------------------- the data


@dataclass
class Family:
    """One metric family: name (with its unit suffix), help text, type and samples. Adding a
    sample whose labels are already there merges the values (sum, or max with ``keep_max``), so
    a family never holds two series with the same labels."""

    name: str
    help: str
    type: str = "gauge"
    unit: str = ""
    samples: dict[tuple[tuple[str, str], ...], float] = field(default_factory=dict)

    def add(self, value: float, keep_max: bool = False, **labels: object) -> None:
        key = tuple((k, "" if v is None else str(v)) for k, v in labels.items())
        old = self.samples.get(key)
        if old is None:
            self.samples[key] = value
        else:
            self.samples[key] = max(old, value) if keep_max else old + value


@dataclass
class Health:
    """Parse health of what was read: lines by kind, and issues by kind."""

    lines: Mapping[str, int] = field(default_factory=dict)
    issues: Mapping[str, int] = field(default_factory=dict)
    unattributed: int | None = None  # live: sockets no readable process holds


def _top(counts: Counter, n: int) -> set:
    return {k for k, _ in counts.most_common(n)}


def socket_families(
    sockets: Sequence["Socket"],
    limits: MetricLimits,
    format: str | None = None,
) -> list[Family]:
    """The socket-count families of one listing (or several added up)."""
    from ..rules.base import accept_queue
    from ..rules.facts import Facts, has_owner
    from ..states import TcpState

    facts = Facts(sockets, format)
    folded = Family("netparse_cardinality_folded_values", "Label values summed into the value other because of the [metrics] limits, by family.")

    by_kind = Family("netparse_sockets", "Sockets by protocol, address family and canonical state.")
    for s in sockets:
        by_kind.add(1, proto=s.proto, family=s.family.value if s.family else "unknown", state=s.state.value)

    # listening TCP ports: the listeners and the connections accepted on them
    on_port = [s for s in facts.tcp if s.local_port is not None and s.local_port in facts.listen_ports]
    port_counts = Counter(s.local_port for s in on_port)
    kept = _top(port_counts, limits.max_ports)
    ports = Family("netparse_port_sockets", "TCP sockets on a listening local port (the listener and its accepted connections), by port and state.")
    for s in on_port:
        ports.add(1, port=s.local_port if s.local_port in kept else OTHER, state=s.state.value)
    folded.add(len(port_counts) - len(kept), family=ports.name)

    queue = Family("netparse_listen_queue_connections", "Connections waiting to be accepted on a listening TCP port (all listeners on the port added up).")
    backlog = Family("netparse_listen_backlog_connections", "Accept queue size (backlog) of a listening TCP port, when the input shows it.")
    for s in facts.listeners:
        found = accept_queue(facts, s)
        if found is None:
            continue
        waiting, limit = found
        port = s.local_port if s.local_port in kept else OTHER
        queue.add(waiting, port=port)
        if limit is not None:
            backlog.add(limit, port=port)

    # client side: remote ports only where connections pile up
    client = [s for s in facts.tcp if s.remote_port and s.state is not TcpState.LISTEN and not facts.is_server_side(s)]
    remote_counts = Counter(s.remote_port for s in client)
    piled = Counter({p: n for p, n in remote_counts.items() if n >= limits.remote_port_min})
    kept_remote = _top(piled, limits.max_remote_ports)
    remote_ports = Family(
        "netparse_remote_port_sockets",
        f"Client-side TCP sockets by remote port and state: ports with at least {limits.remote_port_min} sockets "
        "(a pileup) have their own series, the rest summed as port other.",
    )
    for s in client:
        remote_ports.add(1, port=s.remote_port if s.remote_port in kept_remote else OTHER, state=s.state.value)
    folded.add(len(remote_counts) - len(kept_remote), family=remote_ports.name)

    owners = Counter(s.process or f"pid {s.pid}" for s in sockets if has_owner(s))
    kept_procs = _top(owners, limits.top_processes)
    procs = Family(
        "netparse_process_sockets",
        f"Sockets by owning process name and state: the top {limits.top_processes} processes, the rest summed "
        "as process other; an empty process when the input names no owner.",
    )
    for s in sockets:
        name = (s.process or f"pid {s.pid}") if has_owner(s) else ""
        procs.add(1, process=name if name == "" or name in kept_procs else OTHER, state=s.state.value)
    folded.add(len(owners) - len(kept_procs), family=procs.name)

    # containers (live mode names them from the owner's cgroup): the top N, the rest "other";
    # the family is left out when no socket has a container, so listings from text stay as they were
    boxed = [s for s in sockets if s.container is not None]
    if boxed:
        per_box = Counter((s.container.runtime, s.container.short_id or s.container.id) for s in boxed)
        kept_boxes = _top(per_box, limits.top_containers)
        boxes = Family(
            "netparse_container_sockets",
            f"Sockets by owning container (runtime and short id, from the owner's cgroup) and state: the top "
            f"{limits.top_containers} containers, the rest summed as container other.",
        )
        for s in boxed:
            key = (s.container.runtime, s.container.short_id or s.container.id)
            runtime, box = key if key in kept_boxes else (OTHER, OTHER)
            boxes.add(1, runtime=runtime, container=box, state=s.state.value)
        folded.add(len(per_box) - len(kept_boxes), family=boxes.name)
        extra_families = [boxes]
    else:
        extra_families = []

    remotes = [s for s in facts.inet if s.remote_address and s.remote_address not in _WILDCARD_REMOTES]
    remote_counts_host = Counter(s.remote_address for s in remotes)
    kept_hosts = _top(remote_counts_host, limits.top_remotes)
    hosts = Family(
        "netparse_remote_host_sockets",
        f"Internet sockets by remote address and state: the top {limits.top_remotes} addresses, the rest summed as remote other.",
    )
    for s in remotes:
        hosts.add(1, remote=s.remote_address if s.remote_address in kept_hosts else OTHER, state=s.state.value)
    folded.add(len(remote_counts_host) - len(kept_hosts), family=hosts.name)

    recv = Family("netparse_receive_queue_bytes", "Bytes received and not yet read by the application (Recv-Q), added up by protocol and state; listeners left out (their Recv-Q counts connections).", unit="bytes")
    send = Family("netparse_send_queue_bytes", "Bytes sent and not yet acknowledged by the peer (Send-Q), added up by protocol and state; listeners left out.", unit="bytes")
    for s in sockets:
        if s.state is TcpState.LISTEN:
            continue
        if s.recv_q is not None:
            recv.add(s.recv_q, proto=s.proto, state=s.state.value)
        if s.send_q is not None:
            send.add(s.send_q, proto=s.proto, state=s.state.value)

    return [by_kind, ports, queue, backlog, remote_ports, procs, *extra_families, hosts, recv, send, folded]


def finding_families(findings: Sequence["Finding"], limits: MetricLimits, sources: Sequence[str | None] = ()) -> list[Family]:
    """``netparse_finding{code,name,severity,...} 1`` for the first ``max_findings`` findings
    (worst first), the number of sockets each is about, and ``netparse_findings{severity}``
    for all of them. ``sources``: per finding, the input it came from (a label when given)."""
    one = Family("netparse_finding", "A finding of the analyzer (1 while it holds): rule code and name, severity and what it is about.")
    size = Family("netparse_finding_sockets", "How many sockets (or queued connections) a finding is about; same labels as netparse_finding.")
    by_severity = Family("netparse_findings", "Findings of the analyzer by severity (every finding, also those beyond max_findings).")
    for level in ("critical", "warning", "info"):
        by_severity.add(0, severity=level)
    for i, f in enumerate(findings):
        by_severity.add(1, severity=f.severity.value)
        if i >= limits.max_findings:
            continue
        labels: dict[str, object] = {"code": f.code, "name": f.rule, "severity": f.severity.value}
        if sources and sources[i]:
            labels["source"] = sources[i]
        for key, label in (
            ("state", "state"), ("local_address", "local_address"), ("local_port", "port"),
            ("remote_address", "remote"), ("remote_port", "remote_port"), ("process", "process"),
        ):
            value = getattr(f, key)
            if value is not None:
                labels[label] = value.value if key == "state" else value
        one.add(1, keep_max=True, **labels)
        size.add(f.count, **labels)
    return [one, size, by_severity]


def health_families(health: Health, format: str | None = None, timestamp: float | None = None) -> list[Family]:
    from .. import __version__

    lines = Family("netparse_lines", "Input lines by kind (record, header, blank, unparsed ...).")
    for kind, n in sorted(health.lines.items()):
        lines.add(n, kind=kind)
    issues = Family("netparse_parse_issues", "Input lines not fully understood: unparsed (no record) or warning (a record, with something not understood).")
    for kind in ("unparsed", "warning"):
        issues.add(health.issues.get(kind, 0), kind=kind)
    info = Family("netparse_build_info", "netparse version and the input format read (always 1).")
    info.add(1, version=__version__, format=format or "")
    out = [lines, issues, info]
    if timestamp is not None:
        stamp = Family("netparse_snapshot_timestamp_seconds", "When the snapshot was taken (Unix time).", unit="seconds")
        stamp.samples[()] = timestamp
        out.append(stamp)
    if health.unattributed is not None:
        att = Family("netparse_unattributed_sockets", "Sockets with an inode no readable process holds (run as root to see every owner).")
        att.samples[()] = health.unattributed
        out.append(att)
    return out


def collect(
    sockets: Sequence["Socket"],
    findings: Sequence["Finding"] = (),
    health: Health | None = None,
    limits: MetricLimits | None = None,
    format: str | None = None,
    timestamp: float | None = None,
    sources: Sequence[str | None] = (),
) -> list[Family]:
    """Every family of one exposition."""
    limits = limits or MetricLimits()
    return (
        socket_families(sockets, limits, format)
        + finding_families(findings, limits, sources)
        + health_families(health or Health(), format, timestamp)
    )


def snapshot_families(
    results: Iterable[tuple["Snapshot", Sequence["Finding"]]],
    limits: MetricLimits | None = None,
    unattributed: int | None = None,
) -> list[Family]:
    """The exposition of analysed snapshots (``analyze``, ``live``): sockets of all added up,
    findings labelled with their input when there are several, line counts added up."""
    results = list(results)
    sockets = [s for snap, _ in results for s in snap.sockets]
    lines: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    findings: list = []
    sources: list = []
    several = len(results) > 1
    for snap, found in results:
        lines.update(snap.line_counts)
        issues.update(i.kind for i in snap.issues)
        findings.extend(found)
        sources.extend([(snap.host or snap.source) if several else None] * len(found))
    from ..rules.finding import sort_key

    order = sorted(range(len(findings)), key=lambda i: sort_key(findings[i]))
    formats = sorted({snap.format for snap, _ in results if snap.format})
    stamps = [snap.timestamp.timestamp() for snap, _ in results if snap.timestamp]
    return collect(
        sockets,
        [findings[i] for i in order],
        Health(lines, issues, unattributed),
        limits,
        format=",".join(formats) or None,
        timestamp=max(stamps) if stamps else None,
        sources=[sources[i] for i in order] if several else (),
    )


# ---------------------------------------------------------------------------- the text


def valid_text(value: str) -> str:
    """``value`` with lone surrogates (undecodable input bytes) as U+FFFD: always valid UTF-8."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def escape_label(value: str) -> str:
    """A label value as the exposition format requires: ``\\`` ``"`` and line feed escaped,
    lone surrogates (undecodable bytes) as U+FFFD; everything else as is."""
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text).replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 2**53):
        return str(int(value))
    return repr(float(value))


def _sample_order(item) -> tuple:
    """Samples sorted by label values, numbers as numbers ("other" after them)."""
    return tuple((k, (0, int(v), "") if v.isdecimal() else (1, 0, v)) for k, v in item[0])


def render(families: Iterable[Family], eof: bool = True) -> str:
    """The exposition text. Families without samples are left out (their HELP alone would say
    nothing); ``# EOF`` ends it (OpenMetrics; a comment to the Prometheus text parser)."""
    out: list[str] = []
    for fam in families:
        if not fam.samples:
            continue
        out.append(f"# HELP {fam.name} {escape_help(fam.help)}")
        out.append(f"# TYPE {fam.name} {fam.type}")
        if fam.unit:
            out.append(f"# UNIT {fam.name} {fam.unit}")
        for labels, value in sorted(fam.samples.items(), key=_sample_order):
            if labels:
                text = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels)
                out.append(f"{fam.name}{{{text}}} {format_value(value)}")
            else:
                out.append(f"{fam.name} {format_value(value)}")
    if eof:
        out.append("# EOF")
    return "\n".join(out) + "\n"


def series_count(families: Iterable[Family]) -> dict[str, int]:
    """Series per family name (what a scrape stores)."""
    return {fam.name: len(fam.samples) for fam in families if fam.samples}
