"""The JSON record file (an orb artifact): checked before anything changes.

A record file that cannot be written is found out in pre-flight, not after
production moved: ``--record-file`` naming a directory, or a place under a file
or an unwritable directory, is bad input (exit 2).
"""

from __future__ import annotations

import os
from pathlib import Path

from lambda_release.errors import UsageError


def check_writable(path: str) -> Path:
    """``path`` if a record file can be written there (its folders created), else UsageError."""
    target = Path(path)
    fix = "give --record-file a file path in a writable folder"
    if target.is_dir():
        raise UsageError(f"--record-file {path!r} is a directory: {fix}")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"--record-file {path!r} is not writable: {fix}")
    # The nearest folder that exists must be a writable folder (the rest is created).
    parent = target.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"--record-file {path!r}: {str(parent)!r} is not a folder: {fix}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--record-file {path!r}: {str(parent)!r} is not writable: {fix}")
    return target
