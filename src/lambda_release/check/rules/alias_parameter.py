"""E9003: the alias parameter does not allow every alias the template is deployed to."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.environments import (
    CONFIG_DEFINITION,
    alias_parameter,
    allowed_values,
    declared,
    options_of,
)
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, key_location, source_of


class AliasParameterMissesAlias(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9003"
    shortdesc = "Alias parameter's AllowedValues omit an alias in use"
    description = (
        "AutoPublishAlias comes from a parameter whose AllowedValues do not list every "
        "alias of the environments the template is deployed to: that deploy is refused, "
        "or (without AllowedValues) any typo silently creates a new alias."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "alias", "environments"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = dict(CONFIG_DEFINITION)  # the environments: see there

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        envs = declared(src, options_of(self.config))
        if not envs:
            return []
        wanted = [e.alias for e in envs]
        out: list[RuleMatch] = []
        reported: set[str] = set()
        for fn in src.of_type(SAM_FUNCTION):
            param = alias_parameter(fn.properties.get("AutoPublishAlias"))
            if param is None or param in reported or param not in src.parameters:
                continue
            values = allowed_values(src, param)
            missing = [a for a in wanted if values is None or a not in values]
            if not missing:
                continue
            reported.add(param)
            node = src.parameters[param]
            where = key_location(node, "AllowedValues") if values is not None else None
            what = (
                f"AllowedValues {values} omit {', '.join(missing)}"
                if values is not None
                else "has no AllowedValues"
            )
            out.append(
                report(
                    src,
                    fn,
                    "AutoPublishAlias",
                    f"Parameter {param} (the alias of {fn.name}) {what}; the template is "
                    f"deployed as {', '.join(wanted)}",
                    f"set AllowedValues of {param} to [{', '.join(wanted)}]",
                    where=where,
                )
            )
        return out
