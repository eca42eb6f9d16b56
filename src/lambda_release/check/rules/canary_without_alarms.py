"""E9005 / W9006: a canary or linear shift with no alarm never rolls back by itself."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.environments import (
    CONFIG_DEFINITION,
    Options,
    options_of,
    serves_production,
)
from lambda_release.check.preferences import has_alarms, is_enabled, is_gradual, preference
from lambda_release.check.render import as_template
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import SAM_FUNCTION, source_of

FIX = (
    "add 'Alarms: [!Ref ErrorsAlarm]' (a CloudWatch alarm on the alias's Errors) to the "
    "DeploymentPreference, so that CodeDeploy rolls back a bad release by itself"
)


def _unguarded(cfn: Any, production: bool, opts: Options) -> list[RuleMatch]:
    src = source_of(cfn)
    out: list[RuleMatch] = []
    for fn in src.of_type(SAM_FUNCTION):
        pref = preference(fn.properties)
        if pref is None or not is_enabled(pref) or has_alarms(pref):
            continue
        kind = pref.get("Type")
        if not is_gradual(kind):
            continue
        if serves_production(src, fn.properties.get("AutoPublishAlias"), opts) != production:
            continue
        where = "production" if production else "non-production"
        out.append(
            report(
                src,
                fn,
                "DeploymentPreference",
                f"Function {fn.name} shifts traffic ({as_template(kind)}) with no Alarms "
                f"in {where}: "
                "a bad release is never rolled back automatically",
                FIX,
            )
        )
    return out


class CanaryWithoutAlarmsInProduction(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "E9005"
    shortdesc = "Canary or Linear without Alarms (production)"
    description = (
        "A Canary or Linear DeploymentPreference without Alarms shifts traffic but never "
        "rolls back by itself; for production that is an error."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "deployment", "alarms"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = dict(CONFIG_DEFINITION)  # the environments: see there

    def match(self, cfn: Any) -> list[RuleMatch]:
        return _unguarded(cfn, production=True, opts=options_of(self.config))


class CanaryWithoutAlarms(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "W9006"
    shortdesc = "Canary or Linear without Alarms (non-production)"
    description = (
        "A Canary or Linear DeploymentPreference without Alarms, for an alias that is "
        "not production: the canary proves nothing."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "deployment", "alarms"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = dict(CONFIG_DEFINITION)  # the environments: see there

    def match(self, cfn: Any) -> list[RuleMatch]:
        return _unguarded(cfn, production=False, opts=options_of(self.config))
