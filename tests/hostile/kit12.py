"""Helpers for issue 12's hostile tests: the world's state before and after an attack.

``world(app)`` is everything a command could change: every object in the app's bucket
(the release log, the lock) and every alias of every function of the stack. A test that
expects nothing to change compares it before and after.
"""

from __future__ import annotations

import json
from typing import Any

from tests.engine.conftest import App

World = tuple[dict[str, bytes], dict[str, tuple[str, str]]]


def log_objects(app: App) -> dict[str, bytes]:
    """Every object in the app's bucket, by key."""
    s3 = app.sandbox.client("s3")
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=app.bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = s3.get_object(Bucket=app.bucket, Key=obj["Key"])["Body"].read()
    return found


def aliases(app: App) -> dict[str, tuple[str, str]]:
    """(function logical id, alias) -> (version, routing weights as JSON), for the stack."""
    lam = app.sandbox.client("lambda")
    found: dict[str, tuple[str, str]] = {}
    try:
        names = app.function_names()
    except Exception:
        return found
    for logical_id, name in names.items():
        for page in lam.get_paginator("list_aliases").paginate(FunctionName=name):
            for a in page["Aliases"]:
                weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
                found[f"{logical_id}:{a['Name']}"] = (
                    a["FunctionVersion"],
                    json.dumps(weights, sort_keys=True),
                )
    return found


def world(app: App) -> World:
    return log_objects(app), aliases(app)


def one_line(stderr: str) -> str:
    """The single line a refusal prints (asserting it is one)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {stderr!r}"
    assert "Traceback" not in stderr
    return lines[0]


def entries(app: App) -> list[dict[str, Any]]:
    """The release log's entries (releases/ objects), oldest first."""
    objs = log_objects(app)
    keys = sorted(k for k in objs if "/releases/" in k)
    return [json.loads(objs[k]) for k in keys]
