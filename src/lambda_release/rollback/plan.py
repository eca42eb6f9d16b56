"""What a rollback will do, decided from the log and what Lambda shows; no AWS calls here.

Releases form a stack and rollback pops it: the release to undo is the most
recent one in effect (or the one named, only if it is that one). For each
function that release moved, the alias goes back to its before-version; a
function it did not move is left alone; a function it created stays (nothing
earlier to return to). A function is refused, by name, when its before-version
no longer exists, when it was replaced since (a different ARN), or when its
alias now points somewhere that is neither the release's version nor the
before-version (someone moved it: never overwritten blindly).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from lambda_release.aws.stack import FunctionNow
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.records import PENDING, Release
from lambda_release.log.schema import FunctionRecord

# What happens to one function.
MOVE = "move"  # alias goes back to the before-version
DONE = "done"  # already on the before-version, routing cleared
UNTOUCHED = "untouched"  # the release did not move it
CREATED = "created"  # the release created it: it stays
REFUSED = "refused"  # cannot be rolled back safely: named, with the reason
SKIPPED = "skipped"  # not selected by --function


@dataclass
class Step:
    """One function in the plan, and later its result."""

    logical_id: str
    name: str
    action: str
    before: str | None  # the version the release moved it from: the target
    after: str | None  # the version the release moved it to
    current: str | None = None
    weights: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    moved_by_release: bool = False
    result: str = ""  # moved, already, failed, refused, ...; filled in while running

    @property
    def runs_release_version(self) -> bool:
        """The alias still routes (some) traffic to what the release put there."""
        if not self.moved_by_release or self.action == CREATED or self.after is None:
            return False
        return self.after == self.current or self.after in self.weights

    @property
    def target(self) -> str | None:
        return self.before

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Plan:
    """The release to undo and each function's step."""

    release: Release
    steps: list[Step]
    functions_filter: tuple[str, ...] = ()

    @property
    def rollback_key(self) -> str:
        return rollback_key(self.release.id, self.functions_filter)

    def by_action(self, action: str) -> list[Step]:
        return [s for s in self.steps if s.action == action]

    @property
    def refused(self) -> list[Step]:
        return self.by_action(REFUSED)

    @property
    def release_fully_undone(self) -> bool:
        """No function still routes to the release's version (judged after the moves)."""
        return not any(s.runs_release_version for s in self.steps)


def rollback_key(release_id: str, functions: Sequence[str] = ()) -> str:
    """Names the logical rollback: the same release and selection give the same key."""
    if not functions:
        return release_id
    digest = hashlib.sha256(",".join(sorted(set(functions))).encode()).hexdigest()
    return f"{release_id}--{digest[:12]}"


# -- choosing the release --------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The release to undo, or why there is nothing to do (exit 0)."""

    release: Release | None
    nothing_to_do: str = ""


def choose_release(newest_first: Sequence[Release], requested: str | None) -> Choice:
    """The most recent release in effect, or ``requested`` if it is that one.

    ``requested`` already undone (or one that moved nothing): nothing to do.
    Not the most recent in effect: refused, naming the newer releases in effect.
    """
    releases = [r for r in newest_first if r.kind == "release"]
    in_effect = [r for r in releases if r.in_effect]
    if requested is None:
        if not in_effect:
            return Choice(None, "no release in effect: nothing to roll back")
        return Choice(in_effect[0])
    found = next((r for r in newest_first if r.id == requested), None)
    if found is None:
        raise UsageError(
            f"release {requested!r} is not in the log: see `lambda-release history` for ids"
        )
    if found.kind != "release":
        raise UsageError(
            f"{requested!r} is a {found.kind} entry, not a release: give the id of a release"
        )
    if found.undone:
        by = found.undo["by"] if found.undo else ""
        note = f" (by {by})" if by else ""
        return Choice(None, f"release {requested} is already undone{note}")
    if found.outcome == PENDING:
        raise OperationError(
            f"release {requested} is still pending (in flight or left by a killed job): "
            "it is settled first; run the command again"
        )
    if not found.in_effect:
        return Choice(None, f"release {requested} moved nothing ({found.outcome}): nothing to undo")
    newer = [r.id for r in in_effect[: in_effect.index(found)]]
    if newer:
        raise OperationError(
            f"release {requested} is not the most recent release in effect: newer "
            f"{'releases are' if len(newer) > 1 else 'release is'} in effect: {', '.join(newer)}. "
            "Roll those back first (`lambda-release rollback --release "
            f"{newer[0]}`), or run `lambda-release rollback` without --release"
        )
    return Choice(found)


# -- the per-function plan --------------------------------------------------------


def _records(release: Release) -> dict[str, FunctionRecord]:
    return {f["logical_id"]: f for f in release.functions()}


