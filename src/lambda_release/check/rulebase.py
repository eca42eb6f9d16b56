"""What every lambda-release rule shares: where its documentation lives and how it reports.

The rule classes themselves live in ``rules/`` (one module each) and subclass
cfn-lint's ``CloudFormationLintRule`` directly, so that ``cfn-lint
--append-rules`` loads exactly them and nothing from here.
"""

from __future__ import annotations

from typing import Any

from cfnlint.rules import RuleMatch

from lambda_release.check.source import Resource, SourceTemplate

DOCS_URL = "https://github.com/lambda-release/lambda-release/blob/main/docs/rules.md"
TAGS = ["lambda-release", "lambda", "sam"]


def docs_url(rule_id: str) -> str:
    return f"{DOCS_URL}#{rule_id.lower()}"


def report(
    src: SourceTemplate,
    resource: Resource,
    prop: str | None,
    message: str,
    fix: str,
    where: Any = None,
) -> RuleMatch:
    """A finding on ``resource`` (at ``prop`` if given, or at ``where``), with a fix hint."""
    path: list[str | int] = ["Resources", resource.name]
    if prop is not None:
        path += ["Properties", prop]
    loc = where if where is not None else src.where(resource, prop)
    extra: dict[str, Any] = {"fix": fix}
    if loc is not None:
        extra["location"] = loc
    return RuleMatch(path, message, **extra)
