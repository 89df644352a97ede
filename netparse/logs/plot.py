"""``netparse timeline --plot``: the timeline as a self-contained picture.

SVG written by hand (no plotting library, no script, nothing fetched when it is viewed): one
panel per host, one line per state (or per port/process with ``--by``), time along the bottom
when every snapshot has a timestamp (snapshot numbers otherwise). Points carry ``<title>``
tooltips when there are few enough of them. When the snapshots carry kernel counters, each
host's state chart has a counter chart under it on the same time axis: a strip per counter that
rose, each on its own scale, a step per interval at the rate ``timeline --counters`` shows
(:meth:`~netparse.logs.timeline.CounterRow.value`), restarts marked ``reset``. The HTML form wraps
the same SVG with the numbers (and the counter table) below it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from ..output.safe import xml_text as escape

from .stamps import format_time
from ..counters import INCREMENTS, RESET
from .timeline import (KIND_NOTES, OTHER, RATE_COUNTERS, CounterRow, Row, TcpState, Timeline, counter_rows,
                       counters_legend, per_second, rate_text, shown_counters)

WIDTH = 960
PANEL_HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 76, 190, 36, 44
MAX_MARKERS = 400

STATE_COLOURS = {
    "LISTEN": "#1f77b4",
    "ESTABLISHED": "#2ca02c",
    "CLOSE_WAIT": "#d62728",
    "TIME_WAIT": "#ff7f0e",
    "SYN_SENT": "#9467bd",
    "SYN_RECEIVED": "#8c564b",
    "FIN_WAIT_1": "#e377c2",
    "FIN_WAIT_2": "#7f7f7f",
    "LAST_ACK": "#bcbd22",
    "CLOSING": "#17becf",
    "UNCONNECTED": "#393b79",
    "BOUND": "#637939",
    "CLOSED": "#843c39",
    "NONE": "#7b4173",
    "DELETE_TCB": "#a55194",
    "UNKNOWN": "#636363",
}
#: sockets of other kinds than TCP, drawn as series of their own
KIND_COLOURS = {"udp": "#6b6ecf", "raw": "#b5cf6b", "unix": "#e7969c", "other": "#9c9ede"}
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f", "#393b79", "#637939"]


def _local(value: datetime, offset: timedelta | None) -> datetime:
    """A naive time on the axis: the log's own offset when all snapshots share one (else UTC)."""
    if value.tzinfo is None or offset is None:
        return value.replace(tzinfo=None)
    return value.astimezone(timezone(offset)).replace(tzinfo=None)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _nice_max(value: int) -> tuple[float, float]:
    """(axis top, tick step) for counts up to ``value``."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, 1)
    return step * math.ceil(value / step), step


def _time_ticks(start: datetime, end: datetime, count: int = 6) -> list[datetime]:
    span = (end - start).total_seconds()
    if span <= 0:
        return [start]
    steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
             172800, 604800, 2592000]
    step = next((s for s in steps if span / s <= count), steps[-1])
    epoch = datetime(1970, 1, 1, tzinfo=start.tzinfo)
    first = math.ceil((start - epoch).total_seconds() / step) * step
    ticks = []
    t = epoch + timedelta(seconds=first)
    while t <= end:
        ticks.append(t)
        t += timedelta(seconds=step)
    return ticks


def _tick_label(value: datetime, span: float) -> str:
    if span < 120:
        return value.strftime("%H:%M:%S")
    if span < 86400:
        return value.strftime("%H:%M")
    if span < 7 * 86400:
        return value.strftime("%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def _series(timeline: Timeline, rows: list[Row]) -> tuple[list[tuple[str, str]], dict[str, dict[tuple, int]]]:
    """(series names with colours, name -> {snapshot key: value})."""
    values: dict[str, dict[tuple, int]] = {}
    if timeline.by is None:
        # TCP states, then the other kinds (udp, raw, unix): never a UDP socket in a TCP line
        keys: list = [s for s in timeline.states() if any(r.count(s) for r in rows)]
        keys += [k for k in timeline.kinds() if any(r.count(k) for r in rows)]
        names = [k.value if isinstance(k, TcpState) else k for k in keys]
        for name, key in zip(names, keys):
            values[name] = {(row.source, row.snapshot): row.count(key) for row in rows}
        return [(n, STATE_COLOURS.get(n, KIND_COLOURS.get(n, "#333"))) for n in names], values
    order: dict[str, int] = {}
    for row in rows:
        label = row.key_text() if row.key != OTHER else OTHER
        order[label] = max(order.get(label, 0), row.total)
        values.setdefault(label, {})[(row.source, row.snapshot)] = row.total
    names = sorted(order, key=lambda k: (k == OTHER, -order[k], k))
    return [(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)], values


#: stroke patterns, one per series in a fixed order over the whole timeline (so a state looks the
#: same in every host's chart); with the widths below, series of equal values stay visible
DASHES = ("", "8 4", "2 3", "12 3 3 3", "4 4", "1 2")


def _styles(timeline: Timeline) -> dict[str, tuple[str, float]]:
    """Series name -> (dash pattern, stroke width), the same in every panel: drawn widest first,
    each later one narrower and dashed differently, so lines that coincide all show."""
    names = [name for name, _ in _series(timeline, timeline.rows)[0]]
    return {name: (DASHES[i % len(DASHES)], max(1.4, 5.0 - 0.7 * i)) for i, name in enumerate(names)}


class _Axis:
    """Where a host's snapshots go along the bottom: by time when every one has a timestamp
    (in the log's own offset when they share one), else by position. The state chart and the
    counter chart of a host share it, so a snapshot is at the same x in both."""

    def __init__(self, snapshots: list[Row]) -> None:
        self.snapshots = snapshots
        self.at = {(r.source, r.snapshot): i for i, r in enumerate(snapshots)}
        self.plot_w = WIDTH - LEFT - RIGHT
        self.timed = all(r.timestamp is not None for r in snapshots)
        self.offset: timedelta | None = None
        if self.timed:
            offsets = {r.timestamp.utcoffset() for r in snapshots}  # type: ignore[union-attr]
            self.offset = offsets.pop() if len(offsets) == 1 else timedelta(0)
            self.times = [_local(r.timestamp, self.offset) for r in snapshots]  # type: ignore[arg-type]
            self.t0, self.t1 = min(self.times), max(self.times)
            self.span = max((self.t1 - self.t0).total_seconds(), 1e-9)

    def x(self, i: int) -> float:
        if self.timed:
            t0, t1 = self.t0, self.t1
            return LEFT + self.plot_w * ((self.times[i] - t0).total_seconds() / self.span if t1 > t0 else 0.5)
        n = len(self.snapshots)
        return LEFT + self.plot_w * (i / (n - 1) if n > 1 else 0.5)

    def draw(self, out: list[str], bottom: float, caption: bool = True) -> None:
        """The ticks and their labels under a chart whose plot area ends at ``bottom``; with
        ``caption``, the line saying what the axis is."""
        snapshots = self.snapshots
        plot_w = self.plot_w
        if self.timed and snapshots:
            t0, t1, offset = self.t0, self.t1, self.offset
            span_s = (t1 - t0).total_seconds()
            for t in _time_ticks(t0, t1):
                x = LEFT + plot_w * ((t - t0).total_seconds() / span_s if span_s else 0.5)
                out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" class="axis"/>')
                out.append(f'<text x="{x:.1f}" y="{bottom + 18}" class="xlabel">{escape(_tick_label(t, span_s))}</text>')
            if caption:
                zone = "log time" if offset is None else "UTC" if not offset else "UTC" + _offset_text(offset)
                first, last = format_time(snapshots[0].timestamp), format_time(snapshots[-1].timestamp)
                text = f"{first} to {last}" if first != last else first
                out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{bottom + 36}" class="xlabel">{escape(text)} '
                           f'({zone} on the axis)</text>')
        else:
            n = len(snapshots)
            step = max(1, math.ceil(n / 10))
            for i in range(0, n, step):
                out.append(f'<text x="{self.x(i):.1f}" y="{bottom + 18}" class="xlabel">{snapshots[i].snapshot}</text>')
            if caption:
                out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{bottom + 36}" class="xlabel">snapshot</text>')


def _snapshots(rows: list[Row]) -> list[Row]:
    """One row per snapshot (``--by`` gives several), in order."""
    snapshots: list[Row] = []
    seen: set[tuple] = set()
    for row in rows:
        k = (row.source, row.snapshot)
        if k not in seen:
            seen.add(k)
            snapshots.append(row)
    return snapshots


def _panel(timeline: Timeline, host: str | None, rows: list[Row], y0: int, styles=None,
           axis: _Axis | None = None) -> list[str]:
    """SVG elements of one host's panel, its top at ``y0``."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PANEL_HEIGHT - TOP - BOTTOM
    top = y0 + TOP
    axis = axis or _Axis(_snapshots(rows))
    snapshots = axis.snapshots
    xpos = axis.x

    series, values = _series(timeline, rows)
    ymax_value = max((v for name, _ in series for v in values[name].values()), default=0)
    ymax, ystep = _nice_max(ymax_value)

    def ypos(v: float) -> float:
        return top + plot_h - plot_h * v / ymax

    title = host or "(no host)"
    sources = sorted({r.source for r in snapshots})
    subtitle = f"{len(snapshots)} snapshot{'s' if len(snapshots) != 1 else ''} from {', '.join(sources)}"
    if timeline.by:
        subtitle += f" — sockets per {timeline.by}"
    out = [
        f'<text x="{LEFT}" y="{y0 + 20}"><tspan class="title">{escape(title)}</tspan>'
        f'<tspan class="sub" dx="10">{escape(subtitle)}</tspan></text>',
        f'<rect x="{LEFT}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>',
    ]
    # y grid
    v = 0.0
    while v <= ymax + 1e-9:
        y = ypos(v)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="ylabel">{int(v):,}</text>')
        v += ystep
    axis.draw(out, top + plot_h)
    ylabel = "sockets" + (f" per {timeline.by}" if timeline.by else " per TCP state / kind")
    out.append(f'<text x="{LEFT - 44}" y="{top + plot_h / 2:.1f}" class="yaxis" '
               f'transform="rotate(-90 {LEFT - 44} {top + plot_h / 2:.1f})">{escape(ylabel)}</text>')
    styles = styles or _styles(timeline)
    # lines
    markers = len(snapshots) <= MAX_MARKERS
    for k, (name, colour) in enumerate(series):
        points = []
        dots = []
        for i, row in enumerate(snapshots):
            value = values[name].get((row.source, row.snapshot), 0)
            x, y = xpos(i), ypos(value)
            points.append(f"{x:.1f},{y:.1f}")
            if markers:
                when = format_time(row.timestamp, row.stamp_kind) or f"snapshot {row.snapshot}"
                dots.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{escape(name)}: {value:,} '
                    f"at {escape(when)}</title></circle>"
                )
        label = name  # the names the table and --output json use (ESTABLISHED, not ESTAB)
        pattern, stroke = styles.get(name, ("", 1.8))
        dash = f' stroke-dasharray="{pattern}"' if pattern else ""
        out.append(f'<g class="series"><title>{escape(name)}</title>')
        if len(points) > 1:
            out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="{stroke:.1f}"'
                       f' stroke-linejoin="round"{dash}/>')
        out.extend(dots)
        out.append("</g>")
        ly = top + 14 + 18 * k
        if ly < top + plot_h:
            latest = values[name].get((snapshots[-1].source, snapshots[-1].snapshot), 0)
            out.append(f'<line x1="{LEFT + plot_w + 12}" y1="{ly - 4}" x2="{LEFT + plot_w + 30}" y2="{ly - 4}" '
                       f'stroke="{colour}" stroke-width="3"{dash}/>')
            out.append(f'<text x="{LEFT + plot_w + 36}" y="{ly}" class="legend">{escape(label)} ({latest:,})</text>')
    return out


