"""``lambda-release rollback``: undo the most recent release in effect, every function."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.rollback import Request, rollback, summary_text, validate
from lambda_release.rollback.explicit import move_to_version
from lambda_release.rollback.summary import summary_rows
from lambda_release.text import visible

NAME = "rollback"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Releases form a stack and rollback pops it. Every function the most recent
release in effect moved goes back to its before-version, routing weights
cleared, each move guarded by the alias's RevisionId and verified from Lambda's
answer; functions it did not move are left alone; a function it created stays.
A function whose before-version no longer exists, that was replaced since, or
whose alias someone moved meanwhile is refused, by name.

If that release is still in flight (a canary running, the stack updating), its
CodeDeploy deployments are stopped with their own rollback (or the stack update
cancelled) and the stack left to settle; nothing else moves.

One rollback entry is written to the release log, the release is marked undone
and every <ALIAS>_STABLE alias is moved to the new stable version. A run that
fails half-way is finished by running the same command again; it never writes
a second entry for the same rollback. --release ID (what the orb passes) undoes
exactly that release, only if it is the most recent in effect, and does nothing
(exit 0) if it was already undone.

Exit codes: 0 every function is where it should be (or nothing to do);
1 some function is not (each one's state is listed) or the rollback was refused;
2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release rollback --stack my-lambda-prod --alias PROD --reason "5xx on /orders"
  lambda-release rollback --release 20261126T221700.123456Z-1a2b3c4d --dry-run
  lambda-release rollback --function OrdersFunction           # only this function
  lambda-release rollback --function OrdersFunction --to-version 7   # an explicit move
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument(
        "--release",
        metavar="ID",
        help="undo exactly this release, only if it is the most recent in effect "
        "(default: the most recent in effect)",
    )
    p.add_argument(
        "--function",
        action="append",
        metavar="NAME",
        help="undo the release for this function only (logical id or name); repeatable",
    )
    p.add_argument(
        "--to-version",
        metavar="V",
        help="move the one --function to published version V (logged as its own entry)",
    )
    p.add_argument("--reason", help="why: recorded in the log entry")
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="print the plan and touch nothing",
    )
    bounds.add_option(
        p,
        bounds.DEPLOYMENT_TIMEOUT,
        "how long to wait for a stopped in-flight release's deployments to end",
        3600.0,
        old=("--wait-timeout",),
    )


def progress(message: str) -> None:
    """A progress line quotes the log as written (versions, ids): escaped, one line."""
    output.info(visible(message))


def run(ctx: Context) -> int:
    s = ctx.settings
    fmt = ctx.output
    wait = bounds.DEPLOYMENT_TIMEOUT.value(s, 3600.0)
    req = Request(
        release_id=s.get("release"),
        functions=tuple(s.get_list("function")),
        to_version=s.get("to_version"),
        reason=s.get("reason", "") or "",
        dry_run=s.get_bool("dry_run"),
        wait_timeout=wait,
        poll=bounds.POLL_INTERVAL.value(s, 2.0),
    )
    validate(req)
    engine = opts.engine(ctx)
    log = opts.release_log(ctx, engine)
    act = move_to_version if req.to_version is not None else rollback
    result = act(engine, log, req, progress)
    for note in result.notes:
        progress(f"lambda-release rollback: {note}")
    if fmt == "json":
        output.print_json(dict(result.data, exit_code=result.exit_code))
    elif fmt == "text":
        output.print_text(summary_rows(result.data))
    else:
        print(summary_text(result.data))
    return result.exit_code
