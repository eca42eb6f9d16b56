"""``lambda-release check``: static guardrails over a SAM or CloudFormation template."""

from __future__ import annotations

import argparse
import sys

from lambda_release.check import require_cfnlint
from lambda_release.check.environments import (
    DEFAULT_PRODUCTION_ALIASES,
    Options,
    parse_environments,
    split_words,
)
from lambda_release.check.targets import expand
from lambda_release.commands import check_fix
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.output import info

NAME = "check"
OUTPUTS: tuple[str, ...] = ("table", "text", "json", "sarif")
DESCRIPTION = """\
Run lambda-release's template rules (cfn-lint rules E9xxx, W9xxx, I9xxx; see
docs/rules.md) over SAM or CloudFormation templates, YAML or JSON, with or
without a Transform line: functions without an alias, aliases or names fixed
in a template deployed to several environments, canaries without alarms,
mistyped deployment types, and every unqualified or $LATEST reference that an
AWS service invokes (each one calls $LATEST).

TEMPLATE is a file, a directory (searched for templates) or a quoted glob
pattern ('stacks/**/*.yaml'); give as many as you like: one run checks them all.

Environments come from --environments, else the template's
Metadata: {lambda-release: {environments: [prod, staging]}}, else the
parameter AutoPublishAlias refers to (two or more AllowedValues, e.g.
AliasName: [STAGING, PROD]). Production is the environment whose alias is a
production alias: PROD, Production, live or prod unless --production-alias
names others.

Disable a rule with --ignore-checks ID (a prefix such as W9 works, as in
cfn-lint), for the whole template with Metadata: {cfn-lint: {config:
{ignore_checks: [ID]}}}, or for one resource with the same Metadata on it.
The same rules load into cfn-lint itself (-- ends the options, since
--append-rules and --include-checks take several values):
  cfn-lint --append-rules lambda_release.check.rules --include-checks I -- template.yaml

With --fix, what has a mechanical fix is fixed in the file itself (YAML keeps
its comments, key order, quoting and short tags; JSON stays JSON); the rest is
left alone and listed. --fix --dry-run prints the unified diff, changes nothing.

Output (--output): table (default: one line per finding and its fix), text
(one tab-separated line per finding: file, line, column, severity, rule,
message, fix), json (a list of findings) or sarif (SARIF 2.1.0, for code
scanning).

Exit codes: 0 no error found (warnings and info do not fail), 1 an error was
found, 2 bad input: a template missing, unreadable or that cannot be analysed
(one line naming it and why; the other templates are still checked),
3 internal error.
"""
EXAMPLES = """\
examples:
  lambda-release check                                  # ./template.yaml
  lambda-release check template.yaml --environments prod,staging
  lambda-release check stacks/ 'services/**/template.yaml'
  lambda-release check template.yaml --production-alias LIVE --production-alias Prod
  lambda-release check template.yaml --ignore-checks I9020 --output sarif > check.sarif
  lambda-release check --fix --dry-run                  # the diff --fix would apply
  lambda-release check --group lambda-release.group.yml # a group file (docs/waves.md)
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "template",
        nargs="*",
        metavar="TEMPLATE",
        help="template files, directories or quoted glob patterns (default: template.yaml)",
    )
    p.add_argument(
        "-t",
        "--template-file",
        action="append",
        metavar="TEMPLATE",
        help="SAM's spelling of a TEMPLATE argument; repeatable",
    )
    p.add_argument(
        "--environments",
        metavar="ENV[,ENV...]",
        help="environments the template is deployed to (name, or name=ALIAS; the alias "
        "defaults to the name in upper case)",
    )
    p.add_argument(
        "--production-alias",
        action="append",
        metavar="ALIAS",
        help="an alias that is production; repeatable or comma-separated "
        f"(default: {', '.join(DEFAULT_PRODUCTION_ALIASES)})",
    )
    p.add_argument(
        "--prod-alias", action="append", metavar="ALIAS", help="same as --production-alias"
    )
    p.add_argument(
        "--ignore-checks",
        action="append",
        metavar="ID",
        help="rule id or prefix to skip; repeatable or comma-separated",
    )
    p.add_argument(
        "--group",
        metavar="FILE",
        help="check a group file (release waves) against its JSON schema instead of templates",
    )
    check_fix.register(p)


def template_arguments(ctx: Context) -> list[str]:
    s = ctx.settings
    # -t may repeat; from the environment or samconfig it is one path (spaces and all).
    if s.source("template_file") == "flag":
        named = [str(t) for t in s.raw("template_file")]
    else:
        named = [t] if (t := s.get("template_file")) else []
    given = [*s.get_list("template"), *named] or ["template.yaml"]
    return [str(g) for g in given]


def options_from(ctx: Context) -> Options:
    s = ctx.settings
    envs = parse_environments(s.get_list("environments"))
    if any(not e.name or not e.alias for e in envs):
        raise UsageError(
            f"--environments {s.get('environments')!r}: write names such as prod,staging "
            "or prod=PROD,staging=STAGING"
        )
    aliases = split_words([*s.get_list("production_alias"), *s.get_list("prod_alias")])
    return Options(environments=envs, production_aliases=aliases)


def run(ctx: Context) -> int:
    if ctx.settings.source("group") == "flag":  # never from the environment: a flag's mode
        return check_group(ctx)
    require_cfnlint()
    from lambda_release.check.batch import check_all  # noqa: PLC0415 - needs cfn-lint
    from lambda_release.check.formats import as_json, as_sarif, as_text, as_tsv  # noqa: PLC0415
    from lambda_release.check.rules import RULES  # noqa: PLC0415

    options = options_from(ctx)
    ignore = [i for item in ctx.settings.get_list("ignore_checks") for i in item.split(",") if i]
    paths = expand(template_arguments(ctx))
    if ctx.settings.get_bool("fix"):
        return check_fix.run_all(
            paths, options, ignore, ctx.output, ctx.settings.get_bool("dry_run")
        )
    result = check_all(paths, ignore=ignore, options=options)
    for problem in result.problems:
        print(f"lambda-release check: error: {problem.message}", file=sys.stderr)
    if ctx.output == "json":
        print(as_json(result.findings), end="")
    elif ctx.output == "text":
        print(as_tsv(result.findings), end="")
    elif ctx.output == "sarif":
        descriptions = {r.id: r.shortdesc for r in RULES}
        print(as_sarif(result.findings, descriptions, result.problems), end="")
    else:
        print(as_text(result.findings), end="")
    errors = result.errors
    where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} templates"
    unchecked = f", {len(result.problems)} not checked" if result.problems else ""
    info(
        f"lambda-release check: {where}: {errors} error(s), "
        f"{len(result.findings) - errors} warning(s) or note(s){unchecked}"
    )
    return result.exit_code


def check_group(ctx: Context) -> int:
    """A group file against ``group/schema.json`` (each problem with its path), then the
    rules no schema says (wave names unique, each target once): exit 2 naming each."""
    from pathlib import Path  # noqa: PLC0415 - only this path needs them

    from lambda_release.group.model import build, problems, templates_outside  # noqa: PLC0415
    from lambda_release.group.schema_check import read_yaml, schema_problems  # noqa: PLC0415

    path = Path(str(ctx.settings.get("group")))
    data = read_yaml(path)
    found = schema_problems(data) or problems(data)
    if not found:
        gf = build(path, data)
        found += templates_outside(gf)
        for alias in dict.fromkeys([gf.alias or "PROD", "STAGING"]):
            try:
                gf.members(alias)
            except UsageError as exc:
                found.append(str(exc))
    for problem in found:
        print(f"lambda-release check: {path}: {problem}", file=sys.stderr)
    if found:
        raise UsageError(f"group file {str(path)!r}: {len(found)} problem(s), each listed above")
    targets = sum(len(w.targets) for w in gf.waves)
    print(f"{path}: group {gf.group}: {len(gf.waves)} wave(s), {targets} target(s): valid")
    return 0
