"""Running lambda-release's rules through cfn-lint's own engine.

``check`` and ``cfn-lint --append-rules`` therefore share everything: the
decoder, the rule classes, ``--ignore-checks`` prefixes and the template's
``Metadata: cfn-lint: config: ignore_checks`` (template-wide) or a resource's
``Metadata: cfn-lint: config: ignore_checks`` (that resource only). Only our
rules run: cfn-lint's own checks stay cfn-lint's job.

Two differences from plain cfn-lint, so that a template is analysed rather
than crashed on, and quickly: the file is decoded once and cfn-lint's
``Template`` gets only what it needs to run our rules (``skeleton``); and the
SAM transform is not run (the rules read the template as written, so a
transform that cfn-lint cannot run costs nothing).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lambda_release.check import INSTALL_HINT
from lambda_release.check.environments import Options, as_config
from lambda_release.check.findings import Finding, severity_of
from lambda_release.errors import LambdaReleaseError, UsageError

RULE_ERRORS = ("E0002",)  # cfn-lint: a rule raised (ours: a bug)
EXIT_INTERNAL = 3


class TemplateError(UsageError):
    """A template that is missing, unreadable or cannot be analysed (exit 2)."""


class RuleCrash(LambdaReleaseError):
    """One of our rules raised on a template: a bug in lambda-release (exit 3)."""

    exit_code = EXIT_INTERNAL


def _cfnlint() -> Any:
    try:
        import cfnlint.config  # noqa: PLC0415 - optional dependency, imported on use
        import cfnlint.decode  # noqa: PLC0415
        import cfnlint.rules  # noqa: PLC0415
        import cfnlint.rules.errors  # noqa: PLC0415
        import cfnlint.template  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            f"lambda-release check needs cfn-lint, which is not installed ({exc}): {INSTALL_HINT}"
        ) from exc
    return cfnlint


@functools.cache
def _rules(cfnlint: Any) -> Any:
    """The rules, loaded once per process, not once per file (their options are set by
    cfn-lint's configure() on every run, so nothing of one run stays for the next)."""
    rules = cfnlint.rules.Rules.create_from_module("lambda_release.check.rules")
    # cfn-lint reports a rule that raised as E0002, but only when E0002 is in the set.
    rules.register(cfnlint.rules.errors.RuleError())
    return rules


def run_rules(
    template: str | Path,
    *,
    ignore: Sequence[str] = (),
    options: Options | None = None,
    region: str = "us-east-1",
) -> list[Finding]:
    """Every finding of our rules on ``template``, sorted by position.

    Raises TemplateError (exit 2) when the file is missing, cannot be decoded or
    cannot be analysed, RuleCrash (exit 3) when one of our rules fails on it.
    """
    cfnlint = _cfnlint()
    path = Path(template)
    if not path.is_file():
        raise TemplateError(f"template {path} does not exist: give the path to a template")
    data, errors = _decode(cfnlint, path)
    if errors:
        first = errors[0]
        # "could not be parsed": the decoder failed on YAML it accepted (not a syntax error).
        hint = (
            "cfn-lint's decoder cannot read it"
            if "could not be parsed" in str(first.message)
            else "fix the YAML or JSON"
        )
        message = _one_line(first.message)
        if f"(line {first.linenumber})" not in message:  # cfn-lint's own may name it already
            message += f" (line {first.linenumber})"
        raise TemplateError(
            f"cannot read template {path}: {message}{_again(path, message)}; {hint}"
        )
    if not isinstance(data, Mapping) or not isinstance(data.get("Resources"), Mapping):
        raise TemplateError(
            f"cannot analyse template {path}: a template is a mapping with a 'Resources:' "
            "section of resources; is this file a CloudFormation or SAM template?"
        )
    from lambda_release.check.source import remember_source  # noqa: PLC0415 - needs cfn-lint

    remember_source(str(path), data)
    try:
        matches = _run(cfnlint, path, data, ignore, region, options)
    except LambdaReleaseError:
        raise
    except Exception as exc:  # cfn-lint's Template fails on what it cannot model
        raise TemplateError(
            f"cannot analyse template {path}: cfn-lint cannot model it "
            f"({type(exc).__name__}: {_one_line(exc)})"
        ) from exc
    crashed = [m for m in matches if m.rule.id in RULE_ERRORS]
    if crashed:
        raise RuleCrash(
            f"internal error on template {path}: {_one_line(crashed[0].message)}; "
            "please report it with the template"
        )
    findings = {_finding(m, path) for m in matches}
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.rule, f.message))


