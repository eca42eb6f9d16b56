"""Fix one template file: apply the fixes, check the result, write it (or only show it)."""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_release.check.findings import Finding
from lambda_release.errors import LambdaReleaseError, UsageError
from lambda_release.fix.document import Document
from lambda_release.fix.layout import LayoutError
from lambda_release.fix.lines import KeyLines
from lambda_release.fix.proof import prove
from lambda_release.fix.template import ALIAS_PARAMETER, STEPS, fix_tree
from lambda_release.fix.writing import write_all


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


@dataclass
class _Attempt:
    after: str
    changes: list[str]
    left: list[str]
    refused: str | None = None  # why the edits could not be written at all


def _attempt(
    path: Path, text: str, steps: Sequence[str], aliases: Sequence[str], prod_alias: str
) -> _Attempt:
    doc = Document.parse(path, text)
    outcome = fix_tree(
        doc.data, yaml_style=not doc.is_json, aliases=aliases, prod_alias=prod_alias, steps=steps
    )
    if not outcome.changes:
        return _Attempt(text, [], outcome.left)
    try:
        after = doc.render()
    except LayoutError as exc:
        return _Attempt(text, outcome.changes, outcome.left, str(exc))
    return _Attempt(after, outcome.changes, outcome.left)


def fix_text(
    path: Path,
    text: str,
    *,
    aliases: Sequence[str] = ("STAGING", "PROD"),
    prod_alias: str = "PROD",
    check: Callable[[Path], Any] | None = None,
    lint: bool = True,
    prove_edits: bool = True,
) -> FixResult:
    """The fixed text of ``text`` (read from ``path``), without writing anything.

    Each group of edits (template.STEPS) is kept only when the result passes proof.py's
    proof (``check``: our rules, run on a copy; ``lint``: cfn-lint too); what fails is
    listed with its reason, not written.
    """
    doc = Document.parse(path, text)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("Resources"), dict):
        raise UsageError(
            f"cannot fix {path}: not a CloudFormation or SAM template (it needs a "
            "'Resources:' mapping); give the template's path"
        )
    lines = KeyLines(doc.data)

    def proven(attempt: _Attempt) -> str | None:
        if attempt.refused is not None:
            return attempt.refused
        if not prove_edits or not attempt.changes:
            return None
        return prove(
            text,
            attempt.after,
            name=path.name,
            parameter=ALIAS_PARAMETER,
            aliases=aliases,
            check=check,
            lint=lint,
        )

    full = _attempt(path, text, STEPS, aliases, prod_alias)
    reason = proven(full)
    if reason is None:
        return FixResult(path, text, full.after, full.changes, lines.label(full.left))
    kept: list[str] = []
    dropped: list[str] = []
    best = _Attempt(text, [], [])
    for step in STEPS:
        trial = _attempt(path, text, [*kept, step], aliases, prod_alias)
        why = proven(trial)
        if why is None:
            kept.append(step)
            best = trial
            continue
        if step == STEPS[0]:  # the alias itself: nothing else stands without it
            dropped = [f"{c}: not written: {why}" for c in full.changes]
            best = _Attempt(text, [], trial.left)
            break
        dropped.extend(f"{c}: not written: {why}" for c in trial.changes if c not in best.changes)
    left = lines.label([*best.left, *dropped])
    return FixResult(path, text, best.after, best.changes, left)


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
    result = fix_text(
        path,
        Document.read_text(path),
        aliases=aliases,
        prod_alias=prod_alias,
        check=rules_on(ignore, options),
    )
    recheck(result, ignore, options)
    if result.changed and not dry_run:
        write_all([(path, result.after)])
    return result


def rules_on(ignore: Sequence[str] = (), options: object = None) -> Callable[[Path], Any]:
    """``check``'s rules as the proof runs them: on a copy, every finding."""
    from lambda_release.check.engine import run_rules  # noqa: PLC0415 - needs cfn-lint
    from lambda_release.check.environments import Options  # noqa: PLC0415

    opts = options if isinstance(options, Options) else None
    return lambda copy: run_rules(copy, ignore=ignore, options=opts)
