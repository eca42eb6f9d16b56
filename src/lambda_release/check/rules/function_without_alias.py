"""E9001: a function that publishes no alias is called at ``$LATEST``.

The paths that invoke it unqualified are part of this finding (one root cause),
with a fix in the order that works: the alias first, then the paths.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.invocations import (
    functions_without_alias,
    invocations,
    provisioning_only,
    unqualified_call,
)
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, source_of


class FunctionWithoutAlias(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9001"
    shortdesc = "Function without AutoPublishAlias"
    description = (
        "A function with no alias is only reachable unqualified, so production would "
        "invoke $LATEST: no version to name, nothing to roll back to."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        provisioning = provisioning_only(src)
        paths = [i for i in invocations(src) if not i.ref.explicit_latest]
        out: list[RuleMatch] = []
        for fn in functions_without_alias(src).values():
            if fn.name in provisioning:
                continue  # a custom resource provider (I9011) or a CodeDeploy hook
            callers = [i for i in paths if i.ref.function == fn.name]
            sam = fn.type == SAM_FUNCTION
            missing = "AutoPublishAlias" if sam else "AWS::Lambda::Alias"
            add = (
                "add 'AutoPublishAlias: !Ref AliasName' (a parameter listing your aliases) "
                "so every deploy publishes a version behind an alias"
                if sam
                else f"add an AWS::Lambda::Version and an AWS::Lambda::Alias ({fn.name}Alias) "
                "for it, or use AWS::Serverless::Function with AutoPublishAlias"
            )
            message = f"Function {fn.name} has no {missing}: {_consequence(src, fn.name)}"
            fix = add
            if callers:
                named = ", ".join(sorted({i.resource.name for i in callers}))
                message += f"; {len(callers)} invocation path(s) name it unqualified: {named}"
                alias = f"!Ref {fn.name}.Alias" if sam else f"!Ref {fn.name}Alias"
                fix = f"first {add}; then point {named} at the alias ({alias})"
            out.append(report(src, fn, None, message, fix))
        return out


def _consequence(src: Any, function: str) -> str:
    call = unqualified_call(src, function)
    if call.startswith("Lambda refuses"):
        return "every unqualified call is refused (a durable function needs a version or alias)"
    if "$LATEST.PUBLISHED" in call:
        return "production would call $LATEST.PUBLISHED, the last version published"
    return "production would call $LATEST"
