"""A release's report as Markdown: short, for chat and pull requests.

Every string from the log goes through :func:`md`: control characters shown escaped,
and Markdown's and HTML's special characters escaped, so a hostile reason renders as the
text it is, on one line, in one table cell.
"""

from __future__ import annotations

import re
from typing import Any

from lambda_release.text import visible

_PLAIN_URL = re.compile(r"https://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+")
_SPECIAL = {c: "\\" + c for c in "\\`*_[]|#"}
_SPECIAL.update({"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md(value: object) -> str:
    """``value`` as literal Markdown text (one line)."""
    return "".join(_SPECIAL.get(c, c) for c in visible("" if value is None else value))


def version(value: object) -> str:
    return "-" if value in (None, "") else md(value)


def title(facts: dict[str, Any]) -> str:
    return (
        f"{'Rollback' if facts['kind'] == 'rollback' else 'Release'} {md(facts['id'])} of "
        f"{md(facts['stack'])} alias {md(facts['alias'])}: **{md(facts['outcome'])}**"
    )


def origin_lines(facts: dict[str, Any]) -> list[str]:
    w = facts["who"]
    pairs = [
        ("by", w.get("who") or w.get("triggered_by")),
        ("approved by", w.get("approver")),
        ("environment", facts.get("environment")),
        ("commit", (w.get("commit") or "")[:12]),
        ("branch", w.get("branch")),
        ("tag", w.get("tag")),
        ("repository", w.get("repository")),
        ("pipeline", w.get("pipeline_number")),
        ("job", w.get("job")),
        ("began", facts.get("time")),
        ("settled", facts.get("settled_at")),
    ]
    shown = [f"{k}: {md(v)}" for k, v in pairs if v]
    out = [" · ".join(shown)] if shown else []
    url = str(w.get("job_url") or "")
    if url:
        # An autolink shows its text as is (no escapes inside): only a plain https URL.
        out.append(f"job: <{url}>" if _PLAIN_URL.fullmatch(url) else f"job: {md(url)}")
    return out


def function_table(facts: dict[str, Any]) -> list[str]:
    rollback = facts["kind"] == "rollback"
    head = ["function", "before", "after", "stable before", "stable after", "moved"]
    head += ["result"] if rollback else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in facts["functions"]:
        flags = [k for k in ("created", "replaced", "removed") if f.get(k)]
        moved = ("yes" if f["moved"] else "no") + (f" ({', '.join(flags)})" if flags else "")
        cells = [
            md(f["logical_id"]),
            version(f["before"]),
            version(f["after"]),
            version(f["stable_before"]),
            version(f["stable_after"]),
            moved,
        ]
        if rollback:
            cells.append(md(" ".join(str(f.get(k) or "") for k in ("result", "reason")).strip()))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def canary_lines(facts: dict[str, Any]) -> list[str]:
    timeline = facts.get("timeline")
    if not timeline:
        return []
    out = [
        f"**Canary** (observed by {md(timeline.get('observed_by', ''))}, "
        f"{md(timeline.get('started', ''))} to {md(timeline.get('ended', ''))}):"
    ]
    for d in timeline.get("deployments", []):
        name = md(d.get("logical_id") or d.get("function_name") or d["deployment_id"])
        steps = " → ".join(
            f"{float(p['share']):.0%} ({md(p.get('status', ''))} {md(p['at'][11:19])})"
            for p in d.get("steps", [])
        )
        did = md(d["deployment_id"])
        kind = (
            f"CodeDeploy's rollback {did} of {md(d['rollback_of'])}"
            if d.get("rollback_of")
            else f"deployment {did}"
        )
        out.append(f"- {name}: {kind}, {md(d.get('status', ''))}: {steps}")
    for a in timeline.get("alarms", []):
        said = f": {md(a['reason'])}" if a.get("reason") else ""
        out.append(f"- alarm {md(a['alarm'])} {md(a['state'])} at {md(a['at'])}{said}")
    if timeline.get("truncated"):
        out.append("- (long canary: readings thinned in the middle)")
    return out


def undo_lines(facts: dict[str, Any]) -> list[str]:
    if facts.get("undoes"):
        u = facts["undoes"]
        return [f"**Undoes** release {md(u['id'])} ({md(u.get('outcome') or 'unknown')})"]
    undone = facts.get("undone")
    if not undone:
        return ["**Undone**: no"]
    extra = [
        f"{k} {md(undone[k])}"
        for k in ("reason", "who", "approver")
        if undone.get(k) and not (k == "approver" and undone.get("reason"))
    ]
    more = f" ({'; '.join(extra)})" if extra else ""
    return [f"**Undone** by rollback {md(undone['by'])} at {md(undone.get('time') or '?')}{more}"]


def render_markdown(facts: dict[str, Any]) -> str:
    origin = "\n\n".join(origin_lines(facts))  # a paragraph each
    lines = [f"### {title(facts)}", "", origin, "", *function_table(facts), ""]
    lines.append(f"**Outcome**: {md(facts['outcome'])}")
    lines += [f"- {md(reason)}" for reason in facts["why"]]
    lines.append("")
    canary = canary_lines(facts)
    lines += [*canary, ""] if canary else []
    lines += [*undo_lines(facts), ""]
    return "\n".join(lines)
