"""Options shared by the release commands (deploy, begin, record, status, history)."""

from __future__ import annotations

import argparse
from argparse import SUPPRESS
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_release import bounds
from lambda_release.aws.client import LAMBDA_RATE
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.log.location import LogLocation
from lambda_release.release.stack_alias import StackAlias
from lambda_release.settings import DEFAULT_CONFIG_ENV, SamConfig, env_var

if TYPE_CHECKING:
    from lambda_release.log.store import ReleaseLog
    from lambda_release.release.blockers import Blockers
    from lambda_release.release.inputs import ReleaseInputs

# The template's readers (PyYAML and the SAM grammar of overrides) are imported by the
# functions that read what a release ships: status, history and rollback never do.


def add_stack(p: argparse.ArgumentParser, what: str = "CloudFormation stack") -> None:
    """--stack, and SAM's --stack-name for the same (refused if the two disagree)."""
    p.add_argument("--stack", help=f"{what} (default: $LAMBDA_RELEASE_STACK)")
    p.add_argument(
        "--stack-name",
        metavar="STACK",
        help="SAM's spelling of --stack; refused if it names another stack than --stack or "
        "$LAMBDA_RELEASE_STACK (what `target --stack-prefix` exported)",
    )


def add_target(p: argparse.ArgumentParser, *, alias_required: bool = True) -> None:
    add_stack(p)
    p.add_argument(
        "--alias",
        help="the alias released to, e.g. PROD (default: $LAMBDA_RELEASE_ALIAS)"
        + ("" if alias_required else "; default: every alias the stack carries"),
    )
    p.add_argument(
        "--log-bucket",
        metavar="S3URI",
        help="where the release log is: BUCKET or s3://BUCKET/PREFIX (default: the stack's "
        "'lambda-release:log' tag, else --s3-bucket / samconfig s3_bucket)",
    )
    bounds.add_option(
        p, bounds.LAMBDA_RATE, "Lambda control-plane calls per second at most", LAMBDA_RATE
    )


def stack_name(ctx: Context) -> str:
    s = ctx.settings
    stack, sam_name = s.get("stack"), s.get("stack_name")
    if sam_name and stack and sam_name != stack:
        where = "--stack" if s.source("stack") == "flag" else env_var("stack")
        raise UsageError(
            f"--stack-name {sam_name!r} contradicts the target's stack {stack!r} ({where}): "
            "leave --stack-name out, or change the stack with --stack or "
            "`lambda-release target --stack-prefix PREFIX`"
        )
    stack = stack or sam_name
    if not stack:
        raise UsageError(
            "no stack: give --stack, or run `lambda-release target` first to export "
            "LAMBDA_RELEASE_STACK"
        )
    return stack


def alias_name(ctx: Context) -> str:
    alias = ctx.settings.get("alias")
    if not alias:
        raise UsageError(
            "no alias: give --alias (e.g. PROD), or run `lambda-release target` first to export "
            "LAMBDA_RELEASE_ALIAS"
        )
    return alias


def select_config_env(ctx: Context) -> str:
    """The samconfig section: --config-env, else one named after the environment, else default."""
    explicit = ctx.settings.get("config_env")
    if explicit:
        return explicit
    environment = ctx.settings.get("environment")
    if environment:
        config = SamConfig.find(ctx.settings.get("config_file"), Path.cwd())
        if environment in config.environments():
            ctx.with_config_env(environment)
            return environment
    return DEFAULT_CONFIG_ENV


def engine(ctx: Context, alias: str | None = None) -> StackAlias:
    rate = bounds.LAMBDA_RATE.value(ctx.settings, LAMBDA_RATE)
    return StackAlias(ctx.aws, stack_name(ctx), alias or alias_name(ctx), rate=rate)


def log_location(
    ctx: Context, engine: StackAlias, create_managed: Callable[[], None] | None = None
) -> LogLocation:
    return engine.log_location(
        ctx.settings.get("log_bucket"),
        ctx.settings.get("s3_bucket"),
        resolve_s3=ctx.settings.get_bool("resolve_s3"),
        create_managed=create_managed,
    )


def log_location_guess(ctx: Context) -> LogLocation | None:
    """Where the log most likely is before the stack is read: --log-bucket, else the
    artifacts bucket (the stack's tag names it once a release has run, unless the bucket
    changed since); None when only the stack or SAM's managed bucket can tell."""
    value = ctx.settings.get("log_bucket") or ctx.settings.get("s3_bucket")
    if not value:
        return None
    try:
        return LogLocation.parse(value)
    except UsageError:
        return None  # said by log_location, with the fix


def release_log(ctx: Context, engine: StackAlias) -> ReleaseLog:
    return engine.log(log_location(ctx, engine))


