"""What a release's report says, from the log alone: pure, one JSON-able mapping.

Who, what and where (the entry's ``ci`` and ``who``; a rollback's approver from its
reason, where the orb appended it), each function's before, after and stable versions,
the outcome and every why the settlement holds, the canary's timeline, and whether and
by what the release was undone (or, for a rollback, what it undid).
"""

from __future__ import annotations

import re
from typing import Any

from lambda_release.log.records import MOVING_OUTCOMES, Release
from lambda_release.log.schema import FunctionRecord, Kind, Settlement, Undo
from lambda_release.log.timeline_schema import Timeline

REPORT_SCHEMA = "lambda-release/report@1"
# The orb's rollback appends "(approved by NAME)" to the reason it records.
_APPROVED_BY = re.compile(r"\(approved by ([^()]*)\)\s*$")
CI_KEYS = (
    "repository",
    "commit",
    "branch",
    "tag",
    "pipeline_number",
    "pipeline_id",
    "workflow_id",
    "job",
    "job_url",
    "triggered_by",
    "source",
)


def approver_of(reason: str) -> str:
    """The approver a rollback's reason names ("" when none)."""
    found = _APPROVED_BY.search(reason or "")
    return found.group(1).strip() if found else ""


def stable_after(release: Release, f: FunctionRecord) -> str | None:
    """The function's stable version (rollback target) once this release settled: its
    ``before`` when it moved the function, nothing for one it created, its version for one
    it left alone, and the stable version it began with when it moved nothing."""
    if release.kind == Kind.RELEASE and release.outcome in MOVING_OUTCOMES:
        if f.get("created") or f.get("replaced"):
            return None
        return f.get("before") if f.get("moved") else f.get("after")
    return f.get("stable_before")


def function_rows(release: Release) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in release.functions():
        row: dict[str, Any] = {
            "logical_id": f["logical_id"],
            "function_name": f.get("function_name", ""),
            "before": f.get("before"),
            "after": f.get("after"),
            "stable_before": f.get("stable_before"),
            "stable_after": stable_after(release, f),
            "moved": bool(f.get("moved")),
        }
        for flag in ("created", "replaced", "removed"):
            if f.get(flag):
                row[flag] = True
        for key in ("action", "result", "reason"):  # a rollback's row
            if f.get(key):
                row[key] = f.get(key)
        rows.append(row)
    return rows


def why(release: Release) -> list[str]:
    """Every reason the log holds for how the release ended, most telling first."""
    s: Settlement = release.settlement or {"outcome": release.outcome, "functions": []}
    out: list[str] = []
    timeline: Timeline = s.get("timeline") or {}
    for change in timeline.get("alarms", []):
        if change.get("state") == "ALARM":
            said = f": {change['reason']}" if change.get("reason") else ""
            out.append(f"alarm {change['alarm']} went into ALARM at {change['at']}{said}")
    for d in timeline.get("deployments", []):
        if d.get("status") in ("Failed", "Stopped") and d.get("message"):
            name = d.get("logical_id") or d.get("function_name") or d["deployment_id"]
            out.append(
                f"{name}: deployment {d['deployment_id']} {d['status'].lower()}: {d['message']}"
            )
    out.extend(s.get("failures", []))
    reason = s.get("reason")
    if reason == "alias-removed":
        out.append("alias-removed: a function that carried the alias no longer does")
    elif reason == "superseded":
        newer = ", ".join(s.get("superseded_by", []))
        out.append(f"superseded: settled after newer releases ({newer})")
    elif reason:
        out.append(str(reason))
    code = s.get("sam_exit_code")
    if isinstance(code, int) and code != 0:
        out.append(f"sam deploy exited with {code}")
    out.extend(w for w in s.get("warnings", []) if "lock was taken over" in w)
    if release.kind == Kind.ROLLBACK and release.entry.get("reason"):
        out.append(f"rollback requested: {release.entry.get('reason')}")
    return out


def who(release: Release) -> dict[str, str]:
    ci = release.entry.get("ci") or {}
    out = {k: str(ci.get(k) or "") for k in CI_KEYS}
    out["who"] = str(release.entry.get("who") or "")
    out["approver"] = approver_of(str(release.entry.get("reason") or ""))
    return out


def report_facts(
    release: Release, undone_by: Release | None = None, undoes: Release | None = None
) -> dict[str, Any]:
    """The report of ``release``; ``undone_by``: the rollback that undid it, ``undoes``:
    for a rollback, the release it undid (either read from the log when it exists)."""
    s: Settlement = release.settlement or {"outcome": release.outcome, "functions": []}
    e = release.entry
    facts: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "id": release.id,
        "kind": release.kind,
        "stack": e.get("stack", ""),
        "alias": e.get("alias", ""),
        "environment": e.get("environment", ""),
        "time": e.get("time", ""),
        "settled_at": s.get("settled_at"),
        "settled_by": s.get("settled_by"),
        "outcome": release.outcome,
        "why": why(release),
        "warnings": list(s.get("warnings", [])),
        "who": who(release),
        "functions": function_rows(release),
        "timeline": s.get("timeline"),
        "undone": None,
        "undoes": None,
    }
    if e.get("allow_rolled_back_code"):
        facts["allow_rolled_back_code"] = e.get("allow_rolled_back_code")
    if release.undo is not None:
        facts["undone"] = _undone(release, undone_by)
    if release.kind == Kind.ROLLBACK and e.get("undoes"):
        facts["undoes"] = {
            "id": e.get("undoes"),
            "outcome": undoes.outcome if undoes else None,
            "commit": str((undoes.entry.get("ci") or {}).get("commit") or "") if undoes else "",
        }
    return facts


def _undone(release: Release, by: Release | None) -> dict[str, Any]:
    undo: Undo = release.undo or {"by": ""}
    out: dict[str, Any] = {
        "by": undo.get("by"),
        "time": undo.get("time"),
        "in_flight": bool(undo.get("in_flight")),
    }
    if by is not None:
        reason = str(by.entry.get("reason") or "")
        out.update(
            reason=reason,
            who=str(by.entry.get("who") or ""),
            approver=approver_of(reason),
            outcome=by.outcome,
        )
    return out
