"""CodeDeploy queries about one stack: its deployments in flight and its groups' alarms.

Every command that asks "is a canary running?" (deploy's pre-flight, status,
rollback, prune, watch) asks here, so they all agree on what "in flight" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from lambda_release.aws import RateLimiter, parallel_map
from lambda_release.errors import OperationError
from lambda_release.stack import StackInfo

# A deployment in any of these states may still move an alias.
ACTIVE_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]
ENDED_STATUSES = ("Succeeded", "Failed", "Stopped")
# CodeDeploy's read APIs allow more than Lambda's control plane; stay modest.
CODEDEPLOY_RATE = 25.0
BATCH_GET_MAX = 25


@dataclass(frozen=True)
class ActiveDeployment:
    """A deployment of one of the stack's groups that has not ended."""

    deployment_id: str
    group: str
    status: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "deployment_id": self.deployment_id,
            "deployment_group": self.group,
            "status": self.status,
        }


def active_deployment_ids(cd: Any, info: StackInfo) -> list[tuple[str, str]]:
    """(deployment id, group) of every deployment in flight for the stack's groups."""
    if not info.application:
        return []
    found: list[tuple[str, str]] = []
    for group in info.deployment_groups:
        try:
            pages = cd.get_paginator("list_deployments").paginate(
                applicationName=info.application,
                deploymentGroupName=group,
                includeOnlyStatuses=ACTIVE_STATUSES,
            )
            found += [(str(d), group) for page in pages for d in page.get("deployments", [])]
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot list CodeDeploy deployments of {group}: {exc}") from exc
    return found


def active_deployments(cd: Any, info: StackInfo) -> list[ActiveDeployment]:
    """The deployments in flight with their status (read in batches; usually none)."""
    ids = active_deployment_ids(cd, info)
    status: dict[str, str] = {}
    try:
        for i in range(0, len(ids), BATCH_GET_MAX):
            batch = [d for d, _ in ids[i : i + BATCH_GET_MAX]]
            resp = cd.batch_get_deployments(deploymentIds=batch)
            for d in resp.get("deploymentsInfo", []):
                status[str(d.get("deploymentId"))] = str(d.get("status", ""))
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot read CodeDeploy deployments: {exc}") from exc
    return [ActiveDeployment(d, g, status.get(d, "")) for d, g in ids]


def group_alarms(cd: Any, application: str, group: str) -> list[str]:
    """The alarms a deployment group watches (none when its alarm check is disabled)."""
    try:
        resp = cd.get_deployment_group(applicationName=application, deploymentGroupName=group)
    except botocore.exceptions.ClientError:
        return []  # the stack's own alarm resources are still checked
    config = resp.get("deploymentGroupInfo", {}).get("alarmConfiguration") or {}
    if not config.get("enabled", True):
        return []
    return [str(a["name"]) for a in config.get("alarms", [])]


def stack_alarms(cd: Any, info: StackInfo) -> list[str]:
    """The stack's alarms and those of its deployment groups (read concurrently)."""
    names = set(info.alarms)
    application = info.application
    if application:
        found = parallel_map(
            lambda g: group_alarms(cd, application, g),
            info.deployment_groups,
            RateLimiter(CODEDEPLOY_RATE),
        )
        for alarms in found:
            names.update(alarms)
    return sorted(names)


def alarms_in_alarm(cw: Any, names: list[str]) -> list[str]:
    """Those of ``names`` in state ALARM now."""
    firing: list[str] = []
    for i in range(0, len(names), 100):
        resp = cw.describe_alarms(AlarmNames=names[i : i + 100])
        firing += [
            str(a["AlarmName"]) for a in resp.get("MetricAlarms", []) if a["StateValue"] == "ALARM"
        ]
    return sorted(firing)