def add_release_inputs(p: argparse.ArgumentParser) -> None:
    """What a release ships, for ``deploy`` and ``begin`` alike (checked the same way)."""
    p.add_argument(
        "-t", "--template-file", help="template for sam deploy (default: SAM's: the built one)"
    )
    p.add_argument(
        "--parameter-overrides",
        action="extend",
        nargs="+",
        metavar="STRING",
        help='overrides as sam deploy takes them: Key=Value Key2="a b", one or more words, '
        "each in SAM's syntax (merged over samconfig's)",
    )
    p.add_argument(
        "--parameter",
        action="append",
        metavar="KEY=VALUE",
        help="one parameter, its value taken literally (spaces, quotes, '=' and commas kept: "
        "no SAM syntax to get wrong); repeatable; beats --parameter-overrides",
    )
    # Its former name, one letter from --parameter-overrides: still works, out of the help.
    p.add_argument("--parameter-override", dest="parameter", action="append", help=SUPPRESS)
    p.add_argument(
        "--allow-alias-removal",
        action="store_true",
        default=None,
        help="let the template take the alias off functions that carry it (else refused)",
    )
    p.add_argument(
        "--secret-parameter",
        action="append",
        metavar="NAME",
        help="a template parameter whose value is written as ***** everywhere (NoEcho "
        "parameters always are); repeatable",
    )
    add_blockers(p)
    p.add_argument(
        "--ignore-window",
        metavar="REASON",
        help="deploy outside the --deploy-window(s); the reason is recorded in the log",
    )


def add_blockers(p: argparse.ArgumentParser) -> None:
    """What blocks a deploy (deploy, begin and status alike)."""
    p.add_argument(
        "--deploy-window",
        action="append",
        metavar="WINDOW",
        help="when deploys may begin, e.g. 'Mon-Fri 09:00-16:00 Europe/Berlin'; repeatable "
        "(in the environment: windows separated by ';'); outside every one a deploy is refused",
    )
    p.add_argument(
        "--block-on-alarm",
        action="append",
        metavar="NAME",
        help="a CloudWatch alarm that blocks deploys while in ALARM (the stack's deployment "
        "alarms always do); repeatable",
    )


def blockers(ctx: Context) -> Blockers:
    """The blockers as given (every window parsed: a bad one is bad input, exit 2)."""
    from lambda_release.release.blockers import Blockers  # noqa: PLC0415 - see the imports

    s = ctx.settings
    if s.source("deploy_window") == "flag":
        windows = [str(w) for w in s.raw("deploy_window")]
    else:
        windows = [w for w in (s.get("deploy_window") or "").split(";") if w.strip()]
    ignore = s.raw("ignore_window")
    return Blockers.parse(
        windows, s.get_list("block_on_alarm"), None if ignore is None else str(ignore)
    )


def overrides(ctx: Context, alias: str) -> dict[str, str]:
    """The parameter overrides sam deploy gets: samconfig's, then the user's, then AliasName."""
    from lambda_release.template.overrides import (  # noqa: PLC0415 - see the imports
        config_overrides,
        merge_overrides,
        parse_override_item,
        parse_overrides,
    )

    s = ctx.settings
    given: dict[str, str] = {}
    if s.source("parameter_overrides") == "flag":
        for word in s.raw("parameter_overrides"):  # each word in SAM's syntax, as sam does
            given.update(parse_overrides(word))
    elif s.source("parameter_overrides") == "env":
        given = parse_overrides(s.get("parameter_overrides") or "")
    return merge_overrides(
        config_overrides(s.file.get("parameter_overrides")),
        given,
        [parse_override_item(i) for i in (s.raw("parameter") or [])]
        if s.source("parameter") == "flag"
        else [],
        alias,
    )


def declared_secrets(ctx: Context) -> list[str]:
    """Parameters the user marks secret: flag and environment together (for secrets, one
    layer never hides the other)."""
    s = ctx.settings
    names = list(s.flags.get("secret_parameter") or [])
    return names + s.environ.get(env_var("secret_parameter"), "").replace(",", " ").split()


def release_inputs(ctx: Context, alias: str, default_record: str | None) -> ReleaseInputs:
    """The template, the overrides with their secrets carried, the record file: every
    value parsed, nothing looked up in AWS yet."""
    from lambda_release.release.inputs import gather  # noqa: PLC0415 - see the imports

    s = ctx.settings
    return gather(
        template_file=s.get("template_file"),
        overrides=overrides(ctx, alias),
        declared_secrets=declared_secrets(ctx),
        allow_alias_removal=s.get_bool("allow_alias_removal"),
        record_file=s.get("record_file", default_record) or default_record,
        blockers=blockers(ctx),
    )
