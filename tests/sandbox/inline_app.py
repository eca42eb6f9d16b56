"""SAM templates with inline code, deployed with boto3 (no `sam build`): quick stacks."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tests.support.aws_state import wait_for_stack
from tests.support.templates import sam_template, serverless_function

# A lifecycle hook as AWS runs one: it reports to CodeDeploy with the ids from its event.
HOOK_CODE = """\
import os
import boto3

def handler(event, context):
    result = os.environ["HOOK_RESULT"]
    if result != "silent":
        boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status=result,
        )
"""


def inline_template(
    code_version: str,
    deployment_type: str = "Canary10Percent5Minutes",
    hooks: bool = False,
    alias: str = "live",
    hook_result: str = "Succeeded",
    routing: dict[str, Any] | None = None,
) -> str:
    """One function with AutoPublishAlias, a CodeDeploy preference and one alarm.

    `hooks`: PreTraffic and PostTraffic hooks that report `hook_result` to CodeDeploy
    (`silent`: they report nothing). `routing`: a custom deployment configuration's
    TrafficRoutingConfig, used instead of `deployment_type`.
    """
    code = f"VERSION = {code_version!r}\n\ndef handler(event, context):\n    return VERSION\n"
    preference: dict[str, Any] = {
        "Type": deployment_type,
        "Alarms": [{"Ref": "FnErrors"}],
    }
    resources: dict[str, Any] = {
        # The preference is filled in below (a custom configuration, hooks): passed as is.
        "Fn": serverless_function({"InlineCode": code}),
        "FnErrors": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            },
        },
    }
    if routing is not None:
        resources["FnConfig"] = {
            "Type": "AWS::CodeDeploy::DeploymentConfig",
            "Properties": {"ComputePlatform": "Lambda", "TrafficRoutingConfig": routing},
        }
        preference["Type"] = {"Ref": "FnConfig"}
    if hooks:
        for name in ("PreHook", "PostHook"):
            resources[name] = serverless_function(
                {"InlineCode": HOOK_CODE},
                alias=None,
                FunctionName={"Fn::Sub": f"CodeDeployHook_${{AWS::StackName}}{name}"},
                Environment={"Variables": {"HOOK_RESULT": hook_result}},
            )
        preference["Hooks"] = {"PreTraffic": {"Ref": "PreHook"}, "PostTraffic": {"Ref": "PostHook"}}
    resources["Fn"]["Properties"]["DeploymentPreference"] = preference
    template = sam_template(
        resources, alias_default=alias, Outputs={"FnName": {"Value": {"Ref": "Fn"}}}
    )
    return yaml.safe_dump(template, sort_keys=False)


def create_change_set(cfn: Any, stack: str, code_version: str = "1", **kwargs: Any) -> None:
    """The change set ``create`` of type CREATE, as sam makes it: the stack is
    REVIEW_IN_PROGRESS, without resources, until it is executed."""
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=inline_template(code_version, **kwargs),
        Capabilities=["CAPABILITY_IAM"],
    )


def create_stack(cfn: Any, stack: str, code_version: str = "1", **kwargs: Any) -> str:
    """Create through a change set, as sam does; returns the final status."""
    create_change_set(cfn, stack, code_version, **kwargs)
    cfn.execute_change_set(StackName=stack, ChangeSetName="create")
    return wait_for_stack(cfn, stack)


def start_update(cfn: Any, stack: str, code_version: str, **kwargs: Any) -> None:
    cfn.update_stack(
        StackName=stack,
        TemplateBody=inline_template(code_version, **kwargs),
        Capabilities=["CAPABILITY_IAM"],
    )


def output(cfn: Any, stack: str, key: str) -> str:
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs") or []
    for o in outputs:
        if o["OutputKey"] == key:
            return str(o["OutputValue"])
    raise KeyError(f"{key} not in outputs of {stack}: {json.dumps(outputs, default=str)}")
