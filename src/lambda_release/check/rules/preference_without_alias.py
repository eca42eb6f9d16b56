"""E9004: a DeploymentPreference with no AutoPublishAlias has nothing to shift."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.preferences import is_enabled
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, source_of


class PreferenceWithoutAlias(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9004"
    shortdesc = "DeploymentPreference without AutoPublishAlias"
    description = (
        "CodeDeploy shifts traffic between versions of an alias; without AutoPublishAlias "
        "there is no alias, and SAM rejects the template (unless the preference has "
        "Enabled: false)."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "deployment"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        return [
            report(
                src,
                fn,
                "DeploymentPreference",
                f"Function {fn.name} has a DeploymentPreference but no AutoPublishAlias",
                "add 'AutoPublishAlias: !Ref AliasName' to the function",
            )
            for fn in src.of_type(SAM_FUNCTION)
            if fn.properties.get("DeploymentPreference") is not None
            and fn.properties.get("AutoPublishAlias") in (None, "")
            and _enabled(fn.properties.get("DeploymentPreference"))
        ]


def _enabled(pref: Any) -> bool:
    """SAM asks for the alias only when the preference is enabled (``Enabled: false``, a
    hook function's usual preference, needs none; an expression may be true)."""
    return not isinstance(pref, Mapping) or is_enabled(pref)
