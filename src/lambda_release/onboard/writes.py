"""Writing what ``init`` planned: every file or none.

The files are written by `fix/writing.py` (each to a temporary file beside its target,
all renamed into place only once every one is written; a read-only file refuses the
set). What ``init`` adds: a target that resolves outside the project is refused while
planning (exit 2, before anything is written), and the folders a new file needs
(``.circleci/``) are made first and removed again when the set is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lambda_release.errors import OperationError, UsageError
from lambda_release.fix.writing import write_all as write_files


@dataclass(frozen=True)
class Change:
    path: Path  # relative to the project's folder
    before: str | None  # None: the file does not exist
    after: str


def check_inside(changes: Sequence[Change], root: Path) -> None:
    """Refuse a target that resolves outside ``root`` (a symlink out of the project)."""
    top = root.resolve()
    for change in changes:
        real = (root / change.path).resolve()
        if real != top and top not in real.parents:
            raise UsageError(
                f"{change.path} resolves to {real}, outside the project {top}: init writes "
                "only inside it; replace the link with the file"
            )


def write_all(changes: Sequence[Change], root: Path) -> None:
    """Write every change, or none (OperationError naming the file that could not be)."""
    check_inside(changes, root)
    made: list[Path] = []
    try:
        for change in changes:
            target = root / change.path
            missing = [p for p in reversed(target.parents) if not p.exists()]
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OperationError(
                    f"cannot write {change.path}: {exc.strerror or exc}; nothing was written "
                    "(fix the folders or the permissions and run init again)"
                ) from exc
            made += missing
        write_files([(root / c.path, c.after) for c in changes])
    except OperationError:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
