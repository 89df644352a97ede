"""What every rule is made of, and the small wording helpers rules share.

A rule is a class in its own module (``npNNN_<what>.py``) with:

* ``code`` (stable, ``NP001``), ``name`` (readable, ``close-wait-leak``) and ``summary``;
* a docstring in three parts, *What it detects*, *Why it matters*, *What to do*, citing the
  published guidance and marking our own proposals with "(ours)";
* ``Settings``: a pydantic model of its named thresholds with defaults (unknown keys are errors);
* ``check(facts, settings)``: yields :class:`Finding` records, reading records only.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections import Counter
from typing import ClassVar, Iterable, Iterator, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..model import Socket
from ..states import TcpState
from .facts import Facts, SocketGroup, has_owner
from .finding import Finding, Severity

#: How many input line numbers a finding carries as evidence.
EVIDENCE_LINES = 5


class RuleSettings(BaseModel):
    """Settings every rule has. Subclasses add their thresholds, each with a description, and
    name in ``ORDERED`` the (lower, higher) pairs that must not be the wrong way round."""

    # defer_build: a rule's settings model is built when first validated (a configuration file or
    # --set names the rule) or documented; the defaults of the others are read without it
    # (:meth:`netparse.rules.config._Builder.build`): 30 schemas are most of the rules' start-up
    model_config = ConfigDict(extra="forbid", defer_build=True)

    #: (lower, higher) setting names: ``lower`` must not be above ``higher`` (warning, critical)
    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = ()

    enabled: bool = Field(True, description="Run this rule")

    @model_validator(mode="after")
    def _check_ordered(self) -> "RuleSettings":
        for low, high in self.ORDERED:
            a, b = getattr(self, low), getattr(self, high)
            if a > b:
                raise ValueError(f"{low} ({a}) must not be above {high} ({b})")
        return self


class Rule(ABC):
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: Severities the rule can report, for documentation ("warning, critical").
    severities: ClassVar[tuple[Severity, ...]]
    #: States the rule looks at (``netparse explain STATE`` lists the rules of a state).
    states: ClassVar[tuple[TcpState, ...]] = ()
    Settings: ClassVar[type[RuleSettings]] = RuleSettings

    @abstractmethod
    def check(self, facts: Facts, settings: RuleSettings) -> Iterator[Finding]:
        """Yield the findings for one listing."""

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def finding(
        self,
        severity: Severity,
        message: str,
        sockets: Sequence[Socket],
        count: int | None = None,
        **dimensions: object,
    ) -> Finding:
        return compact(Finding(
            rule=self.name,
            code=self.code,
            severity=severity,
            message=message,
            count=len(sockets) if count is None else count,
            evidence=evidence(sockets),
            **dimensions,  # type: ignore[arg-type]
        ))


#: one set of field names per distinct set (see :func:`compact`); a few dozen at most
_FIELD_SETS: dict[frozenset[str], set[str]] = {}


def compact(finding: Finding) -> Finding:
    """``finding`` sharing its set of given field names with every finding that names the same
    fields: a listing with 77,000 listeners gives as many findings, and that set is 40% of
    each. Findings are frozen, so nothing adds to the shared set; equality and dumps are
    unchanged."""
    names = finding.__pydantic_fields_set__
    shared = _FIELD_SETS.setdefault(frozenset(names), names)
    if shared is not names:
        object.__setattr__(finding, "__pydantic_fields_set__", shared)
    return finding


def evidence(sockets: "Iterable[Socket] | SocketGroup", limit: int = EVIDENCE_LINES) -> list[int]:
    """The ``limit`` smallest distinct line numbers of the sockets, ascending."""
    if isinstance(sockets, SocketGroup):
        return sockets.lines(limit)
    return sorted({s.line for s in sockets})[:limit]


def num(n: int) -> str:
    """12345 -> '12,345'."""
    return f"{n:,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """plural(1, 'socket') -> '1 socket'; plural(412, 'socket') -> '412 sockets'."""
    return f"{num(n)} {word if n == 1 else (many or word + 's')}"


def endpoint(address: str | None, port: int | None) -> str:
    """'10.0.0.1', 80 -> '10.0.0.1:80'; IPv6 in brackets: '[::1]:80'."""
    addr = address or "*"
    if ":" in addr:
        addr = f"[{addr}]"
    return f"{addr}:{port if port is not None else '*'}"


def plain_address(address: str | None) -> str | None:
    """'::ffff:127.0.0.1' -> '127.0.0.1', lower case: the two ends of one connection can show an
    IPv4 address in either form."""
    if address is None:
        return None
    address = address.lower()
    return address[7:] if address.startswith("::ffff:") and "." in address else address


def percent(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def common(values: Iterable[object]) -> object | None:
    """The single value all items share, or None when they differ (or are all None)."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def container_label(sockets: Iterable[object]) -> str | None:
    """'container docker 3f2a1b4c5d6e' when every socket names the same container (live mode), else None."""
    return _container_text({s.container for s in sockets})  # type: ignore[attr-defined]


