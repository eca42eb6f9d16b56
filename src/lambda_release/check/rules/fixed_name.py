"""E9008: a fixed physical name in a template deployed as several stacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.environments import (
    CONFIG_DEFINITION,
    environments,
    is_multi_environment,
    options_of,
)
from lambda_release.check.render import quoted
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import source_of

# Resource type -> property holding a name unique per account and region.
NAMED_PROPERTIES = {
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Serverless::Api": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::SSM::Parameter": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::CodeDeploy::Application": "ApplicationName",
}

_SUB_VAR = re.compile(r"\$\{[^}!]")


def is_fixed(value: Any) -> bool:
    """A literal string, or an intrinsic that refers to nothing (``!Sub 'my-func'``)."""
    if isinstance(value, str):
        return True
    if isinstance(value, Mapping) and list(value.keys()) == ["Fn::Sub"]:
        text = value["Fn::Sub"]
        return isinstance(text, str) and not _SUB_VAR.search(text)
    return False


class FixedNameAcrossStacks(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9008"
    shortdesc = "Fixed physical name in a template deployed as several stacks"
    description = (
        "Each environment is its own stack in the same account and region; a fixed "
        "FunctionName (or another account-wide name) is owned by the first stack, and the "
        "second stack fails to create it."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "environments", "naming"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = dict(CONFIG_DEFINITION)  # the environments: see there

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        opts = options_of(self.config)
        if not is_multi_environment(src, opts):
            return []
        stacks = len(environments(src, opts))
        out: list[RuleMatch] = []
        for res in src.resources.values():
            prop = NAMED_PROPERTIES.get(res.type)
            if prop is None or not is_fixed(res.properties.get(prop)):
                continue
            value = res.properties[prop]
            shown = value if isinstance(value, str) else value["Fn::Sub"]
            out.append(
                report(
                    src,
                    res,
                    prop,
                    f"{res.name} has the fixed {prop} {quoted(shown)} but the template is deployed "
                    f"as {stacks} stacks: the second stack cannot create it",
                    f"remove {prop} (let CloudFormation name it) or make it differ per "
                    f"environment, e.g. !Sub {quoted(shown + '-${AWS::StackName}')}",
                )
            )
        return out
