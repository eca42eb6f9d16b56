"""``lambda-release group deploy|status|history|rollback FILE``: release waves (issue 33).

Wiring only: the file is read by ``group/model.py``; each member's release is prepared by
``deploy``'s own ``prepare`` (its settings from the file's target, one context per member:
its region, stack, template, samconfig environment, bucket and overrides), and run, baked
and undone by ``group/``.
"""

from __future__ import annotations

import argparse
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambda_release import bounds, output
from lambda_release.aws.client import LAMBDA_RATE, RateLimiter
from lambda_release.commands import _release_options as opts
from lambda_release.commands import deploy as deploy_command
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.group import buckets
from lambda_release.group import deploy as group_deploy
from lambda_release.group import status as group_status
from lambda_release.group import undo as group_undo
from lambda_release.group.members import Hooks, Prepared
from lambda_release.group.model import DEFAULT_FILE, GroupFile, load
from lambda_release.group.plan import Member
from lambda_release.group.plan import members as planned
from lambda_release.log.group_schema import GroupRef
from lambda_release.log.group_store import GroupLog
from lambda_release.log.ids import is_release_id
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.names import printable, validate_alias
from lambda_release.release.stack_alias import StackAlias
from lambda_release.settings import DEFAULT_CONFIG_ENV, SAMCONFIG_NAMES, Settings, env_var
from lambda_release.target import resolve_target
from lambda_release.template import sam
from lambda_release.text import visible

NAME = "group"
OUTPUTS: tuple[str, ...] = output.FORMATS
ACTIONS = ("deploy", "status", "history", "rollback")
DESCRIPTION = """\
Release waves: one release across many stacks and regions (a group file, by
convention lambda-release.group.yml; docs/waves.md). Each target is released
through the same path as `deploy` (lease, pre-flight, its own log entry naming
the group, settlement), a wave's targets up to its concurrency at once.

  deploy    build once per distinct template, release wave by wave, bake
            between waves; any failure or alarm stops before the next wave,
            and (on_failure: rollback, the default) undoes every member
            released, newest wave first, through `rollback`'s own path
  status    the latest (or --group-release) group release, each member as its
            own log tells it now
  history   the group's releases, newest first
  rollback  undo every member release of the latest (or --group-release)
            group release still in effect, newest wave first; idempotent, and
            finished by running it again after a kill

Exit codes: 0 every member succeeded (or was undone, for rollback); 1 the group
stopped or was rolled back, or a member could not be undone; 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release check --group lambda-release.group.yml
  lambda-release group deploy lambda-release.group.yml --alias PROD
  lambda-release group deploy lambda-release.group.yml --dry-run
  lambda-release group status lambda-release.group.yml --output json
  lambda-release group rollback lambda-release.group.yml
"""
# Options a member's settings never take from the environment: the file names them per
# target (a LAMBDA_RELEASE_STACK exported by `target` must not land on every member).
PER_TARGET = (
    "stack", "stack_name", "alias", "region", "template_file", "parameter",
    "parameter_overrides", "s3_bucket", "s3_prefix", "config_env", "config_file",
    "log_bucket", "bake", "bake_alarm", "record_file", "dry_run", "output",
)  # fmt: skip


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("group_action", choices=ACTIONS, metavar="ACTION", help=", ".join(ACTIONS))
    p.add_argument("group_file", nargs="?", metavar="FILE", help=f"default {DEFAULT_FILE}")
    p.add_argument("--alias", help="the alias (default: the file's, else the branch decides)")
    p.add_argument("--group-release", metavar="ID", help="status/rollback: this group release")
    p.add_argument("--dry-run", action="store_true", default=None, help="change nothing")
    p.add_argument("--reason", help="rollback: why, recorded in each member's rollback entry")
    p.add_argument("--environment", help="environment name recorded in each member's entry")
    p.add_argument("--sam-path", help="the SAM CLI (default: sam on PATH)")
    bounds.add_option(p, bounds.LIMIT, "history: group releases shown", 20)
    bounds.add_option(p, bounds.LOCK_TTL, "each member's lease, seconds", 300.0)
    bounds.add_option(p, bounds.LOCK_TIMEOUT, "seconds to wait for a member's lock", 0.0)
    bounds.add_option(p, bounds.HEARTBEAT, "seconds of silence before a progress line", 60.0)
    bounds.add_option(p, bounds.MINUTE, "real seconds per bake minute (a stand-in's clock)", 60.0)
    bounds.add_option(p, bounds.POLL_INTERVAL, "seconds between reads of the alarms", 5.0)
    bounds.add_option(p, bounds.LAMBDA_RATE, "Lambda calls per second per region", LAMBDA_RATE)


