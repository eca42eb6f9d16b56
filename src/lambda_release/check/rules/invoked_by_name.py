"""W9012: a function passed by name or unqualified ARN to code that may invoke it."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.by_name import ByName, by_name
from lambda_release.check.invocations import alias_reference, unqualified_call
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SourceTemplate, source_of


def at(src: SourceTemplate, item: ByName, message: str, fix: str) -> RuleMatch:
    """A finding on the resource's property, or on an output (not a resource)."""
    if item.resource is not None:
        prop = item.place.split(".")[0]
        return report(src, item.resource, prop, message, fix, where=item.ref.where)
    extra: dict[str, Any] = {"fix": fix}
    if item.ref.where is not None:
        extra["location"] = item.ref.where
    return RuleMatch(item.place.split("."), message, **extra)


class InvokedByName(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "W9012"
    shortdesc = "Function passed by name to code that may invoke it"
    description = (
        "A function's name or unqualified ARN in another function's environment (one "
        "allowed to invoke functions), an SSM parameter or an exported output: the code "
        "that reads it cannot be seen here, and an SDK call with it invokes $LATEST."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "latest"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        out: list[RuleMatch] = []
        for item in by_name(src):
            if item.ref.explicit_latest:
                continue  # E9010: $LATEST by name is an error wherever it is written
            fn = item.ref.function
            known = fn in src.functions
            message = (
                f"{item.what} passes {fn} unqualified ({item.ref.how}): code that invokes it "
                f"with this value: {unqualified_call(src, fn) if known else 'it invokes $LATEST'}"
            )
            target = alias_reference(src, fn) if known else "the alias ARN"
            out.append(at(src, item, message, f"pass the alias ARN instead: {target}"))
        return out
