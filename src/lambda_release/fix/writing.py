"""Writing fixed files: all of them or none, never through a link out of the project.

Each new text goes to a temporary file beside its target first (same directory, so the
final rename is atomic), with the target's permission bits; only when every one is
written are they renamed into place. A file that cannot be written (read-only, a
directory that refuses new files, a full disk) stops the whole set before any target
changes: exit 1, one line naming the file. A symbolic link is written through to its
target only when that target is inside the project (the directory the link is in);
a link that leads elsewhere is refused, so that a fix never edits a file the user did
not give.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lambda_release.errors import OperationError


def target_of(path: Path) -> Path:
    """The file a write to ``path`` changes: ``path``, or its link's target in the project."""
    if not path.is_symlink():
        return path
    project = path.absolute().parent.resolve()
    real = path.resolve()
    if real != project and project not in real.parents:
        raise OperationError(
            f"cannot write {path}: it is a symbolic link to {real}, outside {project}; "
            "fix that file where it lives, or replace the link with a copy"
        )
    return real


def _temporary(target: Path, text: str) -> Path:
    # the owner's write bit, not only access(): root may write anything, but a file
    # made read-only says "do not change me" to root as well
    if target.exists() and (
        not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR
    ):
        raise OperationError(
            f"cannot write {target}: the file is read-only; make it writable "
            "(chmod u+w) or run with --dry-run to see the fix"
        )
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:  # line endings as given
            f.write(text)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_all(files: Sequence[tuple[Path, str]]) -> None:
    """Write every (path, text), or none of them (OperationError, exit 1)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            target = target_of(path)
            try:
                staged.append((_temporary(target, text), target))
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise OperationError(
                    f"cannot write {path}: {reason}; nothing was written (fix the "
                    "permissions or free the space, then run again)"
                ) from exc
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
