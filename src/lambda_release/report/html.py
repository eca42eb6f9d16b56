"""A release's report as one self-contained HTML page: readable on a phone, no network.

No script, no font, no image, no link to fetch: the styles are inline, the chart is
inline SVG, and a Content-Security-Policy of ``default-src 'none'`` makes a browser refuse
any request the page might still try. Every string from the log is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from lambda_release.report.chart import legend, svg_chart
from lambda_release.text import visible

CSP = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:12px;
color:#1f2328;background:#fff;max-width:860px}
h1{font-size:1.25em;margin:.2em 0 .6em;overflow-wrap:anywhere}
h2{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;font-size:.88em}
th,td{border:1px solid #d0d7de;padding:3px 5px;text-align:left;vertical-align:top}
td{overflow-wrap:break-word;word-break:break-word}
th{background:#f6f8fa}
.scroll{overflow-x:auto}
.outcome{font-weight:600;padding:1px 6px;border-radius:4px;background:#eaeef2}
.outcome-succeeded{background:#dafbe1}.outcome-failed,.outcome-partial{background:#ffebe9}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:#59636e}dd{margin:0;overflow-wrap:anywhere}
svg.timeline{max-width:100%;height:auto;font-family:inherit}
ul{padding-left:1.2em}li{overflow-wrap:anywhere}
.legend span{margin-right:1em;white-space:nowrap}
section{border-top:1px solid #d0d7de;margin-top:1.4em}
"""


def h(value: object) -> str:
    """``value`` as HTML text: control characters shown escaped, then HTML-escaped."""
    return escape(visible("" if value is None else value), quote=True)


def _version(value: object) -> str:
    return "-" if value in (None, "") else h(value)


def _origin(facts: dict[str, Any]) -> str:
    w = facts["who"]
    rows = [
        ("by", w.get("who") or w.get("triggered_by")),
        ("approved by", w.get("approver")),
        ("environment", facts.get("environment")),
        ("commit", w.get("commit")),
        ("branch", w.get("branch")),
        ("tag", w.get("tag")),
        ("repository", w.get("repository")),
        ("pipeline", w.get("pipeline_number")),
        ("workflow", w.get("workflow_id")),
        ("job", w.get("job")),
        # The job's URL as text: a link would be the one way out of a page that fetches nothing.
        ("job URL", w.get("job_url")),
        ("began", facts.get("time")),
        ("settled", facts.get("settled_at")),
        ("settled by", facts.get("settled_by")),
    ]
    items = "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in rows if v)
    return f'<dl class="origin">{items}</dl>'


