"""``netparse timeline --plot``: the timeline as a self-contained picture.

SVG written by hand (no plotting library, no script, nothing fetched when it is viewed): one
panel per host, one line per state (or per port/process with ``--by``), time along the bottom
when every snapshot has a timestamp (snapshot numbers otherwise). Points carry ``<title>``
tooltips when there are few enough of them. The HTML form wraps the same SVG with the numbers
as a table below it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from ..output.safe import xml_text as escape

from .stamps import format_time
from .timeline import OTHER, Row, TcpState, Timeline

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


def _panel(timeline: Timeline, host: str | None, rows: list[Row], y0: int, styles=None) -> list[str]:
    """SVG elements of one host's panel, its top at ``y0``."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PANEL_HEIGHT - TOP - BOTTOM
    top = y0 + TOP
    snapshots: list[Row] = []
    seen: set[tuple] = set()
    for row in rows:
        k = (row.source, row.snapshot)
        if k not in seen:
            seen.add(k)
            snapshots.append(row)
    timed = all(r.timestamp is not None for r in snapshots)
    if timed:
        offsets = {r.timestamp.utcoffset() for r in snapshots}  # type: ignore[union-attr]
        offset = offsets.pop() if len(offsets) == 1 else timedelta(0)
        times = [_local(r.timestamp, offset) for r in snapshots]  # type: ignore[arg-type]
        t0, t1 = min(times), max(times)
        span = max((t1 - t0).total_seconds(), 1e-9)

        def xpos(i: int) -> float:
            return LEFT + plot_w * ((times[i] - t0).total_seconds() / span if t1 > t0 else 0.5)
    else:
        n = len(snapshots)

        def xpos(i: int) -> float:
            return LEFT + plot_w * (i / (n - 1) if n > 1 else 0.5)

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
    # x ticks
    if timed and snapshots:
        span_s = (t1 - t0).total_seconds()
        for t in _time_ticks(t0, t1):
            x = LEFT + plot_w * ((t - t0).total_seconds() / span_s if span_s else 0.5)
            out.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" class="axis"/>')
            out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" class="xlabel">{escape(_tick_label(t, span_s))}</text>')
        zone = "log time" if offset is None else "UTC" if not offset else "UTC" + _offset_text(offset)
        first, last = format_time(snapshots[0].timestamp), format_time(snapshots[-1].timestamp)
        caption = f"{first} to {last}" if first != last else first
        out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{top + plot_h + 36}" class="xlabel">{escape(caption)} ({zone} on the axis)</text>')
    else:
        n = len(snapshots)
        step = max(1, math.ceil(n / 10))
        for i in range(0, n, step):
            x = xpos(i)
            out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" class="xlabel">{snapshots[i].snapshot}</text>')
        out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{top + plot_h + 36}" class="xlabel">snapshot</text>')
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


STYLE = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;fill:#222}"
    ".title{font-size:15px;font-weight:600}.sub{font-size:12px;fill:#666}"
    ".ylabel{font-size:11px;text-anchor:end}.xlabel{font-size:11px;text-anchor:middle}"
    ".yaxis{font-size:12px;text-anchor:middle;fill:#444}.legend{font-size:12px}.frame{fill:#fff;stroke:#999}.grid{stroke:#e6e6e6}.axis{stroke:#999}"
)


def render_svg(timeline: Timeline) -> str:
    """The timeline as one SVG document."""
    hosts = timeline.hosts() or [None]
    height = PANEL_HEIGHT * len(hosts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img">',
        "<title>netparse timeline</title>",
        f"<style>{STYLE}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fafafa"/>',
    ]
    styles = _styles(timeline)
    for i, host in enumerate(hosts):
        rows = [r for r in timeline.rows if r.host == host]
        if rows:
            parts.extend(_panel(timeline, host, rows, i * PANEL_HEIGHT, styles))
        else:
            parts.append(f'<text x="{LEFT}" y="{i * PANEL_HEIGHT + 40}" class="sub">no snapshot</text>')
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
        + "\n</table>\n</details>\n</body>\n</html>\n"
    )


def write_plot(timeline: Timeline, path: str) -> None:
    """Write ``.svg`` or ``.html`` (by the file name; anything else is SVG)."""
    text = render_html(timeline) if path.lower().endswith((".html", ".htm")) else render_svg(timeline)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
