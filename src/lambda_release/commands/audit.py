"""``lambda-release audit``: who can still reach, or recently ran, ``$LATEST`` of a stack."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from lambda_release import bounds
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_OK, UsageError
from lambda_release.observe.audit import audit_stack
from lambda_release.output import FORMATS, info, print_text

NAME = "audit"
OUTPUTS: tuple[str, ...] = FORMATS
DESCRIPTION = """\
Ask the account what `check` asks the template: for every function of the
stack, which event source mappings, function URL, resource-policy statements
(of the unqualified function), API Gateway REST and HTTP API integrations,
EventBridge targets, SNS subscriptions and S3 notifications reach it
unqualified or at $LATEST, and which alias points at $LATEST. A direct SDK
Invoke of the unqualified function leaves no configuration behind, so audit
also reads the function's Invocations metric (by ExecutedVersion and
Resource) over --since and reports any invocation of $LATEST.

Checks the account or the local stand-in does not offer are listed as "not
checked" with the reason; the others still run.

Exit codes: 1 a path to $LATEST exists or was used, 0 none found, 2 bad input
(no stack, a stack that does not exist, a bad --since).
"""
EXAMPLES = """\
examples:
  lambda-release audit --stack my-lambda-prod --alias PROD
  lambda-release audit --since 7d --output json     # stack and alias from `target`
"""

_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(p: argparse.ArgumentParser) -> None:
    opts.add_stack(p, "the stack to audit")
    p.add_argument(
        "--alias",
        help="the alias callers should use; functions without it are listed "
        "(default: $LAMBDA_RELEASE_ALIAS)",
    )
    p.add_argument(
        "--since",
        help="how far back to read the Invocations metric: 90m, 24h, 7d "
        f"({bounds.SINCE.describe()}: what CloudWatch keeps; default: 24h)",
    )


def parse_since(value: str) -> timedelta:
    m = _DURATION.match(value.strip())
    if not m or int(m.group(1)) == 0:
        raise UsageError(
            f"--since {value!r} is not a duration: write a number and a unit, e.g. 90m, 24h, 7d"
        )
    days = int(m.group(1)) * _SECONDS[m.group(2)] / 86400
    bounds.SINCE.within(days, f"--since {value!r} ({days:g} days)")
    return timedelta(days=days)


def run(ctx: Context) -> int:
    s = ctx.settings
    output = ctx.output
    stack = opts.stack_name(ctx)
    since = parse_since(s.get("since", "24h") or "24h")
    info(f"lambda-release audit: reading stack {stack} ...")
    report = audit_stack(ctx.aws, stack, alias=s.get("alias"), since=since)
    if output == "json":
        print(report.as_json())
    elif output == "text":
        # One row per path to $LATEST: the table's columns, tab-separated.
        print_text([(p.function, p.kind, p.source, p.target, p.detail) for p in report.paths])
    else:
        print(report.as_text(), end="")
    for n in report.not_checked:
        info(f"lambda-release audit: not checked: {n.check}")
    return EXIT_OK if report.clean else EXIT_FAILED
