"""The minimal identity policy of each role: deploy, rollback, readonly, prune.

Three tables make a policy. ``RESOURCES`` names each kind of resource and how
it is scoped. ``PERMISSIONS`` gives every action the helper needs, the
resource kind it is granted on, and why it is needed; an action a test run
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
        lambda s: {"StringLike": {"s3:prefix": [s.log_prefix() + "*"]}},
    ),
    "AnyBucketNotification": ResourceKind(lambda s: [s.all_buckets()]),
    "ApiGatewayApis": ResourceKind(
        lambda s: [s.api_gateway(p) for p in ("/restapis", "/restapis/*", "/apis", "/apis/*")]
    ),
    "EventRules": ResourceKind(lambda s: [s.event_rules()]),
    # Actions AWS authorises only on "*" (no resource-level permissions).
    "NoResourceLevel": ResourceKind(lambda s: ["*"]),
}


@dataclass(frozen=True)
class Permission:
    kind: str
    why: str
    only_when: str = ""  # set when a test run need not exercise it: when it is used


PERMISSIONS: Mapping[str, Permission] = {
    "cloudformation:DescribeStacks": Permission(
        "StackRead", "the stack's status (mid-update?), its tags (the log location), outputs"
    ),
    "cloudformation:DescribeStackEvents": Permission(
        "Stack", "why a failed `sam deploy` failed: the stack's failure events, reported"
    ),
    # Drift realignment (drift.py): deploy and begin after a rollback (tests/iam's story).
    "cloudformation:GetTemplate": Permission(
        "Stack",
        "drift: the processed template records the version each alias should run; prune: "
        "the versions the current template names (a CloudFormation rollback needs them)",
    ),
    "cloudformation:UpdateStack": Permission(
        "Stack",
        "drift: after a rollback, one update of the processed template pins each moved alias "
        "to its live version (no traffic moves); CloudFormation then acts with the same "
        "permissions as `sam deploy` (the stack's service role if it has one)",
    ),
    "cloudformation:ListStackResources": Permission(
        "Stack", "the stack's functions, CodeDeploy application and groups, alarms"
    ),
    "cloudformation:CancelUpdateStack": Permission(
        "Stack",
        "rollback of an in-flight release with no deployment to stop cancels the update",
        only_when="a release is rolled back while CloudFormation updates without a canary",
    ),
    "lambda:ListAliases": Permission("StackFunctions", "where each alias and its canary point"),
    "lambda:GetFunctionConfiguration": Permission(
        "StackFunctions", "the version an alias runs (and its RevisionId) before and after"
    ),
    "lambda:GetAlias": Permission(
        "StackFunctions",
        "reading an alias back after moving it",
        only_when="rollback verifies a move",
    ),
    "lambda:CreateAlias": Permission(
        "StackFunctions", "creating <ALIAS>_STABLE on a function's first release"
    ),
    "lambda:UpdateAlias": Permission(
        "StackFunctions", "moving <ALIAS> back (rollback) and <ALIAS>_STABLE (every release)"
    ),
    "lambda:GetFunction": Permission(
        "StackFunctions",
        "the version and code an alias runs after a release (GetFunction's own 100/s budget); "
        "audit: each function's ARN",
    ),
    "lambda:ListVersionsByFunction": Permission(
        "StackFunctions", "prune: every published version of each function, page by page"
    ),
    "lambda:DeleteFunction": Permission(
        "StackFunctions",
        "prune: deleting a published version nothing needs (always with a version qualifier; "
        "IAM grants deleting the whole function by the same action, so only the prune role "
        "has it)",
        only_when="a version older than the --keep newest is needed by no alias, stable "
        "version, release in effect or the stack's template",
    ),
    "lambda:GetPolicy": Permission("StackFunctions", "audit: resource policy grants to $LATEST"),
    "lambda:GetFunctionUrlConfig": Permission("StackFunctions", "audit: a function URL on $LATEST"),
    "lambda:ListEventSourceMappings": Permission(
        "NoResourceLevel", "audit: event source mappings that name $LATEST"
    ),
    "codedeploy:ListDeployments": Permission(
        "AnyDeploymentGroup",
        "deployments in flight: one listing of the account's by status (ListDeployments "
        "takes an application and a group together or neither); a stack of one group "
        "lists that group",
    ),
    "codedeploy:BatchGetDeployments": Permission(
        "AnyDeploymentGroup",
        "which of the account's deployments in flight belong to the stack (their group is "
        "only known once read, so any group's); rollback: CodeDeploy's own rollback "
        "deployments are waited for, not stopped",
        only_when="a deployment is in flight somewhere in the account when the command starts",
    ),
    "codedeploy:BatchGetDeploymentGroups": Permission(
        "StackDeploymentGroups",
        "the alarms the stack's deployment groups watch (100 groups a call), read when an "
        "alarm fires that is not one of the stack's own; deploy shows a canary's alarms",
        only_when="an alarm other than the stack's own is in ALARM when a deploy starts, "
        "or a canary runs while sam waits",
    ),
    "codedeploy:GetDeployment": Permission(
        "StackDeploymentGroups",
        "deploy shows its canary's progress; rollback of a release whose canary runs waits "
        "for the stopped deployment to end",
    ),
    "codedeploy:StopDeployment": Permission(
        "NoResourceLevel",
        "rollback of a release whose canary runs: stopping it with its automatic rollback "
        "(AWS defines no resource type for it, so it can be granted on * only; only the "
        "rollback role has it)",
    ),
    "codedeploy:ListDeploymentTargets": Permission(
        "NoResourceLevel",
        "a deployment's Lambda target: which PreTraffic/PostTraffic hook runs or failed",
        only_when="a deployment with hooks runs (progress) or fails (the settlement names it)",
    ),
    "codedeploy:BatchGetDeploymentTargets": Permission(
        "NoResourceLevel",
        "the target's lifecycle events: the hook running now, or the one that failed",
        only_when="a deployment with hooks runs (progress) or fails (the settlement names it)",
    ),
    "cloudwatch:DescribeAlarms": Permission(
        "Alarms",
        "an alarm of a deployment group already in ALARM stops a deploy: one listing of the "
        "account's alarms in ALARM; the group's alarms may be named anything and live "
        "outside the stack, and this only reads",
    ),
    "cloudwatch:ListMetrics": Permission("NoResourceLevel", "audit: $LATEST invocation metrics"),
    "cloudwatch:GetMetricStatistics": Permission(
        "NoResourceLevel", "audit: how often $LATEST ran in the window"
    ),
    "s3:GetObject": Permission("ReleaseLogObjects", "reading release log entries and the lease"),
    "s3:PutObject": Permission(
        "ReleaseLogObjects", "appending log entries and taking the lease (conditional writes)"
    ),
    "s3:ListBucket": Permission("ReleaseLogListing", "listing the log's entries, by prefix"),
    "s3:ListAllMyBuckets": Permission("NoResourceLevel", "audit: buckets that may notify"),
    "s3:GetBucketNotification": Permission(
        "AnyBucketNotification", "audit: bucket notifications that invoke $LATEST"
    ),
    "apigateway:GET": Permission("ApiGatewayApis", "audit: REST and HTTP API integrations"),
    "events:ListEventBuses": Permission("NoResourceLevel", "audit: the buses to look through"),
    "events:ListRules": Permission("NoResourceLevel", "audit: the rules on each bus"),
    "events:ListTargetsByRule": Permission("EventRules", "audit: rule targets naming $LATEST"),
    "sns:ListSubscriptions": Permission("NoResourceLevel", "audit: SNS subscriptions to $LATEST"),
}

# Reading the release log and the stack, as every command that shows releases does.
_READ_LOG = ("s3:GetObject", "s3:ListBucket")
_READ_STACK = ("cloudformation:DescribeStacks", "cloudformation:ListStackResources")
# Realigning drift after a rollback, before a deploy or begin goes ahead.
_REALIGN = ("cloudformation:GetTemplate", "cloudformation:UpdateStack")
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
        ),
        sometimes={
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
        ),
        settles=_SETTLE,
        sometimes={
            "cloudformation:DescribeStackEvents": "the stack is UPDATE_ROLLBACK_FAILED: the "
            "resources its rollback could not restore are named in the way out",
        },
    ),
    "history": CommandNeeds(("deploy", "rollback", "readonly"), (*_READ_STACK, *_READ_LOG)),
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
        ),
        sometimes={
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
