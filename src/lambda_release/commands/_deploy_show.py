"""How ``deploy`` shows a dry run and its bake's plan (kept apart for deploy.py's size)."""

from __future__ import annotations

from typing import Any

from lambda_release import output
from lambda_release.bake.run import BakePlan
from lambda_release.preview.plan import preview_lines
from lambda_release.template import sam
from lambda_release.template.secrets import Value


def show_dry_run(
    out: str, stack: str, alias: str, data: dict[str, Any], command: list[Value]
) -> None:
    if out == "json":
        output.print_json(data)
        return
    if out == "text":
        output.print_text(
            [
                *(
                    ("FUNCTION", f["logical_id"], f["before"] or "-", f["stable_before"] or "-")
                    for f in data["entry"]["functions"]
                ),
                *(("PENDING", rid) for rid in data["pending"]),
                *(("WOULD_REFUSE", problem) for problem in data["problems"]),
                ("WOULD_RUN", sam.quoted(command)),
            ]
        )
        return
    print(f"dry run: release of {stack} alias {alias}; nothing was changed")
    print("current state (before the release):")
    for f in data["entry"]["functions"]:
        before, stable = f["before"] or "-", f["stable_before"] or "-"
        print(f"  now: {f['logical_id']}: {alias} -> {before}, stable {stable}")
    if data["pending"]:
        print(f"  pending releases to settle first: {', '.join(data['pending'])}")
    for problem in data["problems"]:
        print(f"  would refuse: {problem}")
    print("  would run: " + sam.quoted(command))
    if data.get("preview") is not None:
        print("\n".join(preview_lines(data["preview"], alias)))
    if data.get("bake"):
        more = "".join(f", {a}" for a in data["bake"]["bake_alarms"])
        print(
            f"  then: bake {data['bake']['minutes']:g} min watching the stack's alarms{more}; "
            "one in ALARM rolls the release back"
        )


def bake_json(plan: BakePlan) -> dict[str, Any]:
    return {
        "minutes": plan.minutes,
        "bake_alarms": list(plan.alarms),
        "missing_data": plan.missing_data,
    }