class Members:
    """One context per member (its region's session), one Lambda budget per region."""

    def __init__(self, ctx: Context, gf: GroupFile) -> None:
        self.ctx, self.gf = ctx, gf
        self.rate = bounds.LAMBDA_RATE.value(ctx.settings, LAMBDA_RATE)
        self.limiters: dict[str, tuple[RateLimiter, RateLimiter]] = {}
        self.located: dict[tuple[str, str], tuple[StackAlias, ReleaseLog]] = {}
        self.lock = threading.Lock()

    def context(self, m: Member, template: Path | None, dry_run: bool) -> Context:
        s, t = self.ctx.settings, m.target
        source = self.gf.template_path(t)
        flags: dict[str, Any] = {
            k: s.flags.get(k)
            for k in ("endpoint_url", "profile", "max_attempts", "retry_mode", "sam_path")
        }
        flags.update(
            stack=m.stack, alias=m.alias, region=m.region, s3_bucket=t.s3_bucket,
            template_file=str(template or source), config_file=_samconfig(source.parent),
            parameter=[f"{k}={v}" for k, v in t.parameter_overrides] or None,
            environment=s.get("environment"), dry_run=dry_run or None,
            lock_ttl=s.get("lock_ttl"), lock_timeout=s.get("lock_timeout"),
            heartbeat=s.get("heartbeat"), minute=s.get("minute"),
            poll_interval=s.get("poll_interval"), lambda_rate=s.get("lambda_rate"),
        )  # fmt: skip
        drop = {env_var(name) for name in PER_TARGET}
        environ = {k: v for k, v in s.environ.items() if k not in drop}
        settings = Settings(
            flags={k: v for k, v in flags.items() if v is not None}, environ=environ
        )
        member = Context(argparse.Namespace(**flags), settings, command="group")
        return member.with_config_env(t.config_env or DEFAULT_CONFIG_ENV)

    def budget(self, engine: StackAlias, region: str) -> None:
        """The region's Lambda quota is the account's: its members share one pace."""
        with self.lock:
            pair = self.limiters.setdefault(region, (engine.limiter, engine.read_limiter))
        engine.limiter, engine.read_limiter = pair

    def prepare(self, m: Member, built: Path | None, ref: GroupRef | None, dry: bool) -> Prepared:
        def on_engine(engine: StackAlias) -> None:
            engine.group = ref
            self.budget(engine, m.region)

        ready = deploy_command.prepare(self.context(m, built, dry), on_engine)
        return Prepared(ready.engine, ready.plan, ready.run_sam)

    def locate(self, m: Member) -> tuple[StackAlias, ReleaseLog]:
        key = (m.stack, m.region)
        if key not in self.located:
            ctx = self.context(m, None, False)
            engine = StackAlias(ctx.aws, m.stack, m.alias, rate=self.rate)
            self.budget(engine, m.region)
            self.located[key] = (engine, opts.release_log(ctx, engine))
        return self.located[key]

    def check_buckets(self, ms: list[Member]) -> None:
        """Every artifacts bucket in its target's region, one HeadBucket per bucket, before
        anything is built or released (else Lambda refuses it late, mid-wave): exit 2."""
        places = [
            f"waves[{n}].targets[{i}]"
            for n, w in enumerate(self.gf.waves)
            for i in range(len(w.targets))
        ]
        found: list[buckets.Artifacts] = []
        for m, where in zip(ms, places, strict=True):
            s = self.context(m, None, True).settings
            bucket = s.get("s3_bucket")
            if bucket:
                source = "samconfig's s3_bucket" if s.source("s3_bucket") == "file" else "s3_bucket"
                found.append(buckets.Artifacts(m, where, bucket, source))
        regions = buckets.regions_of(found, lambda m: self.context(m, None, True).aws.client("s3"))
        problems = buckets.problems(found, regions)
        if problems:
            raise UsageError(f"group file {str(self.gf.path)!r}: " + "; ".join(problems))

    def hooks(self) -> Hooks:
        return Hooks(prepare=self.prepare, locate=self.locate)

    def group_log(self, first: Member, *, make: bool = False) -> GroupLog:
        """In the file's log bucket, else the first target's log bucket (``make``: SAM's
        managed bucket made first when it is that and a first release finds none, as
        ``deploy`` makes it)."""
        ctx = self.context(first, None, False)
        engine = StackAlias(ctx.aws, first.stack, first.alias, rate=self.rate)
        if self.gf.log_bucket:
            location = LogLocation(self.gf.log_bucket)
        elif make:
            location = deploy_command.sam_and_log(ctx, engine, False)[2]
        else:
            location = opts.log_location(ctx, engine)
        region = self.gf.log_region or first.region
        aws = engine.aws if region == first.region else self._aws(first, region)
        return GroupLog(aws.client("s3"), location, self.gf.group)

    def _aws(self, first: Member, region: str) -> Any:
        return self.context(replace(first, region=region), None, False).aws


def _samconfig(folder: Path) -> str | None:
    found = next((folder / n for n in SAMCONFIG_NAMES if (folder / n).is_file()), None)
    return None if found is None else str(found)


