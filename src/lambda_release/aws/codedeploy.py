"""CodeDeploy queries about one stack: its deployments in flight and its groups' alarms.

Every command that asks "is a canary running?" (deploy's pre-flight, status,
rollback, prune, watch) asks here, so they all agree on what "in flight" means.

What each question costs, in AWS calls (G: the stack's deployment groups, one
per function with a canary; N: deployments in flight in the whole account and
region; A: alarms in ALARM there):

- Deployments in flight. ``ListDeployments`` takes an application and a group
  together or neither (CodeDeploy API reference), so "this stack's" is either G
  listings or one account-wide listing by status followed by
  ``BatchGetDeployments`` (25 ids a call) to keep the stack's own. A stack with
  one group lists it (1 call). A larger stack lists account-wide: 1 call when
  nothing runs anywhere (the common case), 1 + ceil(N/25) when N run; and when
  that would be no cheaper than the G listings it lists per group instead, so
  it never costs more than the account listing's pages + G.
- Alarms already in ALARM. One ``DescribeAlarms(StateValue=ALARM)`` for the
  account (1 call when nothing fires, the common case). Only when something
  fires that is not one of the stack's own alarm resources are the groups' alarm
  names read, with ``BatchGetDeploymentGroups`` (100 groups a call). When more
  than one page (100) fires, the stack's alarms are asked by name instead:
  1 + ceil(G/100) + ceil(alarms/100) calls, whatever A is.
- Why a release failed (its settlement): the deployments failed or stopped since
  it began, listed account-wide or per group by the same rule as those in flight.

Why the groups' alarm names are not taken from a read a deploy already makes (issue
30). The stack's resource listing names only the alarms that are resources of the
stack; SAM's ``DeploymentPreference.Alarms`` takes any alarm name (one another stack or
a person made), which the listing never shows. The template (``GetTemplate``, a call a
deploy does not make otherwise, so no cheaper) shows them only as written: a ``!Ref`` to
a parameter or an ``!ImportValue`` needs more reads to resolve, and a group's alarms
changed outside CloudFormation (``UpdateDeploymentGroup``, the console) are what
CodeDeploy enforces while the template still says otherwise. A firing alarm's
description does not say which groups watch it either. Only
``BatchGetDeploymentGroups`` answers "does a group of this stack watch it now", so it is
asked, once, only when an alarm that is not one of the stack's own fires.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import botocore.exceptions

from lambda_release.aws.stack import StackInfo
from lambda_release.errors import OperationError

# A deployment in any of these states may still move an alias.
ACTIVE_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]
ENDED_STATUSES = ("Succeeded", "Failed", "Stopped")
BATCH_GET_MAX = 25  # BatchGetDeployments: at most 25 ids a call
GROUPS_BATCH_MAX = 100  # BatchGetDeploymentGroups: at most 100 names a call
ALARMS_PAGE_MAX = 100  # DescribeAlarms: MaxRecords and AlarmNames at most 100
ACCESS_DENIED = ("AccessDenied", "AccessDeniedException")


@dataclass(frozen=True)
class ActiveDeployment:
    """A deployment of one of the stack's groups that has not ended."""

    deployment_id: str
    group: str
    status: str = ""
    rollback_of: str = ""  # CodeDeploy's rollback of that deployment (as watch says)

    def as_json(self) -> dict[str, str | None]:
        return {
            "deployment_id": self.deployment_id,
            "deployment_group": self.group,
            "status": self.status,
            "rollback_of": self.rollback_of or None,
        }

    @classmethod
    def of(cls, info: dict[str, Any], group: str = "") -> ActiveDeployment:
        """From BatchGetDeployments' deploymentInfo."""
        rollback = info.get("rollbackInfo") or {}
        return cls(
            str(info.get("deploymentId", "")),
            group or str(info.get("deploymentGroupName", "")),
            str(info.get("status", "")),
            str(rollback.get("rollbackTriggeringDeploymentId") or ""),
        )


