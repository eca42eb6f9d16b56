"""``lambda-release watch``: follow a stack's CodeDeploy deployments until they end."""

from __future__ import annotations

import argparse
import sys

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.observe.progress import PROGRESS_MODES, choose_renderer, describe
from lambda_release.observe.watch import watch

NAME = "watch"
OUTPUTS: tuple[str, ...] = ("text", "json")
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

With nothing in flight it waits --wait seconds for a deployment to start
(default 0: report and exit 0). `deploy` shows the same progress itself while
sam deploy waits on the canary.

Exit codes: 0 every deployment succeeded (or none was in flight); 1 one failed,
was stopped or rolled back (the alarm that fired is named); 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release watch --stack my-lambda-prod --alias PROD
  lambda-release watch --stack my-lambda-prod --alias PROD --wait 120 --progress plain
  lambda-release watch --output json | jq '.deployments[].status'
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    bounds.add_option(
        p, bounds.WAIT, "wait this long for a deployment to start when none is in flight", 0.0
    )
    bounds.add_option(p, bounds.TIMEOUT, "give up (exit 1) after this long", 3600.0)
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
        wait=bounds.WAIT.value(ctx.settings, 0.0),
        timeout=bounds.TIMEOUT.value(ctx.settings, 3600.0),
    )
    for failure in result.failures:
        output.info(f"lambda-release watch: {failure}")
    if out == "json":
        output.print_json(result.as_json())
    elif not result.views:
        print(f"no deployment of {engine.stack} in flight")
    else:
        for view in result.views:
            print(describe(view, with_time=False))
    return result.exit_code
