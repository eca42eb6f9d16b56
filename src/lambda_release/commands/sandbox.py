"""``lambda-release sandbox``: run the local AWS stand-in on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from typing import TYPE_CHECKING

from lambda_release import bounds
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.output import info
from lambda_release.target import shell_quote

if TYPE_CHECKING:
    from lambda_release.sandbox.server import Sandbox

NAME = "sandbox"
OUTPUTS: tuple[str, ...] = ("env", "json")
DESCRIPTION = """\
Run a local stand-in for the AWS services a release uses, so that the real
`sam deploy` and lambda-release can be rehearsed and tested with no AWS
account: moto's server, plus the SAM transform, Lambda versions and aliases
in CloudFormation, CodeDeploy canary and linear traffic shifting on a
compressed clock with alarm rollback, and the Lambda alias rules AWS enforces.
See docs/sandbox.md for what differs from AWS.

It listens on 127.0.0.1 only. On start it prints the environment a shell
needs, every value single-quoted, then runs until Ctrl-C or SIGTERM:
  export AWS_ENDPOINT_URL='http://127.0.0.1:PORT'
  export AWS_ACCESS_KEY_ID='sandbox'   (dummy credentials, region us-east-1, ...)

It serves every region at once, each region's resources apart as on AWS;
the region it prints (--region, default us-east-1) is only the one clients
use when they name none.

--minute sets how many real seconds one deployment minute lasts, so a
Canary10Percent5Minutes deployment takes 5 x MINUTE seconds.

--drift-model chooses what a CodeDeploy deployment does when the alias was
moved by hand since CloudFormation recorded it (AWS does not document it):
fail (the default: the deployment fails), recorded (it shifts from the
version CloudFormation recorded) or live (it shifts from the alias's version).

Needs the package's `sandbox` extra: pip install 'lambda-release[sandbox]'.
Nothing else in lambda-release uses the sandbox unless you point it there.
"""
EXAMPLES = """\
examples:
  lambda-release sandbox --port 4566 --minute 0.5 > sandbox.env &
  sleep 2; . ./sandbox.env            # AWS_ENDPOINT_URL and friends
  sam deploy --parameter-overrides AliasName=PROD --resolve-s3 ...
  aws cloudwatch set-alarm-state --alarm-name ... --state-value ALARM --state-reason test
"""

DEFAULT_MINUTE = 60.0
DRIFT_MODELS = ("fail", "recorded", "live")


def register(p: argparse.ArgumentParser) -> None:
    bounds.add_option(p, bounds.PORT, "TCP port on 127.0.0.1, printed", 0)
    bounds.add_option(
        p, bounds.MINUTE, "real seconds per CodeDeploy deployment minute", DEFAULT_MINUTE
    )
    add_drift_model(p)


def add_drift_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--drift-model",
        help="a deployment over an alias moved by hand: "
        + "|".join(DRIFT_MODELS)
        + " (default fail)",
    )


def drift_model(value: str | None) -> str:
    if value is None:
        return DRIFT_MODELS[0]
    if value not in DRIFT_MODELS:
        raise UsageError(f"--drift-model {value!r} is not one of {', '.join(DRIFT_MODELS)}")
    return value


def run(ctx: Context) -> int:
    port = bounds.PORT.whole(ctx.settings, 0)
    minute = bounds.MINUTE.value(ctx.settings, DEFAULT_MINUTE)
    drift = drift_model(ctx.settings.get("drift_model"))
    output = ctx.output
    region = ctx.settings.get("region") or "us-east-1"
    if (
        importlib.util.find_spec("moto") is None
        or importlib.util.find_spec("samtranslator") is None
    ):
        raise UsageError(
            "the sandbox needs moto and the SAM translator: pip install 'lambda-release[sandbox]'"
        )
    # Imported here: the core package must not import moto.
    from lambda_release.sandbox.serve import serve_until_stopped  # noqa: PLC0415

    def announce(sandbox: Sandbox) -> None:
        env = sandbox.env
        if output == "json":
            print(json.dumps({"endpoint_url": env["AWS_ENDPOINT_URL"], "env": env}))
        else:
            for key, value in env.items():
                print(f"export {key}={shell_quote(value)}")
        sys.stdout.flush()
        info(
            f"lambda-release sandbox: listening on {env['AWS_ENDPOINT_URL']} "
            f"(a deployment minute lasts {minute:g} s, drift model {drift}); Ctrl-C or "
            "SIGTERM stops it"
        )

    serve_until_stopped(port, minute, announce, region=region, drift_model=drift)
    info("lambda-release sandbox: stopped")
    return 0