# A SAM stack's deployments are made by CloudFormation: while it updates, the stack is
# *_IN_PROGRESS; once an update completed cleanly, each of them succeeded. Only after an
# update that rolled back (CodeDeploy's own rollback deployment may still run) or one
# started by hand can a deployment be in flight beside a stack at rest.
CLEAN_STACK_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def may_have_deployments_in_flight(info: StackInfo) -> bool:
    """Whether deploy's pre-flight asks CodeDeploy (status, watch and rollback always do).
    A deployment started by hand beside a clean stack is not looked for: CloudFormation's
    own deployment is then refused, and the release settles failed with nothing moved."""
    return info.status not in CLEAN_STACK_STATUSES


def active_deployment_ids(cd: Any, info: StackInfo) -> list[tuple[str, str]]:
    """(deployment id, group) of every deployment in flight for the stack's groups."""
    return [(d.deployment_id, d.group) for d in _in_flight(cd, info)]


def active_deployments(cd: Any, info: StackInfo) -> list[ActiveDeployment]:
    """The deployments in flight with their status, and whether each is CodeDeploy's
    rollback of another (read in batches; usually none)."""
    found = _in_flight(cd, info)
    unread = [d.deployment_id for d in found if not d.status]
    if not unread:
        return found
    read = {str(d.get("deploymentId")): d for d in _read(cd, unread)}
    return [
        ActiveDeployment.of(read[d.deployment_id], d.group) if d.deployment_id in read else d
        for d in found
    ]


