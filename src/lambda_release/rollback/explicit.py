"""``rollback --function NAME --to-version V``: one explicit move, logged as its own entry.

The version must be a published one that exists; the alias is moved with its
routing cleared, guarded by its RevisionId. The logical move is named by the
function, the version and the newest entry in the log when it was asked for,
so a re-run after a failure reuses the same entry id and writes it once.

A function whose alias a template removed (AutoPublishAlias dropped, AliasName
changed) gets it back through CloudFormation, never by CreateAlias: an alias made
outside the stack would make the deploy that restores AutoPublishAlias fail
(CloudFormation's CreateAlias answers "Alias already exists" and the update rolls
back). One update of the processed template adds the alias resource under SAM's own
logical id (``<Function>Alias<Name>``) pinned to the version, so that deploy finds
it in the stack and updates it in place, from that version (docs/rollback.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lambda_release.aws import stuck_rollback
from lambda_release.aws.stack import AliasState, FunctionNow, StackInfo
from lambda_release.aws.stack import read_live as stack_read_live
from lambda_release.errors import OperationError, UsageError
from lambda_release.log import lock
from lambda_release.log.schema import Claim
from lambda_release.log.store import ReleaseLog
from lambda_release.release.drift import (
    explanations,
    processed_template,
    s3_template_store,
    update_template,
)
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import ALREADY, FAILED, MOVED, move_back
from lambda_release.rollback.claim import claim, claim_body, take_lock
from lambda_release.rollback.plan import DONE, MOVE, Step
from lambda_release.rollback.record import (
    entry_rows,
    existing_versions,
    functions_now,
    stack_info,
    update_stable,
    write_record,
)
from lambda_release.rollback.request import Request, RollbackResult


def move_to_version(
    engine: StackAlias, log: ReleaseLog, req: Request, progress: Callable[[str], None]
) -> RollbackResult:
    assert req.to_version is not None
    target = req.to_version
    info = stack_info(engine, log)
    if info.status == stuck_rollback.STUCK:
        raise OperationError(
            stuck_rollback.stuck_message(engine.client("cloudformation"), info.name)
        )
    if info.in_progress:
        raise OperationError(
            f"stack {engine.stack} is {info.status}: a release is in flight; run "
            "`lambda-release rollback` (without --to-version) to stop it first"
        )
    wanted = req.functions[0]
    ref = next((f for f in info.functions if wanted in (f.logical_id, f.name)), None)
    if ref is None:
        bare = [
            (lid, name)
            for lid, name in sorted(info.function_names.items())
            if lid in info.other_functions and wanted in (lid, name)
        ]
        if bare:
            return restore_alias(engine, log, req, info, *bare[0], progress)
        raise UsageError(
            f"--function {wanted!r} is not a function of stack {engine.stack} (its functions: "
            f"{', '.join(sorted(info.function_names)) or 'none'})"
        )
    live = {lf.logical_id: lf for lf in functions_now(engine, info)}
    lf = live[ref.logical_id]
    if lf.version is None:
        raise OperationError(f"{ref.name} has no alias {engine.alias}: nothing to move")
    step = Step(ref.logical_id, ref.name, MOVE, target, lf.version, lf.version, dict(lf.weights))
    step.moved_by_release = True
    already = lf.version == target and not lf.weights
    if already and (ref.logical_id, target) in explanations(list(log.newest_first())):
        step.action, step.result, step.reason = DONE, ALREADY, f"already on {target}"
        progress(f"{ref.logical_id} already on {target}, as the log records: nothing to do")
        return RollbackResult(
            0, {"rollback": None, "functions": [step.as_json()], "to_version": target}
        )
    # Already there but moved by hand: nothing moves, and the entry records it, so that the
    # next deploy knows why the alias differs from what CloudFormation records.
    exists = target in (lf.stable, lf.version, *lf.weights) or bool(
        existing_versions(engine, [(ref.logical_id, ref.name, target)])
    )
    if not exists:
        raise UsageError(
            f"version {target} of {ref.name} does not exist: see `aws lambda "
            f"list-versions-by-function --function-name {ref.name}`"
        )
    step.reason = f"{lf.version} -> {target}"
    if already:
        step.action, step.reason = DONE, f"already on {target} (moved by hand): recorded"
    if req.dry_run:
        return RollbackResult(
            0, {"dry_run": True, "functions": [step.as_json()], "to_version": target}
        )
    newest = log.newest_id()
    claimed = claim(
        log,
        f"move-{newest or 'empty'}-{ref.logical_id}-{target}",
        claim_body(None, [ref.logical_id], req.reason, after=newest, to_version=target),
    )
    rollback_id = str(claimed["rollback_id"])
    take_lock(log, rollback_id, claimed)
    try:
        return _move(engine, log, step, live, claimed, rollback_id)
    finally:
        lock.release(log, rollback_id)


def _move(
    engine: StackAlias,
    log: ReleaseLog,
    step: Step,
    live: dict[str, FunctionNow],
    claimed: Claim,
    rollback_id: str,
) -> RollbackResult:
    lf = live[step.logical_id]
    target = str(step.target)
    move_back(engine.client("lambda"), step, engine.alias, lf.revision_id, {target}, engine.limiter)
    # An explicit move accepts whatever the alias showed when asked; a 412 re-decision that
    # refused (someone moved it meanwhile) is reported, not overwritten.
    data: dict[str, Any] = {"rollback": rollback_id, "to_version": target}
    data["functions"] = [step.as_json()]
    if step.result not in (MOVED, ALREADY):
        step.result = step.result or FAILED
        return RollbackResult(1, data, [f"{step.logical_id}: {step.reason}"])
    rows = entry_rows([step], live)
    rows[0].update(before=lf.version, after=target, moved=True)
    write_record(log, rollback_id, claimed, rows, complete=True)
    latest = log.latest_in_effect()
    step.current = target
    stable, warnings = update_stable(engine, rollback_id, [step], live, latest)
    data.update(recorded=True, stable=stable, warnings=warnings)
    return RollbackResult(0, data, warnings)


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
    newest = log.newest_id()
    claimed = claim(
        log,
        f"move-{newest or 'empty'}-{logical_id}-{target}",
        claim_body(None, [logical_id], req.reason, after=newest, to_version=target),
    )
    rollback_id = str(claimed["rollback_id"])
    take_lock(log, rollback_id, claimed)
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
        after = stack_read_live(lam, [name], engine.alias, engine.stable_name, engine.limiter)[0]
        if after.alias is None or after.alias.version != target:
            now_on = after.alias.version if after.alias else "no alias"
            step.result, step.reason = FAILED, f"CloudFormation left it on {now_on}"
            failed: dict[str, Any] = {
                "rollback": rollback_id,
                "to_version": target,
                "functions": [step.as_json()],
            }
            return RollbackResult(1, failed, [f"{logical_id}: {step.reason}"])
        lf = replace(lf, function_arn=after.function_arn or lf.function_arn)
        step.result, step.current = MOVED, target
        rows = entry_rows([step], {logical_id: lf})
        rows[0].update(before=None, after=target, moved=True, created=True)
        write_record(log, rollback_id, claimed, rows, complete=True)
        stable, warnings = update_stable(
            engine, rollback_id, [step], {logical_id: lf}, log.latest_in_effect()
        )
    finally:
        lock.release(log, rollback_id)
    data: dict[str, Any] = {
        "rollback": rollback_id,
        "to_version": target,
        "functions": [step.as_json()],
    }
    data.update(recorded=True, stable=stable, warnings=warnings)
    return RollbackResult(0, data, warnings)


def _version(state: AliasState | None) -> str | None:
    return state.version if state else None
