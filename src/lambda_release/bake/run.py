"""The bake: watch a release's alarms for a while; roll it back by itself if one fires.

1. choose the release (the most recent in effect; ``--release`` must be that one) and the
   alarms (the stack's, its deployment groups', and ``--bake-alarm``);
2. record that a bake began (``bakes/<id>/<attempt>.json``: its own object per attempt);
3. read the alarms every poll, showing time left and each one's state on a change and
   once per bake minute;
4. an alarm in ALARM (or without data, under ``--bake-missing-data fail``): roll back
   through ``rollback`` (claim, moves, undo record) with the alarm, its reason and the
   time as the reason, then record the end; exit 1;
5. the time is up with none: record the end (``baked``); exit 0.

Killed or timed out anywhere, nothing is half-done: the release stays recorded succeeded,
its bake began and never ended (``status``: un-baked); a rollback stopped half-way is
finished by ``lambda-release rollback`` run again, as ever.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lambda_release.bake import rules
from lambda_release.bake.alarms import alarms_to_watch, read_states, require_alarms
from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.ids import iso, new_id, now
from lambda_release.log.records import Release
from lambda_release.log.schema import Automatic, BakeEnd, BakeStart
from lambda_release.log.store import ReleaseLog
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback import Request, rollback


@dataclass(frozen=True)
class BakePlan:
    """What the user asked for (every number checked by the command)."""

    minutes: float
    alarms: tuple[str, ...] = ()  # --bake-alarm
    missing_data: str = "ok"
    minute: float = 60.0  # real seconds per minute (an emulator's compressed clock)
    poll: float = 5.0
    release_id: str | None = None
    dry_run: bool = False


@dataclass
class BakeResult:
    exit_code: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Clock:
    """Real time by default; a test passes its own."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def bake(
    engine: StackAlias,
    log: ReleaseLog,
    plan: BakePlan,
    *,
    progress: Callable[[str], None],
    release: Release | None = None,
    clock: Clock | None = None,
) -> BakeResult:
    """Bake ``release`` (else the most recent in effect) for ``plan.minutes``."""
    clock = clock or Clock()
    rel = release or rules.release_to_bake(log.newest_first(), plan.release_id)
    ended = log.read_bake_end(rel.id)
    if ended is not None:
        progress(f"release {rel.id}: its bake already ended ({ended['outcome']})")
        return BakeResult(0 if ended["outcome"] == rules.BAKED else 1, _end_json(rel, ended))
    info = engine.info(refresh=True)
    if info is None:
        raise UsageError(f"stack {engine.stack} does not exist (in this account and region)")
    cw = engine.client("cloudwatch")
    require_alarms(cw, plan.alarms, "--bake-alarm")
    names = alarms_to_watch(engine.client("codedeploy"), info, plan.alarms)
    if not names:
        raise OperationError(
            f"nothing to bake against: stack {engine.stack} has no alarm (no "
            "DeploymentPreference Alarms, no AWS::CloudWatch::Alarm); name one with "
            "--bake-alarm NAME"
        )
    if plan.dry_run:
        states = read_states(cw, names)
        progress(f"dry run: would bake release {rel.id} for {plan.minutes:g} min")
        progress(rules.progress_line(plan.minutes * plan.minute, states))
        return BakeResult(0, _plan_json(rel, plan, names, states))
    attempt = _begin(log, rel, plan, names)
    progress(f"baking release {rel.id} for {plan.minutes:g} min (attempt {attempt['attempt']})")
    try:
        return _watch(engine, log, rel, plan, names, attempt, clock, progress)
    except KeyboardInterrupt:
        progress(
            f"bake of release {rel.id} stopped before its end: the release stays succeeded "
            "and un-baked (`lambda-release status` says so; `lambda-release bake` bakes it)"
        )
        raise