def _in_flight(cd: Any, info: StackInfo) -> list[ActiveDeployment]:
    """The stack's deployments in flight, by the cheaper of the two listings (module doc)."""
    application, groups = info.application, info.deployment_groups
    if not application or not groups:
        return []
    if len(groups) == 1:
        return _listed_per_group(cd, application, groups)
    ids = _list_active(cd, None)
    if not ids:
        return []
    if -(-len(ids) // BATCH_GET_MAX) >= len(groups):
        return _listed_per_group(cd, application, groups)  # a busy account: no dearer than G
    try:
        infos = _read(cd, ids, denied=ACCESS_DENIED)
    except _Denied:
        # A role granted BatchGetDeployments on its own groups only cannot read other
        # applications' deployments: its own listings still answer.
        return _listed_per_group(cd, application, groups)
    wanted = set(groups)
    return [
        ActiveDeployment.of(d)
        for d in infos
        if d.get("applicationName") == application
        and d.get("deploymentGroupName") in wanted
        and d.get("status") not in ENDED_STATUSES  # ended between the listing and the read
    ]


def _list_active(cd: Any, where: tuple[str, str] | None) -> list[str]:
    """Ids of deployments not ended: of one (application, group), or of the whole account."""
    scope = {"applicationName": where[0], "deploymentGroupName": where[1]} if where else {}
    try:
        pages = cd.get_paginator("list_deployments").paginate(
            includeOnlyStatuses=ACTIVE_STATUSES, **scope
        )
        return [str(d) for page in pages for d in page.get("deployments", [])]
    except botocore.exceptions.ClientError as exc:
        what = f"of {where[1]}" if where else "in flight"
        raise OperationError(f"cannot list CodeDeploy deployments {what}: {exc}") from exc


def _listed_per_group(cd: Any, application: str, groups: list[str]) -> list[ActiveDeployment]:
    return [
        ActiveDeployment(d, group)
        for group in groups
        for d in _list_active(cd, (application, group))
    ]


class _Denied(Exception):
    """BatchGetDeployments was refused by IAM."""


def _read(cd: Any, ids: list[str], denied: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """BatchGetDeployments over ``ids``, 25 a call; error codes in ``denied`` raise _Denied."""
    out: list[dict[str, Any]] = []
    try:
        for i in range(0, len(ids), BATCH_GET_MAX):
            resp = cd.batch_get_deployments(deploymentIds=ids[i : i + BATCH_GET_MAX])
            out += resp.get("deploymentsInfo", [])
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in denied:
            raise _Denied from exc
        raise OperationError(f"cannot read CodeDeploy deployments: {exc}") from exc
    return out


def _alarm_names(group_info: dict[str, Any]) -> list[str]:
    """The alarms a deployment group watches (none when its alarm check is disabled)."""
    config = group_info.get("alarmConfiguration") or {}
    if not config.get("enabled", True):
        return []
    return [str(a["name"]) for a in config.get("alarms", [])]


def groups_alarms(cd: Any, application: str, groups: list[str]) -> dict[str, list[str]]:
    """Group -> the alarms it watches, read 100 groups a call (BatchGetDeploymentGroups)."""
    out: dict[str, list[str]] = {}
    for i in range(0, len(groups), GROUPS_BATCH_MAX):
        try:
            resp = cd.batch_get_deployment_groups(
                applicationName=application, deploymentGroupNames=groups[i : i + GROUPS_BATCH_MAX]
            )
        except botocore.exceptions.ClientError:
            continue  # the stack's own alarm resources are still checked
        for g in resp.get("deploymentGroupsInfo", []):
            out[str(g.get("deploymentGroupName"))] = _alarm_names(g)
    return out


def stack_alarms(cd: Any, info: StackInfo) -> list[str]:
    """The stack's alarms and those its deployment groups watch."""
    names = set(info.alarms)
    if info.application and info.deployment_groups:
        for alarms in groups_alarms(cd, info.application, info.deployment_groups).values():
            names.update(alarms)
    return sorted(names)


def alarms_by_name(cw: Any, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """CloudWatch's answer for each of ``names`` that exists (metric or composite alarm),
    100 names a call; a name CloudWatch does not know is absent from the result."""
    unique = sorted(set(names))
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(unique), ALARMS_PAGE_MAX):
        try:
            resp = cw.describe_alarms(AlarmNames=unique[i : i + ALARMS_PAGE_MAX])
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot read CloudWatch alarms: {exc}") from exc
        for alarm in resp.get("MetricAlarms", []) + resp.get("CompositeAlarms", []):
            found[str(alarm["AlarmName"])] = alarm
    return found


def alarms_in_alarm(cw: Any, names: list[str]) -> list[str]:
    """Those of ``names`` in state ALARM now."""
    firing: list[str] = []
    try:
        for i in range(0, len(names), ALARMS_PAGE_MAX):
            pages = cw.get_paginator("describe_alarms").paginate(
                AlarmNames=names[i : i + ALARMS_PAGE_MAX], StateValue="ALARM"
            )
            firing += [
                str(a["AlarmName"])
                for page in pages
                for a in page.get("MetricAlarms", [])
                if a["StateValue"] == "ALARM"
            ]
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot read CloudWatch alarms: {exc}") from exc
    return sorted(set(firing))


def stack_alarms_in_alarm(cd: Any, cw: Any, info: StackInfo) -> list[str]:
    """The stack's alarms and its groups' alarms in state ALARM now (module doc: the cost)."""
    try:
        page = cw.describe_alarms(StateValue="ALARM", MaxRecords=ALARMS_PAGE_MAX)
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot read CloudWatch alarms: {exc}") from exc
    if page.get("NextToken"):
        # Over a page fires in the account: asking for the stack's alarms by name is cheaper.
        return alarms_in_alarm(cw, stack_alarms(cd, info))
    firing = {
        str(a["AlarmName"]) for a in page.get("MetricAlarms", []) if a["StateValue"] == "ALARM"
    }
    found = firing & set(info.alarms)
    others = firing - found
    if others and info.application and info.deployment_groups:
        for alarms in groups_alarms(cd, info.application, info.deployment_groups).values():
            found.update(others.intersection(alarms))
    return sorted(found)


# Lifecycle events for Lambda and the SAM hook that runs in each.
HOOK_EVENTS = {"BeforeAllowTraffic": "PreTraffic", "AfterAllowTraffic": "PostTraffic"}


def _hook_functions(info: dict[str, Any]) -> dict[str, str]:
    """Lifecycle event -> hook function, from the deployment's AppSpec."""
    content = ((info.get("revision") or {}).get("appSpecContent") or {}).get("content")
    try:
        hooks = json.loads(content).get("Hooks") or [] if content else []
        return {str(k): str(v) for hook in hooks for k, v in hook.items()}
    except (ValueError, AttributeError, TypeError):
        return {}


def _failed_hook(cd: Any, deployment_id: str) -> str | None:
    """The lifecycle event (BeforeAllowTraffic, ...) that failed, from the Lambda target."""
    try:
        ids = cd.list_deployment_targets(deploymentId=deployment_id).get("targetIds", [])
        got = cd.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=ids[:25])
    except botocore.exceptions.ClientError:
        return None
    for target in got.get("deploymentTargets", []) if ids else []:
        for event in (target.get("lambdaTarget") or {}).get("lifecycleEvents", []):
            if event.get("status") == "Failed" and event.get("lifecycleEventName") in HOOK_EVENTS:
                return str(event["lifecycleEventName"])
    return None


def failures_since(cd: Any, info: StackInfo, since: datetime) -> list[str]:
    """Why each deployment of the stack created since ``since`` failed or was stopped,
    naming the hook when a PreTraffic/PostTraffic hook failed it (CodeDeploy's rollback
    deployments are left out: they are the cure, not the cause)."""
    if not info.application:
        return []
    out: list[str] = []
    try:
        for d in _failed_since(cd, info.application, info.deployment_groups, since):
            if d.get("creator") == "codeDeployRollback":
                continue
            out.append(_failure_text(cd, str(d.get("deploymentGroupName")), d))
    except botocore.exceptions.ClientError:
        return out  # the outcome stands without its reasons
    return out


def _failed_since(
    cd: Any, application: str, groups: list[str], since: datetime
) -> list[dict[str, Any]]:
    """The groups' deployments failed or stopped since ``since``, in the groups' order: one
    account-wide listing when that is cheaper than one per group (as for those in flight)."""

    def listed(scope: dict[str, str]) -> list[str]:
        pages = cd.get_paginator("list_deployments").paginate(
            includeOnlyStatuses=list(ENDED_STATUSES[1:]), createTimeRange={"start": since}, **scope
        )
        return [str(d) for page in pages for d in page.get("deployments", [])]

    def read(ids: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), BATCH_GET_MAX):
            resp = cd.batch_get_deployments(deploymentIds=ids[i : i + BATCH_GET_MAX])
            out += resp.get("deploymentsInfo", [])
        return out

    if len(groups) > 1:
        ids = listed({})
        if -(-len(ids) // BATCH_GET_MAX) < len(groups):
            try:
                infos = read(ids)
            except botocore.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ACCESS_DENIED:
                    raise
            else:
                order = {g: i for i, g in enumerate(groups)}
                mine = [
                    d
                    for d in infos
                    if d.get("applicationName") == application
                    and d.get("deploymentGroupName") in order
                ]
                return sorted(mine, key=lambda d: order[str(d["deploymentGroupName"])])
    return read(
        [
            d
            for g in groups
            for d in listed({"applicationName": application, "deploymentGroupName": g})
        ]
    )


def _failure_text(cd: Any, group: str, d: dict[str, Any]) -> str:
    deployment_id = str(d.get("deploymentId"))
    what = f"{group}: deployment {deployment_id} {str(d.get('status', '')).lower()}"
    event = _failed_hook(cd, deployment_id)
    if event is not None:
        function = _hook_functions(d).get(event, "?")
        what += f": the {HOOK_EVENTS[event]} hook {function} failed"
    message = str((d.get("errorInformation") or {}).get("message") or "")
    return what + (f" ({message})" if message else "")