def plan_function(
    record: FunctionRecord, live: FunctionNow | None, versions_exist: set[str]
) -> Step:
    """One function's step, from the release's record of it and the alias as it is now.

    ``versions_exist``: before-versions known to exist (checked by the caller).
    """
    lid = record["logical_id"]
    name = str(record.get("function_name") or (live.name if live else ""))
    before = record.get("before")
    after = record.get("after")
    step = Step(lid, name, UNTOUCHED, before, after, moved_by_release=bool(record.get("moved")))
    if live is not None:
        step.current, step.weights = live.version, dict(live.weights)
    if not record.get("moved"):
        step.reason = "not moved by this release"
        return step
    if record.get("created") or before is None:
        step.action = CREATED
        step.reason = "created by this release: nothing earlier to return to; it stays"
        return step
    if live is None or live.version is None:
        step.action = REFUSED
        step.reason = (
            f"function or alias no longer exists in the stack: nothing to move back to "
            f"{before}; if a template removed the alias, `lambda-release rollback --function "
            f"{lid} --to-version {before}` adds it back there"
        )
        return step
    recorded_arn = str(record.get("function_arn") or "")
    if record.get("replaced"):
        # The settlement's ARN is the new function's: the one it replaced is gone (or kept
        # outside the stack by UpdateReplacePolicy), and its versions with it.
        step.action = REFUSED
        step.reason = (
            f"this release replaced the function (a new name: {name}): version {before} "
            "belonged to the function it replaced; deploy the previous template to go back"
        )
        return step
    if recorded_arn and live.function_arn and recorded_arn != live.function_arn:
        step.action = REFUSED
        step.reason = (
            f"function was replaced since (ARN {live.function_arn} is not the release's "
            f"{recorded_arn}): version {before} belongs to the old function"
        )
        return step
    return decide(step, live.version, live.weights, versions_exist)


def decide(
    step: Step, version: str | None, weights: dict[str, float], versions_exist: set[str]
) -> Step:
    """Move, done or refused, from where the alias points now (used again after a 412)."""
    step.current, step.weights = version, dict(weights)
    before, after = step.before, step.after
    if version == before and not weights:
        step.action, step.reason = DONE, f"already on {before}"
        return step
    ours = {v for v in (before, after) if v is not None}
    if version not in ours or any(v not in ours for v in weights):
        routing = f"{version}" + "".join(f" + {v}@{w:g}" for v, w in sorted(weights.items()))
        step.action = REFUSED
        step.reason = (
            f"alias now routes to {routing}, neither this release's version {after} nor the "
            f"before-version {before}: someone moved it since; check it, then move it "
            "explicitly with --function NAME --to-version V"
        )
        return step
    if before not in versions_exist:
        step.action = REFUSED
        step.reason = (
            f"before-version {before} no longer exists: pick a version with "
            f"--function {step.logical_id} --to-version V"
        )
        return step
    step.action, step.reason = MOVE, f"{version} -> {before}"
    return step


def plan_release(
    release: Release,
    live: Iterable[FunctionNow],
    versions_exist: set[tuple[str, str]],
    functions: Sequence[str] = (),
) -> Plan:
    """Every function's step for undoing ``release``.

    ``versions_exist``: (logical id, version) pairs known to exist.
    ``functions``: logical ids or names to restrict the rollback to (``--function``).
    """
    by_id = {lf.logical_id: lf for lf in live}
    records = _records(release)
    wanted = set(functions)
    known = set(records) | {str(r.get("function_name", "")) for r in records.values()}
    unknown = sorted(wanted - known)
    if unknown:
        raise UsageError(
            f"--function {', '.join(unknown)}: not in release {release.id} (its functions: "
            f"{', '.join(sorted(records))})"
        )
    steps: list[Step] = []
    for lid in sorted(set(records) | set(by_id)):
        record = records.get(lid, {"logical_id": lid, "moved": False})
        lf = by_id.get(lid)
        exist = {v for (i, v) in versions_exist if i == lid}
        step = plan_function(record, lf, exist)
        selected = lid in wanted or str(record.get("function_name")) in wanted
        if wanted and not selected and step.action in (MOVE, REFUSED):
            step.action, step.reason = SKIPPED, "not selected (--function)"
        steps.append(step)
    return Plan(release, steps, tuple(sorted(wanted)))


def versions_to_check(release: Release, live: Iterable[FunctionNow]) -> list[tuple[str, str, str]]:
    """(logical id, function name, before-version) whose existence is not yet known.

    A version an alias points at exists (Lambda refuses to delete a referenced
    version), so a before-version that ``<ALIAS>_STABLE`` or the alias itself
    points at needs no extra call.
    """
    by_id = {lf.logical_id: lf for lf in live}
    out: list[tuple[str, str, str]] = []
    for lid, rec in _records(release).items():
        before = rec.get("before")
        lf = by_id.get(lid)
        if not rec.get("moved") or before is None or lf is None or lf.version is None:
            continue
        if before in (lf.stable, lf.version) or before in lf.weights:
            continue
        out.append((lid, lf.name, str(before)))
    return out


def known_versions(release: Release, live: Iterable[FunctionNow]) -> set[tuple[str, str]]:
    """(logical id, version) pairs proven to exist by an alias pointing at them."""
    out: set[tuple[str, str]] = set()
    for lf in live:
        for v in (lf.stable, lf.version, *lf.weights):
            if v is not None:
                out.add((lf.logical_id, v))
    return out
