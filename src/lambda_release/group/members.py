"""One member at a time: released through ``deploy``'s path, found in its own log, undone
through ``rollback``'s path. The command hands over how a member's release is prepared
(``Hooks``): exactly what ``lambda-release deploy`` would run for that stack and region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_release.errors import LambdaReleaseError
from lambda_release.group.plan import GOOD, NOT_STARTED, NOT_UNDONE, Member, undo_skip
from lambda_release.log.group_schema import GroupRef
from lambda_release.log.records import Release
from lambda_release.log.schema import Kind
from lambda_release.log.store import ReleaseLog
from lambda_release.release.deploy import DeployPlan, DeployResult, deploy
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback import Request, rollback
from lambda_release.template import sam
from lambda_release.text import visible

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Prepared:
    """A member's release as ``deploy`` prepares it: its engine, plan and sam runner."""

    engine: StackAlias
    plan: DeployPlan
    run_sam: Callable[..., int]


@dataclass(frozen=True)
class Hooks:
    """What the command supplies: ``prepare(member, built template or None, group ref or
    None, dry_run)`` is ``deploy``'s own preparation of one release (its settings from the
    file's target); ``locate(member)`` the member's engine and log, as ``rollback`` finds
    them."""

    prepare: Callable[[Member, Path | None, GroupRef | None, bool], Prepared]
    locate: Callable[[Member], tuple[StackAlias, ReleaseLog]]


@dataclass
class Released:
    """A member's release: its id (None: refused before its entry), outcome and handles."""

    member: Member
    release_id: str | None = None
    outcome: str = "failed"
    engine: StackAlias | None = None
    log: ReleaseLog | None = None
    release: Release | None = None
    problems: list[str] = field(default_factory=list)
    dry_run: dict[str, object] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in GOOD or (self.dry_run is not None and not self.problems)


def said(m: Member, progress: Progress) -> Progress:
    """Progress lines of one member, named (members of a wave run side by side)."""
    return lambda message: progress(f"[{m.stack} {m.region}] {visible(message)}")


def release_member(
    hooks: Hooks,
    m: Member,
    built: Path | None,
    ref: GroupRef | None,
    dry_run: bool,
    progress: Progress,
) -> Released:
    """One member through ``release.deploy.deploy``: the one release path."""
    ran = SamRun(m)
    try:
        ready = hooks.prepare(m, built, ref, dry_run)
        result = deploy(
            ready.engine, ready.plan, run_sam=ran.wrap(ready.run_sam), progress=said(m, progress)
        )
    except LambdaReleaseError as exc:
        said(m, progress)(f"failed: {exc}")
        return Released(m, problems=[*ran.why(), str(exc)])
    for warning in result.warnings:
        said(m, progress)(f"warning: {warning}")
    if result.release is None and result.dry_run is None:
        for problem in result.problems:  # refused by its pre-flight or lock, as deploy says
            said(m, progress)(f"refused: {problem}")
    got = _released(m, ready.engine, result)
    if got.outcome not in GOOD:
        got.problems = [*ran.why(), *got.problems]
    return got


class SamRun:
    """A member's ``sam deploy``: its lines on stderr prefixed as its progress lines are,
    and, when it fails, its last meaningful lines for the member's problems (masked on
    their way through ``run_streaming``: a secret never reaches them)."""

    def __init__(self, m: Member) -> None:
        self.output = sam.SamOutput(prefix=f"[{m.stack} {m.region}] ")
        self.code: int | None = None

    def wrap(self, run_sam: Callable[..., int]) -> Callable[..., int]:
        def run(cmd: Any, **kwargs: Any) -> int:
            self.output.hide(cmd)
            self.code = run_sam(cmd, out=self.output, **kwargs)
            return self.code

        return run

    def why(self) -> list[str]:
        """[] unless sam ran and failed: then its exit code and its last lines."""
        if not self.code:
            return []
        return [
            f"sam deploy exited with {self.code}",
            *(f"sam: {line}" for line in self.output.tail()),
        ]


def _released(m: Member, engine: StackAlias, result: DeployResult) -> Released:
    if result.dry_run is not None:
        return Released(
            m, outcome="dry-run", engine=engine, problems=result.problems, dry_run=result.dry_run
        )
    rel = result.release
    if rel is None:
        return Released(m, engine=engine, log=result.log, problems=result.problems)
    return Released(m, rel.id, rel.outcome, engine, result.log, rel, list(result.problems))


def find_release(log: ReleaseLog, group_id: str) -> tuple[Release | None, str | None]:
    """The member's release of group release ``group_id`` in its own log (None: it never
    began), and the newest release after it (None: none since). Ids begin with the time,
    so the search stops at the first entry older than the group release."""
    newer: str | None = None
    for rel in log.newest_first():
        if rel.id < group_id:
            return None, newer
        ref = rel.entry.get("group")
        if rel.kind == Kind.RELEASE and ref is not None and ref.get("id") == group_id:
            return rel, newer
        if rel.kind == Kind.RELEASE and newer is None:
            newer = rel.id
    return None, newer


@dataclass
class Undone:
    member: Member
    release: str | None
    outcome: str  # rolled back | not started | nothing to undo | failed | not undone | would ...
    problems: list[str] = field(default_factory=list)


def undo_member(
    hooks: Hooks, m: Member, group_id: str, reason: str, dry_run: bool, progress: Progress
) -> Undone:
    """Undo the member's release of ``group_id`` through ``rollback`` (``--release ID``):
    skipped when it never began, is undone already or moved nothing."""
    say = said(m, progress)
    try:
        engine, log = hooks.locate(m)
        rel, _newer = find_release(log, group_id)
        skip = undo_skip(None if rel is None else rel.outcome, rel is not None and rel.undone)
        if skip is not None or rel is None:
            if rel is not None:
                say(f"release {rel.id}: {skip}")
            return Undone(m, None if rel is None else rel.id, skip or NOT_STARTED)
        if dry_run:
            say(f"would roll back release {rel.id} ({rel.outcome})")
            return Undone(m, rel.id, "would roll back")
        req = Request(release_id=rel.id, reason=reason)
        result = rollback(engine, log, req, say)
        if result.exit_code != 0:
            notes = [*result.notes, str(result.data.get("message", ""))]
            return Undone(m, rel.id, "failed", notes)
        after, _newer = find_release(log, group_id)
    except LambdaReleaseError as exc:
        say(f"rollback failed: {exc}")
        return Undone(m, None, "failed", [str(exc)])
    if after is not None and after.in_effect:
        # rollback moved nothing (exit 0): aliases the release created have no version
        # before it to go back to, so it still runs; the group must not say rolled back.
        why = (
            f"release {rel.id} is still in effect: no alias moved back (an alias it created "
            "has no earlier version; `rollback --function F --to-version N` picks one)"
        )
        say(why)
        return Undone(m, rel.id, NOT_UNDONE, [why])
    return Undone(m, rel.id, "rolled back")
