"""The stable version and its ``<ALIAS>_STABLE`` pointer.

A function's stable version is what it would run if the most recent release
in effect were undone: that release's before-version when it moved the
function, else the version the function runs now. A function that release
created has nothing earlier to return to, so it has no stable version yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import RateLimiter, error_code, parallel_map
from lambda_release.aws.stack import FunctionNow
from lambda_release.log.records import Release
from lambda_release.log.schema import FunctionRecord
from lambda_release.names import stable_alias_name


def stable_versions(
    latest_in_effect: Release | None, current: Mapping[str, FunctionNow]
) -> dict[str, str | None]:
    """Logical id -> stable version (None: nothing earlier to return to)."""
    moved: dict[str, FunctionRecord] = {}
    if latest_in_effect is not None:
        for row in latest_in_effect.functions():
            if row.get("moved"):
                moved[row["logical_id"]] = row
    out: dict[str, str | None] = {}
    for lid, cur in current.items():
        f = moved.get(lid)
        # A function replaced since (another ARN) has none of the old versions.
        same_function = f is not None and (
            not f.get("function_arn")
            or not cur.function_arn
            or f["function_arn"] == cur.function_arn
        )
        if f is not None and f.get("replaced"):
            out[lid] = None  # its before-version was the replaced function's
        elif f is not None and same_function:
            out[lid] = f.get("before")
        else:
            out[lid] = cur.version
    return out


def apply_stable(
    lam: Any,
    alias: str,
    release_id: str,
    current: Mapping[str, FunctionNow],
    targets: Mapping[str, str | None],
    *,
    limiter: RateLimiter | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Point each function's ``<ALIAS>_STABLE`` at its stable version; one call per change.

    Returns warnings (one per function whose pointer could not be set).
    """
    name = stable_alias_name(alias)
    description = f"stable version of {alias} after lambda-release {release_id}"
    todo = [
        (current[lid], v)
        for lid, v in sorted(targets.items())
        if v is not None and lid in current and current[lid].stable != v
    ]

    def one(item: tuple[FunctionNow, str]) -> str:
        cur, version = item
        if dry_run:
            return ""
        try:
            if cur.stable is None:
                try:
                    lam.create_alias(
                        FunctionName=cur.name,
                        Name=name,
                        FunctionVersion=version,
                        Description=description,
                    )
                    return ""
                except botocore.exceptions.ClientError as exc:
                    if error_code(exc) != "ResourceConflictException":
                        raise
                    # Created meanwhile (a re-run): fall through to an update.
            lam.update_alias(
                FunctionName=cur.name,
                Name=name,
                FunctionVersion=version,
                Description=description,
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
        except botocore.exceptions.ClientError as exc:
            return f"could not point {cur.name}:{name} at version {version}: {exc}"
        return ""

    return [w for w in parallel_map(one, todo, limiter) if w]
