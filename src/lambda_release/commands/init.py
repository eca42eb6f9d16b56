"""``lambda-release init``: make a SAM app ready for safe releases in one command."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_release.check import require_cfnlint
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_OK
from lambda_release.onboard.next_steps import Where

if TYPE_CHECKING:
    from lambda_release.fix.run import FixResult
    from lambda_release.onboard.circleci import Plan
    from lambda_release.onboard.samconfig import Plan as SamconfigPlan
from lambda_release.output import info, print_json

NAME = "init"
OUTPUTS: tuple[str, ...] = ("text", "json")
DESCRIPTION = """\
Run in a SAM app's directory. In order:
  1. check --fix on the template (alias parameter, AutoPublishAlias, a canary with
     an Errors alarm per function, per-stack names, invocation targets on the alias);
  2. .circleci/config.yml using the lambda-release orb: deploy-staging on every branch
     but main (STAGING / <prefix>-staging) and deploy-prod on main (PROD /
     <prefix>-prod), each with its own role and context; a rollback of production
     behind an approval, on main. The jobs run on the SAM build image of the app's
     runtime. In an existing config they join the workflow that runs the app's jobs
     and require them (nothing releases when tests fail), every other byte kept; a
     config that cannot take them safely is left alone and the snippet is printed;
  3. samconfig.toml sections prod and staging with the app's bucket settings
     (resolve_s3 when it names no bucket), and .lambda-release/ in .gitignore;
  4. the next steps: the iam-policy and --trust commands for the three roles.
Every file is written, or none. --dry-run prints every diff and writes nothing.
Running init twice changes nothing the second time; a --stack-prefix other than the
one the app is set up with is refused. Exit codes: 0 ready; 1 something is left for
a person (a template error the fix could not make, a config it would not merge, a
file it could not write: then nothing is written); 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release init --stack-prefix my-lambda --dry-run   # show what it would write
  lambda-release init --stack-prefix my-lambda
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stack-prefix",
        help="stacks are <prefix>-prod and <prefix>-staging (default: the prefix the app is "
        "set up with, else samconfig.toml's stack_name, else the directory's name)",
    )
    p.add_argument("-t", "--template-file", help="the SAM template (default: template.yaml)")
    p.add_argument("--template", dest="template_file", help=argparse.SUPPRESS)  # the old name
    p.add_argument("--account", help="AWS account id, for the printed iam-policy commands")
    p.add_argument("--org-id", help="CircleCI organization id, for the printed --trust commands")
    p.add_argument("--project-id", help="CircleCI project id, for the printed --trust commands")
    p.add_argument(
        "--dry-run", action="store_true", default=None, help="print the diffs, write nothing"
    )


def _diff(path: Path, before: str | None, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}" if before is not None else "/dev/null",
            tofile=f"b/{path}",
        )
    )


def _where(ctx: Context, region: str, bucket: str, image: str) -> Where:
    s = ctx.settings
    return Where(
        account=s.get("account") or "",
        region=s.get("region") or region,
        org_id=s.get("org_id") or "",
        project_id=s.get("project_id") or "",
        bucket=bucket,
        image=image,
    )


def run(ctx: Context) -> int:
    require_cfnlint()
    from lambda_release.onboard.init_plan import plan  # noqa: PLC0415 - needs the check extra
    from lambda_release.onboard.next_steps import next_steps  # noqa: PLC0415
    from lambda_release.onboard.writes import write_all  # noqa: PLC0415

    s = ctx.settings
    dry_run = s.get_bool("dry_run")
    planned = plan(Path(s.get("template_file") or "template.yaml"), s.get("stack_prefix"))
    if not dry_run:
        write_all(planned.changes, Path.cwd())
    fixed, ci, sam, app, prefix = (
        planned.fixed,
        planned.ci,
        planned.sam,
        planned.app,
        planned.prefix,
    )
    written = [str(c.path) for c in planned.changes]
    diffs = [_diff(c.path, c.before, c.after) for c in planned.changes]
    where = _where(ctx, planned.region, sam.bucket, "" if app.mixed else app.image)
    errors = [f for f in fixed.remaining if f.severity == "error"]
    if ctx.output == "json":
        print_json(
            {
                "stack_prefix": prefix,
                "dry_run": dry_run,
                "changed": written,
                "template": {"changes": fixed.changes, "left": fixed.left},
                "remaining": [f.as_dict() for f in fixed.remaining],
                "circleci_refused": ci.refused,
                "circleci_snippet": ci.snippet if ci.refused else "",
                "circleci_workflow": ci.workflow,
                "circleci_requires": list(ci.requires),
                "samconfig_environments_added": sam.added,
                "samconfig_environments_amended": sam.amended,
                "runtimes": list(app.runtimes),
                "diff": "".join(diffs),
            }
        )
    else:
        steps = next_steps(prefix, written, where)
        print(_as_text(fixed, ci, sam, written, diffs, dry_run, steps))
    verb = "to write" if dry_run else "written"
    info(f"lambda-release init: {prefix}: {len(written)} file(s) {verb}")
    return EXIT_FAILED if errors or ci.refused else EXIT_OK


def _as_text(
    fixed: FixResult,
    ci: Plan,
    sam: SamconfigPlan,
    written: list[str],
    diffs: list[str],
    dry_run: bool,
    steps: str,
) -> str:
    lines: list[str] = [d.rstrip("\n") for d in diffs] if dry_run else []
    verb = "would write" if dry_run else "wrote"
    lines.append(f"{verb}: {', '.join(written)}" if written else "nothing to change")
    lines.extend(f"  template: {c}" for c in fixed.changes)
    lines.extend(f"  left alone: {item}" for item in fixed.left)
    lines.extend(
        f"  left alone: {f.file}:{f.line}: {f.severity} {f.rule} {f.message}"
        for f in fixed.remaining
    )
    if sam.added:
        lines.append(f"  samconfig.toml: sections {', '.join(sam.added)}")
    if sam.amended:
        lines.append(f"  samconfig.toml: the bucket setting added to {', '.join(sam.amended)}")
    if ci.text is not None and ci.requires:
        lines.append(
            f"  .circleci/config.yml: the release jobs joined workflow {ci.workflow!r} and "
            f"wait for {', '.join(ci.requires)}"
        )
    if ci.refused:
        lines.append(f".circleci/config.yml left alone: {ci.refused}. Paste this into it:")
        lines.append(ci.snippet.rstrip("\n"))
    lines.extend(["", steps.rstrip("\n")])
    return "\n".join(lines)
