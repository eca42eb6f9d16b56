"""What a release will do to each function, decided from what was read (pure).

A function publishes a new version exactly when the change set adds one of its
``AWS::Lambda::Version`` resources (SAM names them ``<Function>Version<hash>``, the hash
over its code and configuration: the same resource, nothing published). Why: its built
code's SHA-256 against the code its alias serves now, and its configuration against the
version's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_release.preview.change_set import Change
from lambda_release.preview.traffic import TrafficPlan

VERSION_TYPE = "AWS::Lambda::Version"
FUNCTION_TYPE = "AWS::Lambda::Function"
# Function properties compared with the version the alias serves (literal values only).
COMPARED = ("Handler", "Runtime", "MemorySize", "Timeout")


@dataclass(frozen=True)
class LiveVersion:
    """The version an alias serves now, as Lambda describes it."""

    version: str
    code_sha256: str
    config: Mapping[str, Any] = field(default_factory=dict)


def publishes(changes: Sequence[Change], logical_id: str) -> bool:
    return any(
        c.action == "Add"
        and c.resource_type == VERSION_TYPE
        and c.logical_id.startswith(f"{logical_id}Version")
        for c in changes
    )


def code_change(built: str | None, live: LiveVersion | None) -> str:
    """new (no alias yet), changed, same, or unknown (no built code to hash: an image, or
    a template not from ``sam build``)."""
    if live is None:
        return "new"
    if built is None:
        return "unknown"
    return "same" if built == live.code_sha256 else "changed"


def config_changes(props: Mapping[str, Any], live: LiveVersion | None) -> list[str]:
    """``MemorySize 128 -> 256``, for each compared property the template sets literally."""
    if live is None:
        return []
    out = []
    for key in COMPARED:
        want = props.get(key)
        if not isinstance(want, str | int) or isinstance(want, bool):
            continue  # unset, or computed (!Ref, !If): not compared
        have = live.config.get(key)
        if have is not None and str(have) != str(want):
            out.append(f"{key} {have} -> {want}")
    return out


def function_preview(
    logical_id: str,
    *,
    live: LiveVersion | None,
    built: str | None,
    props: Mapping[str, Any],
    traffic: TrafficPlan | None,
    changes: Sequence[Change] | None,
) -> dict[str, Any]:
    """One function: now (labelled), whether it publishes and why, its traffic plan."""
    code = code_change(built, live)
    config = config_changes(props, live)
    will = None if changes is None else publishes(changes, logical_id)
    why = []
    if code == "changed":
        why.append("its built code differs from the code its alias serves")
    if code == "new":
        why.append("it has no alias yet")
    why += [f"configuration: {c}" for c in config]
    if will and not why:
        why.append("its configuration or a value CloudFormation resolves changed")
    return {
        "logical_id": logical_id,
        "now": {
            "version": live.version if live else None,
            "code_sha256": live.code_sha256 if live else None,
        },
        "built_code_sha256": built,
        "code": code,
        "configuration_changes": config,
        "publishes_new_version": will,
        "why": why,
        "traffic": traffic.as_json() if traffic is not None else None,
        "traffic_text": traffic.text() if traffic is not None and will is not False else None,
    }


def preview_lines(data: Mapping[str, Any], alias: str) -> list[str]:
    """The preview as text: per function, then the stack's changes."""
    lines = ["preview (what this release will change):"]
    for f in data["functions"]:
        name, will = f["logical_id"], f["publishes_new_version"]
        now = f["now"]["version"] or "-"
        if will is None:
            verdict = "may publish a new version (no change set: " + data["change_set"] + ")"
        elif will:
            verdict = f"publishes a new version, then moves {alias} from {now}"
        else:
            verdict = f"publishes nothing: {alias} stays on {now}"
        why = f" ({'; '.join(f['why'])})" if will and f["why"] else ""
        lines.append(f"  {name}: {verdict}{why}")
        if f["traffic_text"]:
            lines.append(f"    traffic: {f['traffic_text']}")
    lines.append(f"  stack changes ({data['change_set']}):")
    marks = {"Add": "+", "Modify": "*", "Remove": "-", "Delete": "-", "Dynamic": "?"}
    for c in data["stack_changes"] or []:
        replace = " (replaced)" if c["replacement"] == "True" else ""
        lines.append(
            f"    {marks.get(c['action'], '?')} {c['action']:<7} {c['logical_id']} "
            f"{c['resource_type']}{replace}"
        )
    if not data["stack_changes"]:
        lines.append("    none")
    return lines
