"""What a rollback is asked for, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.log.schema import Automatic

ROLLBACK_KIND = "rollback"
ROLLBACK_LEASE_SECONDS = 300.0


@dataclass
class Request:
    """What the user asked for."""

    release_id: str | None = None
    functions: tuple[str, ...] = ()
    to_version: str | None = None
    reason: str = ""
    dry_run: bool = False
    wait_timeout: float = 3600.0
    poll: float = 2.0
    # Made by the helper itself (a bake saw an alarm): recorded in the claim and the entry.
    automatic: Automatic | None = None


@dataclass
class RollbackResult:
    """Exit code and the summary (JSON-ready) of one rollback run."""

    exit_code: int
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def validate(req: Request) -> None:
    if req.to_version is not None:
        if len(req.functions) != 1:
            raise UsageError("--to-version moves one function: give exactly one --function NAME")
        if not req.to_version.isdigit():
            raise UsageError(
                f"--to-version {req.to_version!r} is not a published version number: aliases "
                "must never route to $LATEST; give a number such as 7"
            )
        if req.release_id is not None:
            raise UsageError("--to-version and --release cannot be combined")
