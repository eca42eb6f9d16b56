"""E9010: an invocation path that reaches ``$LATEST`` (unqualified, or ``$LATEST`` by name)."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.by_name import explicit_latest_elsewhere
from lambda_release.check.invocations import (
    Invocation,
    alias_reference,
    functions_without_alias,
    invocations,
    service_tokens,
    unqualified_call,
    version_reference,
)
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.rules.invoked_by_name import at
from lambda_release.check.source import SourceTemplate, source_of


def describe(src: SourceTemplate, inv: Invocation) -> tuple[str, str]:
    """The message and the fix for one path."""
    ref, res, kind = inv.ref, inv.resource, inv.path.kind
    known = ref.function in src.functions
    if inv.path.needs_version:
        target = version_reference(src, ref.function) if known else "a version ARN"
        return (
            f"{kind} {res.name} runs {ref.function} at $LATEST ({ref.how}): Lambda@Edge "
            "needs a published version",
            f"name a version: {target}",
        )
    if ref.explicit_latest:
        target = alias_reference(src, ref.function) if known else "an alias or a version"
        return (
            f"{kind} {res.name} names $LATEST explicitly ({ref.how}): it invokes "
            f"{ref.function}'s unpublished code",
            f"name an alias instead of $LATEST: {target}",
        )
    return (
        f"{kind} {res.name} targets {ref.function} unqualified ({ref.how}): "
        f"{unqualified_call(src, ref.function)}",
        f"target the alias instead: {alias_reference(src, ref.function)}",
    )


class UnqualifiedInvocationTarget(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9010"
    shortdesc = "Invocation path that reaches $LATEST"
    description = (
        "SAM rewires only a function's own Events to its alias. Any other resource through "
        "which AWS invokes a function (permission, event source mapping, URL, API, "
        "EventBridge, SNS, S3, Logs, Firehose, Cognito, Step Functions, AppSync, IoT, SES, "
        "Secrets Manager, Config, Lex, CodePipeline, CloudFront, ...) and names it by "
        "!GetAtt Fn.Arn, !Ref Fn or with an explicit :$LATEST invokes $LATEST."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "latest"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        # A path to a function with no alias at all is part of that function's E9001.
        folded = functions_without_alias(src)
        explicit_tokens = [i for i in service_tokens(src) if i.ref.explicit_latest]
        out: list[RuleMatch] = []
        for inv in [*invocations(src), *explicit_tokens]:
            if inv.ref.function in folded and not inv.ref.explicit_latest:
                continue
            message, fix = describe(src, inv)
            out.append(report(src, inv.resource, inv.prop, message, fix, where=inv.ref.where))
        for item in explicit_latest_elsewhere(src):
            known = item.ref.function in src.functions
            target = alias_reference(src, item.ref.function) if known else "an alias or version"
            message = (
                f"{item.what} names $LATEST explicitly ({item.ref.how}): whatever invokes it "
                f"runs {item.ref.function}'s unpublished code"
            )
            out.append(at(src, item, message, f"name an alias instead of $LATEST: {target}"))
        return out
