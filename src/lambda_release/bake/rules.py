"""The bake's decisions, apart from reading: which alarm trips it, which release it bakes,
and what a bake's records in the log say now. Pure: unit-tested without AWS."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lambda_release.errors import OperationError, UsageError
from lambda_release.log.records import NO_CHANGE, Release
from lambda_release.observe.baking import ALARM_NOT_ROLLED_BACK, BAKED, ROLLED_BACK
from lambda_release.observe.progress import duration

ALARM = "ALARM"
OK = "OK"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
# An alarm deleted while the bake watches it: CloudWatch no longer answers for it.
MISSING = "MISSING"

# --bake-missing-data: what INSUFFICIENT_DATA (and an alarm deleted mid-bake) means.
# ok (default): CloudWatch says it has too few datapoints to judge, which is what a
# function with little traffic shows most of the time, and a new alarm shows first;
# CodeDeploy's own canary treats it so (only ALARM stops a deployment). fail: a team that
# bakes in order to see traffic wants "no data" to count against the release.
MISSING_DATA_CHOICES = ("ok", "fail")


@dataclass(frozen=True)
class AlarmState:
    """One alarm as CloudWatch answers for it."""

    name: str
    state: str
    reason: str = ""
    since: str = ""  # when it entered ``state`` (StateUpdatedTimestamp, ISO)


def check_missing_data(value: str) -> str:
    if value not in MISSING_DATA_CHOICES:
        raise UsageError(
            f"--bake-missing-data {value!r} is not one of {', '.join(MISSING_DATA_CHOICES)}: "
            "ok treats INSUFFICIENT_DATA as healthy (as CodeDeploy's canary does), fail rolls "
            "the release back"
        )
    return value


def tripped(states: Iterable[AlarmState], missing_data: str) -> AlarmState | None:
    """The alarm that ends the bake by rolling back, if any: one in ALARM first (by name),
    then, under ``fail``, one with no data or gone."""
    ordered = sorted(states, key=lambda a: a.name)
    firing = [a for a in ordered if a.state == ALARM]
    if firing:
        return firing[0]
    if missing_data == "fail":
        silent = [a for a in ordered if a.state in (INSUFFICIENT_DATA, MISSING)]
        return silent[0] if silent else None
    return None


def rollback_reason(trip: AlarmState, seen_at: str) -> str:
    """The rollback's recorded reason: the alarm, its reason and the time."""
    since = f" since {trip.since}" if trip.since else ""
    why = f": {trip.reason}" if trip.reason else ""
    return f"bake: alarm {trip.name} in {trip.state}{since} (seen {seen_at}){why}"


def release_to_bake(newest_first: Iterable[Release], requested: str | None) -> Release:
    """The release a bake watches: the most recent in effect (what a rollback would undo),
    and only if it is ``requested`` when one is named. Refused (exit 1) otherwise, saying
    why: nothing in effect, or a newer release in effect than the one named."""
    newest_release: Release | None = None
    for rel in newest_first:
        if rel.kind != "release":
            continue
        if newest_release is None:
            newest_release = rel
        if rel.in_effect:
            if requested is not None and rel.id != requested:
                raise OperationError(
                    f"release {requested} is not the most recent release in effect "
                    f"({rel.id} is): a bake rolls back what it watches, so it bakes only that "
                    "one; give --release " + rel.id + " or leave --release out"
                )
            return rel
        if requested is not None and rel.id == requested:
            raise OperationError(not_bakeable(rel))
    if newest_release is None:
        raise OperationError("no release recorded yet: nothing to bake")
    raise OperationError(not_bakeable(newest_release))


def not_bakeable(rel: Release) -> str:
    what = "undone" if rel.undone else rel.outcome
    return (
        f"release {rel.id} is {what}: only a release in effect (succeeded or partial, not "
        "undone) is baked; "
        + ("it changed nothing to watch" if rel.outcome == NO_CHANGE else "deploy again first")
    )


def time_left(minutes: float, minute: float, elapsed: float) -> float:
    """Real seconds left of a bake of ``minutes`` (``minute``: real seconds per minute)."""
    return max(0.0, minutes * minute - elapsed)


def progress_line(left_seconds: float, states: Sequence[AlarmState]) -> str:
    """What the progress display shows on each change, and once per bake minute."""
    alarms = ", ".join(f"{a.name} {a.state}" for a in sorted(states, key=lambda a: a.name))
    return f"bake: {duration(left_seconds)} left; alarms: {alarms or 'none'}"


__all__ = [
    "ALARM_NOT_ROLLED_BACK",
    "BAKED",
    "ROLLED_BACK",
    "AlarmState",
    "check_missing_data",
    "progress_line",
    "release_to_bake",
    "rollback_reason",
    "time_left",
    "tripped",
]
