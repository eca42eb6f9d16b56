"""Helpers for the hostile tests: the world before and after an attack.

``world(kit)`` is everything a command could change: every release-log object with its
ETag, and where each function's alias and ``<ALIAS>_STABLE`` point. A test that expects
nothing to change compares it before and after.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tests.rollback.stackkit import ALIAS, Kit

SAM = str(Path(sys.executable).parent / "sam")


def log_objects(kit: Kit) -> dict[str, str]:
    """Every object of the log bucket with its ETag: any write changes this."""
    s3 = kit.sandbox.client("s3")
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=kit.bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = obj["ETag"]
    return found


def world(kit: Kit) -> tuple[dict[str, str], Any, Any]:
    return log_objects(kit), kit.aliases(), kit.aliases(f"{ALIAS}_STABLE")


def one_line(stderr: str) -> str:
    """The single line a refusal prints (asserting it is one, and no traceback)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {stderr!r}"
    return lines[0]
