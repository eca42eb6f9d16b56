"""E9002: an alias fixed to one name in a template that serves several environments."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.environments import (
    CONFIG_DEFINITION,
    environments,
    is_multi_environment,
    options_of,
)
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, source_of


class FixedAliasAcrossEnvironments(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9002"
    shortdesc = "AutoPublishAlias fixed in a multi-environment template"
    description = (
        "The template is deployed to several environments but AutoPublishAlias names one "
        "alias, so every environment moves the same alias (staging releases become "
        "production's)."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "environments"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = dict(CONFIG_DEFINITION)  # the environments: see there

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        opts = options_of(self.config)
        if not is_multi_environment(src, opts):
            return []
        names = ", ".join(e.alias for e in environments(src, opts))
        out: list[RuleMatch] = []
        for fn in src.of_type(SAM_FUNCTION):
            alias = fn.properties.get("AutoPublishAlias")
            if isinstance(alias, str) and alias:
                out.append(
                    report(
                        src,
                        fn,
                        "AutoPublishAlias",
                        f"Function {fn.name} always publishes alias {alias} although the "
                        f"template serves {names}",
                        "add a parameter 'AliasName' with AllowedValues "
                        f"[{names}] and write 'AutoPublishAlias: !Ref AliasName'",
                    )
                )
        return out
