"""What a socket state means: ``explain("TIME-WAIT")``, the TCP state diagram, and scenarios.

>>> from netparse.explain import explain
>>> info = explain("FIN_WAIT1")        # any label a grammar knows, any case, or a /proc hex code
>>> info.state, info.side
(<TcpState.FIN_WAIT_1: 'FIN_WAIT_1'>, 'The side that closes first (the active closer).')

The texts are ours, checked against RFC 9293 (section 3.3.2 and its Figure 5, section 3.10 for
the transitions the figure leaves out) and the platforms' documented timers; the figures that
depend on the platform say so. Labels come from the locale tables (:mod:`netparse.locales`), so a
new platform or language needs no change here.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Literal

from pydantic import BaseModel, Field

from .errors import UnknownStateError
from .locales import all_labels, resolve_state, state_labels
from .rules import all_rules
from .states import RFC9293_STATES, STATE_ORDER, TcpState

S = TcpState

#: Linux /proc/net/tcp "st" column (include/net/tcp_states.h).
PROC_PLATFORM = "linux-proc"
#: /proc/net/tcp ``st`` codes (include/net/tcp_states.h), read from the label tables
HEX_CODES: dict[str, TcpState] = dict(sorted(state_labels(PROC_PLATFORM).items()))


class Transition(BaseModel):
    """One arrow of the state machine."""

    source: TcpState
    target: TcpState
    event: str = Field(description="What happens, in plain words")
    receive: str | None = Field(default=None, description="Segment that arrives (SYN, ACK of FIN, RST ...)")
    send: str | None = Field(default=None, description="Segment sent in response")
    in_figure: bool = Field(default=True, description="Drawn in RFC 9293 Figure 5 (False: from its notes and text)")

    def text(self) -> str:
        segments = [f"rcv {self.receive}" if self.receive else "", f"snd {self.send}" if self.send else ""]
        wire = ", ".join(s for s in segments if s)
        return f"{self.source} -> {self.target}: {self.event}" + (f" ({wire})" if wire else "")


def _t(source: S, target: S, event: str, receive: str | None = None, send: str | None = None, drawn: bool = True):
    return Transition(source=source, target=target, event=event, receive=receive, send=send, in_figure=drawn)


#: RFC 9293 Figure 5, plus the transitions its notes and section 3.10 describe but do not draw.
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.CLOSED, S.LISTEN, "the application calls listen() (passive OPEN)"),
    _t(S.CLOSED, S.SYN_SENT, "the application calls connect() (active OPEN)", send="SYN"),
    _t(S.LISTEN, S.SYN_RECEIVED, "a connection request arrives", "SYN", "SYN,ACK"),
    _t(S.LISTEN, S.SYN_SENT, "the application sends on a listening connection (SEND)", send="SYN"),
    _t(S.LISTEN, S.CLOSED, "the application closes the listening socket"),
    _t(S.SYN_SENT, S.SYN_RECEIVED, "the peer's SYN crosses ours (simultaneous open)", "SYN", "SYN,ACK"),
    _t(S.SYN_SENT, S.ESTABLISHED, "the peer accepts", "SYN,ACK", "ACK"),
    _t(S.SYN_SENT, S.CLOSED, "the application closes, or the attempt times out"),
    _t(S.SYN_SENT, S.CLOSED, "the peer refuses the connection", "RST", drawn=False),
    _t(S.SYN_RECEIVED, S.ESTABLISHED, "the peer acknowledges our SYN", "ACK of SYN"),
    _t(S.SYN_RECEIVED, S.FIN_WAIT_1, "the application closes before the handshake completes", send="FIN"),
    _t(S.SYN_RECEIVED, S.LISTEN, "the peer resets a connection that came from a passive open", "RST"),
    _t(S.ESTABLISHED, S.FIN_WAIT_1, "the application closes (this side closes first)", send="FIN"),
    _t(S.ESTABLISHED, S.CLOSE_WAIT, "the peer closes first", "FIN", "ACK"),
    _t(S.ESTABLISHED, S.CLOSED, "the connection is reset or aborted", "RST", drawn=False),
    _t(S.FIN_WAIT_1, S.FIN_WAIT_2, "the peer acknowledges our FIN", "ACK of FIN"),
    _t(S.FIN_WAIT_1, S.CLOSING, "the peer's FIN arrives before the ACK of ours (simultaneous close)", "FIN", "ACK"),
    _t(S.FIN_WAIT_1, S.TIME_WAIT, "the peer's FIN arrives together with the ACK of ours", "FIN + ACK of FIN", "ACK",
       drawn=False),
    _t(S.FIN_WAIT_1, S.CLOSED, "the connection is reset, or Linux gives up retransmitting an orphan's FIN", "RST",
       drawn=False),
    _t(S.FIN_WAIT_2, S.TIME_WAIT, "the peer closes its side", "FIN", "ACK"),
    _t(S.FIN_WAIT_2, S.CLOSED, "the connection is reset, or Linux's tcp_fin_timeout ends an orphaned socket", "RST",
       drawn=False),
    _t(S.CLOSE_WAIT, S.LAST_ACK, "the application closes", send="FIN"),
    _t(S.CLOSE_WAIT, S.CLOSED, "the connection is reset or aborted", "RST", drawn=False),
    _t(S.CLOSING, S.TIME_WAIT, "the peer acknowledges our FIN", "ACK of FIN"),
    _t(S.LAST_ACK, S.CLOSED, "the peer acknowledges our FIN", "ACK of FIN"),
    _t(S.TIME_WAIT, S.CLOSED, "the 2*MSL timer expires"),
)


class StateInfo(BaseModel):
    """Everything ``netparse explain STATE`` says about one state."""

    state: TcpState
    rfc9293: bool = Field(description="One of the eleven states of RFC 9293")
    summary: str
    side: str = Field(description="Which side of a connection is in this state")
    entered: list[Transition]
    left: list[Transition]
    duration: str
    platform_dependent: bool = Field(description="The duration figures differ by platform or setting")
    many_mean: str = Field(description="What a large number of sockets in this state usually means")
    labels: dict[str, list[str]] = Field(description="Platform -> the labels it prints for this state")
    rules: list[str] = Field(default_factory=list, description="Analyzer rules that look at this state")


class _Text(BaseModel):
    summary: str
    side: str
    duration: str
    platform_dependent: bool
    many_mean: str


def _x(summary: str, side: str, duration: str, dependent: bool, many: str) -> _Text:
    return _Text(summary=summary, side=side, duration=duration, platform_dependent=dependent, many_mean=many)


TEXTS: dict[TcpState, _Text] = {
    S.LISTEN: _x(
        "Waiting for connection requests on a local port.",
        "The server (passive opener): its application called listen().",
        "As long as the application keeps the listening socket open; no timer.",
        False,
        "One per service is normal. On ss LISTEN rows Recv-Q is the accept queue and Send-Q the backlog; "
        "a queue near the backlog means the application accepts too slowly (NP010). A listener on 0.0.0.0 "
        "or :: accepts on every interface (NP013).",
    ),
    S.SYN_SENT: _x(
        "A connection request (SYN) was sent; waiting for the peer's SYN,ACK.",
        "The client (active opener), after connect().",
        "One round trip when the peer answers. Otherwise the SYN is retransmitted: Linux gives up after "
        "tcp_syn_retries (default 6), about 131 s on Linux 6.5 and later (tcp_syn_linear_timeouts) and about "
        "127 s before (kernel ip-sysctl documentation); other platforms use other defaults.",
        True,
        "Several towards one destination: it does not answer (down, unreachable, or a firewall drops SYNs "
        "silently) (NP005). Many towards many destinations: lost connectivity, or a scan from this host.",
    ),
    S.SYN_RECEIVED: _x(
        "A SYN arrived and was answered with SYN,ACK; waiting for the ACK that completes the handshake.",
        "The server (passive opener); in a simultaneous open, both sides.",
        "One round trip normally. Linux retransmits the SYN,ACK tcp_synack_retries times (default 5) and "
        "gives up after about 63 s.",
        True,
        "A SYN flood (many, often spoofed, sources) or clients whose ACKs are lost (NP004).",
    ),
    S.ESTABLISHED: _x(
        "The connection is open and data flows both ways.",
        "Both sides.",
        "No limit: until one side closes or the connection fails. An idle connection sends nothing unless "
        "the application enables keepalive (Linux tcp_keepalive_time, default 2 hours).",
        True,
        "Normal load. Look at Recv-Q (the application is not reading: NP011), Send-Q (slow peer or "
        "congested path: NP012) and remote addresses holding most of a port's connections (NP014).",
    ),
    S.FIN_WAIT_1: _x(
        "The application closed; our FIN was sent and waits for the peer's ACK.",
        "The side that closes first (the active closer).",
        "One round trip normally, longer while data still queued in Send-Q is delivered. Unanswered FINs "
        "are retransmitted; for orphaned sockets Linux stops after tcp_orphan_retries (default 8).",
        True,
        "Peers that are gone or not reading (a closed receive window), or a lossy path (NP006).",
    ),
    S.FIN_WAIT_2: _x(
        "Our FIN was acknowledged; waiting for the peer to close its side with its own FIN.",
        "The active closer.",
        "RFC 9293 sets no limit: the connection is half closed and can still receive. Linux ends an orphaned "
        "socket (closed by its process) after tcp_fin_timeout, default 60 s.",
        True,
        "The peer's application does not close its side: look for CLOSE_WAIT on the peer (NP007).",
    ),
    S.CLOSE_WAIT: _x(
        "The peer closed: its FIN arrived and was acknowledged. Waiting for the local application to close.",
        "The side that receives the first FIN (the passive closer).",
        "No timer at all: until the application calls close() or exits.",
        False,
        "An application that does not close connections its peers have closed: a leak to fix in the code, "
        "not in the kernel settings (NP001).",
    ),
    S.CLOSING: _x(
        "Both sides closed at once: the peer's FIN arrived before the ACK of ours; waiting for that ACK.",
        "Both sides, in a simultaneous close.",
        "One round trip normally; our FIN is retransmitted as in FIN_WAIT_1.",
        False,
        "Rare. Many mean the ACKs of FINs are lost on the path (NP009).",
    ),
    S.LAST_ACK: _x(
        "The peer closed first and then the application closed; our FIN waits for the final ACK.",
        "The passive closer.",
        "One round trip normally; the FIN is retransmitted until acknowledged or the retries run out.",
        False,
        "Peers gone before acknowledging: crashed or rebooted, or a NAT or firewall forgot the connection "
        "(NP008).",
    ),
    S.TIME_WAIT: _x(
        "Closed, but the connection's addresses and ports stay reserved so that delayed segments die out "
        "and a lost final ACK can be sent again.",
        "The side that closed first (the active closer): often the client, but a server that closes its "
        "connections (HTTP without keep-alive) collects them too.",
        "RFC 9293: 2*MSL, with MSL 2 minutes. Linux: 60 s, hard-coded (TCP_TIMEWAIT_LEN), not a sysctl. "
        "Windows: TcpTimedWaitDelay, 120 s or 240 s by default depending on the version (KB314053), "
        "settable from 30 to 300 s.",
        True,
        "Many short connections: usually harmless (NP002), a problem only when connections to one "
        "destination use up the ephemeral ports (NP003).",
    ),
    S.CLOSED: _x(
        "No connection: the state before opening and after closing, with no connection record at all.",
        "Either side.",
        "Not applicable.",
        False,
        "Listings rarely show it (net-tools prints CLOSE): a socket without a connection is normally not in "
        "the kernel's connection tables.",
    ),
    S.BOUND: _x(
        "Windows: a socket bound to a local address and port that neither listens nor connects yet "
        "(netstat -q, Get-NetTCPConnection Bound).",
        "Either side, before listen() or connect().",
        "As long as the application keeps the socket.",
        True,
        "Each one holds a port: many of them can use up the ephemeral range, which is why Microsoft's "
        "port-exhaustion guide counts them.",
    ),
    S.DELETE_TCB: _x(
        "Windows: the connection's control block is being deleted, the last step after closing.",
        "Either side.",
        "A moment.",
        True,
        "Nothing in particular; it is transient.",
    ),
    S.UNCONNECTED: _x(
        "A datagram (UDP) or raw socket with no fixed peer; ss prints UNCONN, net-tools leaves the state "
        "empty.",
        "A UDP service or client.",
        "As long as the application keeps the socket.",
        False,
        "Normal for UDP services. Wildcard binds of services usually kept local (Memcached 11211 ...) are "
        "checked by NP013.",
    ),
    S.NONE: _x(
        "The row carries no state at all (Windows netstat prints none for UDP).",
        "Not applicable.",
        "Not applicable.",
        False,
        "Nothing; it is how the platform prints such sockets.",
    ),
    S.UNKNOWN: _x(
        "A state label netparse does not know; the label is kept as printed in state_label.",
        "Unknown.",
        "Unknown.",
        False,
        "Report the label (with the command and platform) so a table can learn it.",
    ),
}


def resolve(state_or_label: str | TcpState) -> TcpState:
    """A canonical state from a canonical name, any platform's label (any case, ``-`` or ``_``) or a
    ``/proc/net/tcp`` hex code (``0A``, ``0x0a``): :func:`netparse.locales.resolve_state`, with
    suggestions when nothing matches. Raises :class:`UnknownStateError`."""
    if isinstance(state_or_label, TcpState):
        return state_or_label
    text = unicodedata.normalize("NFC", str(state_or_label)).strip()
    state = resolve_state(text)
    if state is not None:
        return state
    names = sorted({*TcpState.__members__, *(lab.label for lab in all_labels() if lab.kind == "state" and lab.label)})
    close = difflib.get_close_matches(text.upper(), [n.upper() for n in names], n=3, cutoff=0.6)
    raise UnknownStateError(text, close)


def labels_for(state: TcpState) -> dict[str, list[str]]:
    """Platform -> labels printed for ``state`` (from the locale tables; /proc hex codes are the
    ``linux-proc`` platform's labels)."""
    out: dict[str, list[str]] = {}
    for lab in all_labels():
        if lab.kind == "state" and lab.canonical == state.value:
            shown = lab.label if lab.label else "(empty)"
            if shown not in out.setdefault(lab.platform, []):
                out[lab.platform].append(shown)
    return out


def _rules_for(state: TcpState) -> list[str]:
    return [f"{r.code} {r.name}" for r in all_rules() if state in r.states]


def explain(state_or_label: str | TcpState) -> StateInfo:
    """What a state means: who is in it, how it is entered and left, how long it lasts, what many
    of them mean, and the labels each platform prints for it."""
    state = resolve(state_or_label)
    text = TEXTS[state]
    return StateInfo(
        state=state,
        rfc9293=state in RFC9293_STATES,
        summary=text.summary,
        side=text.side,
        entered=[t for t in TRANSITIONS if t.target is state],
        left=[t for t in TRANSITIONS if t.source is state],
        duration=text.duration,
        platform_dependent=text.platform_dependent,
        many_mean=text.many_mean,
        labels=labels_for(state),
        rules=_rules_for(state),
    )


def explain_all() -> list[StateInfo]:
    """Every state, in display order."""
    return [explain(state) for state in STATE_ORDER]


DIAGRAM = """\
TCP connection states (after RFC 9293 Figure 5; our drawing)

                              +--------+
                              | CLOSED |
                              +--------+
           passive OPEN          |    |        active OPEN
           listen()              |    |        connect() / snd SYN
                +----------------+    +-----------------+
                v                                       v
           +--------+        SEND / snd SYN        +----------+
           | LISTEN |----------------------------->| SYN_SENT |
           +--------+                              +----------+
                |                                    |      |
  rcv SYN /     |          rcv SYN / snd SYN,ACK     |      |  rcv SYN,ACK /
  snd SYN,ACK   |    +-------------------------------+      |  snd ACK
                v    v      (simultaneous open)             |
         +--------------+                                   |
         | SYN_RECEIVED |                                   |
         +--------------+                                   |
                |  rcv ACK of SYN                           |
                v                                           |
         +-------------+                                    |
         | ESTABLISHED |<-----------------------------------+
         +-------------+
           |         |
 CLOSE /   |         |  rcv FIN / snd ACK
 snd FIN   |         +----------------------------+
           v                                      v
   +------------+                          +------------+
   | FIN_WAIT_1 |                          | CLOSE_WAIT |
   +------------+                          +------------+
     |        |                                   |
     |        |  rcv FIN / snd ACK                |  CLOSE / snd FIN
     |        +------------+                      v
     | rcv ACK of FIN      |               +----------+
     v                     v               | LAST_ACK |
   +------------+     +---------+          +----------+
   | FIN_WAIT_2 |     | CLOSING |                 |
   +------------+     +---------+                 |  rcv ACK of FIN
     |                     |                      |
     | rcv FIN /           | rcv ACK of FIN       |
     | snd ACK             |                      |
     v                     |                      |
   +-----------+           |                      |
   | TIME_WAIT |<----------+                      |
   +-----------+                                  |
     |                                            |
     | timeout 2*MSL / delete TCB                 |
     v                                            v
   +--------+                                +--------+
   | CLOSED |                                | CLOSED |
   +--------+                                +--------+

CLOSE = the application calls close(); rcv X = segment X arrives; snd X = X is sent.
MSL = maximum segment lifetime (RFC 9293: 2 minutes); Linux waits a fixed 60 s in TIME_WAIT.
Left out here to keep the drawing legible (the RFC's figure has them):
  * CLOSE in LISTEN or SYN_SENT -> CLOSED; CLOSE in SYN_RECEIVED -> FIN_WAIT_1 (snd FIN).
  * rcv RST in SYN_RECEIVED -> LISTEN, when it came from a passive open.
Left out of the RFC's figure too (see its notes):
  * FIN_WAIT_1 -> TIME_WAIT when the peer's FIN also acknowledges ours.
  * A reset (sent, received or an abort) ends the connection from most states.
"""


class Step(BaseModel):
    """One line of a scenario: each peer's state after it, and the segment(s) on the wire."""

    left: TcpState
    right: TcpState
    segment: str = ""
    direction: Literal["->", "<-", "<>", ""] = ""
    note: str = ""


class Scenario(BaseModel):
    name: str
    title: str
    left: str
    right: str
    steps: list[Step]


def _s(left: S, right: S, segment: str = "", direction: str = "", note: str = "") -> Step:
    return Step(left=left, right=right, segment=segment, direction=direction, note=note)  # type: ignore[arg-type]


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name="open",
            title="Opening a connection: the three-way handshake",
            left="client (active open)",
            right="server (passive open)",
            steps=[
                _s(S.CLOSED, S.LISTEN, note="the server's application has called listen()"),
                _s(S.SYN_SENT, S.SYN_RECEIVED, "SYN seq=100", "->", "the client calls connect()"),
                _s(S.ESTABLISHED, S.SYN_RECEIVED, "SYN,ACK seq=300 ack=101", "<-"),
                _s(S.ESTABLISHED, S.ESTABLISHED, "ACK seq=101 ack=301", "->",
                   "the server's application can now accept() the connection"),
            ],
        ),
        Scenario(
            name="active-close",
            title="Closing: this side closes first",
            left="this host (active closer)",
            right="peer (passive closer)",
            steps=[
                _s(S.ESTABLISHED, S.ESTABLISHED),
                _s(S.FIN_WAIT_1, S.CLOSE_WAIT, "FIN seq=100 ack=300", "->", "our application calls close()"),
                _s(S.FIN_WAIT_2, S.CLOSE_WAIT, "ACK seq=300 ack=101", "<-",
                   "the peer's kernel acknowledges at once; its application must now close"),
                _s(S.TIME_WAIT, S.LAST_ACK, "FIN seq=300 ack=101", "<-", "the peer's application calls close()"),
                _s(S.TIME_WAIT, S.CLOSED, "ACK seq=101 ack=301", "->"),
                _s(S.CLOSED, S.CLOSED, note="2*MSL later: 60 s on Linux, 120 s or 240 s on Windows"),
            ],
        ),
        Scenario(
            name="passive-close",
            title="Closing: the peer closes first",
            left="this host (passive closer)",
            right="peer (active closer)",
            steps=[
                _s(S.ESTABLISHED, S.ESTABLISHED),
                _s(S.CLOSE_WAIT, S.FIN_WAIT_1, "FIN seq=300 ack=100", "<-", "the peer's application calls close()"),
                _s(S.CLOSE_WAIT, S.FIN_WAIT_2, "ACK seq=100 ack=301", "->",
                   "our kernel acknowledges; until our application calls close() we stay in CLOSE_WAIT "
                   "with no timeout (NP001)"),
                _s(S.LAST_ACK, S.TIME_WAIT, "FIN seq=100 ack=301", "->", "our application calls close()"),
                _s(S.CLOSED, S.TIME_WAIT, "ACK seq=301 ack=101", "<-"),
                _s(S.CLOSED, S.CLOSED, note="the peer leaves TIME_WAIT 2*MSL later"),
            ],
        ),
        Scenario(
            name="simultaneous-close",
            title="Closing: both sides close at the same moment",
            left="peer A",
            right="peer B",
            steps=[
                _s(S.ESTABLISHED, S.ESTABLISHED),
                _s(S.FIN_WAIT_1, S.FIN_WAIT_1, "FIN seq=100 / FIN seq=300", "<>",
                   "both applications call close(); the FINs cross"),
                _s(S.CLOSING, S.CLOSING, "ACK ack=301 / ACK ack=101", "<>",
                   "each FIN arrives before the ACK of the other's: both acknowledge it"),
                _s(S.TIME_WAIT, S.TIME_WAIT, note="each ACK arrives: both sides wait 2*MSL"),
                _s(S.CLOSED, S.CLOSED),
            ],
        ),
    )
}

