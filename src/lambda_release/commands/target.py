"""``lambda-release target``: work out environment, alias and stack from the branch."""

from __future__ import annotations

import argparse
import os

from lambda_release.ci_metadata import in_ci, local_branch
from lambda_release.context import Context
from lambda_release.output import format_rows
from lambda_release.target import (
    DEFAULT_PROD_ALIAS,
    DEFAULT_PRODUCTION_BRANCHES,
    DEFAULT_STAGING_ALIAS,
    resolve_target,
)

NAME = "target"
OUTPUTS: tuple[str, ...] = ("env", "json", "table", "text")
DESCRIPTION = """\
Work out where a release goes from the git branch: a production branch (main,
or any --production-branch pattern) releases to the production alias (PROD) and
stack <prefix>-prod; every other branch to STAGING and <prefix>-staging.

The branch is --branch, else $CIRCLE_BRANCH; run by hand outside CI, the
branch checked out here (git rev-parse --abbrev-ref HEAD; a detached HEAD is
an error). Every name is checked against AWS's rules before anything runs, and
a pipeline with no branch (a tag build) is an error: the target is never
guessed.

The default output is shell lines for $BASH_ENV, every value single-quoted so
that sourcing them can never run anything:
  export LAMBDA_RELEASE_ENVIRONMENT='prod'
  export LAMBDA_RELEASE_ALIAS='PROD'
  export LAMBDA_RELEASE_STACK='my-lambda-prod'
  export LAMBDA_RELEASE_BRANCH='main'
Later commands (deploy, rollback, status, ...) read these variables.
--output table shows them aligned, text as one tab-separated line, json as
an object.
"""
EXAMPLES = """\
examples:
  lambda-release target --stack-prefix my-lambda >> "$BASH_ENV"   # branch from CIRCLE_BRANCH
  lambda-release target --branch main --stack-prefix my-lambda --output json
  lambda-release target --branch release/2.1 --production-branch main \\
      --production-branch 'release/*' --stack-prefix my-lambda
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--branch",
        help="git branch (default: $CIRCLE_BRANCH; outside CI, the branch checked out here)",
    )
    p.add_argument(
        "--production-branch",
        action="append",
        metavar="PATTERN",
        help="branch or shell glob that releases to production; repeatable "
        f"(default: {', '.join(DEFAULT_PRODUCTION_BRANCHES)}; in the environment, "
        "separate patterns with spaces or commas)",
    )
    p.add_argument("--prod-alias", help=f"production alias (default: {DEFAULT_PROD_ALIAS})")
    p.add_argument("--staging-alias", help=f"staging alias (default: {DEFAULT_STAGING_ALIAS})")
    p.add_argument(
        "--environment",
        choices=("prod", "staging"),
        help="name the environment outright (tag builds have no branch); with a branch, "
        "the two must agree",
    )
    p.add_argument("--stack-prefix", help="stacks are PREFIX-prod and PREFIX-staging")
    p.add_argument("--prod-stack", help="explicit production stack name (beats --stack-prefix)")
    p.add_argument("--staging-stack", help="explicit staging stack name (beats --stack-prefix)")


def run(ctx: Context) -> int:
    s = ctx.settings
    output = ctx.output
    branch = s.get("branch")
    if branch is None and s.source("branch") is None:
        branch = os.environ.get("CIRCLE_BRANCH")
        if branch is None and not in_ci(os.environ) and s.get("environment") is None:
            branch = local_branch()  # by hand, in a checkout: the branch it is on
    target = resolve_target(
        branch,
        production_branches=s.get_list("production_branch", DEFAULT_PRODUCTION_BRANCHES),
        prod_alias=s.get("prod_alias", DEFAULT_PROD_ALIAS) or DEFAULT_PROD_ALIAS,
        staging_alias=s.get("staging_alias", DEFAULT_STAGING_ALIAS) or DEFAULT_STAGING_ALIAS,
        stack_prefix=s.get("stack_prefix"),
        prod_stack=s.get("prod_stack"),
        staging_stack=s.get("staging_stack"),
        environment=s.get("environment"),
    )
    if output == "json":
        print(target.as_json())
    elif output in ("table", "text"):
        headers = ("environment", "alias", "stack", "branch")
        row = (target.environment, target.alias, target.stack, target.branch or "-")
        print(format_rows(output, headers, [row]))
    else:
        print(target.as_env(), end="")
    return 0
