"""``lambda-release prune``: delete old published versions, never one still needed."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.aws.client import LAMBDA_RATE
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.observe.prune import PrunePlan, apply, plan_prune, summary_text
from lambda_release.settings import Settings

NAME = "prune"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Deletes old published versions of every function in the stack (Lambda's code
storage quota is 75 GB per region), keeping the N newest, and never one that:
an alias points at (its version or a routing weight, <ALIAS>_STABLE included);
is a stable version; a release in effect (or still pending) in the release log
names; the stack's current template references (a CloudFormation rollback would
need it); nor $LATEST. Every page of versions is read (Lambda pages at 50).
Refuses while the stack is updating or a deployment is in flight.

The release log is found as everywhere else: the stack's lambda-release:log
tag, else --log-bucket, else --s3-bucket.

--dry-run lists what would go and the bytes it frees (code size), and deletes
nothing.

Exit codes: 0 done (or nothing to do); 1 a deletion failed or the stack is
busy; 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release prune --stack my-lambda-prod --keep 10 --dry-run
  lambda-release prune --stack my-lambda-prod --keep 10 --output json
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_stack(p)
    bounds.add_option(p, bounds.KEEP, "keep the N newest published versions (required)")
    p.add_argument(
        "--log-bucket",
        metavar="S3URI",
        help="where the release log is (default: the stack's 'lambda-release:log' tag)",
    )
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    bounds.add_option(
        p, bounds.LAMBDA_RATE, "Lambda control-plane calls per second at most", LAMBDA_RATE
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="list what would be deleted and the bytes freed; delete nothing",
    )


def _keep(settings: Settings) -> int:
    found = bounds.KEEP.read(settings)
    if found is None:
        raise UsageError(
            "no --keep: say how many of the newest published versions to keep, e.g. --keep 10 "
            "(or set LAMBDA_RELEASE_KEEP)"
        )
    return int(found)


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    keep = _keep(s)
    rate = bounds.LAMBDA_RATE.value(s, LAMBDA_RATE)
    plan = plan_prune(
        ctx.aws,
        opts.stack_name(ctx),
        keep,
        log_bucket=s.get("log_bucket"),
        s3_bucket=s.get("s3_bucket"),
        rate=rate,
        progress=output.info,
    )
    plan.dry_run = s.get_bool("dry_run")
    if not plan.dry_run:
        apply(ctx.aws, plan, rate=rate)
    if out == "json":
        output.print_json(plan.as_json())
    elif out == "text":
        output.print_text(summary_rows(plan))
    else:
        print(summary_text(plan))
    return plan.exit_code


def summary_rows(plan: PrunePlan) -> list[tuple[str, ...]]:
    """``--output text``: one row per version acted on: function, version, what happened."""
    rows: list[tuple[str, ...]] = []
    for f in plan.functions:
        gone = [v.number for v in f.delete] if plan.dry_run else f.deleted
        verb = "would delete" if plan.dry_run else "deleted"
        rows.extend((f.logical_id, str(v), verb) for v in gone)
        rows.extend((f.logical_id, str(v), "in use") for v in f.refused)
        rows.extend((f.logical_id, str(v), "failed") for v in f.failed)
    return rows
