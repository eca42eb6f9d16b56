"""``lambda-release deploy``: one release of a stack to an alias, recorded in the log."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_release import bounds, output
from lambda_release.bake.alarms import require_alarms
from lambda_release.bake.run import BakePlan, bake
from lambda_release.commands import _release_options as opts
from lambda_release.commands import bake as bake_command
from lambda_release.commands._deploy_show import bake_json, show_dry_run
from lambda_release.commands._record_file import (
    record_json,
    summary,
    text_rows,
    write_record_file,
)
from lambda_release.context import Context
from lambda_release.log.location import LogLocation
from lambda_release.log.lock import DEPLOY_LEASE_SECONDS
from lambda_release.log.records import SUCCEEDED
from lambda_release.log.store import LOG_TAG
from lambda_release.observe import watch
from lambda_release.observe.timeline import CanaryTimeline
from lambda_release.preview.run import preview
from lambda_release.release.deploy import DeployPlan, DeployResult, deploy
from lambda_release.release.inputs import require_template, template_path
from lambda_release.release.stack_alias import StackAlias
from lambda_release.settings import DEFAULT_CONFIG_ENV, Settings
from lambda_release.template import managed_bucket, sam
from lambda_release.template.secrets import Value

NAME = "deploy"
OUTPUTS: tuple[str, ...] = output.FORMATS
DEFAULT_RECORD = ".lambda-release/release.json"
DESCRIPTION = """\
One release: pre-flight checks (stack mid-update, a CodeDeploy deployment in
flight, an alarm already in ALARM, drift), the lock for the stack and alias,
the release written to the log as pending with every function's version, then
`sam deploy` (its output streamed, a heartbeat line every --heartbeat seconds of
silence), then the release settled from what the aliases show: succeeded,
failed (nothing moved), partial, or no-change. Each function's <ALIAS>_STABLE
alias is pointed at its stable version (the rollback target).

sam deploy gets --stack-name, --parameter-overrides with AliasName=<alias>
merged over the samconfig environment's overrides and yours, --no-confirm-changeset
--no-fail-on-empty-changeset, --capabilities, --s3-bucket or --resolve-s3, and a
stack tag saying where the release log is.

With --bake MINUTES, a release that settles succeeded is then baked: its alarms
(and every --bake-alarm) are watched that long, and one in ALARM rolls the
release back by itself (see `lambda-release bake --help`).

Exit codes: 0 the release succeeded (or changed nothing) and baked; 1 it failed,
moved only some aliases, was refused by a pre-flight check or the lock, an alarm
fired during its bake (rolled back), or the SAM CLI is not installed (the input
was fine, the machine or AWS was not); 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release deploy --stack my-lambda-prod --alias PROD --s3-bucket my-artifacts
  lambda-release deploy --parameter 'Greeting=hello, world' --dry-run
  lambda-release deploy --parameter-overrides 'Stage=prod LogLevel="debug info"'
  lambda-release deploy --bake 30 --bake-alarm my-api-5xx     # watch 30 min, roll back on ALARM
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    opts.add_release_inputs(p)
    p.add_argument(
        "--environment",
        help="environment name recorded in the log (default: $LAMBDA_RELEASE_ENVIRONMENT)",
    )
    add_sam_options(p)
    bounds.add_option(
        p,
        bounds.LOCK_TIMEOUT,
        "seconds to wait for another release of this stack and alias (0: refuse)",
        0.0,
    )
    bounds.add_option(
        p,
        bounds.LOCK_TTL,
        "seconds the lease lasts unless renewed; it is renewed while sam runs, so a killed "
        "job's lease lapses by itself",
        DEFAULT_LOCK_TTL,
    )
    bounds.add_option(
        p, bounds.HEARTBEAT, "seconds of silence before a progress line", sam.DEFAULT_HEARTBEAT
    )
    p.add_argument("--record-file", help=f"JSON record of the release (default {DEFAULT_RECORD})")
    p.add_argument(
        "--allow-rolled-back-code",
        metavar="REASON",
        help="release code a rollback undid (else refused, naming the functions); the "
        "reason is recorded in the release's entry",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="pre-flight, the snapshot, the exact sam command and a preview of what the "
        "release will change (per function, and a change set created and deleted, never "
        "executed); change nothing",
    )
    bake_command.add_bake_options(p, with_bake=True)


