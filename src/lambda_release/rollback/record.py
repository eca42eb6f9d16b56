"""What a rollback reads (stack, aliases, versions) and writes (entry, settlement, stable
pointers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import error_code, parallel_map
from lambda_release.aws.stack import FunctionNow, StackInfo
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.ids import iso, now
from lambda_release.log.records import Release
from lambda_release.log.schema import Claim, SettledFunction
from lambda_release.log.store import ReleaseLog
from lambda_release.release.stable import apply_stable, stable_versions
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import ALREADY, MOVED
from lambda_release.rollback.plan import Step
from lambda_release.rollback.request import ROLLBACK_KIND


def functions_now(engine: StackAlias, info: StackInfo) -> list[FunctionNow]:
    """Every function as it stands: one list_aliases call per function."""
    by_name = {f.name: f.logical_id for f in info.functions}
    return [FunctionNow.of(by_name[lf.name], lf) for lf in engine.live(info)]


def existing_versions(
    engine: StackAlias, todo: Sequence[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    """Which (logical id, version) of ``todo`` exist: one GetFunctionConfiguration each."""
    lam = engine.client("lambda")

    def one(item: tuple[str, str, str]) -> tuple[str, str] | None:
        lid, name, version = item
        if not version.isdigit():
            return None  # never $LATEST, never an alias
        try:
            lam.get_function_configuration(FunctionName=name, Qualifier=version)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise OperationError(f"cannot check version {version} of {name}: {exc}") from exc
        return lid, version

    return {r for r in parallel_map(one, list(todo), engine.limiter) if r is not None}


def stack_info(engine: StackAlias, log: ReleaseLog | None) -> StackInfo:
    info = engine.info(refresh=True)
    if info is None:
        raise UsageError(
            f"stack {engine.stack} does not exist (in this account and region): check --stack "
            "/ LAMBDA_RELEASE_STACK and --region"
        )
    engine.require_alias_functions(info, log)
    return info


def entry_rows(steps: Sequence[Step], live: dict[str, FunctionNow]) -> list[SettledFunction]:
    """Per function, the entry's record: what it ran before the rollback and after."""
    rows: list[SettledFunction] = []
    for s in steps:
        lf = live.get(s.logical_id)
        was_moved = s.result in (MOVED, ALREADY) and s.before is not None
        rows.append(
            {
                "logical_id": s.logical_id,
                "function_name": s.name,
                "function_arn": lf.function_arn if lf else "",
                "before": s.after if was_moved else s.current,
                "after": s.current,
                "moved": was_moved,
                "action": s.action,
                "result": s.result,
                "reason": s.reason,
            }
        )
    return rows


def write_record(
    log: ReleaseLog,
    rollback_id: str,
    claim_body: Claim,
    rows: list[SettledFunction],
    *,
    complete: bool,
    moved: bool = True,
) -> bool:
    """The rollback's entry and settlement, each written once. False: already there.

    ``moved``: False when the rollback moved no alias (outcome ``no-change``)."""
    entry: dict[str, Any] = {
        "schema": "lambda-release/entry@1",
        "id": rollback_id,
        "kind": ROLLBACK_KIND,
        "time": claim_body.get("time", iso(now())),
        "stack": log.stack,
        "alias": log.alias,
        "undoes": claim_body.get("undoes"),
        "functions_selected": claim_body.get("functions", []),
        "to_version": claim_body.get("to_version"),
        "reason": claim_body.get("reason", ""),
        "who": claim_body.get("who", ""),
        "ci": claim_body.get("ci", {}),
        "functions": [
            {
                "logical_id": r["logical_id"],
                "function_name": r.get("function_name", ""),
                "function_arn": r.get("function_arn", ""),
                "before": r.get("before"),
            }
            for r in rows
        ],
    }
    if "automatic" in claim_body:
        entry["automatic"] = claim_body["automatic"]
    fresh = log.put_new(log.entry_key(rollback_id), entry)
    log.write_settlement(
        rollback_id,
        {
            "outcome": ("succeeded" if complete else "partial") if moved else "no-change",
            "settled_at": iso(now()),
            "settled_by": "rollback",
            "functions": rows,
        },
    )
    return fresh


def update_stable(
    engine: StackAlias,
    rollback_id: str,
    steps: Sequence[Step],
    live: dict[str, FunctionNow],
    next_in_effect: Release | None,
) -> tuple[dict[str, str | None], list[str]]:
    """Point each ``<ALIAS>_STABLE`` at what undoing ``next_in_effect`` would give."""
    current = {
        s.logical_id: FunctionNow(
            logical_id=s.logical_id,
            name=s.name,
            function_arn=live[s.logical_id].function_arn,
            version=s.current,
            stable=live[s.logical_id].stable,
        )
        for s in steps
        if s.logical_id in live and s.current is not None
    }
    targets = stable_versions(next_in_effect, current)
    warnings = apply_stable(
        engine.client("lambda"), engine.alias, rollback_id, current, targets, limiter=engine.limiter
    )
    return targets, warnings


def next_in_effect(newest_first: Sequence[Release], undone: Release) -> Release | None:
    for r in newest_first:
        if r.id != undone.id and r.in_effect:
            return r
    return None