def alias_of(ctx: Context, gf: GroupFile) -> str:
    """--alias, else the file's, else the branch decides (main: PROD, else STAGING)."""
    given = ctx.settings.get("alias") or gf.alias
    if given:
        return validate_alias(given)  # bad input up front, not a failure of every member
    from lambda_release.ci_metadata import ci_metadata  # noqa: PLC0415

    branch = str(ci_metadata().get("branch") or "")
    if not branch:
        raise UsageError(
            "no alias: give --alias (e.g. PROD), or alias: in the group file, or run in a CI "
            "job whose branch decides (main: PROD, else STAGING)"
        )
    return resolve_target(branch=branch, stack_prefix="x").alias


def run(ctx: Context) -> int:
    s = ctx.settings
    gf = load(Path(s.get("group_file") or DEFAULT_FILE))
    _check_group_release(s.get("group_release"))
    action = s.get("group_action")
    alias = alias_of(ctx, gf)
    members = Members(ctx, gf)
    first = planned(gf, alias)[0]
    dry = s.get_bool("dry_run")
    if action == "deploy":
        if not dry:
            ctx.aws.check_credentials()
        members.check_buckets(planned(gf, alias))
    if action == "history":
        rows = group_status.history(members.group_log(first), bounds.LIMIT.whole(s, 20))
        return show_history(ctx.output, gf.group, rows)
    if dry and action == "deploy":
        result = group_deploy.dry_run(
            gf, members.hooks(), planned(gf, alias), _options(ctx, alias), progress
        )
        return show(ctx.output, result.data, result.exit_code)
    hooks, group_release = members.hooks(), s.get("group_release")
    if action == "status":
        result = group_status.status(gf, hooks, members.group_log(first), group_release)
    elif action == "rollback":
        glog = members.group_log(first)
        why = s.get("reason") or ""
        result = group_undo.group_rollback(gf, hooks, glog, group_release, dry, progress, why)
    else:
        glog = members.group_log(first, make=True)
        result = group_deploy.group_deploy(gf, hooks, glog, _options(ctx, alias), progress)
    return show(ctx.output, result.data, result.exit_code)


def _check_group_release(gid: str | None) -> None:
    """A group release id is bad input unless it has an id's shape: it names an object in
    the group's log, so '../x' never reaches S3 and 'zz' is not an internal error."""
    if gid is not None and not is_release_id(gid):
        shown = gid if len(gid) <= 60 else gid[:57] + "..."
        raise UsageError(
            f"--group-release {printable(shown)} is not a group release id such as "
            "20261206T140000.000000Z-0a0b0c0d: see `lambda-release group history`"
        )


def _options(ctx: Context, alias: str) -> group_deploy.Options:
    s = ctx.settings
    minute = bounds.MINUTE.value(s, 60.0)
    return group_deploy.Options(
        alias=alias,
        dry_run=s.get_bool("dry_run"),
        minute=minute,
        poll=min(bounds.POLL_INTERVAL.value(s, 5.0), max(0.05, minute / 4)),
        sam_path=sam.find_sam(s.get("sam_path")),
        sam_env=sam.subprocess_env(s.get("endpoint_url"), s.get("region")),
    )


def progress(message: str) -> None:
    output.info(visible(message))


HEADERS = ("WAVE", "STACK", "REGION", "RELEASE", "OUTCOME")


def show(out: str, data: dict[str, Any], code: int) -> int:
    if out == "json":
        output.print_json(data)
        return code
    rows = [
        (m["wave"], m["stack"], m["region"], m["release"] or "-", m["outcome"])
        for m in data["members"]
    ]
    if out == "text":
        output.print_text(
            [("GROUP", data["group"], data["id"], data["alias"], data["outcome"]), *rows]
        )
        return code
    stopped = data.get("stopped_at_wave")
    at = f" at wave {stopped}" if stopped else ""
    gid = data["id"] or "(dry run)"
    print(f"group {data['group']} release {gid} to {data['alias']}: {data['outcome']}{at}")
    print(output.format_table(HEADERS, rows))
    for m in data["members"]:  # why a member failed or was refused (sam's last lines)
        for problem in m.get("problems") or []:
            print(f"{m['stack']} ({m['region']}): {visible(problem)}")
    return code


def show_history(out: str, group: str, rows: list[dict[str, Any]]) -> int:
    if out == "json":
        output.print_json({"group": group, "releases": rows})
        return 0
    lines = [
        (
            r["id"],
            r["time"] or "-",
            r["alias"],
            r["outcome"],
            r["stopped_at_wave"] or "-",
            len(r["members"]),
        )
        for r in rows
    ]
    if out == "text":
        output.print_text(lines)
    else:
        print(
            output.format_table(("ID", "TIME", "ALIAS", "OUTCOME", "STOPPED AT", "MEMBERS"), lines)
        )
    return 0
