"""What a group release is and how it reads, decided apart from reading (pure).

A member is one target of the file for the alias released to; the group's outcome and
each member's are told from the group log and the members' own logs, never from memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.group.model import GroupFile, Target

SUCCEEDED, FAILED, ROLLED_BACK, NOT_STARTED, PENDING = (
    "succeeded",
    "failed",
    "rolled back",
    "not started",
    "pending",
)
STOPPED = "stopped"
# A member whose rollback moved nothing back (its release created its aliases): in effect.
NOT_UNDONE = "not undone"
# A member's own release outcomes (log.schema.Outcome) that count as the wave succeeding.
GOOD = ("succeeded", "no-change")


@dataclass(frozen=True)
class Member:
    """One target of a group release: a stack in a region, released to ``alias``."""

    wave: int
    stack: str
    region: str
    alias: str
    target: Target

    @property
    def name(self) -> str:
        return f"{self.stack} ({self.region})"


def members(gf: GroupFile, alias: str) -> list[Member]:
    """Every member in wave order (a target twice refused, naming both places)."""
    return [Member(w, stack, t.region, alias, t) for w, t, stack in gf.members(alias)]


def templates(gf: GroupFile, ms: Iterable[Member]) -> list[Path]:
    """Each distinct template once, in the order first met: built once each."""
    out: list[Path] = []
    for m in ms:
        path = gf.template_path(m.target)
        if path not in out:
            out.append(path)
    return out


def build_dir(template: Path) -> Path:
    """Where a template is built for a group: beside it, one folder per template file."""
    return template.parent / ".aws-sam" / "group" / template.name


def by_wave(ms: Sequence[Member]) -> dict[int, list[Member]]:
    out: dict[int, list[Member]] = {}
    for m in ms:
        out.setdefault(m.wave, []).append(m)
    return out


def undo_order(ms: Sequence[Member]) -> list[list[Member]]:
    """Newest wave first: the waves a rollback undoes, in turn."""
    waves = by_wave(ms)
    return [waves[w] for w in sorted(waves, reverse=True)]


def member_outcome(outcome: str | None, undone: bool) -> str:
    """A member as the group tells it, from its own release (None: none in its log)."""
    if outcome is None:
        return NOT_STARTED
    if undone:
        return ROLLED_BACK
    if outcome in GOOD:
        return SUCCEEDED
    return PENDING if outcome == PENDING else FAILED


def undo_skip(outcome: str | None, undone: bool) -> str | None:
    """Why a member's release needs no undo (None: undo it). Pending is undone: rollback
    settles it first, from what the aliases show."""
    if outcome is None:
        return NOT_STARTED
    if undone:
        return ROLLED_BACK
    if outcome in (SUCCEEDED, "partial", PENDING):
        return None
    return "nothing to undo"


def group_outcome(ended: str | None, rolled_back: bool) -> str:
    """The group release: rolled back once every member was undone; else as its deploy
    ended; ``pending`` while none ended it (running, or killed)."""
    if rolled_back:
        return ROLLED_BACK
    return ended or PENDING


def summary(
    group: str, group_id: str, alias: str, outcome: str, stopped_at: int | None, rows: list[Any]
) -> dict[str, Any]:
    """The JSON every group command prints (docs/waves.md)."""
    return {
        "group": group,
        "id": group_id,
        "alias": alias,
        "outcome": outcome,
        "stopped_at_wave": stopped_at,
        "members": rows,
    }


def member_row(m: Member, release: str | None, outcome: str, **more: Any) -> dict[str, Any]:
    return {
        "wave": m.wave,
        "stack": m.stack,
        "region": m.region,
        "alias": m.alias,
        "release": release,
        "outcome": outcome,
        **more,
    }
