"""``lambda-release check``: static guardrails over a SAM or CloudFormation template."""

from __future__ import annotations

import argparse
from pathlib import Path

from lambda_release.check import require_cfnlint
from lambda_release.commands import check_fix
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_OK, UsageError
from lambda_release.output import info

NAME = "check"
SUMMARY = "check a SAM template for every path to $LATEST and unsafe release settings"
OUTPUTS: tuple[str, ...] = ("text", "json", "sarif")
DESCRIPTION = """\
Run lambda-release's template rules (cfn-lint rules E9xxx, W9xxx, I9xxx; see
docs/rules.md) over a SAM or CloudFormation template, YAML or JSON, with or
without a Transform line: functions without an alias, aliases or names fixed
in a template deployed to several environments, canaries without alarms,
mistyped deployment types, and every unqualified reference used as an
invocation target (each one calls $LATEST).

Environments come from --environments, else the template's
Metadata: {lambda-release: {environments: [prod, staging]}}, else the
parameter AutoPublishAlias refers to (two or more AllowedValues, e.g.
AliasName: [STAGING, PROD]). Production is the environment whose alias is
PROD (--prod-alias).

Disable a rule with --ignore-checks ID (a prefix such as W9 works, as in
cfn-lint), for the whole template with Metadata: {cfn-lint: {config:
{ignore_checks: [ID]}}}, or for one resource with the same Metadata on it.
The same rules load into cfn-lint itself:
  cfn-lint --append-rules lambda_release.check.rules --include-checks I template.yaml

With --fix, what has a mechanical fix is fixed in the file itself (YAML keeps
its comments, key order, quoting and short tags; JSON stays JSON); the rest is
left alone and listed. --fix --dry-run prints the unified diff, changes nothing.

Exit codes: 1 an error was found, 0 none (warnings and info do not fail),
2 the template is missing or unreadable.
"""
EXAMPLES = """\
examples:
  lambda-release check                                  # ./template.yaml
  lambda-release check template.yaml --environments prod,staging
  lambda-release check template.yaml --ignore-checks I9020 --output sarif > check.sarif
  lambda-release check --fix --dry-run                  # the diff --fix would apply
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "template", nargs="?", default=None, help="template file (default: template.yaml)"
    )
    p.add_argument(
        "--environments",
        metavar="ENV[,ENV...]",
        help="environments the template is deployed to (name, or name=ALIAS; the alias "
        "defaults to the name in upper case)",
    )
    p.add_argument("--prod-alias", help="the production alias (default: PROD)")
    p.add_argument(
        "--ignore-checks",
        action="append",
        metavar="ID",
        help="rule id or prefix to skip; repeatable or comma-separated",
    )
    check_fix.register(p)


def template_path(ctx: Context) -> Path:
    s = ctx.settings
    given = s.get("template") or s.get("template_file") or "template.yaml"
    return Path(given)


def run(ctx: Context) -> int:
    require_cfnlint()
    from lambda_release.check.engine import run_rules  # noqa: PLC0415 - needs cfn-lint
    from lambda_release.check.environments import Options, parse_environments  # noqa: PLC0415
    from lambda_release.check.formats import as_json, as_sarif, as_text  # noqa: PLC0415
    from lambda_release.check.rules import RULES  # noqa: PLC0415

    s = ctx.settings
    output = ctx.output
    path = template_path(ctx)
    envs = parse_environments(s.get_list("environments"))
    if any(not e.name or not e.alias for e in envs):
        raise UsageError(
            f"--environments {s.get('environments')!r}: write names such as prod,staging "
            "or prod=PROD,staging=STAGING"
        )
    options = Options(environments=envs, prod_alias=s.get("prod_alias"))
    ignore = [i for item in s.get_list("ignore_checks") for i in item.split(",") if i]
    if s.get_bool("fix"):
        return check_fix.run(path, options, ignore, output, s.get_bool("dry_run"))
    findings = run_rules(path, ignore=ignore, options=options)
    if output == "json":
        print(as_json(findings), end="")
    elif output == "sarif":
        print(as_sarif(findings, {r.id: r.shortdesc for r in RULES}), end="")
    else:
        print(as_text(findings), end="")
    errors = sum(f.severity == "error" for f in findings)
    info(
        f"lambda-release check: {path}: {errors} error(s), "
        f"{len(findings) - errors} warning(s) or note(s)"
    )
    return EXIT_FAILED if errors else EXIT_OK
