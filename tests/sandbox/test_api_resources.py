"""The stand-in deploys what SAM writes for an API, and says so when a template is malformed.

An ``Api`` event (SAM's implicit REST API: a Swagger ``Body`` and no ``Name``) answered 500
to the whole stack; types neither moto nor the sandbox emulates (a function URL, an HTTP API,
a REST API's stage) left holes in DescribeStackResources and 500s on ``!GetAtt``; a template
that is not YAML or JSON answered 500 instead of CloudFormation's ValidationError; a
stack update with new inline code (``InlineCode``, CloudFormation's ``ZipFile``) failed.
docs/sandbox.md cites what AWS does for each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest
import yaml

from lambda_release.sandbox import Sandbox
from tests.support.aws_state import wait_for_stack
from tests.support.templates import sam_template, serverless_function

CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


def api_template(version: str, *, extras: bool = False) -> str:
    """A SAM function behind an implicit REST API; ``extras`` adds a URL and an HTTP API."""
    code = f"def handler(event, context):\n    return {{'statusCode': 200, 'body': '{version}'}}\n"
    # The second version moves /health to /status: an update replaces the API's paths.
    health = "/health" if version == "1" else "/status"
    events = {
        "Order": {"Type": "Api", "Properties": {"Path": "/orders/{id}", "Method": "get"}},
        "Health": {"Type": "Api", "Properties": {"Path": health, "Method": "any"}},
    }
    resources: dict[str, Any] = {
        "Fn": serverless_function({"InlineCode": code}, runtime="python3.12", Events=events)
    }
    outputs: dict[str, Any] = {
        "Api": {"Value": {"Fn::Sub": "https://${ServerlessRestApi}.execute-api.amazonaws.com/"}}
    }
    if extras:
        resources["Url"] = {
            "Type": "AWS::Lambda::Url",
            "Properties": {"TargetFunctionArn": {"Ref": "Fn"}, "AuthType": "NONE"},
        }
        resources["Http"] = {"Type": "AWS::Serverless::HttpApi"}
        outputs["FunctionUrl"] = {"Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}}
    return yaml.safe_dump(sam_template(resources, alias_default="live", Outputs=outputs))


def stack_resources(cfn: Any, stack: str) -> dict[str, tuple[str, str]]:
    listed = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: (r["ResourceType"], r["PhysicalResourceId"]) for r in listed}


def test_an_api_event_deploys_its_rest_api_with_methods_and_integrations(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    cfn, apigw = sandbox.client("cloudformation"), sandbox.client("apigateway")
    stack = unique("api")
    made = cfn.create_stack(StackName=stack, TemplateBody=api_template("1"), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
    resources = stack_resources(cfn, stack)
    api_id = resources["ServerlessRestApi"][1]
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == stack  # SAM's Body says info.title: the stack's name
    found = apigw.get_resources(restApiId=api_id)["items"]
    methods = {r["path"]: sorted(r.get("resourceMethods", {})) for r in found}
    assert methods == {"/": [], "/health": ["ANY"], "/orders": [], "/orders/{id}": ["GET"]}
    order = next(r for r in found if r["path"] == "/orders/{id}")
    integration = apigw.get_integration(restApiId=api_id, resourceId=order["id"], httpMethod="GET")
    assert integration["type"] == "AWS_PROXY"
    assert integration["uri"].endswith(f":function:{resources['Fn'][1]}:live/invocations")
    # The deployment's physical id is its id (Ref gives it to the stage), the stage is listed.
    deployment = next(k for k, (t, _) in resources.items() if t == "AWS::ApiGateway::Deployment")
    deployments = apigw.get_deployments(restApiId=api_id)["items"]
    assert [d["id"] for d in deployments] == [resources[deployment][1]]
    assert resources["ServerlessRestApiProdStage"][0] == "AWS::ApiGateway::Stage"
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    assert outputs[0]["OutputValue"] == f"https://{api_id}.execute-api.amazonaws.com/"

    cfn.update_stack(StackName=stack, TemplateBody=api_template("2"), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert stack_resources(cfn, stack)["ServerlessRestApi"][1] == api_id  # updated in place
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/status", "/orders", "/orders/{id}"}  # /health gone, /status new
    # The inline code of the update is zipped as on create (moto took it for base64).
    answer = sandbox.client("lambda").invoke(FunctionName=resources["Fn"][1], Qualifier="live")
    assert json.loads(answer["Payload"].read()) == {"statusCode": 200, "body": "2"}
    cfn.delete_stack(StackName=stack)
    assert wait_for_stack(cfn, made["StackId"]) == "DELETE_COMPLETE"  # gone by name
    assert api_id not in [a["id"] for a in apigw.get_rest_apis()["items"]]


def test_types_nobody_emulates_are_listed_and_answer_getatt(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    cfn = sandbox.client("cloudformation")
    stack = unique("url")
    cfn.create_stack(
        StackName=stack, TemplateBody=api_template("1", extras=True), Capabilities=CAPS
    )
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
    resources = stack_resources(cfn, stack)
    assert resources["Url"][0] == "AWS::Lambda::Url"
    assert resources["Http"][0] == "AWS::ApiGatewayV2::Api"
    assert all(physical for _, physical in resources.values())
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert all(r["LogicalResourceId"] and r["ResourceType"] for r in listed)
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    assert outputs["FunctionUrl"]  # a placeholder, not a 500
    # An update that removes them completes, and they are gone from the stack.
    cfn.update_stack(StackName=stack, TemplateBody=api_template("2"), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert not {"Url", "Http"} & set(stack_resources(cfn, stack))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # Where YAML found the error, not where moto's JSON fallback did (line 1, column 1).
        ("Resources: {A: [", "Template format error: YAML not well-formed. (line 1, column 17)"),
        (
            "Resources:\n  A: !Ref x\n  B: : :\n",
            "Template format error: YAML not well-formed. (line 3",
        ),
        ('{"Resources": ', "Template format error: JSON not well-formed. (line 1, column"),
        ("just text", "Template format error: unsupported structure."),
        ("- a\n- b\n", "Template format error: unsupported structure."),
    ],
)
def test_a_malformed_template_is_a_validation_error(
    sandbox: Sandbox, unique: Callable[[str], str], body: str, message: str
) -> None:
    cfn = sandbox.client("cloudformation")
    for call in (
        lambda: cfn.create_stack(StackName=unique("bad"), TemplateBody=body),
        lambda: cfn.create_change_set(
            StackName=unique("bad"), ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=body
        ),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as exc:
            call()
        error = exc.value.response["Error"]
        assert (error["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ValidationError",
            400,
        )
        assert error["Message"].startswith(message), error["Message"]
