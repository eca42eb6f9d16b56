"""``rollback --function NAME --to-version V``: one explicit move, logged as its own entry.

The version must be a published one that exists; the alias is moved with its
routing cleared, guarded by its RevisionId. The logical move is named by the
function, the version and the newest entry in the log when it was asked for,
so a re-run after a failure reuses the same entry id and writes it once.

A function whose alias a template removed gets it back through CloudFormation
(restore_alias.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambda_release.aws import stuck_rollback
from lambda_release.aws.stack import FunctionNow, StackInfo
from lambda_release.errors import OperationError, UsageError
from lambda_release.log import lock
from lambda_release.log.schema import Claim
from lambda_release.log.store import ReleaseLog
from lambda_release.release.drift_log import drift_history, explanations
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import ALREADY, FAILED, MOVED, move_back
from lambda_release.rollback.claim import claim_move
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
from lambda_release.rollback.restore_alias import restore_alias


def move_to_version(
    engine: StackAlias, log: ReleaseLog, req: Request, progress: Callable[[str], None]
) -> RollbackResult:
    assert req.to_version is not None
    target = req.to_version
    info = stack_info(engine, log)
    _refuse_busy(engine, info)
    wanted = req.functions[0]
    ref = next((f for f in info.functions if wanted in (f.logical_id, f.name)), None)
    if ref is None:
        return restore_alias(
            engine, log, req, info, *_function_that_lost_alias(engine, info, wanted), progress
        )
    live = {lf.logical_id: lf for lf in functions_now(engine, info)}
    lf = live[ref.logical_id]
    if lf.version is None:
        raise OperationError(f"{ref.name} has no alias {engine.alias}: nothing to move")
    step = Step(ref.logical_id, ref.name, MOVE, target, lf.version, lf.version, dict(lf.weights))
    step.moved_by_release = True
    already = lf.version == target and not lf.weights
    # Read back only to the newest entry that moved the function (drift_history's rule:
    # no rollback older than the release that moved it explains where it is now).
    read = drift_history(log.newest_first(), {ref.logical_id: (target, None)}) if already else []
    if already and (ref.logical_id, target) in explanations(read):
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
    claimed, rollback_id = claim_move(log, ref.logical_id, target, req.reason)
    try:
        return _move(engine, log, step, live, claimed, rollback_id)
    finally:
        lock.release(log, rollback_id)


def _refuse_busy(engine: StackAlias, info: StackInfo) -> None:
    """A stack stuck in a rollback, or updating, takes no explicit move."""
    if info.status == stuck_rollback.STUCK:
        raise OperationError(
            stuck_rollback.stuck_message(engine.client("cloudformation"), info.name)
        )
    if info.in_progress:
        raise OperationError(
            f"stack {engine.stack} is {info.status}: a release is in flight; run "
            "`lambda-release rollback` (without --to-version) to stop it first"
        )


def _function_that_lost_alias(engine: StackAlias, info: StackInfo, wanted: str) -> tuple[str, str]:
    """(logical id, name) of the stack's function ``wanted`` that carries no alias (a
    template removed it); a name that is no function of the stack is refused."""
    bare = [
        (lid, name)
        for lid, name in sorted(info.function_names.items())
        if lid in info.other_functions and wanted in (lid, name)
    ]
    if not bare:
        raise UsageError(
            f"--function {wanted!r} is not a function of stack {engine.stack} (its functions: "
            f"{', '.join(sorted(info.function_names)) or 'none'})"
        )
    return bare[0]


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
    rows[0].update({"before": lf.version, "after": target, "moved": True})
    write_record(log, rollback_id, claimed, rows, complete=True)
    latest = log.latest_in_effect()
    step.current = target
    stable, warnings = update_stable(engine, rollback_id, [step], live, latest)
    data.update(recorded=True, stable=stable, warnings=warnings)
    return RollbackResult(0, data, warnings)