def _container_text(found: set) -> str | None:
    if len(found) != 1:
        return None
    c = next(iter(found))
    return None if c is None else f"container {c.runtime} {c.short_id or c.id}"


class Owners:
    """Who owns a group of sockets, and how to say it.

    ``process``/``pid`` are set when every socket agrees (for the finding's fields);
    ``text`` reads 'all owned by java (pid 3121)', 'owned by httpd (pids 101, 102 and 3 more)',
    'owned by 3 processes (java, nginx, node)', or '' when no owner is shown."""

    def __init__(self, sockets: "Sequence[Socket] | SocketGroup") -> None:
        # one pass, keeping only what the text needs (a group may hold a million sockets)
        items = sockets.owners() if isinstance(sockets, SocketGroup) else sockets
        total = owned = 0
        processes: set = set()
        pid_values: set = set()
        names: Counter[str] = Counter()
        pid_set: set[int] = set()
        containers: set = set()
        for s in items:
            total += 1
            containers.add(s.container)
            if has_owner(s):  # type: ignore[arg-type]
                owned += 1
                processes.add(s.process)
                pid_values.add(s.pid)
                names[s.process or f"pid {s.pid}"] += 1
                if s.pid is not None:
                    pid_set.add(s.pid)
        # the single value all owned sockets share (common()), or None
        self.process: str | None = next(iter(processes)) if len(processes) == 1 else None
        self.pid: int | None = next(iter(pid_values)) if len(pid_values) == 1 else None
        pids = sorted(pid_set)
        if total == 1:
            prefix = "owned by"
        elif owned == total:
            prefix = "all owned by"
        else:
            prefix = f"{num(owned)} of them owned by"
        if not owned:
            self.text = ""
        elif len(names) == 1:
            name = next(iter(names))
            if len(pids) == 1:
                self.text = f"{prefix} {name} (pid {pids[0]})" if self.process else f"{prefix} pid {pids[0]}"
            elif pids:
                shown = ", ".join(map(str, pids[:3]))
                more = f" and {len(pids) - 3} more" if len(pids) > 3 else ""
                self.text = f"{prefix} {name} (pids {shown}{more})"
            else:
                self.text = f"{prefix} {name}"
        else:
            top = ", ".join(name for name, _ in names.most_common(3))
            self.text = f"owned by {len(names)} processes ({top}{', …' if len(names) > 3 else ''})"

        container = _container_text(containers)
        if container and self.text:
            self.text += f" in {container}"

    def clause(self) -> str:
        """', all owned by java (pid 3121)' or ''."""
        return f", {self.text}" if self.text else ""


class CountThresholds(RuleSettings):
    """A warning and a critical count; subclasses give the defaults and say where they come from."""

    ORDERED = (("warning", "critical"),)

    warning: int = Field(100, ge=1, description="Sockets in a group for a warning")
    critical: int = Field(1000, ge=1, description="Sockets in a group for a critical finding")

    def severity(self, n: int) -> Severity | None:
        if n >= self.critical:
            return Severity.CRITICAL
        if n >= self.warning:
            return Severity.WARNING
        return None