def _begin(log: ReleaseLog, rel: Release, plan: BakePlan, names: list[str]) -> BakeStart:
    began = now()
    until = began.timestamp() + plan.minutes * plan.minute
    ci = ci_metadata()
    start: BakeStart = {
        "id": rel.id,
        "attempt": new_id(began),
        "began": iso(began),
        "minutes": plan.minutes,
        "until": iso(began.fromtimestamp(until, began.tzinfo)),
        "alarms": names,
        "missing_data": plan.missing_data,
        "who": ci.get("triggered_by", ""),
        "ci": ci,
    }
    log.write_bake_start(start)
    return start


def _watch(
    engine: StackAlias,
    log: ReleaseLog,
    rel: Release,
    plan: BakePlan,
    names: list[str],
    attempt: BakeStart,
    clock: Clock,
    progress: Callable[[str], None],
) -> BakeResult:
    cw = engine.client("cloudwatch")
    started = clock.monotonic()
    shown: tuple[tuple[str, str], ...] = ()
    shown_minute = -1
    while True:
        elapsed = clock.monotonic() - started
        states = read_states(cw, names)
        left = rules.time_left(plan.minutes, plan.minute, elapsed)
        key = tuple((a.name, a.state) for a in states)
        minute = int(elapsed // plan.minute) if plan.minute else 0
        if key != shown or minute != shown_minute:
            progress(rules.progress_line(left, states))
            shown, shown_minute = key, minute
        trip = rules.tripped(states, plan.missing_data)
        if trip is not None:
            return _roll_back(engine, log, rel, plan, attempt, trip, progress)
        if left <= 0:
            break
        clock.sleep(min(plan.poll, left))
    end: BakeEnd = {
        "id": rel.id,
        "attempt": attempt["attempt"],
        "outcome": rules.BAKED,
        "ended": iso(now()),
        "minutes": plan.minutes,
    }
    written = log.write_bake_end(end)
    progress(f"release {rel.id} baked {plan.minutes:g} min: no alarm fired")
    return BakeResult(0 if written["outcome"] == rules.BAKED else 1, _end_json(rel, written))


def _roll_back(
    engine: StackAlias,
    log: ReleaseLog,
    rel: Release,
    plan: BakePlan,
    attempt: BakeStart,
    trip: rules.AlarmState,
    progress: Callable[[str], None],
) -> BakeResult:
    seen = iso(now())
    automatic: Automatic = {
        "by": "bake",
        "alarm": trip.name,
        "state": trip.state,
        "reason": trip.reason,
        "time": trip.since,
        "seen_at": seen,
    }
    reason = rules.rollback_reason(trip, seen)
    progress(f"{reason}: rolling release {rel.id} back")
    req = Request(release_id=rel.id, reason=reason, automatic=automatic, poll=plan.poll)
    summary: dict[str, Any] | None = None
    try:
        result = rollback(engine, log, req, progress)
        rollback_id, note = result.data.get("rollback"), "; ".join(result.notes)
        done = result.exit_code == 0 and bool(result.data.get("release_undone"))
        summary = result.data
    except OperationError as exc:  # refused (a newer release, the lock): said, recorded
        rollback_id, note, done = None, str(exc), False
        progress(f"the rollback did not run: {exc}")
    end: BakeEnd = {
        "id": rel.id,
        "attempt": attempt["attempt"],
        "outcome": rules.ROLLED_BACK if done else rules.ALARM_NOT_ROLLED_BACK,
        "ended": iso(now()),
        "minutes": plan.minutes,
        "automatic": automatic,
        "rollback_id": rollback_id,
    }
    if note:
        end["note"] = note
    written = log.write_bake_end(end)
    data = _end_json(rel, written)
    data["rollback"] = summary
    return BakeResult(1, data)


def _end_json(rel: Release, end: BakeEnd) -> dict[str, Any]:
    return {"release": rel.id, "bake": dict(end)}


def _plan_json(
    rel: Release, plan: BakePlan, names: list[str], states: list[rules.AlarmState]
) -> dict[str, Any]:
    return {
        "dry_run": True,
        "release": rel.id,
        "minutes": plan.minutes,
        "missing_data": plan.missing_data,
        "alarms": {a.name: a.state for a in states},
        "would_roll_back_now": (t := rules.tripped(states, plan.missing_data)) is not None
        and t.name,
    }