_ARROW_WIDTH = 34


def _arrow(step: Step) -> str:
    if not step.direction:
        return " " * _ARROW_WIDTH
    label = f" {step.segment} "
    if step.direction == "<>":
        return f"<-{label:-^{_ARROW_WIDTH - 4}}->"
    fill = f"{label:-^{_ARROW_WIDTH - 3}}"
    return f"{fill}-->" if step.direction == "->" else f"<--{fill}"


def render_scenario(name: str) -> str:
    """A two-column timeline: each peer's state after every step and the segments between them."""
    scenario = SCENARIOS[name]
    width = max(len(s.left.value) for s in scenario.steps) + 2
    lines = [scenario.title, ""]
    lines.append(f"    {scenario.left:<{width + _ARROW_WIDTH + 1}}{scenario.right}")
    for i, step in enumerate(scenario.steps, 1):
        lines.append(f"{i:>2}. {step.left.value:<{width}}{_arrow(step)} {step.right.value}")
        if step.note:
            lines.append(f"    {'':<{width}}({step.note})")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- kernel counters


class CounterInfo(BaseModel):
    """What one kernel counter counts (``netparse explain TcpExtListenOverflows``)."""

    name: str = Field(description="Linux name as nstat prints it")
    canonical: str = Field(description="Name shared across platforms (the MIB name where there is one)")
    counts: str
    rises_when: str
    what_to_do: str
    sources: list[str]
    labels: dict[str, list[str]] = Field(description="platform -> the labels its tools print for it")


