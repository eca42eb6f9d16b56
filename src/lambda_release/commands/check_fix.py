"""``lambda-release check --fix [--dry-run]``: the options and their printing.

check.py registers these options and hands over to ``run`` when ``--fix`` is given;
the fixes themselves live in lambda_release.fix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_release.check.environments import DEFAULT_PRODUCTION_ALIASES, Options
from lambda_release.errors import EXIT_FAILED, EXIT_OK, LambdaReleaseError, UsageError
from lambda_release.output import info, print_json

if TYPE_CHECKING:
    from lambda_release.fix.run import FixResult


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fix",
        action="store_true",
        default=None,
        help="rewrite the template to fix what has a mechanical fix; list the rest",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="with --fix: print the unified diff, change nothing",
    )


def aliases_of(options: Options) -> tuple[list[str], str]:
    """The aliases to allow and the production alias.

    With --environments: their aliases, production the first that is a production
    alias (--production-alias, else the defaults). Without: the seed's STAGING and
    PROD (or the first --production-alias).
    """
    production = options.production_aliases or DEFAULT_PRODUCTION_ALIASES
    aliases = [e.alias for e in options.environments]
    if not aliases:
        prod = production[0]
        return ["STAGING", prod], prod
    prod = next((a for a in aliases if a in production), production[0])
    return (aliases if prod in aliases else [*aliases, prod]), prod


def run_all(
    paths: Sequence[Path], options: Options, ignore: Sequence[str], output: str, dry_run: bool
) -> int:
    """Fix each template; the worst exit code wins (bad input on one does not stop the rest).

    JSON output is one object for one template, a list of them for several.
    """
    if output not in ("table", "text", "json"):
        # A diff has no columns: table and text both print it as it is.
        raise UsageError(f"--output {output}: --fix prints its diff (table or text) or json")
    codes: list[int] = []
    done: list[FixResult] = []
    for path in paths:
        try:
            done.append(fix_one(path, options, ignore))
        except LambdaReleaseError as exc:
            print(f"lambda-release check: error: {exc}", file=sys.stderr)
            codes.append(exc.exit_code)
    if not dry_run and done:
        from lambda_release.fix.writing import write_all  # noqa: PLC0415 - needs the extra

        try:  # every fixed file, or none of them
            write_all([(r.path, r.after) for r in done if r.changed])
        except LambdaReleaseError as exc:
            print(f"lambda-release check: error: {exc}", file=sys.stderr)
            return max([*codes, exc.exit_code])
    reports: list[dict[str, object]] = []
    for result in done:
        _summary(result, dry_run)
        if output == "json":
            reports.append(as_dict(result, dry_run))
        else:
            print(as_text(result, dry_run), end="")
        codes.append(EXIT_FAILED if any(f.severity == "error" for f in result.remaining) else 0)
    if output == "json":
        print_json(reports[0] if len(paths) == 1 and reports else reports)
    return max(codes, default=EXIT_OK)


def fix_one(path: Path, options: Options, ignore: Sequence[str]) -> FixResult:
    """The fix of one file, proven and checked; nothing written (run_all writes)."""
    from lambda_release.fix.run import fix_file  # noqa: PLC0415 - needs cfn-lint and ruamel

    aliases, prod = aliases_of(options)
    return fix_file(
        path, dry_run=True, aliases=aliases, prod_alias=prod, ignore=ignore, options=options
    )


def _summary(result: FixResult, dry_run: bool) -> None:
    errors = sum(f.severity == "error" for f in result.remaining)
    verb = "would change" if dry_run else "changed"
    info(
        f"lambda-release check --fix: {result.path}: {verb} {len(result.changes)} place(s); "
        f"{errors} error(s) left"
    )


def as_dict(result: FixResult, dry_run: bool) -> dict[str, object]:
    return {
        "file": str(result.path),
        "dry_run": dry_run,
        "changed": result.changed,
        "changes": result.changes,
        "left": result.left,
        "remaining": [f.as_dict() for f in result.remaining],
        "diff": result.diff(),
    }


def as_text(result: FixResult, dry_run: bool) -> str:
    lines: list[str] = []
    if dry_run and result.changed:
        lines.append(result.diff().rstrip("\n"))
    head = "would fix" if dry_run else "fixed"
    lines.extend(f"{head}: {c}" for c in result.changes)
    if not result.changes and not result.left and not result.remaining:
        lines.append(f"{result.path}: nothing to fix")
    elif not result.changes:
        lines.append(f"{result.path}: nothing fixed automatically; what is left needs a person")
    lines.extend(f"left alone: {item}" for item in result.left)
    lines.extend(
        f"left alone: {f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}"
        for f in result.remaining
    )
    return "\n".join(lines) + "\n"