class RatioThresholds(RuleSettings):
    """A warning and a critical share of retransmitted segments (NP021 per peer, NP027 for the
    host); subclasses add how many segments must have been sent before judging."""

    ORDERED = (("warning_ratio", "critical_ratio"),)

    warning_ratio: float = Field(0.02, gt=0, le=1, description="Retransmitted / sent segments for a warning (ours)")
    critical_ratio: float = Field(0.10, gt=0, le=1, description="Retransmitted / sent segments for critical (ours)")

    def severity(self, ratio: float) -> Severity | None:
        if ratio >= self.critical_ratio:
            return Severity.CRITICAL
        if ratio >= self.warning_ratio:
            return Severity.WARNING
        return None


def size(n: int) -> str:
    """Bytes for people: 900 -> '900 B', 65536 -> '64 KiB', 3500000 -> '3.3 MiB'."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


#: Grammars of text made from /proc/net/tcp (net-tools and BusyBox netstat, the file itself), and
#: what to call that text: a LISTEN row's Recv-Q is the accept queue (the kernel's sk_ack_backlog)
#: but its Send-Q is always 0, so the backlog is unknown.
PROC_NETSTAT_FORMATS = {
    "linux-netstat": "netstat",
    "busybox-netstat": "netstat",
    "proc-net": "/proc/net/tcp",
    "proc-net-be": "/proc/net/tcp",
}


def backlog_hidden_by(facts: Facts) -> str:
    """What the input is, for "the backlog is not in ...": 'netstat' or '/proc/net/tcp'."""
    return PROC_NETSTAT_FORMATS.get(facts.format or "", "netstat")


def accept_queue(facts: Facts, s: Socket) -> tuple[int, int | None] | None:
    """(connections waiting to be accepted, backlog) of a LISTEN socket, the backlog None when the
    input does not show it (net-tools netstat); None when the input says neither.

    NP005 and NP010 both read it, so they agree on what "full" means: waiting >= backlog."""
    queue = facts.listen_queue(s)
    if queue is not None and queue[1] > 0:
        return queue
    if s.state is TcpState.LISTEN and facts.format in PROC_NETSTAT_FORMATS and s.recv_q is not None:
        return s.recv_q, None
    return None


def backlog_advice(facts: Facts, backlog: int | None) -> str:
    """What limits a Linux listener's backlog, when the input carries ``net.core.somaxconn``:
    listen()'s argument is capped by it (ip-sysctl: somaxconn "Limit of socket listen()
    backlog"), and ss shows the effective backlog as Send-Q. '' without the sysctl."""
    return somaxconn_advice(facts.setting("net.core.somaxconn"), backlog)


def somaxconn_advice(somaxconn: int | None, backlog: int | None) -> str:
    """:func:`backlog_advice` from the sysctl's value itself (series rules keep only that)."""
    if somaxconn is None:
        return ""
    if backlog is None:
        return f"; net.core.somaxconn = {num(somaxconn)} caps every listen() backlog"
    if backlog >= somaxconn:
        return (f"; the backlog is capped by net.core.somaxconn = {num(somaxconn)}: raise it and the application's "
                f"listen() backlog together")
    return (f"; the application's listen() backlog ({num(backlog)}) is below net.core.somaxconn = {num(somaxconn)}: "
            f"raise it in the application, or accept faster")


def service_key(facts: Facts, s: Socket) -> tuple[str, object, object]:
    """Where a connection belongs, for grouping: ('port', local port, None) on the server side,
    ('remote', remote address, remote port) on the client side."""
    if facts.is_server_side(s):
        return ("port", s.local_port, None)
    return ("remote", s.remote_address, s.remote_port)


def service_text(key: tuple[str, object, object]) -> str:
    """'on port 8080' or 'towards 10.0.0.5:5432'."""
    kind, a, b = key
    if kind == "port":
        return f"on port {a}"
    return f"towards {endpoint(a, b)}"  # type: ignore[arg-type]


def service_dims(key: tuple[str, object, object]) -> dict[str, object]:
    kind, a, b = key
    return {"local_port": a} if kind == "port" else {"remote_address": a, "remote_port": b}
