"""``lambda-release status``: what runs where, the stable versions, drift."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.release import Engine
from lambda_release.releaselog import LogLocation
from lambda_release.stack import LAMBDA_RATE
from lambda_release.status import stack_status, status_text

NAME = "status"
SUMMARY = "per function: aliases and weights, stable version, last release, drift"
OUTPUTS: tuple[str, ...] = ("text", "json")
DESCRIPTION = """\
Shows, per function of the stack, each alias with its version and routing
weights (a canary in progress), the stable version (<ALIAS>_STABLE), the last
release of the alias (when, commit, outcome), deployments in flight, and drift:
CloudFormation's recorded version for the alias versus the live one.

A release left pending by a killed job is settled on the way (use --no-settle
to only look). --output json follows the schema in docs/release-log.md.

Exit codes: 0 shown; 1 AWS failed; 2 bad input (no such stack).
"""
EXAMPLES = """\
examples:
  lambda-release status --stack my-lambda-prod
  lambda-release status --stack my-lambda-prod --alias PROD --output json
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p, alias_required=False)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    p.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        default=None,
        help="do not settle a release left pending by a killed job",
    )


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    stack = opts.stack_name(ctx)
    ctx.aws.check_credentials()
    alias = s.get("alias")
    rate = bounds.LAMBDA_RATE.value(s, LAMBDA_RATE)

    def make(name: str) -> Engine:
        return Engine(ctx.aws, stack, name, rate=rate)

    def location(eng: Engine) -> LogLocation | None:
        try:
            return opts.log_location(ctx, eng)
        except UsageError:
            return None

    data = stack_status(
        make,
        [alias] if alias else None,
        location,
        settle=s.get_bool("settle", True),
        progress=output.info,
    )
    if out == "json":
        output.print_json(data)
    else:
        print(status_text(data))
    return 0
