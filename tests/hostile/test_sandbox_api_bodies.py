"""Odd OpenAPI bodies given to the stand-in's REST API: each ends as a stack state, never a 500.

Deployed through a change set, as `sam deploy` does. A body AWS could not import (a path
with a space, an integration URI that is no ARN) fails the resource and rolls the stack
back; shapes the stand-in merely cannot read make an API with what it could read.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from lambda_release.sandbox import Sandbox
from tests.support.aws_state import wait_for_stack
from tests.support.waiting import wait_until


def deploy(sandbox: Sandbox, body: Any) -> tuple[str, str]:
    cfn = sandbox.client("cloudformation")
    stack = f"odd-{uuid.uuid4().hex[:8]}"
    props = {"Body": body}
    template = json.dumps(
        {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": props}}}
    )
    cfn.create_change_set(
        StackName=stack, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=template
    )
    # The change set is made in the background, as on AWS: wait for it (100 polls of 0.05 s
    # could end first on a loaded machine, and the set was executed unfinished).
    wait_until(
        lambda: (
            cfn.describe_change_set(StackName=stack, ChangeSetName="c")["Status"]
            in ("CREATE_COMPLETE", "FAILED")
        ),
        timeout=120,
        what="the change set",
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="c")
    return stack, wait_for_stack(cfn, stack)


@pytest.mark.parametrize(
    ("body", "titled"),
    [
        ({"info": "not a mapping", "paths": {"/a": {"post": {}}}}, False),
        ({"info": {"title": "t"}, "paths": ["not", "a", "mapping"]}, True),
        ({"info": {"title": "t"}, "paths": {"/a": {"get": ["not", "a", "mapping"]}}}, True),
        ({"info": {"title": "t"}, "paths": {"/a": "not a mapping", "/b": {"summary": "x"}}}, True),
        ("a string body", False),
        (None, False),
    ],
)
def test_a_body_the_stand_in_cannot_read_fully_still_makes_an_api(
    sandbox: Sandbox, body: Any, titled: bool
) -> None:
    stack, status = deploy(sandbox, body)
    assert status == "CREATE_COMPLETE"
    cfn = sandbox.client("cloudformation")
    (api,) = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    name = sandbox.client("apigateway").get_rest_api(restApiId=api["PhysicalResourceId"])["name"]
    # Named by the body's title, else (where AWS would refuse a nameless API) generated.
    assert name == "t" if titled else name.startswith(f"{stack}-Api-")


@pytest.mark.parametrize(
    "paths",
    [
        {"/a b": {"get": {}}},  # a path part API Gateway refuses
        {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": 5}}}},
    ],
)
def test_a_body_aws_would_refuse_fails_the_resource_and_rolls_back(
    sandbox: Sandbox, paths: dict[str, Any]
) -> None:
    _, status = deploy(sandbox, {"info": {"title": "t"}, "paths": paths})
    assert status == "ROLLBACK_COMPLETE"
