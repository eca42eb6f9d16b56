"""W9007: a DeploymentPreference Type that looks like a mistyped predefined one."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.preferences import likely_intended, preference
from lambda_release.check.render import quoted
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, key_location, source_of


class DeploymentTypeTypo(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "W9007"
    shortdesc = "DeploymentPreference Type looks mistyped"
    description = (
        "The Type is not one of SAM's predefined configurations but is close to one; "
        "CodeDeploy would look for a custom configuration of that name and fail the deploy."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "deployment"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        out: list[RuleMatch] = []
        for fn in src.of_type(SAM_FUNCTION):
            pref = preference(fn.properties)
            kind = pref.get("Type") if pref is not None else None
            if not isinstance(kind, str):
                continue
            intended = likely_intended(kind)
            if intended is None:
                continue
            out.append(
                report(
                    src,
                    fn,
                    "DeploymentPreference",
                    f"Function {fn.name}: DeploymentPreference Type {quoted(kind)} is not a "
                    f"predefined configuration; did you mean {intended}?",
                    f"write 'Type: {intended}' (or, for a custom CodeDeploy configuration, "
                    "disable W9007 on this resource)",
                    where=key_location(pref, "Type"),
                )
            )
        return out
