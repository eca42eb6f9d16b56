"""Stopping a release that is still in flight: its CodeDeploy deployments, or the stack update.

A canary in progress is undone by stopping its deployments with their own
automatic rollback (CodeDeploy puts each alias back on its current version);
CloudFormation then fails the update and rolls the stack back. With no
deployment to stop, the stack update itself is cancelled. Either way we wait
until every deployment has ended and the stack has reached a terminal state:
moving an alias by hand during a deployment breaks the stack.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import error_code
from lambda_release.aws.codedeploy import ENDED_STATUSES, active_deployment_ids
from lambda_release.aws.stack import FunctionNow, StackInfo, describe_stack
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.records import Release
from lambda_release.log.schema import SettledFunction
from lambda_release.log.store import ReleaseLog
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import ALREADY, FAILED
from lambda_release.rollback.claim import claim, claim_body
from lambda_release.rollback.plan import DONE, Step
from lambda_release.rollback.record import functions_now, stack_info, write_record
from lambda_release.rollback.request import Request, RollbackResult


@dataclass
class InFlight:
    """What was found running and what was done about it."""

    stack_status: str
    deployments: list[tuple[str, str]] = field(default_factory=list)  # (id, group)
    stopped: list[str] = field(default_factory=list)
    cancelled_update: bool = False
    final_stack_status: str = ""
    final_deployments: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "stack_status": self.stack_status,
            "deployments": [{"id": d, "group": g} for d, g in self.deployments],
            "stopped": self.stopped,
            "cancelled_update": self.cancelled_update,
            "final_stack_status": self.final_stack_status,
            "final_deployments": self.final_deployments,
        }


def stop_in_flight(
    cfn: Any,
    cd: Any,
    info: StackInfo,
    *,
    progress: Callable[[str], None],
    timeout: float,
    poll: float = 2.0,
) -> InFlight:
    """Stop what runs (deployments with auto-rollback, else the stack update) and wait."""
    state = InFlight(info.status, active_deployment_ids(cd, info))
    rollbacks = rollback_deployments(cd, [d for d, _ in state.deployments])
    for deployment_id, group in state.deployments:
        if deployment_id in rollbacks:
            # Stopping CodeDeploy's own rollback could leave the alias split: let it finish.
            progress(
                f"deployment {deployment_id} ({group}) is CodeDeploy's rollback of "
                f"{rollbacks[deployment_id]}: waiting for it to finish"
            )
            continue
        progress(f"stopping CodeDeploy deployment {deployment_id} ({group}) with its rollback")
        try:
            cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
            state.stopped.append(deployment_id)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) not in (
                "DeploymentAlreadyCompletedException",
                "DeploymentDoesNotExistException",
            ):
                raise OperationError(f"cannot stop deployment {deployment_id}: {exc}") from exc
            progress(f"deployment {deployment_id} had already ended")
    if not state.stopped and info.status == "UPDATE_IN_PROGRESS":
        progress(f"no deployment to stop: cancelling the update of stack {info.name}")
        try:
            cfn.cancel_update_stack(StackName=info.name)
            state.cancelled_update = True
        except botocore.exceptions.ClientError as exc:
            # Finished meanwhile ("cannot be called from current stack status"): go on waiting.
            progress(f"could not cancel the update ({exc}); waiting for the stack")
    wait_until_settled(cfn, cd, info.name, state, progress=progress, timeout=timeout, poll=poll)
    return state


def wait_until_settled(
    cfn: Any,
    cd: Any,
    stack: str,
    state: InFlight,
    *,
    progress: Callable[[str], None],
    timeout: float,
    poll: float,
) -> None:
    """Wait until every deployment has ended and the stack is in a terminal state."""
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        statuses: dict[str, str] = {}
        for deployment_id, group in list(state.deployments):
            try:
                got = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
                statuses[deployment_id] = str(got.get("status", ""))
            except botocore.exceptions.ClientError as exc:
                raise OperationError(f"cannot read deployment {deployment_id}: {exc}") from exc
            # A stopped deployment's rollback is a deployment of its own: wait for it too.
            rollback = str((got.get("rollbackInfo") or {}).get("rollbackDeploymentId") or "")
            if rollback and rollback not in dict(state.deployments):
                state.deployments.append((rollback, group))
                statuses[rollback] = "Created"
                progress(f"CodeDeploy rolls {deployment_id} back with deployment {rollback}")
        desc = describe_stack(cfn, stack)
        stack_status = str(desc.get("StackStatus", "")) if desc else "DELETED"
        state.final_deployments, state.final_stack_status = statuses, stack_status
        deployments_done = all(s in ENDED_STATUSES for s in statuses.values())
        if deployments_done and not stack_status.endswith("_IN_PROGRESS"):
            progress(f"stack {stack} is {stack_status}; deployments ended: {_fmt(statuses)}")
            return
        line = f"waiting: stack {stack} {stack_status}; deployments {_fmt(statuses)}"
        if line != last:
            progress(line)
            last = line
        if time.monotonic() >= deadline:
            raise OperationError(
                f"stack {stack} still {stack_status} after {timeout:g} s (deployments "
                f"{_fmt(statuses)}): run the same command again to keep waiting and finish"
            )
        time.sleep(poll)


def rollback_deployments(cd: Any, ids: list[str]) -> dict[str, str]:
    """Those of ``ids`` that are CodeDeploy's rollbacks -> the deployment each rolls back."""
    out: dict[str, str] = {}
    for i in range(0, len(ids), 25):
        try:
            resp = cd.batch_get_deployments(deploymentIds=ids[i : i + 25])
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot read CodeDeploy deployments: {exc}") from exc
        for d in resp.get("deploymentsInfo", []):
            if d.get("creator") == "codeDeployRollback":
                trigger = (d.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId")
                out[str(d.get("deploymentId"))] = str(trigger or "?")
    return out


def wait_for_rollback_deployments(
    cfn: Any,
    cd: Any,
    info: StackInfo,
    *,
    progress: Callable[[str], None],
    timeout: float,
    poll: float = 2.0,
) -> InFlight | None:
    """A stack that finished while CodeDeploy's rollback deployments still run: wait for
    them (moving an alias by hand meanwhile would race them). None: nothing runs."""
    running = active_deployment_ids(cd, info)
    if not running:
        return None
    state = InFlight(info.status, running)
    for deployment_id, group in running:
        progress(f"deployment {deployment_id} ({group}) is still in flight: waiting for it")
    wait_until_settled(cfn, cd, info.name, state, progress=progress, timeout=timeout, poll=poll)
    return state


def _fmt(statuses: dict[str, str]) -> str:
    return ", ".join(f"{d} {s}" for d, s in statuses.items()) or "none"


# -- undoing a release in flight ----


def stop_release(
    engine: StackAlias,
    log: ReleaseLog,
    info: StackInfo,
    req: Request,
    progress: Callable[[str], None],
) -> RollbackResult:
    """Undo the release still in flight: stop it, wait, check, record."""
    release = release_in_flight(log, info, req)
    if req.dry_run:
        return would_stop(engine, info, release)
    claimed = claim(
        log,
        release.id,
        claim_body(
            release.id, [], req.reason, after=release.id, in_flight=True, automatic=req.automatic
        ),
    )
    rollback_id = str(claimed["rollback_id"])
    progress(f"release {release.id} is in flight (stack {info.status}): stopping it")
    state = stop_in_flight(
        engine.client("cloudformation"),
        engine.client("codedeploy"),
        info,
        progress=progress,
        timeout=req.wait_timeout,
        poll=req.poll,
    )
    live = {lf.logical_id: lf for lf in functions_now(engine, stack_info(engine, log))}
    steps = steps_after_stop(release, live)
    data: dict[str, Any] = {
        "rollback": rollback_id,
        "release": release.id,
        "in_flight": state.as_json(),
        "functions": [s.as_json() for s in steps],
    }
    wrong = [s.logical_id for s in steps if s.result == FAILED]
    if wrong:
        data["recorded"] = False
        note = (
            f"after stopping the release, {', '.join(wrong)} not on the before-version: check "
            "with `lambda-release status`; run the rollback again once the stack has settled"
        )
        return RollbackResult(1, data, [note])
    write_record(log, rollback_id, claimed, stopped_rows(steps, live), complete=True)
    log.write_undo(release.id, rollback_id, {"in_flight": True})
    data.update(recorded=True, release_undone=True)
    return RollbackResult(0, data)


def release_in_flight(log: ReleaseLog, info: StackInfo, req: Request) -> Release:
    """The pending release the stack is busy with, if the request may stop it."""
    candidates = [r for r in map(log.load, log.pending_ids()) if r.kind == "release"]
    if not candidates:
        raise OperationError(
            f"stack {info.name} is {info.status} but the release log has no release in flight: "
            "it was not deployed by lambda-release; let it finish (or stop it in the console), "
            "then run the rollback again"
        )
    release = candidates[-1]
    if req.functions:
        raise UsageError(
            f"release {release.id} is in flight (stack {info.status}): it is stopped as a "
            "whole, by CodeDeploy's own rollback; run the rollback without --function"
        )
    if req.release_id is not None and req.release_id != release.id:
        raise OperationError(
            f"release {release.id} is in flight (stack {info.status}), newer than "
            f"{req.release_id}: roll it back first (`lambda-release rollback --release "
            f"{release.id}`)"
        )
    return release


def would_stop(engine: StackAlias, info: StackInfo, release: Release) -> RollbackResult:
    """The dry run: what stopping the release would stop."""
    deployments = active_deployment_ids(engine.client("codedeploy"), info)
    return RollbackResult(
        0,
        {
            "dry_run": True,
            "in_flight": True,
            "release": release.id,
            "stack_status": info.status,
            "would_stop": [{"id": d, "group": g} for d, g in deployments],
            "would_cancel_update": not deployments,
        },
    )


def steps_after_stop(release: Release, live: dict[str, FunctionNow]) -> list[Step]:
    """Each function the release covered: back on its before-version (ALREADY) or not."""
    steps: list[Step] = []
    for f in release.entry["functions"]:
        lid = str(f["logical_id"])
        lf = live.get(lid)
        step = Step(lid, str(f.get("function_name", "")), DONE, f.get("before"), None)
        if lf is not None:
            step.current, step.weights = lf.version, dict(lf.weights)
        ok = lf is not None and lf.version == step.before and not lf.weights
        step.result = ALREADY if ok else FAILED
        step.reason = (
            "on its before-version"
            if ok
            else f"routes to {step.current} {step.weights or ''}, not its before-version "
            f"{step.before}"
        )
        steps.append(step)
    return steps


def stopped_rows(steps: list[Step], live: dict[str, FunctionNow]) -> list[SettledFunction]:
    """The rollback's record of a stopped release: nothing moved by us, each function as is."""
    return [
        {
            "logical_id": s.logical_id,
            "function_name": s.name,
            "function_arn": live[s.logical_id].function_arn if s.logical_id in live else "",
            "before": s.current,
            "after": s.current,
            "moved": False,
            "action": "stopped",
            "result": s.result,
            "reason": s.reason,
        }
        for s in steps
    ]
