"""Searching captured output for secrets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def secrets_in(secrets: Iterable[str], *outputs: Any) -> list[str]:
    """The secrets that appear in any of ``outputs`` (str, bytes or None)."""
    wanted = list(secrets)
    found: list[str] = []
    for out in outputs:
        if not out:
            continue
        text = out if isinstance(out, str) else bytes(out).decode("utf-8", "replace")
        found += [s for s in wanted if s in text]
    return found
