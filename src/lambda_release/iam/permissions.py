"""Every AWS action the helper's own calls need: the resource kind it is granted on
(``policy.RESOURCES``), why it is needed, and, for an action a test run may not exercise,
when it is used (``only_when``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


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
    # deploy --dry-run's preview (preview/change_set.py): sam creates the change set with
    # the deploy role's own permissions; the helper reads and deletes it.
    "cloudformation:DescribeChangeSet": Permission(
        "Stack",
        "deploy --dry-run: the stack's changes, from the change set sam created",
        only_when="deploy --dry-run previews a release whose pre-flight passes",
    ),
    "cloudformation:DeleteChangeSet": Permission(
        "Stack",
        "deploy --dry-run: the change set is deleted, never executed",
        only_when="deploy --dry-run previews a release whose pre-flight passes",
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
