"""The canary's timeline as an inline SVG: traffic on the new version per function against
time, and each alarm's state over the same time, one lane per alarm.

Every string from the log is escaped (it may hold anything). Each reading is also a
``<circle>`` carrying ``data-function``, ``data-at`` and ``data-share``, and each alarm
segment a ``<rect>`` with ``data-alarm`` and ``data-state``: a test (or a reader's tool)
reads the chart's steps back from the SVG.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

WIDTH, LEFT, RIGHT = 640, 62, 16
PLOT_TOP, PLOT_HEIGHT = 14, 170
LANE = 44  # an alarm: its name above, its states in a bar
FONT = 19  # the chart shrinks to a phone's width: text stays readable
COLOURS = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")
STATE_COLOURS = {"OK": "#2da44e", "ALARM": "#cf222e", "INSUFFICIENT_DATA": "#8c959f"}


def _epoch(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def _bounds(timeline: dict[str, Any]) -> tuple[float, float] | None:
    times = [
        t
        for t in (
            [_epoch(str(timeline.get("started", ""))), _epoch(str(timeline.get("ended", "")))]
            + [_epoch(str(p.get("at", ""))) for d in _series(timeline) for p in d["steps"]]
            + [_epoch(str(a.get("at", ""))) for a in timeline.get("alarms", [])]
        )
        if t is not None
    ]
    if not times:
        return None
    low, high = min(times), max(times)
    return low, max(high, low + 1.0)


def _series(timeline: dict[str, Any]) -> list[dict[str, Any]]:
    """The deployments drawn as lines: CodeDeploy's rollbacks are marked, not drawn."""
    return [
        d
        for d in timeline.get("deployments", [])
        if not d.get("rollback_of") and isinstance(d.get("steps"), list)
    ]


def legend(timeline: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(function, colour) of each line drawn, in the chart's order."""
    series = _series(timeline or {})
    return [
        (
            str(d.get("logical_id") or d.get("function_name") or d.get("deployment_id")),
            COLOURS[i % len(COLOURS)],
        )
        for i, d in enumerate(series)
    ]


def _clock(epoch: float, start: float) -> str:
    seconds = round(epoch - start)
    return f"+{seconds // 60}m{seconds % 60:02d}s"


def svg_chart(timeline: dict[str, Any] | None) -> str:
    """The chart, or "" when nothing was observed."""
    if not timeline:
        return ""
    span = _bounds(timeline)
    if span is None:
        return ""
    start, end = span
    alarms = sorted({str(a.get("alarm", "")) for a in timeline.get("alarms", [])})
    height = PLOT_TOP + PLOT_HEIGHT + 30 + LANE * len(alarms) + 4

    def x(epoch: float) -> float:
        return round(LEFT + (epoch - start) / (end - start) * (WIDTH - LEFT - RIGHT), 1)

    def y(share: float) -> float:
        return round(PLOT_TOP + (1 - max(0.0, min(1.0, share))) * PLOT_HEIGHT, 1)

    parts = [
        # No xmlns: the chart is inline in HTML, whose parser puts it in SVG's namespace,
        # and the page then names no URL at all.
        f'<svg viewBox="0 0 {WIDTH} {height}" '
        'role="img" aria-label="traffic on the new version and alarm states over time" '
        'class="timeline" width="100%">',
        *_axes(start, end, x, y),
    ]
    for i, d in enumerate(_series(timeline)):
        parts += _line(d, COLOURS[i % len(COLOURS)], x, y)
    for i, name in enumerate(alarms):
        changes = [a for a in timeline.get("alarms", []) if a.get("alarm") == name]
        parts += _lane(name, changes, PLOT_TOP + PLOT_HEIGHT + 30 + LANE * i, end, x)
    parts.append("</svg>")
    return "\n".join(parts)


def _axes(start: float, end: float, x: Any, y: Any) -> list[str]:
    out = []
    for share in (0.0, 0.5, 1.0):
        out.append(
            f'<line x1="{LEFT}" y1="{y(share)}" x2="{WIDTH - RIGHT}" y2="{y(share)}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(share) + 4}" text-anchor="end" font-size="{FONT}">'
            f"{share:.0%}</text>"
        )
    base = PLOT_TOP + PLOT_HEIGHT + 24
    for frac in (0.0, 0.5, 1.0):
        at = start + frac * (end - start)
        anchor = {0.0: "start", 0.5: "middle", 1.0: "end"}[frac]
        out.append(
            f'<text x="{x(at)}" y="{base}" text-anchor="{anchor}" font-size="{FONT}">'
            f"{escape(_clock(at, start))}</text>"
        )
    return out


def _line(d: dict[str, Any], colour: str, x: Any, y: Any) -> list[str]:
    name = escape(str(d.get("logical_id") or d.get("function_name") or d.get("deployment_id")))
    points: list[tuple[float, float, str, float]] = []
    for p in d["steps"]:
        when = _epoch(str(p.get("at", "")))
        share = p.get("share")
        if when is not None and isinstance(share, int | float):
            points.append((x(when), y(float(share)), str(p["at"]), float(share)))
    if not points:
        return []
    # A step line: the share holds until the next reading.
    path = [f"M{points[0][0]},{points[0][1]}"]
    for px, py, _at, _share in points[1:]:
        path.append(f"H{px}V{py}")
    out = [
        f'<g class="series" data-function="{name}">',
        f"<title>{name}</title>",
        f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>',
    ]
    for px, py, at, share in points:
        out.append(
            f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}" data-function="{name}" '
            f'data-at="{escape(at)}" data-share="{share:g}"><title>{name} {share:.0%} at '
            f"{escape(at)}</title></circle>"
        )
    out.append("</g>")
    return out


def _lane(name: str, changes: list[dict[str, Any]], top: float, end: float, x: Any) -> list[str]:
    label = escape(name)
    out = [
        f'<g class="alarm" data-alarm="{label}">',
        f'<text x="{LEFT}" y="{top + 17}" font-size="{FONT - 1}">alarm {label}</text>',
    ]
    timed = [(t, c) for c in changes if (t := _epoch(str(c.get("at", "")))) is not None]
    for i, (at, c) in enumerate(timed):
        until = timed[i + 1][0] if i + 1 < len(timed) else end
        state = str(c.get("state", ""))
        width = max(1.0, round(x(until) - x(at), 1))
        reason = escape(str(c.get("reason", "")))
        out.append(
            f'<rect x="{x(at)}" y="{top + 23}" width="{width}" height="{LANE - 27}" '
            f'fill="{STATE_COLOURS.get(state, "#8c959f")}" data-alarm="{label}" '
            f'data-state="{escape(state)}" data-at="{escape(str(c.get("at", "")))}">'
            f"<title>{label}: {escape(state)} {reason}</title></rect>"
        )
    out.append("</g>")
    return out
