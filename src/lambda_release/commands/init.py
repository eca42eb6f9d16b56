"""``lambda-release init``: make a SAM app ready for safe releases in one command."""

from __future__ import annotations

import argparse
import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_release.check import require_cfnlint
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_OK, UsageError
from lambda_release.names import validate_stack_name
from lambda_release.onboard.next_steps import Where

if TYPE_CHECKING:
    from lambda_release.fix.run import FixResult
    from lambda_release.onboard.circleci import Plan
from lambda_release.output import info, print_json

NAME = "init"
OUTPUTS: tuple[str, ...] = ("text", "json")
DESCRIPTION = """\
Run in a SAM app's directory. In order:
  1. check --fix on the template (alias parameter, AutoPublishAlias, a canary with
     an Errors alarm per function, per-stack names, invocation targets on the alias);
  2. .circleci/config.yml using the lambda-release orb: deploy on every push (main ->
     PROD / <prefix>-prod, other branches -> STAGING / <prefix>-staging), rollback
     behind an approval in a restricted context, one serial group. An existing config
     gets the orb and a `release` workflow added, every other byte kept; one that
     cannot take it safely is left alone and the snippet to paste is printed;
  3. samconfig.toml sections prod and staging, where missing;
  4. the next steps, with the exact iam-policy and --trust commands for this app.
--dry-run prints every diff and writes nothing. Running init twice changes nothing
the second time. Exit codes: 0 ready; 1 something is left for a person (a template
error the fix could not make, or a config it would not merge); 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release init --stack-prefix my-lambda --dry-run   # show what it would write
  lambda-release init --stack-prefix my-lambda
"""

CONFIG = Path(".circleci/config.yml")
SAMCONFIG = Path("samconfig.toml")


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stack-prefix",
        help="stacks are <prefix>-prod and <prefix>-staging (default: the directory's name)",
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


def _where(ctx: Context) -> Where:
    s, known = ctx.settings, Where()
    return Where(
        account=s.get("account") or known.account,
        region=s.get("region") or known.region,
        org_id=s.get("org_id") or known.org_id,
        project_id=s.get("project_id") or known.project_id,
    )


def _write(
    template: Path,
    fixed: FixResult,
    changes: list[tuple[Path, str | None, str | None]],
    dry_run: bool,
) -> tuple[list[str], list[str]]:
    """Write the template and both configs, or none of them; what changed, and the diffs."""
    from lambda_release.fix.writing import write_all  # noqa: PLC0415 - needs the check extra

    written = [str(template)] if fixed.changed else []
    diffs = [fixed.diff()] if fixed.changed else []
    files = [(template, fixed.after)] if fixed.changed else []
    for path, before, after in changes:
        if after is None:
            continue
        written.append(str(path))
        diffs.append(_diff(path, before, after))
        files.append((path, after))
    if not dry_run:
        for path, _ in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_all(files)
    return written, diffs


def run(ctx: Context) -> int:
    require_cfnlint()
    from lambda_release.fix.run import fix_file  # noqa: PLC0415 - needs the check extra
    from lambda_release.onboard import circleci, samconfig  # noqa: PLC0415
    from lambda_release.onboard.next_steps import next_steps  # noqa: PLC0415

    s = ctx.settings
    dry_run = s.get_bool("dry_run")
    template = Path(s.get("template") or "template.yaml")
    if not template.is_file():
        raise UsageError(
            f"no SAM template at {template}: run init in the app's directory or give --template"
        )
    prefix = s.get("stack_prefix") or default_prefix(Path.cwd())
    for env in ("prod", "staging"):
        validate_stack_name(f"{prefix}-{env}", what="--stack-prefix (as a stack name)")

    fixed = fix_file(template, dry_run=True)  # written below, with the others
    ci = circleci.plan(_read(CONFIG), prefix)
    old_samconfig = _read(SAMCONFIG)
    new_samconfig, envs = samconfig.plan(
        old_samconfig,
        [("prod", f"{prefix}-prod", "PROD"), ("staging", f"{prefix}-staging", "STAGING")],
    )
    changes = [(CONFIG, _read(CONFIG), ci.text), (SAMCONFIG, old_samconfig, new_samconfig)]
    written, diffs = _write(template, fixed, changes, dry_run)

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
                "samconfig_environments_added": envs,
                "diff": "".join(diffs),
            }
        )
    else:
        print(
            _as_text(
                fixed, ci, envs, written, diffs, dry_run, next_steps(prefix, written, _where(ctx))
            )
        )
    verb = "to write" if dry_run else "written"
    info(f"lambda-release init: {prefix}: {len(written)} file(s) {verb}")
    return EXIT_FAILED if errors or ci.refused else EXIT_OK


def _as_text(
    fixed: FixResult,
    ci: Plan,
    envs: list[str],
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
    if envs:
        lines.append(f"  samconfig.toml: sections {', '.join(envs)}")
    if ci.refused:
        lines.append(f"{CONFIG} left alone: {ci.refused}. Paste this into it:")
        lines.append(ci.snippet.rstrip("\n"))
    lines.extend(["", steps.rstrip("\n")])
    return "\n".join(lines)