def _counter_labels() -> dict[str, list[tuple[str, str]]]:
    """Linux name -> [(platform, label)] from the label tables (net-tools netstat -s, Windows)."""
    from .locales import all_labels

    win_sections = {"counter": ("Tcp", "Udp", "Ip"), "counter-icmp": ("Icmp",), "counter-icmp6": ("Icmp6",)}
    out: dict[str, list[tuple[str, str]]] = {}
    for lab in all_labels():
        if lab.platform in ("linux-netstat-s", "linux-netstat-s6") and lab.kind.startswith("counter"):
            section, _, field = lab.canonical.partition(":")
            names = [field if field.startswith(section) else section + field]
        elif lab.platform == "windows-netstat-s" and lab.kind in win_sections:
            names = [s + f for s in win_sections[lab.kind] for f in (lab.canonical, "In" + lab.canonical)]
        else:
            continue
        for name in names:
            out.setdefault(name, []).append((lab.platform, lab.label))
    for name, (line, _) in _bsd_lines().items():
        out.setdefault(name, []).append(("bsd-netstat-s", line))
    return out


def _bsd_lines() -> dict[str, tuple[str, frozenset[str]]]:
    """Linux name -> (the BSD/macOS ``netstat -s`` line, its printed forms), for the kernel
    fields whose meaning is that counter's (:data:`netparse.grammars.bsd_stats.CANONICAL`)."""
    from .counters import linux_name
    from .grammars.bsd_stats import CANONICAL, field_labels

    lines = field_labels()
    return {linux_name(canonical): lines[field] for field, canonical in CANONICAL.items() if field in lines}