# ---------------------------------------------------------------------------- kernel counters

#: the counters in the order the counter rules care about (accept queue, retransmissions,
#: TIME_WAIT overflow, resets, UDP drops, then the rest), each its own strip with its own scale:
#: 192 retransmissions a second beside 0.3 drops a second both stay readable
COUNTER_ORDER = (
    "TcpExtListenOverflows", "TcpExtListenDrops", "TcpRetransSegs", "TcpExtTCPTimeWaitOverflow", "TcpEstabResets",
    "TcpAttemptFails", "UdpRcvbufErrors", "TcpExtTCPReqQFullDrop", "TcpExtSyncookiesSent", "TcpExtTCPAbortOnMemory",
)
COUNTER_COLOURS = dict(zip(COUNTER_ORDER, ("#d62728", "#ff7f0e", "#1f77b4", "#9467bd", "#8c564b", "#e377c2",
                                           "#17becf", "#bcbd22", "#2ca02c", "#7f7f7f")))
STRIP = 64  # one counter's strip: its plot area and the gap under it
STRIP_GAP = 16
NOTE_HEIGHT = 64  # a host whose counters cannot be drawn: one line saying why


def _counter_names(rows: list[CounterRow]) -> list[tuple[str, str]]:
    """(kernel name, table header) of the counters that rose in ``rows``, rules' order first."""
    shown = shown_counters(rows, always=False)
    return sorted(shown, key=lambda nh: COUNTER_ORDER.index(nh[0]) if nh[0] in COUNTER_ORDER else len(COUNTER_ORDER))


