"""CloudFormation in the sandbox: SAM transform with parameters, update order, Outputs of
change-set stacks, template URLs on 127.0.0.1, retained versions, empty change sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.cloudformation import dependency_order
from tests.sandbox.inline_app import (
    create_stack,
    inline_template,
    output,
    start_update,
    wait_for_stack,
)
from tests.support.aws_state import alias_state, published_versions


def test_dependency_order_follows_refs_getatts_subs_and_depends_on() -> None:
    resources = {
        "Alias": {"Properties": {"FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]}}},
        "Version": {"Properties": {"FunctionName": {"Ref": "Fn"}}},
        "Fn": {"Properties": {"Role": {"Fn::Sub": "${Role.Arn}"}}},
        "Role": {"Properties": {}},
        "Last": {"DependsOn": "Alias", "Properties": {}},
    }
    order = dependency_order(resources)
    assert order.index("Role") < order.index("Fn") < order.index("Version") < order.index("Alias")
    assert order.index("Alias") < order.index("Last")


def test_sam_transform_uses_the_stack_parameters(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("params")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=inline_template("1"),
        Parameters=[{"ParameterKey": "AliasName", "ParameterValue": "STAGING"}],
        Capabilities=["CAPABILITY_IAM"],
    )
    changes = cfn.describe_change_set(StackName=stack, ChangeSetName="create")["Changes"]
    logical = {c["ResourceChange"]["LogicalResourceId"] for c in changes}
    assert "FnAliasSTAGING" in logical  # SAM names the alias after the parameter's value
    assert any(x.startswith("FnVersion") for x in logical)
    cfn.execute_change_set(StackName=stack, ChangeSetName="create")
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")  # Outputs exist for stacks made through change sets
    assert alias_state(lam, fn, "STAGING") == ("1", {})
    assert "Transform" in cfn.get_template(StackName=stack)["TemplateBody"]


def test_code_changes_before_the_new_version_is_published(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("order")
    create_stack(cfn, stack, "1", deployment_type="AllAtOnce")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2", deployment_type="AllAtOnce")
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert published_versions(lam, fn) == ["1", "2"]
    sha = {
        v: lam.get_function(FunctionName=fn, Qualifier=v)["Configuration"]["CodeSha256"]
        for v in ("1", "2", "$LATEST")
    }
    assert sha["1"] != sha["2"] == sha["$LATEST"]
    # The old version's resource left the template but is retained (DeletionPolicy: Retain).
    resources = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    versions = [r for r in resources if r["ResourceType"] == "AWS::Lambda::Version"]
    assert len(versions) == 1
    assert "1" in published_versions(lam, fn)


def test_an_unchanged_template_gives_an_empty_change_set(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stack = unique("empty")
    create_stack(cfn, stack, "1")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="again",
        ChangeSetType="UPDATE",
        TemplateBody=inline_template("1"),
        Capabilities=["CAPABILITY_IAM"],
    )
    described = cfn.describe_change_set(StackName=stack, ChangeSetName="again")
    assert described["Status"] == "FAILED"
    assert "didn't contain changes" in described["StatusReason"]


def test_template_url_on_127_0_0_1_is_read_path_style(
    sandbox: Sandbox, clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    s3 = sandbox.client("s3")
    bucket = unique("templates")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="t/template.yaml", Body=inline_template("1").encode())
    stack = unique("url")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateURL=f"{sandbox.endpoint_url}/{bucket}/t/template.yaml",
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="create")
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
