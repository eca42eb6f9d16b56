"""A rollback's summary, as JSON data and as text."""

from __future__ import annotations

from typing import Any

from lambda_release.output import format_table
from lambda_release.rollback.plan import (
    DONE,
    MOVE,
    Plan,
)
from lambda_release.text import visible


def summary_data(
    plan: Plan,
    rollback_id: str | None,
    *,
    dry_run: bool = False,
    stable: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    functions = []
    for s in plan.steps:
        row = s.as_json()
        row["target"] = s.target if s.action in (MOVE, DONE) else s.current
        if stable is not None:
            row["stable"] = stable.get(s.logical_id)
        functions.append(row)
    return {
        "rollback": rollback_id,
        "release": plan.release.id,
        "dry_run": dry_run,
        "functions_selected": list(plan.functions_filter),
        "functions": functions,
    }


def summary_head(data: dict[str, Any]) -> str:
    """The summary's first line: which rollback, of what (a release, or to a version)."""
    # An explicit move (--to-version) undoes no release: say where it moves instead.
    what = (
        f"of release {data.get('release')}"
        if data.get("to_version") is None
        else f"to version {data['to_version']}"
    )
    if data.get("dry_run"):
        head = f"plan: rollback {what}"
    elif data.get("rollback"):
        head = f"rollback {data['rollback']} {what}"
    else:  # nothing moved and nothing written (already there, as the log records)
        head = f"rollback {what}: nothing to do, no entry written"
    if isinstance(data.get("in_flight"), dict):
        head += f" (stopped in flight; stack {data['in_flight'].get('final_stack_status')})"
    return visible(head)


HEADERS = ("function", "release", "before", "now", "state", "why")


def summary_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """Per function: the version the release put there, its before-version, where it is
    now, what the rollback did and why."""
    return [
        (
            f["logical_id"],
            f.get("after") or "-",
            f.get("before") or "-",
            f.get("current") or "-",
            f.get("result") or f.get("action"),
            f.get("reason", ""),
        )
        for f in data.get("functions", [])
    ]


def summary_text(data: dict[str, Any]) -> str:
    if data.get("nothing_to_do"):
        return visible(data["nothing_to_do"])
    table = format_table(HEADERS, summary_rows(data))
    return summary_head(data) + "\n" + table  # the table escapes its own cells
