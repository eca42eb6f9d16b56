"""``lambda-release demo``: the release rehearsal against the local AWS stand-in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lambda_release import bounds
from lambda_release.context import Context
from lambda_release.names import validate_stack_name

NAME = "demo"
OUTPUTS: tuple[str, ...] = ("text",)
DESCRIPTION = """\
Starts a local AWS stand-in (the sandbox), builds a SAM application with the
real SAM CLI and rehearses the release story with the real commands, as a
readable timeline:

  1. a push to feature/x deploys to STAGING (<prefix>-staging);
  2. a push to main deploys to PROD with a canary that succeeds (progress shown);
  3. a bad release: the alarm fires mid-canary and CodeDeploy rolls back by
     itself; the stable versions do not move;
  4. a release that passes its canary but is found bad later: `rollback` puts
     every function back on its stable version in one command;
  5. `status` and `history` show what runs where and why.

The built-in application has two functions (python3.11), each with a canary
and an alarm. --template-file runs the same story with your own SAM template (it
must take AliasName and set AutoPublishAlias: !Ref AliasName). No AWS account
is touched; the sandbox is stopped at the end and nothing is left running.
SAM's full output is kept in demo.log in the work directory.

Needs the sam and sandbox extras: pip install 'lambda-release[sam,sandbox]'
(`make demo` installs everything).

Exit codes: 0 every chapter went as told; 1 a step did not; 2 bad input.
"""
EXAMPLES = """\
examples:
  make demo
  lambda-release demo
  lambda-release demo --template-file path/to/template.yaml --stack-prefix my-app
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-t",
        "--template-file",
        metavar="PATH",
        help="your own SAM template (default: built-in)",
    )
    p.add_argument("--template", dest="template_file", help=argparse.SUPPRESS)  # the old name
    p.add_argument(
        "--stack-prefix", help="stacks <prefix>-staging and <prefix>-prod (default: demo)"
    )
    p.add_argument(
        "--workdir", metavar="DIR", help="where to build and keep demo.log (default: a temp dir)"
    )
    bounds.add_option(
        p, bounds.DEMO_MINUTE, "real seconds per deployment minute in the sandbox", 0.6
    )


def run(ctx: Context) -> int:
    ctx.output  # noqa: B018 - validates --output
    from lambda_release.demo.rehearsal import DEFAULT_MINUTE, Options, rehearse  # noqa: PLC0415

    s = ctx.settings
    minute = bounds.DEMO_MINUTE.value(s, DEFAULT_MINUTE)
    prefix = s.get("stack_prefix") or "demo"
    validate_stack_name(f"{prefix}-staging")
    template, workdir = s.get("template_file"), s.get("workdir")
    options = Options(
        template=Path(template) if template else None,
        workdir=Path(workdir) if workdir else None,
        minute=minute,
        prefix=prefix,
    )
    return rehearse(options, sys.stdout)
