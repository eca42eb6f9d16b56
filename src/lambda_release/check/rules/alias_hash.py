"""I9020: per-environment properties that do not publish a new version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, SourceTemplate, source_of

# What SAM hashes by default to decide whether to publish a new version.
HASHED = frozenset({"CodeUri", "InlineCode", "ImageUri", "Environment", "MemorySize", "SnapStart"})
# Properties that never reach a version or say nothing about one (SAM makes the
# invoke config and the URL separate resources on the alias; concurrency limits and
# the role belong to the function, not to a version).
IGNORED = frozenset(
    {
        "EventInvokeConfig",
        "FunctionUrlConfig",
        "ReservedConcurrentExecutions",
        "PermissionsBoundary",
        "AssumeRolePolicyDocument",
        "RolePath",
        "CodeSigningConfigArn",
        "AutoPublishAlias",
        "AutoPublishAliasAllProperties",
        "AutoPublishCodeSha256",
        "DeploymentPreference",
        "Events",
        "FunctionName",
        "Tags",
        "ProvisionedConcurrencyConfig",
        "VersionDescription",
        "Policies",
        "Role",
    }
)
PSEUDO = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)


def varies(value: Any, src: SourceTemplate) -> bool:
    """Whether a value depends on a parameter, a condition or a mapping lookup."""
    if isinstance(value, list):
        return any(varies(v, src) for v in value)
    if not isinstance(value, Mapping):
        return False
    return any(_varies_here(key, inner, src) or varies(inner, src) for key, inner in value.items())


def _varies_here(key: Any, inner: Any, src: SourceTemplate) -> bool:
    if key in ("Fn::If", "Fn::FindInMap"):
        return True
    if key == "Ref":
        return isinstance(inner, str) and inner in src.parameters
    if key == "Fn::Sub":
        text = inner[0] if isinstance(inner, list) and inner else inner
        return isinstance(text, str) and any(
            f"${{{p}}}" in text for p in src.parameters if p not in PSEUDO
        )
    return False


class AliasHashMissesProperties(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "I9020"
    shortdesc = "Per-environment property that does not publish a new version"
    description = (
        "AutoPublishAlias publishes only when Code, Environment, MemorySize or SnapStart "
        "change. A property that differs per environment (Timeout, Layers, ...) reaches "
        "$LATEST but not the alias unless AutoPublishAliasAllProperties is true."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "versions"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        out: list[RuleMatch] = []
        for fn in src.of_type(SAM_FUNCTION):
            props = fn.properties
            if props.get("AutoPublishAlias") in (None, ""):
                continue
            all_props = props.get("AutoPublishAliasAllProperties")
            if all_props is True or str(all_props).lower() == "true":
                continue
            for name, value in props.items():
                if name in HASHED or name in IGNORED or not varies(value, src):
                    continue
                out.append(
                    report(
                        src,
                        fn,
                        name,
                        f"Function {fn.name}: {name} differs between environments but does "
                        "not publish a new version; the alias keeps the old value",
                        "set 'AutoPublishAliasAllProperties: true' on the function (then "
                        "every property change publishes a version)",
                    )
                )
        return out
