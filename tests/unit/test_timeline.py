"""The canary's timeline: only changes kept, bounded, alarm times within what was seen."""

from __future__ import annotations

import threading

from lambda_release.log.schema import Settlement, problem_with
from lambda_release.observe.progress import DeploymentView
from lambda_release.observe.timeline import (
    MAX_ALARM_CHANGES,
    MAX_STEPS,
    AlarmReading,
    CanaryTimeline,
    iso_at,
    thinned,
)

T0 = 1_800_000_000.0


def view(share: float, status: str = "InProgress", **kw: object) -> DeploymentView:
    base: dict[str, object] = {
        "logical_id": "Orders",
        "function_name": "shop-Orders",
        "deployment_id": "d-1",
        "status": status,
        "current_version": "7",
        "target_version": "8",
        "share": share,
    }
    base.update(kw)
    return DeploymentView(**base)  # type: ignore[arg-type]


def test_unchanged_readings_add_nothing_and_the_end_is_kept() -> None:
    t = CanaryTimeline()
    ok = {"orders-errors": AlarmReading("OK", "fine", T0 - 3600)}
    for i in range(5):
        t.observe([view(0.1)], T0 + i, ok)
    alarm = {"orders-errors": AlarmReading("ALARM", "5 errors", T0 + 5.5)}
    t.observe([view(0.1)], T0 + 6, alarm)
    t.observe([view(0.0, "Stopped", message="stopped", rolled_back=True)], T0 + 7, alarm)
    got = t.record()
    assert got is not None
    (d,) = got["deployments"]
    assert [(s["share"], s["status"]) for s in d["steps"]] == [
        (0.1, "InProgress"),
        (0.0, "Stopped"),
    ]
    assert d["status"] == "Stopped" and d["rolled_back"] is True and d["message"] == "stopped"
    # The OK state began an hour before the canary: shown at its start; ALARM at CloudWatch's
    # own time of the change.
    assert [(a["state"], a["at"]) for a in got["alarms"]] == [
        ("OK", iso_at(T0)),
        ("ALARM", iso_at(T0 + 5.5)),
    ]
    assert (got["started"], got["ended"]) == (iso_at(T0), iso_at(T0 + 7))
    assert "truncated" not in got
    body: Settlement = {"outcome": "failed", "functions": [], "timeline": got}
    assert problem_with(body, Settlement) is None


def test_nothing_seen_records_nothing() -> None:
    t = CanaryTimeline()
    t.observe([], T0, {})
    assert t.record() is None


def test_a_long_canary_is_bounded_keeping_its_start_and_end() -> None:
    t = CanaryTimeline()
    n = MAX_STEPS * 5
    for i in range(n):
        state = "ALARM" if i % 2 else "OK"
        t.observe([view(i / n)], T0 + i, {"a": AlarmReading(state, f"flip {i}", T0 + i)})
    got = t.record()
    assert got is not None and got["truncated"] is True
    steps = got["deployments"][0]["steps"]
    assert len(steps) == MAX_STEPS
    assert steps[0]["share"] == 0.0 and steps[-1]["share"] == round((n - 1) / n, 4)
    assert len(got["alarms"]) == MAX_ALARM_CHANGES
    assert got["alarms"][-1]["reason"] == f"flip {n - 1}"
    assert len(str(got)) < 40_000


def test_a_long_reason_is_cut() -> None:
    t = CanaryTimeline()
    t.observe([view(0.1)], T0, {"a": AlarmReading("ALARM", "x" * 10_000, T0)})
    got = t.record()
    assert got is not None and len(got["alarms"][0]["reason"]) == 200


def test_thinned_keeps_both_ends() -> None:
    assert thinned(list(range(10)), 4) == ([0, 1, 8, 9], True)
    assert thinned([1, 2], 4) == ([1, 2], False)


def test_the_progress_thread_and_the_settle_can_overlap() -> None:
    t = CanaryTimeline()

    def poll() -> None:
        for i in range(2000):
            t.observe([view((i % 10) / 10)], T0 + i, {})

    thread = threading.Thread(target=poll)
    thread.start()
    while thread.is_alive():
        t.record()
    thread.join()
    got = t.record()
    assert got is not None and len(got["deployments"][0]["steps"]) <= MAX_STEPS
