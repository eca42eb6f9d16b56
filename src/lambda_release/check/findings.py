"""A finding: one rule's verdict on one place of the template."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = {"E": "error", "W": "warning", "I": "info"}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    rule: str
    severity: str  # error, warning, info
    message: str
    fix: str
    resource: str | None = None
    end_line: int | None = None
    end_column: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def severity_of(rule_id: str) -> str:
    return SEVERITIES.get(rule_id[:1].upper(), "info")


@dataclass(frozen=True)
class Problem:
    """A template that could not be checked, and why (one line)."""

    file: str
    message: str
    exit_code: int