def add_sam_options(p: argparse.ArgumentParser) -> None:
    """What deploy hands to sam deploy, spelt as sam deploy spells it."""
    p.add_argument("--s3-bucket", help="artifacts bucket for sam deploy (also the log's default)")
    p.add_argument("--s3-prefix", help="key prefix for artifacts")
    p.add_argument(
        "--resolve-s3", action="store_true", default=None, help="let SAM create its bucket"
    )
    p.add_argument(
        "--capabilities",
        action="extend",
        nargs="+",
        metavar="CAPABILITY",
        help="as sam deploy takes them: --capabilities A B (default CAPABILITY_IAM); repeatable",
    )
    p.add_argument(
        "--tags",
        action="extend",
        nargs="+",
        metavar="KEY=VALUE",
        help="stack tags as sam deploy takes them: --tags a=b c=d; repeatable",
    )
    p.add_argument("--image-repositories", action="append", metavar="FN=URI", help="repeatable")
    p.add_argument("--resolve-image-repos", action="store_true", default=None)
    for habit in ("--no-confirm-changeset", "--no-fail-on-empty-changeset"):
        p.add_argument(
            habit,
            dest="sam_habit",
            action="store_true",
            default=None,
            help="accepted and ignored: deploy always gives it to sam deploy, as a release "
            "never waits at a prompt and an empty change set is a no-change release",
        )
    p.add_argument("--sam-path", help="the SAM CLI (default: sam on PATH)")
    p.add_argument(
        "--sam-arg",
        action="append",
        metavar="ARG",
        help="one more argument for sam deploy, passed as is; repeatable; write "
        "--sam-arg=--flag for one starting with '-'",
    )


DEFAULT_LOCK_TTL = DEPLOY_LEASE_SECONDS


def sam_deploy_command(
    ctx: Context,
    stack: str,
    overrides: Mapping[str, Value],
    log_uri: str,
    sam_path: str,
    config_env: str = DEFAULT_CONFIG_ENV,
) -> list[Value]:
    s = ctx.settings
    tags = sam.parse_tags(s.get_list("tags")) if s.source("tags") == "flag" else {}
    if s.source("tags") in ("env", "file"):
        tags = sam.parse_tags(str(s.get("tags") or "").split())
    tags[LOG_TAG] = log_uri
    return sam.deploy_command(
        sam_path,
        stack=stack,
        overrides=overrides,
        tags=tags,
        capabilities=s.get_list("capabilities", ["CAPABILITY_IAM"]),
        s3_bucket=s.get("s3_bucket"),
        resolve_s3=s.get_bool("resolve_s3"),
        # samconfig's resolve_s3 beside a bucket given here: SAM refuses both unless told.
        no_resolve_s3=bool(s.get("s3_bucket")) and _samconfig_resolves_s3(s),
        s3_prefix=s.get("s3_prefix"),
        region=s.get("region") or ctx.aws.session.region_name,
        template=s.get("template_file"),
        image_repositories=s.get_list("image_repositories"),
        resolve_image_repos=s.get_bool("resolve_image_repos"),
        config_file=s.get("config_file"),
        config_env=config_env if config_env != DEFAULT_CONFIG_ENV else None,
        extra=list(s.raw("sam_arg") or []) if s.source("sam_arg") == "flag" else [],
    )


def _samconfig_resolves_s3(s: Settings) -> bool:
    """Whether the samconfig section `sam` reads sets ``resolve_s3`` (SAM reads it too)."""
    return s.source("resolve_s3") == "file" and s.get_bool("resolve_s3")


@dataclass
class Prepared:
    """One release ready to run: what ``run`` and each member of ``group deploy`` hand to
    ``release.deploy.deploy`` (the one release path)."""

    engine: StackAlias
    plan: DeployPlan
    run_sam: Callable[..., int]
    command: list[Value]
    record_file: str
    baking: BakePlan | None


def prepare(ctx: Context, on_engine: Callable[[StackAlias], None] | None = None) -> Prepared:
    """Every input checked, the engine made (``on_engine`` sees it first), the plan built."""
    s = ctx.settings
    sam.check_pass_through(s.flags.get("sam_arg") or [])
    config_env = opts.select_config_env(ctx)
    dry_run = s.get_bool("dry_run")
    # Every number checked before anything is looked up or changed.
    lock_ttl = bounds.LOCK_TTL.value(s, DEFAULT_LOCK_TTL)
    lock_timeout = bounds.LOCK_TIMEOUT.value(s, 0.0)
    heartbeat = bounds.HEARTBEAT.value(s, sam.DEFAULT_HEARTBEAT)
    minute = bounds.MINUTE.value(s, 60.0)
    poll = bounds.POLL_INTERVAL.value(s, 5.0)
    baking = bake_command.bake_plan(ctx, required=False)
    engine = opts.engine(ctx)
    if on_engine is not None:
        on_engine(engine)
    if not dry_run and ctx.aws.session.get_credentials() is not None:
        # The stack read (and the clients the release needs) overlap the local checks, the
        # template's reading above all (issue 30: 0.2 s for 50 functions, on the release's
        # critical path when it came first), and so do the first reads of the log where it
        # most likely is. Without credentials, nothing is read.
        engine.read_ahead(
            ("s3", "lambda", "codedeploy", "cloudwatch"), log=opts.log_location_guess(ctx)
        )
    inputs = opts.release_inputs(ctx, opts.alias_name(ctx), DEFAULT_RECORD)
    if not dry_run:
        ctx.aws.check_credentials()
    if baking is not None and baking.alarms:
        # A misspelt alarm is refused before anything is released, not after.
        require_alarms(engine.client("cloudwatch"), baking.alarms, "--bake-alarm")
    sam_path, sam_env, location = sam_and_log(ctx, engine, dry_run)
    command = sam_deploy_command(
        ctx, engine.stack, inputs.overrides, location.uri, sam_path, config_env
    )
    plan = DeployPlan(
        environment=s.get("environment") or "",
        sam_command=command,
        sam_env=sam_env,
        log_location=location,
        lock_ttl=lock_ttl,
        lock_timeout=lock_timeout,
        heartbeat=heartbeat,
        dry_run=dry_run,
        allow_rolled_back_code=s.get("allow_rolled_back_code") or "",
        inputs=inputs,
    )
    # While sam waits on the canary, show each function's traffic, time left and alarms,
    # and record them for the settlement (the release's report draws them).
    timeline = CanaryTimeline()
    plan.timeline = timeline.record
    run_sam = watch.following(
        sam.run_streaming, engine, minute=minute, poll=poll, timeline=timeline
    )
    return Prepared(engine, plan, run_sam, command, str(inputs.record_file), baking)


