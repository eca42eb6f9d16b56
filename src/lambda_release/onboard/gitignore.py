"""``.lambda-release/`` in the app's .gitignore: each deploy writes its record file there."""

from __future__ import annotations

ENTRY = ".lambda-release/"


def plan(existing: str | None) -> str | None:
    """The new .gitignore, or None when it already ignores the folder."""
    lines = (existing or "").splitlines()
    if any(line.strip().strip("/") == ".lambda-release" for line in lines):
        return None
    text = existing or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "# lambda-release's record of each release (written by deploy)\n" + ENTRY + "\n"
