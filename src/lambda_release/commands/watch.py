"""``lambda-release watch``: follow a stack's CodeDeploy deployments until they end."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.observe.progress import (
    PROGRESS_MODES,
    DeploymentView,
    choose_renderer,
    human_status,
)
from lambda_release.observe.watch import watch

NAME = "watch"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Follows the CodeDeploy deployments of the stack's functions (one per function,
in parallel) until they end: per function the traffic share on the new
version, the time left in the current traffic step, the state of each alarm of
its deployment group, and the outcome (naming the alarm that fired).

Progress goes to stderr: in a terminal the bars are redrawn; in CI (no
terminal, or CI set) one line per change and a heartbeat line at least once a
minute (CircleCI kills a step that is silent for 10 minutes). The result goes
to stdout (--output json for machines).

--output json also carries the timeline of what it saw (each traffic reading,
each alarm change with CloudWatch's reason): save it and pass it to `record
--timeline-file` to keep it in the release's settlement (`report` draws it).

With nothing in flight it waits --start-timeout seconds for a deployment to
start (default 0: report and exit 0). `deploy` shows the same progress itself
while sam deploy waits on the canary. At the end, stdout gets the outcome: a
table (--output table), tab-separated lines (text) or JSON.

Exit codes: 0 every deployment succeeded (or none was in flight); 1 one failed,
was stopped or rolled back (the alarm that fired is named); 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release watch --stack my-lambda-prod --alias PROD
  lambda-release watch --stack my-lambda-prod --alias PROD --start-timeout 120 --progress plain
  lambda-release watch --output json | jq '.deployments[].status'
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    bounds.add_option(
        p,
        bounds.START_TIMEOUT,
        "wait this long for a deployment to start when none is in flight",
        0.0,
        old=("--wait",),
    )
    bounds.add_option(
        p,
        bounds.DEPLOYMENT_TIMEOUT,
        "give up (exit 1) when deployments are still in flight after this long",
        3600.0,
        old=("--timeout",),
    )
    bounds.add_option(p, bounds.POLL_INTERVAL, "seconds between reads", 2.0)
    p.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        help="tty: redraw bars; plain: a line per change; auto (default): plain in CI "
        "or without a terminal",
    )
    bounds.add_option(
        p,
        bounds.MINUTE,
        "real seconds per deployment minute, for time left (an emulator's compressed clock, "
        "e.g. the sandbox's --minute)",
        60.0,
    )


def run(ctx: Context) -> int:
    out = ctx.output
    mode = ctx.settings.get("progress", "auto") or "auto"
    if mode not in PROGRESS_MODES:
        raise UsageError(f"--progress {mode!r} is not one of {', '.join(PROGRESS_MODES)}")
    engine = opts.engine(ctx)
    result = watch(
        engine,
        choose_renderer(sys.stderr, mode),
        minute=bounds.MINUTE.value(ctx.settings, 60.0),
        poll=bounds.POLL_INTERVAL.value(ctx.settings, 2.0),
        wait=bounds.START_TIMEOUT.value(ctx.settings, 0.0),
        timeout=bounds.DEPLOYMENT_TIMEOUT.value(ctx.settings, 3600.0),
    )
    for failure in result.failures:
        output.info(f"lambda-release watch: {failure}")
    if out == "json":
        output.print_json(result.as_json())
    elif out == "text":
        output.print_text(outcome_rows(result.views))
    elif not result.views:
        print(f"no deployment of {engine.stack} in flight")
    else:
        # The outcome as a table: progress (stderr) already said each line as it happened.
        print(output.format_table(OUTCOME_HEADERS, outcome_rows(result.views)))
    return result.exit_code


OUTCOME_HEADERS = ("function", "outcome", "traffic", "version", "from", "alarms in ALARM")


def outcome_rows(views: Sequence[DeploymentView]) -> list[tuple[str, ...]]:
    """Per deployment: how it ended (or stands), its traffic on the new version, the
    versions, and the alarms that fired."""
    return [
        (
            v.logical_id or v.function_name,
            human_status(v.status),
            f"{v.share:.0%}",
            v.target_version or "-",
            v.current_version or "-",
            ", ".join(v.firing) or "-",
        )
        for v in views
    ]