def explain_counter(text: str) -> CounterInfo | None:
    """The counter ``text`` names: a Linux name (``TcpExtListenOverflows``), its field alone
    (``ListenOverflows``), the MIB name (``tcpRetransSegs``), a net-tools ``netstat -s`` sentence
    (with or without its number), a Windows label (``Segments Retransmitted``), or a BSD/macOS
    ``netstat -s`` line or kernel field (``listen queue overflows``, ``tcps_listendrop``); None
    if none."""
    import re

    from .counter_docs import COUNTER_DOCS
    from .counters import canonical_name, split_name

    key = " ".join(text.split()).casefold()
    if not key:
        return None
    labels = _counter_labels()

    def info(name: str) -> CounterInfo:
        counts, rises, todo, sources = COUNTER_DOCS[name]
        by_platform: dict[str, list[str]] = {}
        for platform, label in labels.get(name, []):
            if label not in by_platform.setdefault(platform, []):
                by_platform[platform].append(label)
        return CounterInfo(name=name, canonical=canonical_name(*split_name(name)), counts=counts, rises_when=rises,
                           what_to_do=todo, sources=list(sources), labels=by_platform)

    for name in COUNTER_DOCS:
        section, field = split_name(name)
        if key in (name.casefold(), canonical_name(section, field).casefold(), field.casefold()):
            return info(name)
    from .counters import linux_name
    from .grammars.bsd_stats import CANONICAL

    for bsd_field, canonical in CANONICAL.items():  # a BSD kernel field: tcps_listendrop
        if key == bsd_field and linux_name(canonical) in COUNTER_DOCS:
            return info(linux_name(canonical))
    sentence = re.sub(r"(?<![\w.])\d+(?![\w.])", "%llu", key)
    for name, (_, forms) in _bsd_lines().items():
        if name in COUNTER_DOCS and any(sentence == f.casefold() or key == " ".join(f.casefold().replace("%llu", " ").split())
                                        for f in forms):
            return info(name)
    for name, found in labels.items():
        if name not in COUNTER_DOCS:
            continue
        for _, label in found:
            folded = label.casefold()
            if key == folded or sentence == folded or key == " ".join(folded.replace("%llu", " ").split()):
                return info(name)
    return None


