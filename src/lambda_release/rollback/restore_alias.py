"""``--to-version`` on a function whose alias a template removed: the alias is added
back through CloudFormation, never by CreateAlias.

An alias made outside the stack (AutoPublishAlias dropped, AliasName changed) would make
the deploy that restores AutoPublishAlias fail (CloudFormation's CreateAlias answers
"Alias already exists" and the update rolls back). One update of the processed template
adds the alias resource under SAM's own logical id (``<Function>Alias<Name>``) pinned to
the version, so that deploy finds it in the stack and updates it in place, from that
version (docs/rollback.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lambda_release.aws.stack import AliasState, FunctionNow, LiveFunction, StackInfo
from lambda_release.aws.stack import read_live as stack_read_live
from lambda_release.errors import OperationError, UsageError
from lambda_release.log import lock
from lambda_release.log.schema import Claim
from lambda_release.log.store import ReleaseLog
from lambda_release.release.drift import processed_template, s3_template_store, update_template
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import FAILED, MOVED
from lambda_release.rollback.claim import claim_move
from lambda_release.rollback.plan import MOVE, Step
from lambda_release.rollback.record import (
    entry_rows,
    existing_versions,
    update_stable,
    write_record,
)
from lambda_release.rollback.request import Request, RollbackResult


def alias_logical_id(function: str, alias: str) -> str:
    """The logical id SAM gives ``alias`` of ``function`` (samtranslator's _construct_alias:
    ``-`` becomes ``D``, ``_`` becomes ``U``), so that the deploy restoring
    AutoPublishAlias updates this resource instead of creating a second alias."""
    return f"{function}Alias{alias.replace('-', 'D').replace('_', 'U')}"


def with_alias(template: dict[str, Any], function: str, alias: str, version: str) -> dict[str, Any]:
    """The processed template with ``function``'s alias resource pinned to ``version``."""
    out: dict[str, Any] = json.loads(json.dumps(template))
    out.setdefault("Resources", {})[alias_logical_id(function, alias)] = {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "Name": alias,
            "FunctionName": {"Ref": function},
            "FunctionVersion": version,
        },
    }
    return out


def restore_alias(
    engine: StackAlias,
    log: ReleaseLog,
    req: Request,
    info: StackInfo,
    logical_id: str,
    name: str,
    progress: Callable[[str], None],
) -> RollbackResult:
    """``--to-version`` on a function that lost the alias: one CloudFormation update adds
    it back at that version (module doc: why not CreateAlias)."""
    assert req.to_version is not None
    target = req.to_version
    found = _live_without_alias(engine, logical_id, name, target)
    lf = FunctionNow(logical_id, name, found.function_arn, None, stable=_version(found.stable))
    step = Step(logical_id, name, MOVE, target, None, None)
    step.moved_by_release = True
    step.reason = (
        f"alias {engine.alias} is gone (a template removed it): CloudFormation adds it "
        f"back at {target}"
    )
    if req.dry_run:
        return RollbackResult(
            0, {"dry_run": True, "functions": [step.as_json()], "to_version": target}
        )
    cfn = engine.client("cloudformation")
    template = with_alias(processed_template(cfn, info.name), logical_id, engine.alias, target)
    claimed, rollback_id = claim_move(log, logical_id, target, req.reason)
    try:
        progress(
            f"{logical_id} has no alias {engine.alias}: adding it back at version {target} "
            f"through CloudFormation (stack {info.name})"
        )
        update_template(
            cfn,
            info.name,
            template,
            progress=progress,
            store=s3_template_store(log.s3, log.location.bucket, log.base),
        )
        return _record(engine, log, step, lf, claimed, rollback_id)
    finally:
        lock.release(log, rollback_id)


def _live_without_alias(
    engine: StackAlias, logical_id: str, name: str, target: str
) -> LiveFunction:
    """The function as it runs, refused unless it has no alias and ``target`` exists."""
    lam = engine.client("lambda")
    found = stack_read_live(lam, [name], engine.alias, engine.stable_name, engine.limiter)[0]
    if found.alias is not None:
        # Made outside CloudFormation: the restoring deploy would fail to create it.
        raise OperationError(
            f"{logical_id} carries alias {engine.alias} (version {found.alias.version}) but "
            f"stack {engine.stack} has no alias resource for it: it was made by hand, and the "
            f"deploy that restores AutoPublishAlias would fail creating it (CloudFormation: "
            f"Alias already exists). Delete it (`aws lambda delete-alias --function-name "
            f"{name} --name {engine.alias}`), then run this command again"
        )
    if not existing_versions(engine, [(logical_id, name, target)]):
        raise UsageError(
            f"version {target} of {name} does not exist: see `aws lambda "
            f"list-versions-by-function --function-name {name}`"
        )
    return found


def _record(
    engine: StackAlias,
    log: ReleaseLog,
    step: Step,
    lf: FunctionNow,
    claimed: Claim,
    rollback_id: str,
) -> RollbackResult:
    """After the update (under the lock): the alias read again and, when CloudFormation
    put it on the target, the entry written and ``<ALIAS>_STABLE`` updated."""
    target = str(step.target)
    lam = engine.client("lambda")
    after = stack_read_live(lam, [lf.name], engine.alias, engine.stable_name, engine.limiter)[0]
    if after.alias is None or after.alias.version != target:
        now_on = after.alias.version if after.alias else "no alias"
        step.result, step.reason = FAILED, f"CloudFormation left it on {now_on}"
        failed: dict[str, Any] = {
            "rollback": rollback_id,
            "to_version": target,
            "functions": [step.as_json()],
        }
        return RollbackResult(1, failed, [f"{step.logical_id}: {step.reason}"])
    lf = replace(lf, function_arn=after.function_arn or lf.function_arn)
    step.result, step.current = MOVED, target
    rows = entry_rows([step], {step.logical_id: lf})
    rows[0].update({"before": None, "after": target, "moved": True, "created": True})
    write_record(log, rollback_id, claimed, rows, complete=True)
    stable, warnings = update_stable(
        engine, rollback_id, [step], {step.logical_id: lf}, log.latest_in_effect()
    )
    data: dict[str, Any] = {
        "rollback": rollback_id,
        "to_version": target,
        "functions": [step.as_json()],
    }
    data.update(recorded=True, stable=stable, warnings=warnings)
    return RollbackResult(0, data, warnings)


def _version(state: AliasState | None) -> str | None:
    return state.version if state else None
