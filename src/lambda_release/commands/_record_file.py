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


HEADERS = ("function", "before", "after", "stable", "moved")


def rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """Per function: its version before and after the release, its stable version, and
    whether the release moved its alias."""
    return [
        (
            f["logical_id"],
            f.get("before") or "-",
            f.get("after") or "-",
            f.get("stable") or "-",
            "yes" if f.get("moved") else "no",
        )
        for f in data["functions"]
    ]


def text_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """``--output text``: the release's line, then one line per function, each kind named
    in its first column (as the AWS CLI's text output names nested records)."""
    release = ("RELEASE", data["id"], data["stack"], data["alias"], data["outcome"])
    return [release, *(("FUNCTION", *row) for row in rows(data))]


def summary(data: dict[str, Any]) -> str:
    head = f"release {data['id']} of {data['stack']} alias {data['alias']}: {data['outcome']}"
    found = rows(data)
    table = format_table(HEADERS, found) if found else "(no functions)"
    why = "".join(f"\n  why: {f}" for f in data.get("failures") or [])
    return head + "\n" + table + why
