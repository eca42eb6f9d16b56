"""A function renamed in its template is a new function, as CloudFormation makes it.

AWS::Lambda::Function ``FunctionName``, and an alias's or a version's ``FunctionName``,
are "Update requires: Replacement": the new function is created, its version published
and its alias made on it, and the old function is deleted in the cleanup phase (kept when
the update rolls back). moto renamed nothing: the stack kept the old function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest
import yaml

from lambda_release.sandbox import Sandbox
from tests.support.aws_state import wait_for_stack

CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


def renamed_template(name: str, body: str, *, broken: bool = False) -> str:
    """A SAM function with an explicit name and an alias; ``broken`` adds a resource whose
    creation fails after the function was replaced (the update then rolls back)."""
    resources: dict[str, Any] = {
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "FunctionName": name,
                "InlineCode": f"def handler(event, context):\n    return {body!r}\n",
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "AutoPublishAlias": "live",
            },
        }
    }
    if broken:
        resources["Broken"] = {
            "Type": "AWS::CodeDeploy::DeploymentConfig",
            "DependsOn": ["FnAliaslive"],
            "Properties": {
                "ComputePlatform": "Lambda",
                "TrafficRoutingConfig": {"Type": "NoSuchRouting"},
            },
        }
    return yaml.safe_dump({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources})


def physical(cfn: Any, stack: str, lid: str) -> str:
    found = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=lid)
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def alias_on(lam: Any, function: str) -> tuple[str, str]:
    alias = lam.get_alias(FunctionName=function, Name="live")
    return str(alias["FunctionVersion"]), str(alias["AliasArn"])


def exists(lam: Any, function: str) -> bool:
    try:
        lam.get_function(FunctionName=function)
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return False
    return True


def created(sandbox: Sandbox, stack: str) -> tuple[Any, Any, str, str]:
    """The stack made with function ``<stack>-one``: (cfn, lambda, first name, second name)."""
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    first, second = f"{stack}-one", f"{stack}-two"
    cfn.create_stack(StackName=stack, TemplateBody=renamed_template(first, "a"), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
    return cfn, lam, first, second


def invoke(lam: Any, function: str) -> str:
    answer = lam.invoke(FunctionName=function, Qualifier="live")
    return str(answer["Payload"].read().decode()).strip('"')


def test_a_renamed_function_is_created_new_and_the_old_one_deleted(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    stack = unique("rename")
    cfn, lam, first, second = created(sandbox, stack)
    assert physical(cfn, stack, "Fn") == first and alias_on(lam, first)[0] == "1"

    cfn.update_stack(StackName=stack, TemplateBody=renamed_template(second, "b"), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert physical(cfn, stack, "Fn") == second
    version, arn = alias_on(lam, second)
    assert version == "1" and arn.endswith(f":function:{second}:live")
    assert physical(cfn, stack, "FnAliaslive") == arn
    assert invoke(lam, second) == "b"
    assert not exists(lam, first)  # deleted in the cleanup phase
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    fn_events = [
        (e["ResourceStatus"], e["PhysicalResourceId"], e.get("ResourceStatusReason", ""))
        for e in events
        if e["LogicalResourceId"] == "Fn"
    ]
    assert ("DELETE_COMPLETE", first, "") in fn_events
    assert any(
        status == "UPDATE_IN_PROGRESS" and "requires the creation of a new physical" in why
        for status, _, why in fn_events
    )


@pytest.mark.parametrize("policy", [None, "Retain"])
def test_a_failed_update_keeps_the_old_function_and_deletes_the_new_one(
    sandbox: Sandbox, unique: Callable[[str], str], policy: str | None
) -> None:
    stack = unique("renamefail")
    cfn, lam, first, second = created(sandbox, stack)
    body = renamed_template(second, "b", broken=True)
    if policy:  # UpdateReplacePolicy keeps a replaced resource, not one a rollback removes
        doc = yaml.safe_load(body)
        doc["Resources"]["Fn"]["UpdateReplacePolicy"] = policy
        body = yaml.safe_dump(doc)
    cfn.update_stack(StackName=stack, TemplateBody=body, Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert physical(cfn, stack, "Fn") == first
    assert alias_on(lam, first)[0] == "1" and invoke(lam, first) == "a"
    assert not exists(lam, second)


def test_a_renamed_function_with_update_replace_policy_retain_is_kept(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    stack = unique("renamekeep")
    cfn, lam, first, second = created(sandbox, stack)
    doc = yaml.safe_load(renamed_template(second, "b"))
    doc["Resources"]["Fn"]["UpdateReplacePolicy"] = "Retain"
    cfn.update_stack(StackName=stack, TemplateBody=yaml.safe_dump(doc), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert physical(cfn, stack, "Fn") == second
    assert exists(lam, first) and invoke(lam, first) == "a"  # retained, still serving
    assert invoke(lam, second) == "b"


def test_a_name_removed_is_replaced_by_a_generated_one_which_then_stays(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    """FunctionName removed: CloudFormation replaces the function with one named
    ``<stack>-<logical id>-<suffix>``; later updates keep that generated name."""
    stack = unique("unnamed")
    cfn, lam, first, _ = created(sandbox, stack)
    doc = yaml.safe_load(renamed_template(first, "b"))
    del doc["Resources"]["Fn"]["Properties"]["FunctionName"]
    cfn.update_stack(StackName=stack, TemplateBody=yaml.safe_dump(doc), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    generated = physical(cfn, stack, "Fn")
    assert generated.startswith(f"{stack}-Fn-") and generated != first
    assert alias_on(lam, generated)[0] == "1" and invoke(lam, generated) == "b"
    assert not exists(lam, first)

    doc["Resources"]["Fn"]["Properties"]["InlineCode"] = "def handler(e, c):\n    return 'c'\n"
    cfn.update_stack(StackName=stack, TemplateBody=yaml.safe_dump(doc), Capabilities=CAPS)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert physical(cfn, stack, "Fn") == generated  # updated in place, not renamed again
    assert alias_on(lam, generated)[0] == "2" and invoke(lam, generated) == "c"
