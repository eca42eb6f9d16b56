"""What the log says of a release's bake, for ``status`` (pure): baked, rolled back by
it, baking now, or begun and never ended (un-baked: the job was stopped or timed out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from lambda_release.log.schema import BakeEnd, BakeStart

BAKED = "baked"
ROLLED_BACK = "rolled-back"
ALARM_NOT_ROLLED_BACK = "alarm"
BAKING = "baking"
UNBAKED = "unbaked"


def bake_state(
    starts: Sequence[BakeStart], end: BakeEnd | None, now: datetime
) -> dict[str, object] | None:
    """What ``status`` says of a release's bake: None when it was never baked."""
    if end is not None:
        return {
            "state": end["outcome"],
            "ended": end.get("ended"),
            "automatic": end.get("automatic"),
            "rollback_id": end.get("rollback_id"),
            "attempts": len(starts),
        }
    if not starts:
        return None
    last = starts[-1]
    until = _parsed(last["until"])
    running = until is not None and until > now
    return {
        "state": BAKING if running else UNBAKED,
        "began": last["began"],
        "until": last["until"],
        "minutes": last["minutes"],
        "attempts": len(starts),
    }


def _parsed(stamp: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(stamp)
    except ValueError:
        return None  # not a time: the bake is not running by it
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def bake_text(release_id: str, bake: dict[str, object] | None) -> str | None:
    """One line for ``status``'s text."""
    if bake is None:
        return None
    state = bake["state"]
    if state == BAKED:
        return f"release {release_id} baked (ended {bake['ended']}): no alarm fired"
    if state == ROLLED_BACK:
        return f"release {release_id} was rolled back by its bake ({bake['rollback_id']})"
    if state == ALARM_NOT_ROLLED_BACK:
        return (
            f"release {release_id}: an alarm fired during its bake but the rollback did not "
            "finish: run `lambda-release rollback`"
        )
    if state == BAKING:
        return (
            f"release {release_id} is baking until {bake['until']} (if its job still runs); "
            "not baked yet"
        )
    return (
        f"release {release_id} is succeeded but un-baked: its bake began {bake['began']} and "
        "never finished (the job was stopped); `lambda-release bake` bakes it again"
    )
