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


def summary_text(data: dict[str, Any]) -> str:
    if data.get("nothing_to_do"):
        return visible(data["nothing_to_do"])
    # An explicit move (--to-version) undoes no release: say where it moves instead.
    what = (
        f"of release {data.get('release')}"
        if data.get("to_version") is None
        else f"to version {data['to_version']}"
    )
    head = (
        f"{'plan: ' if data.get('dry_run') else ''}rollback "
        f"{data.get('rollback') or '(dry run)'} {what}"
    )
    if isinstance(data.get("in_flight"), dict):
        head += f" (stopped in flight; stack {data['in_flight'].get('final_stack_status')})"
    rows = [
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
    table = format_table(("function", "release", "before", "now", "state", "why"), rows)
    return visible(head) + "\n" + table  # the table escapes its own cells
