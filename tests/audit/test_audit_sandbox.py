"""audit on a stack deployed to the project's sandbox (SAM transform applied by the stand-in).

The stack has an event source mapping and a permission on the unqualified
function, and the same two on its alias; audit must report exactly the
unqualified ones.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml

from lambda_release.sandbox import Sandbox
from tests.support.processes import Cli
from tests.support.templates import sam_template, serverless_function


def template(alias_permission_in_template: bool) -> str:
    resources: dict[str, Any] = {
        "Fn": serverless_function(
            {"InlineCode": "def handler(event, context):\n    return 1\n"}, alias="PROD"
        ),
        "Queue": {"Type": "AWS::SQS::Queue"},
        "UnqualifiedMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
            },
        },
        "AliasMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                "FunctionName": {"Ref": "FnAliasPROD"},
            },
        },
        "UnqualifiedPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "Fn"},
                "Principal": "sns.amazonaws.com",
            },
        },
    }
    if alias_permission_in_template:
        resources["AliasPermission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "FnAliasPROD"},
                "Principal": "events.amazonaws.com",
            },
        }
    return yaml.safe_dump(sam_template(resources), sort_keys=False)


def deploy(sandbox: Sandbox, alias_permission_in_template: bool) -> tuple[str, dict[str, str]]:
    """Create the stack through a change set, as sam deploy does; returns (stack, ids)."""
    stack = f"audit-{uuid.uuid4().hex[:8]}"
    cfn = sandbox.client("cloudformation")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=template(alias_permission_in_template),
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="create")
    waiter = cfn.get_waiter("stack_create_complete")
    waiter.wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    ids = {
        str(r["LogicalResourceId"]): str(r.get("PhysicalResourceId") or "")
        for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    }
    return stack, ids


def audit(audit_lr: Cli, stack: str) -> tuple[int, dict[str, Any]]:
    proc = audit_lr("audit", "--stack", stack, "--alias", "PROD", "--output", "json")
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def unqualified_statements(sandbox: Sandbox, function: str) -> set[str]:
    policy = json.loads(sandbox.client("lambda").get_policy(FunctionName=function)["Policy"])
    return {
        str(s["Sid"]) for s in policy["Statement"] if str(s["Resource"]).endswith(f":{function}")
    }


def test_audit_reports_exactly_the_unqualified_mapping_and_permission(
    sandbox: Sandbox, audit_lr: Cli
) -> None:
    stack, ids = deploy(sandbox, alias_permission_in_template=False)
    function = ids["Fn"]
    # The alias's permission, granted as Lambda's API grants it (Qualifier=PROD).
    sandbox.client("lambda").add_permission(
        FunctionName=function,
        StatementId="events-on-alias",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        Qualifier="PROD",
    )
    (unqualified_sid,) = unqualified_statements(sandbox, function)

    code, report = audit(audit_lr, stack)

    assert code == 1
    assert list(report["functions"]) == [function]
    found = {(p["kind"], p["source"]) for p in report["paths_to_latest"]}
    assert found == {
        ("event-source-mapping", ids["UnqualifiedMapping"]),
        ("policy", unqualified_sid),
    }
    assert ids["AliasMapping"] not in {p["source"] for p in report["paths_to_latest"]}
    assert report["without_alias"] == []


def test_alias_permission_declared_in_the_template_is_not_reported(
    sandbox: Sandbox, audit_lr: Cli
) -> None:
    stack, _ = deploy(sandbox, alias_permission_in_template=True)
    code, report = audit(audit_lr, stack)
    assert code == 1
    kinds = sorted(p["kind"] for p in report["paths_to_latest"])
    assert kinds == ["event-source-mapping", "policy"]