def _counter_height(rows: list[CounterRow]) -> int:
    """The height of a host's counter chart (0: its snapshots carry no counters)."""
    if not rows:
        return 0
    names = _counter_names(rows)
    if not names or all(r.kind == "first" for r in rows):
        return NOTE_HEIGHT
    return TOP + STRIP * len(names) - STRIP_GAP + BOTTOM


def _counter_panel(rows: list[CounterRow], axis: _Axis, y0: int, per_s: bool) -> list[str]:
    """SVG elements of one host's counter chart, its top at ``y0``: a strip per counter that
    rose, a step over each interval between two snapshots at the rate timeline --counters shows
    for it (:meth:`CounterRow.value`); restarts marked 'reset' as the table's note says."""
    plot_w = axis.plot_w
    names = _counter_names(rows)
    unit = "/s" if per_s else ""
    what = ("rise per second since the previous snapshot" if per_s
            else "rise since the previous snapshot (not every snapshot has a time)")
    compared = [(before, r) for before, r in zip(rows, rows[1:])]
    heading = f'<text x="{LEFT}" y="{y0 + 20}"><tspan class="title">kernel counters</tspan>'
    if not compared:
        return [heading + '<tspan class="sub" dx="10">one snapshot with counters: no rise to draw</tspan></text>']
    if not names:
        shown = ", ".join(name for name, _ in RATE_COUNTERS)
        return [heading + f'<tspan class="sub" dx="10">{escape(what)}: none of {escape(shown)} rose</tspan></text>']
    notes = sorted({KIND_NOTES[r.kind] for _, r in compared if KIND_NOTES.get(r.kind) and r.kind != RESET})
    sub = what + "; each strip on its own scale" + "".join(f"; {n}" for n in notes)
    out = [heading + f'<tspan class="sub" dx="10">{escape(sub)}</tspan></text>']
    top = y0 + TOP
    bottom = top + STRIP * len(names) - STRIP_GAP
    height = STRIP - STRIP_GAP
    x_of = {key: axis.x(i) for key, i in axis.at.items()}

    def x(r: CounterRow) -> float:
        return x_of[(r.row.source, r.row.snapshot)]

    markers = len(compared) <= MAX_MARKERS
    for k, (name, head) in enumerate(names):
        st = top + STRIP * k
        colour = COUNTER_COLOURS.get(name, PALETTE[k % len(PALETTE)])
        values = [r.value(name, per_s) for _, r in compared]
        vmax = max((v for v in values if v is not None), default=0.0) or 1.0

        def y(v: float) -> float:
            return st + height - height * v / vmax

        out.append(f'<rect x="{LEFT}" y="{st}" width="{plot_w}" height="{height}" class="frame"/>')
        out.append(f'<text x="{LEFT - 6}" y="{st + 10}" class="ylabel">{escape(rate_text(vmax, per_s))}</text>')
        out.append(f'<text x="{LEFT - 6}" y="{st + height}" class="ylabel">0</text>')
        out.append(f'<g class="counter" data-counter="{escape(name)}"><title>{escape(head)} {escape(name)}</title>')
        run: list[str] = []
        dots: list[str] = []

        def flush() -> None:
            if len(run) > 1:
                base = f"{run[0].split(',')[0]},{st + height:.1f} " + " ".join(run) + f" {run[-1].split(',')[0]},{st + height:.1f}"
                out.append(f'<polygon points="{base}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
                out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"'
                           ' stroke-linejoin="round"/>')
            run.clear()

        for (before, r), v in zip(compared, values):
            if v is None:  # a sample lacks the counter: a gap
                flush()
                continue
            x0, x1, yv = x(before), x(r), y(v)
            if run and run[-1].split(",")[0] != f"{x0:.1f}":
                flush()
            run.extend((f"{x0:.1f},{yv:.1f}", f"{x1:.1f},{yv:.1f}"))
            if markers:
                since = format_time(before.row.timestamp, before.row.stamp_kind) or f"snapshot {before.row.snapshot}"
                until = format_time(r.row.timestamp, r.row.stamp_kind) or f"snapshot {r.row.snapshot}"
                note = {RESET: " (reset: the counters fell; counted since the restart)",
                        INCREMENTS: " (nstat increments)"}.get(r.kind, "")
                dots.append(f'<circle cx="{x1:.1f}" cy="{yv:.1f}" r="3" fill="{colour}" data-snapshot="{r.row.snapshot}" '
                            f'data-value="{v!r}"><title>{escape(head)} {escape(name)}: {escape(rate_text(v, per_s))}{unit} '
                            f"from {escape(since)} to {escape(until)}{escape(note)}</title></circle>")
        flush()
        out.extend(dots)
        out.append("</g>")
        latest = values[-1]
        shown = "-" if latest is None else rate_text(latest, per_s) + (unit if latest else "")
        lx = LEFT + plot_w + 12
        out.append(f'<line x1="{lx}" y1="{st + 14}" x2="{lx + 18}" y2="{st + 14}" stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 24}" y="{st + 18}" class="legend">{escape(head)} ({escape(shown)})</text>')
        merged = " + Udp6" if name == "UdpRcvbufErrors" else ""
        out.append(f'<text x="{lx + 24}" y="{st + 34}" class="sub">{escape(name + merged)}</text>')
    for before, r in compared:
        if r.kind == RESET:
            xr = x(r)
            out.append(f'<line x1="{xr:.1f}" y1="{top - 4}" x2="{xr:.1f}" y2="{bottom}" class="reset"/>')
            out.append(f'<text x="{xr:.1f}" y="{top - 7}" class="reset-label">reset</text>')
    axis.draw(out, bottom, caption=False)
    return out


