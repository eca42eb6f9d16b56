"""Running lambda-release's rules through cfn-lint's own engine.

``check`` and ``cfn-lint --append-rules`` therefore share everything: the
decoder, the rule classes, ``--ignore-checks`` prefixes and the template's
``Metadata: cfn-lint: config: ignore_checks`` (template-wide) or a resource's
``Metadata: cfn-lint: config: ignore_checks`` (that resource only). Only our
rules run: cfn-lint's own checks stay cfn-lint's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lambda_release.check import INSTALL_HINT
from lambda_release.check.environments import Options, set_options
from lambda_release.check.findings import Finding, severity_of
from lambda_release.errors import UsageError

PARSE_ERRORS = ("E0000",)  # cfn-lint: the template could not be decoded


def _cfnlint() -> Any:
    try:
        import cfnlint.config  # noqa: PLC0415 - optional dependency, imported on use
        import cfnlint.rules  # noqa: PLC0415
        import cfnlint.runner.template.runner  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            f"lambda-release check needs cfn-lint, which is not installed ({exc}): {INSTALL_HINT}"
        ) from exc
    return cfnlint


def run_rules(
    template: str | Path,
    *,
    ignore: Sequence[str] = (),
    options: Options | None = None,
    region: str = "us-east-1",
) -> list[Finding]:
    """Every finding of our rules on ``template``, sorted by position.

    Raises UsageError when the file is missing or cannot be decoded.
    """
    cfnlint = _cfnlint()
    path = Path(template)
    if not path.is_file():
        raise UsageError(f"template {str(template)!r} does not exist: give the path to a template")
    rules = cfnlint.rules.Rules.create_from_module("lambda_release.check.rules")
    config = cfnlint.config.ConfigMixIn(
        [], ignore_checks=list(ignore), include_checks=["I"], regions=[region]
    )
    set_options(options)
    try:
        matches = list(
            cfnlint.runner.template.runner.run_template_by_file_path(
                str(path), config, rules, False
            )
        )
    finally:
        set_options(None)
    parse = [m for m in matches if m.rule.id in PARSE_ERRORS]
    if parse:
        raise UsageError(
            f"cannot read template {path}: {parse[0].message} (line {parse[0].linenumber}); "
            "fix the YAML or JSON"
        )
    findings = [_finding(m) for m in matches]
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.rule))


def _finding(match: Any) -> Finding:
    # cfn-lint copies the RuleMatch's attributes (path, fix) onto the Match.
    path = getattr(match, "path", None) or []
    resource = str(path[1]) if len(path) >= 2 and path[0] == "Resources" else None
    return Finding(
        file=str(match.filename),
        line=int(match.linenumber),
        column=int(match.columnnumber),
        rule=str(match.rule.id),
        severity=severity_of(str(match.rule.id)),
        message=str(match.message),
        fix=str(getattr(match, "fix", "") or ""),
        resource=resource,
        end_line=int(match.linenumberend),
        end_column=int(match.columnnumberend),
    )
