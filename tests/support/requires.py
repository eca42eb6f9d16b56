"""What a test needs from the machine: missing, it fails and says how to get it, never skips.

A skipped test reads as green in a summary nobody reads; on a machine without the tool the
suite would quietly test less. `make test` installs all of these (`.ci/run` on a fresh one).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def require_tool(name: str, how: str) -> str:
    """The path of `name` on PATH, or the test (or module, at import) fails with `how`."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not on PATH: {how}", pytrace=False)
    return found


def require_path(path: Path, how: str) -> Path:
    """`path`, which must exist, or the test fails with `how`."""
    if not path.exists():
        pytest.fail(f"{path} is missing: {how}", pytrace=False)
    return path