STYLE = (
    ".reset{stroke:#444;stroke-width:1.2;stroke-dasharray:4 3}.reset-label{font-size:11px;text-anchor:middle;fill:#444}"
    "text{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;fill:#222}"
    ".title{font-size:15px;font-weight:600}.sub{font-size:12px;fill:#666}"
    ".ylabel{font-size:11px;text-anchor:end}.xlabel{font-size:11px;text-anchor:middle}"
    ".yaxis{font-size:12px;text-anchor:middle;fill:#444}.legend{font-size:12px}.frame{fill:#fff;stroke:#999}.grid{stroke:#e6e6e6}.axis{stroke:#999}"
)


def render_svg(timeline: Timeline) -> str:
    """The timeline as one SVG document."""
    hosts = timeline.hosts() or [None]
    counters = counter_rows(timeline)
    per_s = per_second(counters)
    of_host = {host: [r for r in counters if r.row.host == host] for host in hosts}
    height = sum(PANEL_HEIGHT + _counter_height(of_host[host]) for host in hosts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img">',
        "<title>netparse timeline</title>",
        f"<style>{STYLE}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fafafa"/>',
    ]
    styles = _styles(timeline)
    y0 = 0
    for host in hosts:
        rows = [r for r in timeline.rows if r.host == host]
        if rows:
            axis = _Axis(_snapshots(rows))
            parts.extend(_panel(timeline, host, rows, y0, styles, axis))
            if of_host[host]:
                parts.extend(_counter_panel(of_host[host], axis, y0 + PANEL_HEIGHT, per_s))
        else:
            parts.append(f'<text x="{LEFT}" y="{y0 + 40}" class="sub">no snapshot</text>')
        y0 += PANEL_HEIGHT + _counter_height(of_host[host])
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_html(timeline: Timeline) -> str:
    """A standalone HTML page: the SVG, then the numbers as a table."""
    states = timeline.states()
    kinds = timeline.kinds()
    head = ["#", "time", "host"] + ([timeline.by] if timeline.by else []) + [s.value for s in states] + kinds + ["total"]
    rows = []
    for row in timeline.rows:
        cells = [str(row.snapshot), format_time(row.timestamp, row.stamp_kind), row.host or ""]
        if timeline.by:
            cells.append(row.key_text())
        cells += [f"{row.count(s):,}" for s in states] + [f"{row.count(k):,}" for k in kinds] + [f"{row.total:,}"]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>netparse timeline</title>\n<style>"
        "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222}"
        "table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}"
        "th{background:#f3f3f3}td:nth-child(2),td:nth-child(3){text-align:left}"
        "</style>\n</head>\n<body>\n<h1>netparse timeline</h1>\n"
        + (f"<p>{len({(r.source, r.snapshot) for r in timeline.rows})} snapshots of {len(timeline.hosts())} hosts from "
           f"{escape(', '.join(timeline.inputs))}</p>\n" if len(timeline.hosts()) > 1 else "")  # one host: its chart says it
        + render_svg(timeline)
        + "<details open><summary>Numbers</summary>\n<table>\n<tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr>\n"
        + "\n".join(rows)
        + "\n</table>\n</details>\n"
        + _counter_table(timeline)
        + "</body>\n</html>\n"
    )


def _counter_table(timeline: Timeline) -> str:
    """The counter rates as ``timeline --counters`` prints them, under the numbers ('' when no
    snapshot carries counters)."""
    rows = counter_rows(timeline)
    if not rows:
        return ""
    per_s = per_second(rows)
    shown = shown_counters(rows)
    head = ["#", "time", "host"] + [h for _, h in shown] + ["note"]
    body = []
    for r in rows:
        cells = [str(r.row.snapshot), format_time(r.row.timestamp, r.row.stamp_kind), r.row.host or ""]
        cells += ["" if r.kind == "first" else rate_text(r.value(n, per_s), per_s) for n, _ in shown]
        cells.append(KIND_NOTES.get(r.kind, ""))
        body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        "<details open><summary>Kernel counters</summary>\n<p>" + escape(counters_legend(rows)) + "</p>\n<table>\n<tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>\n" + "\n".join(body) + "\n</table>\n</details>\n"
    )


def write_plot(timeline: Timeline, path: str) -> None:
    """Write ``.svg`` or ``.html`` (by the file name; anything else is SVG)."""
    text = render_html(timeline) if path.lower().endswith((".html", ".htm")) else render_svg(timeline)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
