"""The bake's pure decisions (issue 31): which alarm trips it, which release it bakes, the
recorded reason, the time left, and what status says of a bake."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lambda_release.bake import rules
from lambda_release.bake.rules import AlarmState
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.records import Release
from lambda_release.log.schema import BakeEnd, BakeStart
from lambda_release.observe import baking

OK = AlarmState("a-ok", "OK")
NODATA = AlarmState("b-quiet", "INSUFFICIENT_DATA")
GONE = AlarmState("c-gone", "MISSING")
FIRING = AlarmState("z-5xx", "ALARM", "Threshold Crossed: 3 datapoints", "2026-12-06T10:00:00Z")


def test_an_alarm_in_alarm_trips_the_bake_whatever_the_missing_data_choice() -> None:
    for choice in rules.MISSING_DATA_CHOICES:
        assert rules.tripped([OK, NODATA, FIRING], choice) == FIRING


def test_insufficient_data_and_a_deleted_alarm_trip_only_under_fail() -> None:
    assert rules.tripped([OK, NODATA, GONE], "ok") is None
    assert rules.tripped([OK, GONE, NODATA], "fail") == NODATA  # by name: b before c
    assert rules.tripped([OK], "fail") is None


def test_of_several_alarms_firing_the_first_by_name_is_named() -> None:
    other = AlarmState("a-latency", "ALARM")
    assert rules.tripped([FIRING, other], "ok") == other


def test_an_unknown_missing_data_choice_is_bad_input() -> None:
    with pytest.raises(UsageError, match="'maybe' is not one of ok, fail"):
        rules.check_missing_data("maybe")


def test_the_rollback_reason_names_the_alarm_its_reason_and_the_time() -> None:
    reason = rules.rollback_reason(FIRING, "2026-12-06T10:00:05Z")
    assert "alarm z-5xx in ALARM since 2026-12-06T10:00:00Z" in reason
    assert "(seen 2026-12-06T10:00:05Z)" in reason and "Threshold Crossed" in reason


def test_time_left_never_goes_below_zero() -> None:
    assert rules.time_left(10, 60.0, 30.0) == 570.0
    assert rules.time_left(10, 0.1, 5.0) == 0.0


def test_the_progress_line_shows_time_left_and_each_alarm() -> None:
    line = rules.progress_line(95.0, [FIRING, OK])
    assert line == "bake: 1m 35s left; alarms: a-ok OK, z-5xx ALARM"


def release(rid: str, outcome: str, *, kind: str = "release", undone: bool = False) -> Release:
    entry: Any = {"id": rid, "kind": kind, "functions": []}
    settlement: Any = {"outcome": outcome, "functions": []}
    undo: Any = {"by": "x"} if undone else None
    return Release(entry, settlement, undo)


R1, R2, R3 = (
    "20261206T100000.000000Z-00000001",
    "20261206T110000.000000Z-00000002",
    ("20261206T120000.000000Z-00000003"),
)


def test_the_bake_is_of_the_most_recent_release_in_effect() -> None:
    log = [release(R3, "no-change"), release(R2, "succeeded"), release(R1, "succeeded")]
    assert rules.release_to_bake(log, None).id == R2
    assert rules.release_to_bake(log, R2).id == R2


def test_a_named_release_that_is_not_the_one_in_effect_is_refused_naming_it() -> None:
    log = [release(R2, "succeeded"), release(R1, "succeeded")]
    with pytest.raises(OperationError, match=f"{R1} is not the most recent.*{R2} is"):
        rules.release_to_bake(log, R1)


def test_an_undone_or_failed_release_is_not_baked() -> None:
    log = [release(R2, "succeeded", undone=True), release(R1, "failed")]
    with pytest.raises(OperationError, match=f"release {R2} is undone"):
        rules.release_to_bake(log, R2)
    with pytest.raises(OperationError, match=f"release {R2} is undone"):
        rules.release_to_bake(log, None)
    with pytest.raises(OperationError, match="no release recorded yet"):
        rules.release_to_bake([release(R1, "succeeded", kind="rollback")], None)


NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def start(until: str) -> BakeStart:
    return {
        "id": R1,
        "attempt": R2,
        "began": "2026-12-06T11:00:00Z",
        "minutes": 30.0,
        "until": until,
    }


def test_status_of_a_bake_never_begun_ended_running_or_stopped() -> None:
    assert baking.bake_state([], None, NOW) is None
    end: BakeEnd = {"id": R1, "outcome": "baked", "ended": "2026-12-06T11:30:00Z"}
    assert baking.bake_state([start("2026-12-06T11:30:00Z")], end, NOW)["state"] == "baked"  # type: ignore[index]
    running = baking.bake_state([start("2026-12-06T12:30:00.000000Z")], None, NOW)
    assert running is not None and running["state"] == "baking"
    stopped = baking.bake_state([start("2026-12-06T11:30:00.000000Z")], None, NOW)
    assert stopped is not None and stopped["state"] == "unbaked"
    garbled = baking.bake_state([start("not a time")], None, NOW)
    assert garbled is not None and garbled["state"] == "unbaked"
    text = baking.bake_text(R1, stopped)
    assert text is not None and "succeeded but un-baked" in text and "lambda-release bake" in text
