"""The minimal identity policy of each role: deploy, rollback, readonly, prune.

Three tables make a policy. ``RESOURCES`` names each kind of resource and how
it is scoped. ``PERMISSIONS`` (permissions.py) gives every action the helper needs,
the resource kind it is granted on, and why it is needed; an action a test run
may not exercise says when it is used (``only_when``). ``COMMANDS`` lists,
per command, the roles that run it and the actions it needs; a role's policy
is the union over its commands, one statement per resource kind.

These are the helper's own calls. What ``sam deploy`` itself needs (the
CloudFormation change set, the artifacts upload, iam:PassRole for the
function roles, ...) is listed separately in docs/security.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.iam.permissions import PERMISSIONS
from lambda_release.iam.roles import ROLES
from lambda_release.iam.scope import SAM_MANAGED_STACK, Scope

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class ResourceKind:
    """How a kind of resource is named for one scope, and any condition on the grant."""

    arns: Callable[[Scope], list[str]]
    condition: Callable[[Scope], dict[str, Any]] | None = None


def _described_stacks(s: Scope) -> list[str]:
    # Without --log-bucket the log lives in the bucket of `sam deploy --resolve-s3`,
    # which the helper finds in SAM's managed stack.
    return [s.stack_arn()] + ([] if s.log else [s.stack_arn(SAM_MANAGED_STACK)])


RESOURCES: Mapping[str, ResourceKind] = {
    "StackRead": ResourceKind(_described_stacks),
    "Stack": ResourceKind(lambda s: [s.stack_arn()]),
    "StackFunctions": ResourceKind(lambda s: s.functions(), lambda s: s.functions_condition()),
    "StackDeploymentGroups": ResourceKind(lambda s: [s.deployment_groups()]),
    "AnyDeploymentGroup": ResourceKind(lambda s: [s.deployment_groups("*/*")]),
    "Alarms": ResourceKind(lambda s: [s.alarms()]),
    "ReleaseLogObjects": ResourceKind(lambda s: [s.log_objects()]),
    "ReleaseLogListing": ResourceKind(
        lambda s: [s.log_bucket()],
        # The alias's log, and the stack's folder itself: `status` without --alias lists
        # which aliases have a log there (Delimiter "/": folder names only).
        lambda s: {
            "StringLike": {"s3:prefix": sorted({s.log_prefix() + "*", s.stack_log_prefix()})}
        },
    ),
    "AnyBucketNotification": ResourceKind(lambda s: [s.all_buckets()]),
    "ApiGatewayApis": ResourceKind(
        lambda s: [s.api_gateway(p) for p in ("/restapis", "/restapis/*", "/apis", "/apis/*")]
    ),
    "EventRules": ResourceKind(lambda s: [s.event_rules()]),
    # Actions AWS authorises only on "*" (no resource-level permissions).
    "NoResourceLevel": ResourceKind(lambda s: ["*"]),
}


# Reading the release log and the stack, as every command that shows releases does.
_READ_LOG = ("s3:GetObject", "s3:ListBucket")
_READ_STACK = ("cloudformation:DescribeStacks", "cloudformation:ListStackResources")
# Realigning drift after a rollback, before a deploy or begin goes ahead.
_REALIGN = ("cloudformation:GetTemplate", "cloudformation:UpdateStack")
# deploy --dry-run's preview: the change set sam made, read and deleted (preview/).
_PREVIEW = (
    "cloudformation:DescribeChangeSet",
    "cloudformation:DeleteChangeSet",
)
# Settling a release: read where the aliases now point, record, move <ALIAS>_STABLE.
_SETTLE = (
    "lambda:ListAliases",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:CreateAlias",
    "lambda:UpdateAlias",
    "s3:PutObject",
)


@dataclass(frozen=True)
class CommandNeeds:
    roles: tuple[str, ...]
    actions: tuple[str, ...]
    # Extra actions for every role but readonly (status settles unless --no-settle).
    settles: tuple[str, ...] = ()
    # Actions this command needs only in some situations: action -> when.
    sometimes: Mapping[str, str] = field(default_factory=dict)


COMMANDS: Mapping[str, CommandNeeds] = {
    "deploy": CommandNeeds(
        ("deploy",),
        (
            *_READ_STACK,
            "cloudformation:DescribeStackEvents",
            *_READ_LOG,
            *_SETTLE,
            "codedeploy:ListDeployments",
            "codedeploy:BatchGetDeployments",
            "codedeploy:BatchGetDeploymentGroups",
            "codedeploy:GetDeployment",  # following the canary while sam waits
            "codedeploy:ListDeploymentTargets",  # hooks: shown running, named when failing
            "codedeploy:BatchGetDeploymentTargets",
            "cloudwatch:DescribeAlarms",
            "lambda:GetAlias",
            *_REALIGN,
            *_PREVIEW,
        ),
        sometimes={
            "cloudformation:DescribeChangeSet": "deploy --dry-run: the preview reads the "
            "change set sam created",
            "cloudformation:DeleteChangeSet": "deploy --dry-run: the preview's change set is "
            "deleted, never executed",
            "codedeploy:GetDeployment": "following a canary while sam waits, once its "
            "deployment is seen",
            "lambda:GetAlias": "following a deployment in flight while sam waits (a canary, "
            "or CodeDeploy's rollback deployment): the share of traffic on the new version",
        },
    ),
    "begin": CommandNeeds(
        ("deploy",),
        (
            *_READ_STACK,
            *_READ_LOG,
            *_SETTLE,
            "codedeploy:ListDeployments",
            "codedeploy:BatchGetDeployments",
            "codedeploy:BatchGetDeploymentGroups",
            "cloudwatch:DescribeAlarms",
            "cloudformation:DescribeStackEvents",
            *_REALIGN,
        ),
        sometimes={
            "cloudformation:DescribeStackEvents": "the stack is UPDATE_ROLLBACK_FAILED: the "
            "resources its rollback could not restore are named in the way out",
        },
    ),
    "record": CommandNeeds(("deploy",), (*_READ_STACK, *_READ_LOG, *_SETTLE)),
    "status": CommandNeeds(
        ("deploy", "rollback", "readonly"),
        (
            *_READ_STACK,
            *_READ_LOG,
            "lambda:ListAliases",
            "codedeploy:ListDeployments",
            "codedeploy:BatchGetDeployments",
            "cloudformation:DescribeStackEvents",
            "cloudwatch:DescribeAlarms",  # an alarm in ALARM blocks the next deploy
        ),
        settles=_SETTLE,
        sometimes={
            "cloudformation:DescribeStackEvents": "the stack is UPDATE_ROLLBACK_FAILED: the "
            "resources its rollback could not restore are named in the way out",
        },
    ),
    "history": CommandNeeds(("deploy", "rollback", "readonly"), (*_READ_STACK, *_READ_LOG)),
    "report": CommandNeeds(("deploy", "rollback", "readonly"), (*_READ_STACK, *_READ_LOG)),
    "rollback": CommandNeeds(
        ("rollback",),
        (
            *_READ_STACK,
            *_READ_LOG,
            *_SETTLE,
            "lambda:GetAlias",
            "codedeploy:ListDeployments",
            "codedeploy:GetDeployment",
            "codedeploy:StopDeployment",
            "codedeploy:BatchGetDeployments",
            "cloudformation:CancelUpdateStack",
            "cloudformation:DescribeStackEvents",
            "cloudformation:GetTemplate",
            "cloudformation:UpdateStack",
        ),
        sometimes={
            "cloudformation:GetTemplate": "--to-version on a function a template took the alias "
            "from: the processed template, to add the alias back (docs/rollback.md)",
            "cloudformation:UpdateStack": "--to-version on a function a template took the alias "
            "from: one stack update adds the alias back under SAM's logical id",
            "codedeploy:BatchGetDeployments": "a release is rolled back while its canary "
            "runs: CodeDeploy's own rollback deployments are waited for, not stopped",
            "cloudformation:DescribeStackEvents": "the stack is UPDATE_ROLLBACK_FAILED: the "
            "resources its rollback could not restore are named in the way out",
            "lambda:CreateAlias": "settling a release a killed job left pending, which "
            "created a function: its <ALIAS>_STABLE is created",
            "lambda:GetFunctionConfiguration": "checking that the versions to return to "
            "still exist, and settling a pending release",
            "lambda:GetFunction": "settling a release a killed job left pending",
        },
    ),
    # A bake after a deploy (deploy --bake, the deploy role) or in a team's own job (the
    # rollback role): it reads alarms and, when one fires, rolls back as `rollback` does.
    "bake": CommandNeeds(
        ("deploy", "rollback"),
        (
            *_READ_STACK,
            *_READ_LOG,
            "s3:PutObject",
            "cloudwatch:DescribeAlarms",
            "codedeploy:BatchGetDeploymentGroups",
            "lambda:ListAliases",
            "lambda:UpdateAlias",
            "lambda:GetAlias",
            "lambda:GetFunctionConfiguration",
            "codedeploy:ListDeployments",
        ),
        sometimes={
            "cloudwatch:DescribeAlarms": "a bake: the states of the alarms it watches",
            "codedeploy:BatchGetDeploymentGroups": "a bake: the alarms the stack's deployment "
            "groups watch",
            "lambda:UpdateAlias": "an alarm fired during a bake: the release is rolled back",
            "lambda:GetAlias": "an alarm fired during a bake: each move is read back",
        },
    ),
    # Its own role: the only one that deletes (versions), run by hand or on a schedule.
    "prune": CommandNeeds(
        ("prune",),
        (
            *_READ_STACK,
            "cloudformation:GetTemplate",
            *_READ_LOG,
            "codedeploy:ListDeployments",
            "codedeploy:BatchGetDeployments",
            "lambda:ListVersionsByFunction",
            "lambda:ListAliases",
            "lambda:DeleteFunction",
        ),
    ),
    "audit": CommandNeeds(
        ("readonly",),
        (
            "cloudformation:ListStackResources",
            "lambda:GetFunction",
            "lambda:ListAliases",
            "lambda:GetPolicy",
            "lambda:GetFunctionUrlConfig",
            "lambda:ListEventSourceMappings",
            "apigateway:GET",
            "events:ListEventBuses",
            "events:ListRules",
            "events:ListTargetsByRule",
            "sns:ListSubscriptions",
            "s3:ListAllMyBuckets",
            "s3:GetBucketNotification",
            "cloudwatch:ListMetrics",
            "cloudwatch:GetMetricStatistics",
        ),
    ),
}


def role_commands(role: str) -> list[str]:
    """The commands ``role`` runs, in table order."""
    check_role(role)
    return [name for name, needs in COMMANDS.items() if role in needs.roles]


def role_actions(role: str) -> list[str]:
    """Every action ``role`` is granted, sorted."""
    actions: set[str] = set()
    for name in role_commands(role):
        needs = COMMANDS[name]
        actions.update(needs.actions)
        if role != "readonly":
            actions.update(needs.settles)
    return sorted(actions)


def role_sometimes(role: str) -> dict[str, str]:
    """Actions of ``role`` a run may not exercise, with when they are used."""
    out = {a: p.only_when for a, p in PERMISSIONS.items() if p.only_when}
    for name in role_commands(role):
        out.update(COMMANDS[name].sometimes)
    return {a: why for a, why in out.items() if a in role_actions(role)}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"--role {role!r} is not one of {', '.join(ROLES)}")
    return role


def build_policy(role: str, scope: Scope) -> dict[str, Any]:
    """The identity policy document for ``role`` in ``scope``.

    One statement per distinct set of resources (and condition), named after
    the first resource kind in it.
    """
    by_kind: dict[str, list[str]] = {}
    for action in role_actions(role):
        by_kind.setdefault(PERMISSIONS[action].kind, []).append(action)
    merged: dict[str, dict[str, Any]] = {}
    for kind, spec in RESOURCES.items():
        if kind not in by_kind:
            continue
        arns = spec.arns(scope)
        condition = spec.condition(scope) if spec.condition is not None else None
        key = json.dumps([arns, condition])
        if key in merged:
            merged[key]["Action"] = sorted([*merged[key]["Action"], *by_kind[kind]])
            continue
        st: dict[str, Any] = {
            "Sid": kind,
            "Effect": "Allow",
            "Action": by_kind[kind],
            "Resource": arns[0] if len(arns) == 1 else arns,
        }
        if condition is not None:
            st["Condition"] = condition
        merged[key] = st
    return {"Version": POLICY_VERSION, "Statement": list(merged.values())}


def explain(role: str, scope: Scope) -> list[tuple[str, str, str]]:
    """(action, resources, why) for every action of ``role``: the policy's justification."""
    out = []
    sometimes = role_sometimes(role)
    for action in role_actions(role):
        p = PERMISSIONS[action]
        when = sometimes.get(action)
        why = p.why + (f" (only when {when})" if when else "")
        out.append((action, " ".join(RESOURCES[p.kind].arns(scope)), why))
    return out