def run(ctx: Context) -> int:
    ready = prepare(ctx)
    engine, plan, baking, command = ready.engine, ready.plan, ready.baking, ready.command
    # SIGTERM (a cancelled CircleCI job) is an interrupt here too: cli.main makes it one.
    result = deploy(engine, plan, run_sam=ready.run_sam, progress=output.info)
    if result.dry_run is not None:
        result.dry_run["preview"] = dry_run_preview(
            engine, plan, result, ctx.settings.get("template_file")
        )
        result.dry_run["bake"] = None if baking is None else bake_json(baking)
    if baking is None or result.dry_run is not None:
        return show_result(ctx.output, engine, result, command, ready.record_file)
    return bake_after(ctx.output, engine, result, baking, command, ready.record_file)


def sam_and_log(
    ctx: Context, engine: StackAlias, dry_run: bool
) -> tuple[str, dict[str, str], LogLocation]:
    """The sam to run, its environment, and where the log is (SAM's managed bucket made
    by sam first, when the log lives there and a first release finds none)."""
    s = ctx.settings
    try:
        sam_path = sam.find_sam(s.get("sam_path"))
    except Exception:
        if not dry_run:
            raise
        sam_path = s.get("sam_path") or "sam"
    require_template(s.get("template_file"))
    sam_env = sam.subprocess_env(s.get("endpoint_url"), s.get("region"))
    region = s.get("region") or ctx.aws.session.region_name

    def create_managed() -> None:
        output.info("creating SAM's managed bucket (the release log lives there): sam package")
        managed_bucket.create(sam_path, sam_env, region, s.get("profile"))

    return sam_path, sam_env, opts.log_location(ctx, engine, None if dry_run else create_managed)


def dry_run_preview(
    engine: StackAlias, plan: DeployPlan, result: DeployResult, template_file: str | None
) -> dict[str, Any]:
    """What the release will change; the change set only when the pre-flight passed (a
    refused release would not run sam either)."""
    return preview(
        engine,
        template=plan.inputs.template,
        template_path=template_path(template_file),
        parameters=plan.inputs.plain_overrides(),
        sam_command=plan.sam_command,
        sam_env=plan.sam_env,
        run_sam=sam.run_streaming if result.exit_code == 0 else None,
        progress=output.info,
    )


def bake_after(
    out: str,
    engine: StackAlias,
    result: DeployResult,
    plan: BakePlan,
    command: list[Value],
    record_file: str,
) -> int:
    """Show the release (its record file written first, so a bake killed later leaves it),
    then bake it if it succeeded: the exit code is then the bake's."""
    release, log = result.release, result.log
    if result.exit_code != 0 or release is None or log is None or release.outcome != SUCCEEDED:
        code = show_result(out, engine, result, command, record_file)
        if code == 0 and release is not None:
            output.info(f"release {release.id} is {release.outcome}: nothing to bake")
        return code
    show_result(out, engine, result, command, record_file, json_later=True)
    sys.stdout.flush()  # the release's summary before the bake's lines, in a CI log too
    got = bake(engine, log, plan, progress=bake_command.progress, release=release)
    if out == "json":
        output.print_json(dict(record_json(release, result.stable, log), bake=got.data))
    else:
        print(bake_command.bake_summary(got.data))
    return got.exit_code


def show_result(
    out: str,
    engine: StackAlias,
    result: DeployResult,
    command: list[Value],
    record_file: str,
    *,
    json_later: bool = False,
) -> int:
    """Print what the release did (or would do, or why it was refused); write its record.
    ``json_later``: a bake follows, and the JSON is printed once, with it."""
    for w in result.warnings:
        output.info(f"warning: {w}")
    if result.dry_run is not None:
        show_dry_run(out, engine.stack, engine.alias, result.dry_run, command)
        return result.exit_code
    if result.release is None or result.log is None:
        for problem in result.problems:
            output.info(f"refused: {problem}")
        if out == "json":
            output.print_json({"refused": True, "problems": result.problems})
        return result.exit_code
    data = record_json(result.release, result.stable, result.log)
    # Built from data that holds no plaintext: secrets are Secret values, shown as *****.
    write_record_file(record_file, data)
    if out == "json":
        if not json_later:
            output.print_json(data)
    elif out == "text":
        output.print_text(text_rows(data))
    else:
        print(summary(data))
    return result.exit_code
