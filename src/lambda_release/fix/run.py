"""Fix one template file: apply the fixes, check the result, write it (or only show it)."""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lambda_release.check.findings import Finding
from lambda_release.errors import LambdaReleaseError, UsageError
from lambda_release.fix.document import Document
from lambda_release.fix.template import fix_tree


@dataclass
class FixResult:
    path: Path
    before: str
    after: str
    changes: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # what the fixer itself could not do
    remaining: list[Finding] = field(default_factory=list)  # what `check` still finds

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        name = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


def fix_text(
    path: Path, text: str, *, aliases: Sequence[str] = ("STAGING", "PROD"), prod_alias: str = "PROD"
) -> FixResult:
    """The fixed text of ``text`` (read from ``path``), without writing anything."""
    doc = Document.parse(path, text)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("Resources"), dict):
        raise UsageError(
            f"cannot fix {path}: not a CloudFormation or SAM template (it needs a "
            "'Resources:' mapping); give the template's path"
        )
    outcome = fix_tree(doc.data, yaml_style=not doc.is_json, aliases=aliases, prod_alias=prod_alias)
    after = doc.render() if outcome.changes else text
    return FixResult(path, text, after, outcome.changes, outcome.left)


def recheck(result: FixResult, ignore: Sequence[str] = (), options: object = None) -> None:
    """Run the rules on the fixed text (a copy beside nothing: rules read only the file)."""
    from lambda_release.check.engine import run_rules  # noqa: PLC0415 - needs cfn-lint
    from lambda_release.check.environments import Options  # noqa: PLC0415

    opts = options if isinstance(options, Options) else None
    with tempfile.TemporaryDirectory(prefix="lambda-release-fix-") as tmp:
        copy = Path(tmp) / result.path.name
        copy.write_text(result.after, encoding="utf-8")
        try:
            found = run_rules(copy, ignore=ignore, options=opts)
        except LambdaReleaseError as exc:  # name the user's file, not the copy
            exc.args = (str(exc).replace(str(copy), str(result.path)),)
            raise
    result.remaining = [
        Finding(**{**f.as_dict(), "file": str(result.path)}) for f in found if f.severity != "info"
    ]


def fix_file(
    path: Path,
    *,
    dry_run: bool = False,
    aliases: Sequence[str] = ("STAGING", "PROD"),
    prod_alias: str = "PROD",
    ignore: Sequence[str] = (),
    options: object = None,
) -> FixResult:
    """Fix ``path`` in place (unless ``dry_run``) and report what `check` still finds."""
    result = fix_text(path, Document.read(path).text, aliases=aliases, prod_alias=prod_alias)
    recheck(result, ignore, options)
    if result.changed and not dry_run:
        with path.open("w", encoding="utf-8", newline="") as f:  # line endings as rendered
            f.write(result.after)
    return result
