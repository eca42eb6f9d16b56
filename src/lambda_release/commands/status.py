"""``lambda-release status``: what runs where, the stable versions, drift."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.aws.client import LAMBDA_RATE
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.log.location import LogLocation
from lambda_release.release.stack_alias import StackAlias

NAME = "status"
# The alias a status of every alias reads the stack with (observe.status.stack_status).
STATUS_ALIAS = "STATUS"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Shows, per function of the stack, each alias with its version and routing
weights (a canary in progress), the stable version (<ALIAS>_STABLE), the last
release of the alias (when, commit, outcome), deployments in flight, and drift:
CloudFormation's recorded version for the alias versus the live one, and
whether the next deploy realigns it. Functions the alias is not on (a template
removed it) are listed too, with the way to add it back.

It says what would refuse the next deploy, in the pre-flight's words (an alarm
in ALARM, a deployment in flight, the stack updating, the lease held, drift
nothing explains; with --deploy-window and --block-on-alarm, as deploy is given
them, the window closed and those alarms in ALARM), and what the next deploy
does first (settle a pending release, realign drift a rollback explains). The
last release's bake is shown: baked, rolled back by it, or begun and never
ended (un-baked).

status only reads: a release left pending by a killed job is shown as pending
(`lambda-release record` settles it). --output json follows the schema in
docs/release-log.md.

Exit codes: 0 shown; 1 AWS failed or the release log could not be read; 2 bad
input (no such stack).
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
        help="accepted for older scripts: status never settles (run `record` to settle)",
    )
    opts.add_blockers(p)


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    stack = opts.stack_name(ctx)
    ctx.aws.check_credentials()
    alias = s.get("alias")
    rate = bounds.LAMBDA_RATE.value(s, LAMBDA_RATE)

    # The stack is read before what reads its answer is imported (issue 30: start-up to
    # the first AWS call); the engine that read it is the first one handed out.
    ahead = [StackAlias(ctx.aws, stack, alias or STATUS_ALIAS, rate=rate)]
    ahead[0].info()
    # After the first call: what reads the answer.
    from lambda_release.observe.status import (  # noqa: PLC0415
        stack_status,
        status_rows,
        status_text,
    )
    from lambda_release.release.blockers import blockers_now  # noqa: PLC0415

    def make(name: str) -> StackAlias:
        if ahead and ahead[0].alias == name:
            return ahead.pop()
        return StackAlias(ctx.aws, stack, name, rate=rate)

    def location(engine: StackAlias) -> LogLocation | None:
        try:
            return opts.log_location(ctx, engine)
        except UsageError:
            return None

    blockers = opts.blockers(ctx)
    data = stack_status(
        make,
        [alias] if alias else None,
        location,
    )
    if blockers.windows or blockers.block_on_alarm:
        # The deploy windows and --block-on-alarm alarms in force now, in deploy's words.
        found = blockers_now(blockers, make(alias or STATUS_ALIAS).client("cloudwatch"))
        data["blockers"] += found.problems
    if out == "json":
        output.print_json(data)
    elif out == "text":
        output.print_text(status_rows(data))
    else:
        print(status_text(data))
    unreadable = [a["log_error"] for a in data["aliases"] if a.get("log_error")]
    for problem in unreadable:
        output.info(f"lambda-release status: error: release log unreadable: {problem}")
    return 1 if unreadable else 0
