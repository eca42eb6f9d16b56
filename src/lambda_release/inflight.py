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

from lambda_release.aws import error_code
from lambda_release.codedeploy import ENDED_STATUSES, active_deployment_ids
from lambda_release.errors import OperationError
from lambda_release.stack import StackInfo, describe_stack


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
    for deployment_id, group in state.deployments:
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
        for deployment_id, _ in state.deployments:
            try:
                got = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
                statuses[deployment_id] = str(got.get("status", ""))
            except botocore.exceptions.ClientError as exc:
                raise OperationError(f"cannot read deployment {deployment_id}: {exc}") from exc
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


def _fmt(statuses: dict[str, str]) -> str:
    return ", ".join(f"{d} {s}" for d, s in statuses.items()) or "none"