_DUPLICATE = re.compile(r"Duplicate found '([^']+)' \(line (\d+)\)")


def _again(path: Path, message: str) -> str:
    """For a duplicate key, where it is written the second time (cfn-lint names the first)."""
    m = _DUPLICATE.search(message)
    if m is None:
        return ""
    key, first = m.group(1), int(m.group(2))
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return ""
    if not 0 < first <= len(lines):
        return ""
    indent = len(lines[first - 1]) - len(lines[first - 1].lstrip())
    written = re.compile(rf"^\s{{{indent}}}(- )?['\"]?{re.escape(key)}['\"]?\s*:")
    for n in range(first + 1, len(lines) + 1):
        if written.match(lines[n - 1]):
            return f" and again at line {n}"
    return ""


def _decode(cfnlint: Any, path: Path) -> tuple[Any, list[Any]]:
    try:
        data, errors = cfnlint.decode.decode(str(path))
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise TemplateError(f"cannot read template {path}: {_one_line(exc)}") from exc
    return data, list(errors or [])


def _run(
    cfnlint: Any,
    path: Path,
    data: Any,
    ignore: Sequence[str],
    region: str,
    options: Options | None,
) -> list[Any]:
    rules = _rules(cfnlint)
    # The command's options reach the rules that declare them as cfn-lint's own
    # `--configure-rule` would (cfn-lint calls each rule's configure() on every run).
    configured = {} if options is None else as_config(options)
    config = cfnlint.config.ConfigMixIn(
        [],
        ignore_checks=list(ignore),
        include_checks=["I"],
        regions=[region],
        configure_rules={
            rule_id: configured
            for rule_id, rule in rules.data.items()
            if configured and set(configured) <= set(rule.config_definition)
        },
    )
    modelled = skeleton(data)
    config.set_template_args(modelled)  # the template's own ignore_checks
    cfn = cfnlint.template.Template(str(path), modelled, config.regions)
    directives = cfn.get_directives()
    out: list[Any] = []
    for match in rules.run(filename=str(path), cfn=cfn, config=config):
        rule_id = match.rule.id
        where = getattr(match, "path", None) or []
        if (
            rule_id in directives
            and len(where) >= 2
            and where[0] == "Resources"
            and where[1] in directives[rule_id]
        ):
            continue  # ignored by that resource's Metadata
        out.append(match)
    return out


def skeleton(data: Mapping[str, Any]) -> dict[str, Any]:
    """What cfn-lint's ``Template`` needs to run our rules: the template's own
    ``Metadata`` (``ignore_checks``) and each resource's type and ``Metadata``.

    The rules read the source file themselves, so cfn-lint need not model the
    rest: its ``Template`` costs a third of a 1 MB run when given everything, and
    fails on what it cannot model (empty sections, a condition named ``On``).
    Keys become strings: YAML 1.1 reads ``On:`` / ``Yes:`` as booleans, while
    CloudFormation names them as written.
    """
    out: dict[str, Any] = {}
    if isinstance(data.get("Metadata"), Mapping):
        out["Metadata"] = data["Metadata"]
    resources: dict[Any, Any] = {}
    for name, node in data["Resources"].items():
        if isinstance(node, Mapping) and isinstance(node.get("Type"), str):
            kept = {"Type": node["Type"]}
            if isinstance(node.get("Metadata"), Mapping):
                kept["Metadata"] = node["Metadata"]
            resources[name] = kept
    out["Resources"] = resources
    result: dict[str, Any] = _strings(out)
    return result


def _strings(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_key_text(k): _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())[:300]


def _finding(match: Any, path: Path) -> Finding:
    # cfn-lint copies the RuleMatch's attributes (path, fix) onto the Match.
    where = getattr(match, "path", None) or []
    resource = str(where[1]) if len(where) >= 2 and where[0] == "Resources" else None
    return Finding(
        file=str(match.filename or path),
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
