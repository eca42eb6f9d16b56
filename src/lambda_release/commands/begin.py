"""``lambda-release begin``: write a pending release before you run sam deploy yourself."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.log.lock import BEGIN_LEASE_SECONDS
from lambda_release.release.begin import begin, begin_dry_run

NAME = "begin"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
For teams that run `sam deploy` themselves: `begin` runs the pre-flight checks,
takes the lock of the stack and alias (a lease of --lock-ttl seconds, default
3 hours, given back by `record`), and writes the release to the log as pending
with every function's current version. Then run sam deploy (with
AliasName=<alias> and the tag lambda-release:log=<log location>), then
`lambda-release record`, possibly in another job or on another machine: the
pending release lives in AWS.

Exit codes: 0 begun; 1 refused (pre-flight or lock); 2 bad input.
"""
EXAMPLES = """\
example:
  lambda-release begin --stack my-lambda-prod --alias PROD --log-bucket my-artifacts
  sam deploy --stack-name my-lambda-prod --parameter-overrides AliasName=PROD \\
      --tags lambda-release:log=s3://my-artifacts ...
  lambda-release record --stack my-lambda-prod --alias PROD --log-bucket my-artifacts
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    opts.add_release_inputs(p)
    p.add_argument("--environment", help="environment recorded in the log")
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    bounds.add_option(p, bounds.LOCK_TIMEOUT, "seconds to wait for the lock", 0.0)
    bounds.add_option(
        p, bounds.LOCK_TTL, "seconds the lease lasts; `record` gives it back", BEGIN_LEASE_SECONDS
    )
    p.add_argument("--dry-run", action="store_true", default=None, help="check and print only")


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    lock_ttl = bounds.LOCK_TTL.value(s, BEGIN_LEASE_SECONDS)
    lock_timeout = bounds.LOCK_TIMEOUT.value(s, 0.0)
    opts.select_config_env(ctx)
    inputs = opts.release_inputs(ctx, opts.alias_name(ctx), None)
    engine = opts.engine(ctx)
    log = opts.release_log(ctx, engine)
    environment = s.get("environment") or ""
    if s.get_bool("dry_run"):
        planned, problems = begin_dry_run(
            engine, log, environment=environment, progress=output.info, inputs=inputs
        )
        if out == "json":
            output.print_json({"dry_run": True, "entry": planned, "problems": problems})
        elif out == "text":
            output.print_text([("WOULD_REFUSE", problem) for problem in problems])
        else:
            where = f"{engine.stack} alias {engine.alias} in {log.location.uri}"
            print(f"dry run: would begin a release of {where}")
            for problem in problems:
                print(f"  would refuse: {problem}")
        return 1 if problems else 0
    ctx.aws.check_credentials()
    entry, _lease, problems = begin(
        engine,
        log,
        environment=environment,
        mode="begin",
        lock_ttl=lock_ttl,
        lock_timeout=lock_timeout,
        progress=output.info,
        inputs=inputs,
    )
    if problems or entry is None:
        for problem in problems:
            output.info(f"refused: {problem}")
        return 1
    if out == "json":
        output.print_json(entry)
    elif out == "text":
        output.print_text([(entry["id"], log.location.uri)])
    else:
        print(f"release {entry['id']} begun (pending) in {log.location.uri}")
        output.info(
            f"now run sam deploy with AliasName={engine.alias} and the tag "
            f"lambda-release:log={log.location.uri}, then `lambda-release record`"
        )
    return 0
