"""The JSON record of a settled release (the orb's artifact) and its text summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambda_release.errors import OperationError
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.names import stable_alias_name
from lambda_release.output import format_table


def record_json(release: Release, stable: dict[str, str | None], log: ReleaseLog) -> dict[str, Any]:
    data = release.as_json()
    for f in data["functions"]:
        f["stable"] = stable.get(f["logical_id"])
    data["stable_alias"] = stable_alias_name(release.entry["alias"])
    data["log"] = {
        "location": log.location.uri,
        "entry": f"s3://{log.location.bucket}/{log.entry_key(release.id)}",
    }
    return data


def write_record_file(path: str, data: dict[str, Any]) -> None:
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        tmp.replace(p)
    except OSError as exc:
        raise OperationError(f"cannot write the record file {path}: {exc}") from exc


def summary(data: dict[str, Any]) -> str:
    rows = [
        (
            f["logical_id"],
            f.get("before") or "-",
            f.get("after") or "-",
            f.get("stable") or "-",
            "moved" if f.get("moved") else "",
        )
        for f in data["functions"]
    ]
    head = f"release {data['id']} of {data['stack']} alias {data['alias']}: {data['outcome']}"
    table = (
        format_table(("function", "before", "after", "stable", ""), rows)
        if rows
        else "(no functions)"
    )
    why = "".join(f"\n  why: {f}" for f in data.get("failures") or [])
    return head + "\n" + table + why
