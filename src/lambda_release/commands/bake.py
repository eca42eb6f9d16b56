"""``lambda-release bake``: watch the latest release's alarms for a while; roll it back by
itself if one fires. ``deploy --bake MINUTES`` runs the same bake after its release."""

from __future__ import annotations

import argparse
from typing import Any

from lambda_release import bounds, output
from lambda_release.bake.rules import MISSING_DATA_CHOICES, check_missing_data
from lambda_release.bake.run import BakePlan, BakeResult, bake
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.log.ids import is_release_id
from lambda_release.settings import env_var
from lambda_release.text import visible

NAME = "bake"
OUTPUTS: tuple[str, ...] = ("text", "json")
DESCRIPTION = """\
Bakes the most recent release in effect: for --minutes (a deploy's --bake) it
keeps watching the stack's alarms (its AWS::CloudWatch::Alarm resources and
those its deployment groups watch) and every --bake-alarm, printing the time
left and each alarm's state on a change and once a minute. If one goes to
ALARM, the release is rolled back through the same path as `rollback` (claim,
alias moves, undo record), the alarm, its reason and the time recorded as the
rollback's reason; `history` shows the rollback as automatic. A team can bake in
its own job, with a different role, after the deploy job.

INSUFFICIENT_DATA (too few datapoints: a quiet function, a new alarm) counts as
healthy by default, as CodeDeploy's canary counts it; --bake-missing-data fail
rolls back on it (and on an alarm deleted during the bake).

Stopped or killed mid-bake, nothing is half-done: the release stays succeeded,
its bake recorded as begun and never ended (`status`: un-baked); run `bake`
again. A bake already ended is reported, not repeated.

Exit codes: 0 baked (no alarm fired); 1 an alarm fired (the release rolled back),
or nothing to bake (no release in effect, no alarm to watch); 2 bad input (a
--bake-alarm that does not exist, a bad number).
"""
EXAMPLES = """\
examples:
  lambda-release bake --stack my-lambda-prod --alias PROD --minutes 30
  lambda-release bake --minutes 60 --bake-alarm my-api-5xx --bake-alarm my-api-latency
  lambda-release bake --release 20261126T221700.123456Z-1a2b3c4d --minutes 15 --dry-run
"""


def add_bake_options(p: argparse.ArgumentParser, *, with_bake: bool = False) -> None:
    """--bake-alarm, --bake-missing-data (deploy and bake alike); ``with_bake``: deploy's
    --bake MINUTES too."""
    if with_bake:
        bounds.add_option(
            p,
            bounds.BAKE,
            "after a release that succeeds, watch its alarms this long and roll it back by "
            "itself if one fires (0: no bake)",
            0.0,
        )
        add_clock_options(p)
    p.add_argument(
        "--bake-alarm",
        action="append",
        metavar="NAME",
        help="one more CloudWatch alarm to watch during the bake (must exist); repeatable",
    )
    p.add_argument(
        "--bake-missing-data",
        choices=MISSING_DATA_CHOICES,
        help="INSUFFICIENT_DATA during the bake: ok (default: a quiet function has no "
        "datapoints; CodeDeploy's canary counts it healthy) or fail (roll back)",
    )


def add_clock_options(p: argparse.ArgumentParser) -> None:
    bounds.add_option(p, bounds.POLL_INTERVAL, "seconds between reads of the alarms", 5.0)
    bounds.add_option(
        p,
        bounds.MINUTE,
        "real seconds per minute of the bake and the canary (an emulator's compressed "
        "clock, e.g. the sandbox's --minute)",
        60.0,
    )


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument(
        "--minutes",
        dest="bake",
        metavar="MINUTES",
        help=f"how long to bake ({bounds.BAKE.describe()}; env LAMBDA_RELEASE_BAKE)",
    )
    add_bake_options(p)
    p.add_argument(
        "--release",
        metavar="ID",
        help="bake exactly this release, only if it is the most recent in effect",
    )
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    add_clock_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="show the release, the alarms and their states now; watch nothing, write nothing",
    )


def bake_plan(ctx: Context, *, required: bool) -> BakePlan | None:
    """The bake asked for (None: none); every value checked before anything runs."""
    s = ctx.settings
    flag = "--minutes" if required else "--bake"
    text = s.get("bake")
    where = flag if s.source("bake") == "flag" else env_var("bake")
    minutes = None if text is None else bounds.BAKE.check(text, where)
    if minutes is None and required:
        raise UsageError(f"no bake time: give {flag} MINUTES (e.g. {flag} 30)")
    if not minutes:
        if s.source("bake_alarm") == "flag" or s.source("bake_missing_data") == "flag":
            raise UsageError("--bake-alarm and --bake-missing-data need a bake: add --bake MINUTES")
        return None
    minute = bounds.MINUTE.value(s, 60.0)
    release = s.get("release")
    if release is not None and not is_release_id(release):
        raise UsageError(
            f"--release {release!r} is not a release id: give an id from `lambda-release "
            "history`, e.g. 20261126T221700.123456Z-1a2b3c4d"
        )
    return BakePlan(
        minutes=minutes,
        alarms=tuple(dict.fromkeys(s.get_list("bake_alarm"))),
        missing_data=check_missing_data(s.get("bake_missing_data") or "ok"),
        minute=minute,
        # At least four reads a bake minute, whatever the poll (a compressed clock's too).
        poll=min(bounds.POLL_INTERVAL.value(s, 5.0), max(0.05, minute / 4)),
        release_id=release,
        dry_run=s.get_bool("dry_run"),
    )


def progress(message: str) -> None:
    """CloudWatch's reasons and the log's words: escaped, one line."""
    output.info(visible(message))


def run(ctx: Context) -> int:
    plan = bake_plan(ctx, required=True)
    assert plan is not None  # required
    engine = opts.engine(ctx)
    ctx.aws.check_credentials()
    log = opts.release_log(ctx, engine)
    result = bake(engine, log, plan, progress=progress)
    show(ctx.output, result)
    return result.exit_code


def show(out: str, result: BakeResult) -> None:
    if out == "json":
        output.print_json(dict(result.data, exit_code=result.exit_code))
        return
    print(bake_summary(result.data))


def bake_summary(data: dict[str, Any]) -> str:
    if data.get("dry_run"):
        alarms = ", ".join(f"{k} {v}" for k, v in sorted(data["alarms"].items()))
        return visible(
            f"plan: bake release {data['release']} for {data['minutes']:g} min watching {alarms}"
        )
    end = data.get("bake") or {}
    outcome = end.get("outcome")
    if outcome == "baked":
        return f"release {data['release']} baked: no alarm fired"
    auto = end.get("automatic") or {}
    what = f"alarm {auto.get('alarm')} in {auto.get('state')}"
    if outcome == "rolled-back":
        return visible(
            f"release {data['release']} rolled back by its bake ({end.get('rollback_id')}): {what}"
        )
    return visible(
        f"release {data['release']}: {what} during its bake, but the rollback did not finish: "
        f"{end.get('note', '')}; run `lambda-release rollback`"
    )
