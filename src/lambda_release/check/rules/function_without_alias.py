"""E9001: a function that publishes no alias is called at ``$LATEST``."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import LAMBDA_FUNCTION, SAM_FUNCTION, source_of


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
        aliased = _functions_with_plain_alias(src.resources.values())
        out: list[RuleMatch] = []
        for fn in src.of_type(SAM_FUNCTION):
            if fn.properties.get("AutoPublishAlias") in (None, ""):
                out.append(
                    report(
                        src,
                        fn,
                        None,
                        f"Function {fn.name} has no AutoPublishAlias: production would call "
                        "$LATEST",
                        "add 'AutoPublishAlias: !Ref AliasName' (a parameter listing your "
                        "aliases) so every deploy publishes a version behind an alias",
                    )
                )
        for fn in src.of_type(LAMBDA_FUNCTION):
            if fn.name not in aliased:
                out.append(
                    report(
                        src,
                        fn,
                        None,
                        f"Function {fn.name} has no AWS::Lambda::Alias: production would call "
                        "$LATEST",
                        "add an AWS::Lambda::Version and an AWS::Lambda::Alias for it (or use "
                        "AWS::Serverless::Function with AutoPublishAlias)",
                    )
                )
        return out


def _functions_with_plain_alias(resources: Any) -> set[str]:
    """Logical ids named (by !Ref or !GetAtt) in some AWS::Lambda::Alias's FunctionName."""
    names: set[str] = set()
    for r in resources:
        if r.type == "AWS::Lambda::Alias":
            target = r.properties.get("FunctionName")
            if isinstance(target, dict) and isinstance(target.get("Ref"), str):
                names.add(target["Ref"])
            elif isinstance(target, dict) and "Fn::GetAtt" in target:
                att = target["Fn::GetAtt"]
                names.add(str(att[0] if isinstance(att, list) else att).split(".")[0])
    return names
