"""Writing what ``init`` planned: every file or none.

Each new text goes to a temporary file beside its target first; only when all of them
are written are they renamed over the targets (a rename within a folder does not fail
half-way). A file that cannot be written leaves every target as it was. A target that
resolves outside the project (a symlink) is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lambda_release.errors import OperationError, UsageError


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


def _created_dirs(path: Path) -> list[Path]:
    """The folders that writing ``path`` creates, outermost first."""
    missing = [p for p in path.parents if not p.exists()]
    return list(reversed(missing))


def write_all(changes: Sequence[Change], root: Path) -> None:
    """Write every change, or none (OperationError naming the file that could not be)."""
    check_inside(changes, root)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    current = changes[0].path if changes else Path()
    try:
        for change in changes:
            current = change.path
            target = root / change.path
            new_dirs = _created_dirs(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            made += new_dirs
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            tmp = Path(name)
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(change.after)
            if target.exists():
                # Read-only is the owner's "leave it", even for root (whom access() lets by).
                if not target.stat().st_mode & 0o200 or not os.access(target, os.W_OK):
                    raise PermissionError(13, "it is read-only")
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp, 0o644)
    except OSError as exc:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise OperationError(
            f"cannot write {current}: {exc.strerror or exc}; nothing was written (fix the "
            "permissions and run init again)"
        ) from exc
    for temp, target in staged:
        os.replace(temp, target)
