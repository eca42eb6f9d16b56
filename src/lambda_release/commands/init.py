"""``lambda-release init``: make a SAM app ready for safe releases in one command."""

from __future__ import annotations

import argparse
import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambda_release.check import require_cfnlint
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_OK, UsageError
from lambda_release.names import validate_stack_name
from lambda_release.onboard.next_steps import Where
from lambda_release.template.cfn import read_template

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

CONFIG = Path(".circleci/config.yml")
SAMCONFIG = Path("samconfig.toml")
GITIGNORE = Path(".gitignore")


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stack-prefix",
        help="stacks are <prefix>-prod and <prefix>-staging (default: the prefix the app is "
        "set up with, else samconfig.toml's stack_name, else the directory's name)",
    )
    p.add_argument("--template", help="the SAM template (default: template.yaml)")
    p.add_argument("--account", help="AWS account id, for the printed iam-policy commands")
    p.add_argument("--org-id", help="CircleCI organization id, for the printed --trust commands")
    p.add_argument("--project-id", help="CircleCI project id, for the printed --trust commands")
    p.add_argument(
        "--dry-run", action="store_true", default=None, help="print the diffs, write nothing"
    )


def default_prefix(directory: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9-]+", "-", directory.resolve().name).strip("-")
    return name if name and name[0].isalpha() else f"app-{name}".strip("-")


def _diff(path: Path, before: str | None, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}" if before is not None else "/dev/null",
            tofile=f"b/{path}",
        )
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}; fix or move it") from exc


def _prefix(ctx: Context, samconfig_data: dict[str, Any], config_text: str | None) -> str:
    """--stack-prefix, else the one the app is set up with, else SAM's stack name, else the
    folder's name. A --stack-prefix that differs from the one set up is refused: half the
    files would name one stack and half the other."""
    from lambda_release.onboard import circleci, samconfig  # noqa: PLC0415

    given = ctx.settings.get("stack_prefix")
    in_use = samconfig.prefix_in_use(samconfig_data) or circleci.prefix_in_use(config_text)
    if given and in_use and given != in_use[0]:
        raise UsageError(
            f"--stack-prefix {given!r} differs from the prefix this app is set up with, "
            f"{in_use[0]!r} ({in_use[1]}): run init --stack-prefix {in_use[0]}, or change "
            "that setting by hand first"
        )
    prefix = (
        given
        or (in_use[0] if in_use else None)
        or samconfig.app_stack_name(samconfig_data)
        or default_prefix(Path.cwd())
    )
    for env in ("prod", "staging"):
        validate_stack_name(f"{prefix}-{env}", what="--stack-prefix (as a stack name)")
    return prefix


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
    from lambda_release.fix.run import fix_file  # noqa: PLC0415 - needs the check extra
    from lambda_release.onboard import circleci, gitignore, samconfig  # noqa: PLC0415
    from lambda_release.onboard.app_shape import shape  # noqa: PLC0415
    from lambda_release.onboard.next_steps import next_steps  # noqa: PLC0415
    from lambda_release.onboard.writes import Change, check_inside, write_all  # noqa: PLC0415

    s = ctx.settings
    dry_run = s.get_bool("dry_run")
    template = Path(s.get("template") or "template.yaml")
    if not template.is_file():
        raise UsageError(
            f"no SAM template at {template}: run init in the app's directory or give --template"
        )
    old_samconfig, old_config = _read(SAMCONFIG), _read(CONFIG)
    data = samconfig.read(old_samconfig)
    prefix = _prefix(ctx, data, old_config)
    app = shape(read_template(template))
    fixed = fix_file(template, dry_run=True)
    ci = circleci.plan(old_config, prefix, app)
    targets = [
        samconfig.Target("prod", f"{prefix}-prod", "PROD"),
        samconfig.Target("staging", f"{prefix}-staging", "STAGING"),
    ]
    sam = samconfig.plan(old_samconfig, targets)
    old_ignore = _read(GITIGNORE)
    planned = [
        (template, fixed.before, fixed.after if fixed.changed else None),
        (CONFIG, old_config, ci.text),
        (SAMCONFIG, old_samconfig, sam.text),
        (GITIGNORE, old_ignore, gitignore.plan(old_ignore)),
    ]
    changes = [Change(path, before, after) for path, before, after in planned if after is not None]
    check_inside(changes, Path.cwd())
    if not dry_run:
        write_all(changes, Path.cwd())
    written = [str(c.path) for c in changes]
    diffs = [_diff(c.path, c.before, c.after) for c in changes]
    region = str(samconfig.carried(data).get("region") or "")
    where = _where(ctx, region, sam.bucket, "" if app.mixed else app.image)
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
            f"  {CONFIG}: the release jobs joined workflow {ci.workflow!r} and wait for "
            f"{', '.join(ci.requires)}"
        )
    if ci.refused:
        lines.append(f"{CONFIG} left alone: {ci.refused}. Paste this into it:")
        lines.append(ci.snippet.rstrip("\n"))
    lines.extend(["", steps.rstrip("\n")])
    return "\n".join(lines)
