"""E9010: an invocation target that names the function without a qualifier (``$LATEST``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.refs import UnqualifiedRef, find_unqualified
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import Resource, SourceTemplate, source_of

# Resource type -> (what it is, properties that name invocation targets).
TARGET_PROPERTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AWS::Lambda::EventSourceMapping": ("event source mapping", ("FunctionName",)),
    "AWS::Lambda::Permission": ("permission", ("FunctionName",)),
    "AWS::ApiGateway::Method": ("API Gateway integration", ("Integration",)),
    "AWS::ApiGatewayV2::Integration": ("HTTP API integration", ("IntegrationUri",)),
    "AWS::ApiGateway::Authorizer": ("API Gateway authorizer", ("AuthorizerUri",)),
    "AWS::ApiGatewayV2::Authorizer": ("HTTP API authorizer", ("AuthorizerUri",)),
    "AWS::Serverless::Api": ("API definition", ("DefinitionBody",)),
    "AWS::Serverless::HttpApi": ("HTTP API definition", ("DefinitionBody",)),
    "AWS::Events::Rule": ("EventBridge target", ("Targets",)),
    "AWS::Scheduler::Schedule": ("schedule target", ("Target",)),
    "AWS::SNS::Subscription": ("SNS subscription", ("Endpoint",)),
    "AWS::SNS::Topic": ("SNS subscription", ("Subscription",)),
    "AWS::S3::Bucket": ("S3 notification", ("NotificationConfiguration",)),
    "AWS::StepFunctions::StateMachine": (
        "Step Functions definition",
        ("Definition", "DefinitionString", "DefinitionSubstitutions"),
    ),
    "AWS::Serverless::StateMachine": (
        "Step Functions definition",
        ("Definition", "DefinitionSubstitutions"),
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("ALB target group", ("Targets",)),
    "AWS::Lambda::EventInvokeConfig": ("event invoke config", ("FunctionName",)),
}


def _function_url_refs(res: Resource, src: SourceTemplate) -> Iterator[UnqualifiedRef]:
    if res.properties.get("Qualifier") in (None, ""):
        yield from find_unqualified(res.properties.get("TargetFunctionArn"), src)


def _refs(res: Resource, src: SourceTemplate) -> Iterator[tuple[str, UnqualifiedRef]]:
    if res.type == "AWS::Lambda::Url":
        for ref in _function_url_refs(res, src):
            yield "TargetFunctionArn", ref
        return
    if res.type == "AWS::Lambda::EventInvokeConfig":
        return  # Qualifier is required there; $LATEST is named explicitly
    spec = TARGET_PROPERTIES.get(res.type)
    if spec is None:
        return
    for prop in spec[1]:
        value = res.properties.get(prop)
        if value is None:
            continue
        # A bare name only counts where a function name is expected; ARNs always do.
        for ref in find_unqualified(value, src, literal_names=prop == "FunctionName"):
            yield prop, ref


def _kind(res: Resource) -> str:
    if res.type == "AWS::Lambda::Url":
        return "function URL"
    return TARGET_PROPERTIES[res.type][0]


class UnqualifiedInvocationTarget(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9010"
    shortdesc = "Unqualified function reference as an invocation target"
    description = (
        "SAM rewires only a function's own Events to its alias. A hand-written event "
        "source mapping, permission, function URL, API integration, EventBridge or "
        "schedule target, SNS subscription, S3 notification, Step Functions definition or "
        "ALB target group that uses !GetAtt Fn.Arn or !Ref Fn invokes $LATEST."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "latest"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        out: list[RuleMatch] = []
        for res in src.resources.values():
            for prop, ref in _refs(res, src):
                out.append(
                    report(
                        src,
                        res,
                        prop,
                        f"{_kind(res)} {res.name} targets {ref.function} unqualified "
                        f"({ref.how}): it invokes $LATEST",
                        f"target the alias instead: !Ref {ref.function}.Alias (SAM), or "
                        f"!Sub '${{{ref.function}.Arn}}:${{AliasName}}'",
                        where=ref.where,
                    )
                )
        return out
