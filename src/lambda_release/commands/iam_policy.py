"""``lambda-release iam-policy``: the minimal IAM policy of a role, or its CircleCI trust policy."""

from __future__ import annotations

import argparse
import textwrap

from lambda_release import output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import OperationError, UsageError
from lambda_release.iam.policy import build_policy, check_role, explain
from lambda_release.iam.roles import ROLES
from lambda_release.iam.scope import Scope, partition_of
from lambda_release.iam.trust import build_trust
from lambda_release.log.location import LogLocation
from lambda_release.text import visible

NAME = "iam-policy"
OUTPUTS: tuple[str, ...] = ("json", "table", "text")
DESCRIPTION = """\
Prints an IAM policy document (JSON) granting exactly what the helper's own AWS
calls need for one role, scoped to the stack's functions (<stack>-*), its
CodeDeploy groups, the stack itself and the release log's prefix:

  deploy    deploy, begin, record, status, history (add what `sam deploy` itself
            needs: docs/security.md lists it)
  rollback  rollback, status, history: aliases, stopping a canary, the log
  readonly  status --no-settle, history, audit
  prune     prune: the only role that may delete (published versions)

--output table lists each action with the resources it is granted on and why
(--output text: the same, one tab-separated line per action and resource).

With --trust it prints instead the trust policy that lets CircleCI jobs of one
project assume the role with OIDC ($CIRCLE_OIDC_TOKEN_V2): on any branch, or with
--branch (repeatable) only on those branches, e.g. main for production.

Nothing is sent to AWS unless --account is missing (then STS GetCallerIdentity
names the account). Exit codes: 0 printed; 1 the account could not be found; 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release iam-policy --role deploy --stack my-lambda-prod --alias PROD \\
      --log-bucket my-artifacts --account 123456789012 --region eu-west-1
  lambda-release iam-policy --role readonly --stack my-lambda-prod --output table
  lambda-release iam-policy --trust --account 123456789012 --org-id ORG-UUID \\
      --project-id PROJECT-UUID --branch main
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=ROLES, help="the role whose policy to print")
    opts.add_stack(p, "the stack")
    p.add_argument("--alias", help="limit the release log to this alias (default: every alias)")
    p.add_argument(
        "--log-bucket",
        metavar="S3URI",
        help="the release log: BUCKET or s3://BUCKET/PREFIX (default: --s3-bucket, else the "
        "bucket `sam deploy --resolve-s3` manages)",
    )
    # The name every other command gives it is --log-bucket; --bucket still works.
    p.add_argument("--bucket", dest="log_bucket", help=argparse.SUPPRESS)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    p.add_argument(
        "--function-prefix",
        action="append",
        help="function names start with this (default: '<stack>-', as CloudFormation names "
        "them); repeat it for functions with an explicit FunctionName",
    )
    p.add_argument("--account", help="the 12-digit AWS account id (default: STS says)")
    p.add_argument("--trust", action="store_true", default=None, help="print the trust policy")
    p.add_argument("--org-id", help="CircleCI organization id (with --trust)")
    p.add_argument("--project-id", help="CircleCI project id (with --trust)")
    p.add_argument(
        "--branch",
        action="append",
        help="with --trust: only jobs on this branch may assume the role (repeatable); "
        "default: any branch",
    )


def _account(ctx: Context) -> str:
    account = ctx.settings.get("account")
    if account:
        return account
    try:
        ident = ctx.aws.client("sts").get_caller_identity()
    except UsageError:
        raise
    except Exception as exc:
        raise OperationError(
            f"cannot find the AWS account ({exc}): give --account 123456789012"
        ) from exc
    return str(ident["Account"])


def _region(ctx: Context) -> str:
    region = ctx.settings.get("region") or ctx.aws.session.region_name
    if not region:
        raise UsageError("no AWS region: give --region (or set AWS_REGION)")
    return str(region)


WHY_WIDTH = 72


def one_per_resource(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Each action once per resource it is granted on (the resources come space-joined)."""
    return [(action, arn, why) for action, arns, why in rows for arn in arns.split()]


def blocks(rows: list[tuple[str, str, str]]) -> str:
    """The table for people: per action, its resources one a line, then why, wrapped (as
    three columns, an action on long ARNs with its reason made lines of 300 characters)."""
    lines: list[str] = []
    for action, arns, why in rows:
        lines.append(visible(action))
        lines.extend(
            f"  {'on' if i == 0 else '  '}   {visible(a)}" for i, a in enumerate(arns.split())
        )
        reasons = textwrap.wrap(visible(why), WHY_WIDTH) or [""]
        lines.extend(f"  {'why' if i == 0 else '   '}  {r}" for i, r in enumerate(reasons))
    return "\n".join(lines)


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    if s.get_bool("trust"):
        org, project = s.get("org_id"), s.get("project_id")
        if not org or not project:
            raise UsageError("--trust needs --org-id and --project-id (CircleCI's settings pages)")
        region = s.get("region") or ctx.aws.session.region_name or "us-east-1"
        output.print_json(
            build_trust(
                account=_account(ctx),
                org_id=org,
                project_id=project,
                branches=s.get_list("branch"),
                partition=partition_of(str(region)),
            )
        )
        return 0
    role = s.get("role")
    if not role:
        raise UsageError(f"give --role ({', '.join(ROLES)}) or --trust")
    check_role(role)
    stack = opts.stack_name(ctx)
    where = s.get("log_bucket") or s.get("s3_bucket")
    scope = Scope(
        account=_account(ctx),
        region=_region(ctx),
        stack=stack,
        alias=s.get("alias"),
        log=LogLocation.parse(where) if where else None,
        function_prefixes=tuple(s.get_list("function_prefix")),
    )
    if not where:
        output.info(
            "no --log-bucket: the release log is assumed in the bucket `sam deploy --resolve-s3` "
            "manages"
        )
    if out == "table":
        print(blocks(explain(role, scope)))
    elif out == "text":
        output.print_text(one_per_resource(explain(role, scope)))
    else:
        output.print_json(build_policy(role, scope))
    return 0
