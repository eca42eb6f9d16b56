"""I9011: a custom resource's function runs at ``$LATEST``: not release traffic, noted."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lambda_release.check.invocations import service_tokens
from lambda_release.check.rulebase import TAGS, docs_url, report
from lambda_release.check.source import source_of


class CustomResourceAtLatest(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint is untyped
    id = "I9011"
    shortdesc = "Custom resource calls its function at $LATEST"
    description = (
        "CloudFormation calls a custom resource's ServiceToken on stack create, update and "
        "delete, not on release traffic; at $LATEST it runs whatever code the stack holds, "
        "which is usually what a provider wants. Noted, never an error."
    )
    source_url = docs_url(id)
    tags: ClassVar[list[str]] = [*TAGS, "custom-resource", "latest"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        src = source_of(cfn)
        out: list[RuleMatch] = []
        for inv in service_tokens(src):
            if inv.ref.explicit_latest:
                continue  # E9010: $LATEST by name is always an error
            out.append(
                report(
                    src,
                    inv.resource,
                    "ServiceToken",
                    f"custom resource {inv.resource.name} calls {inv.ref.function} at $LATEST "
                    f"({inv.ref.how}) on stack operations: not release traffic",
                    "nothing to do for a provisioning function; if it must run a reviewed "
                    f"version, point ServiceToken at !Ref {inv.ref.function}.Alias",
                    where=inv.ref.where,
                )
            )
        return out