def _functions(facts: dict[str, Any]) -> str:
    rollback = facts["kind"] == "rollback"
    head = ["function", "before", "after", "stable before", "stable after", "moved"]
    head += ["result"] if rollback else []
    rows = []
    for f in facts["functions"]:
        flags = [k for k in ("created", "replaced", "removed") if f.get(k)]
        cells = [
            h(f["logical_id"]),
            _version(f["before"]),
            _version(f["after"]),
            _version(f["stable_before"]),
            _version(f["stable_after"]),
            ("yes" if f["moved"] else "no") + (f" ({h(', '.join(flags))})" if flags else ""),
        ]
        if rollback:
            cells.append(h(" ".join(str(f.get(k) or "") for k in ("result", "reason")).strip()))
        rows.append(
            f'<tr data-function="{h(f["logical_id"])}">'
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    header = "".join(f"<th>{h(c)}</th>" for c in head)
    return (
        f'<div class="scroll"><table class="functions"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _list(items: Sequence[object], cls: str) -> str:
    if not items:
        return ""
    return f'<ul class="{cls}">' + "".join(f"<li>{h(i)}</li>" for i in items) + "</ul>"


def _canary(facts: dict[str, Any]) -> str:
    timeline = facts.get("timeline")
    if not timeline:
        return "<p>No canary was followed for this release.</p>"
    events = [
        f"{a.get('at')} alarm {a.get('alarm')} {a.get('state')}"
        + (f": {a['reason']}" if a.get("reason") else "")
        for a in timeline.get("alarms", [])
    ]
    ends = [
        f"{d.get('logical_id') or d.get('function_name')}: deployment {d['deployment_id']} "
        + (f"(rollback of {d['rollback_of']}) " if d.get("rollback_of") else "")
        + f"{d.get('status', '')}"
        + (f": {d['message']}" if d.get("message") else "")
        for d in timeline.get("deployments", [])
    ]
    note = " (a long canary: readings thinned in the middle)" if timeline.get("truncated") else ""
    return (
        f"<p>Observed by {h(timeline.get('observed_by'))} from {h(timeline.get('started'))} "
        f"to {h(timeline.get('ended'))}{h(note)}.</p>"
        f'<div class="chart">{svg_chart(timeline)}</div>'
        + _legend(timeline)
        + _list(ends, "deployments")
        + _list(events, "alarm-changes")
    )


def _legend(timeline: dict[str, Any]) -> str:
    keys = "".join(
        f'<span><b style="color:{colour}">&#9632;</b> {h(name)}</span>'
        for name, colour in legend(timeline)
    )
    return f'<p class="legend">Traffic on the new version: {keys}</p>' if keys else ""


def _undo(facts: dict[str, Any]) -> str:
    if facts.get("undoes"):
        u = facts["undoes"]
        return f'<p class="undoes">Undoes release {h(u["id"])} ({h(u.get("outcome") or "?")}).</p>'
    undone = facts.get("undone")
    if not undone:
        return '<p class="undone">Not undone.</p>'
    bits = [f"{k}: {undone[k]}" for k in ("reason", "who", "outcome") if undone.get(k)]
    more = f" ({h('; '.join(bits))})" if bits else ""
    return (
        f'<p class="undone">Undone by rollback {h(undone["by"])} at '
        f"{h(undone.get('time') or '?')}{more}.</p>"
    )


def release_section(facts: dict[str, Any]) -> str:
    """One release's report as a ``<section>`` whose id is ``r-<release id>``."""
    kind = "Rollback" if facts["kind"] == "rollback" else "Release"
    outcome = h(facts["outcome"])
    return (
        f'<section id="r-{h(facts["id"])}">'
        f"<h1>{kind} {h(facts['id'])}</h1>"
        f"<p>{h(facts['stack'])} alias {h(facts['alias'])}: "
        f'<span class="outcome outcome-{outcome}">{outcome}</span></p>'
        f"{_origin(facts)}"
        f"<h2>Functions</h2>{_functions(facts)}"
        f'<h2>Outcome: <span class="outcome-text">{outcome}</span></h2>'
        + (_list(facts["why"], "why") or "<p>Nothing went wrong.</p>")
        + f"<h2>Canary</h2>{_canary(facts)}"
        + f"<h2>Undone</h2>{_undo(facts)}"
        + "</section>"
    )


def render_history_html(reports: Sequence[dict[str, Any]], title: str) -> str:
    """Several releases on one page: an index linking each report's anchor, then each."""
    rows = "".join(
        f'<tr><td><a href="#r-{h(f["id"])}">{h(f["id"])}</a></td><td>{h(f["kind"])}</td>'
        f"<td>{h(f['time'])}</td><td>{h(f['outcome'])}"
        + (" (undone)" if f.get("undone") else "")
        + f"</td><td>{h(f['why'][0] if f['why'] else '')}</td></tr>"
        for f in reports
    )
    index = (
        f"<h1>{h(title)}</h1>"
        '<div class="scroll"><table class="index"><thead><tr><th>id</th><th>kind</th>'
        f"<th>time</th><th>outcome</th><th>why</th></tr></thead><tbody>{rows}</tbody></table>"
        "</div>"
    )
    return page(title, index + "".join(release_section(f) for f in reports))


def render_html(facts: dict[str, Any]) -> str:
    return page(f"{facts['kind']} {facts['id']}: {facts['outcome']}", release_section(facts))


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{h(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
