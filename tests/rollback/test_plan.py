"""The rollback's decisions, from log records and alias states: no AWS here."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_release.aws.stack import FunctionNow
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.records import Release
from lambda_release.rollback.plan import (
    CREATED,
    DONE,
    MOVE,
    REFUSED,
    SKIPPED,
    UNTOUCHED,
    Step,
    choose_release,
    decide,
    known_versions,
    plan_release,
    versions_to_check,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def fn(lid: str, before: str | None, after: str | None, **extra: Any) -> dict[str, Any]:
    moved = before != after
    return {
        "logical_id": lid,
        "function_name": f"stack-{lid}",
        "function_arn": ARN + f"stack-{lid}",
        "before": before,
        "after": after,
        "moved": moved,
        **extra,
    }


def release(
    rid: str,
    functions: list[dict[str, Any]],
    outcome: str = "succeeded",
    undone: bool = False,
    kind: str = "release",
) -> Release:
    entry = {
        "id": rid,
        "kind": kind,
        "time": rid,
        "functions": [
            {k: f[k] for k in ("logical_id", "function_name", "function_arn", "before")}
            for f in functions
        ],
    }
    settlement = {"outcome": outcome, "functions": functions}
    return Release(entry, settlement, {"by": "rb-x"} if undone else None)


def live(
    lid: str,
    version: str | None,
    weights: dict[str, float] | None = None,
    stable: str | None = None,
    arn: str | None = None,
) -> FunctionNow:
    return FunctionNow(
        logical_id=lid,
        name=f"stack-{lid}",
        function_arn=arn or ARN + f"stack-{lid}",
        version=version,
        weights=weights or {},
        revision_id="rev-" + str(version),
        stable=stable,
    )


R1 = release("r1", [fn("A", None, "1", created=True), fn("B", None, "1", created=True)])
R2 = release("r2", [fn("A", "1", "2"), fn("B", "1", "2")])
R3 = release("r3", [fn("A", "2", "3"), fn("B", "2", "2")])
NOCHANGE = release("r4", [fn("A", "3", "3"), fn("B", "2", "2")], outcome="no-change")


def test_the_most_recent_release_in_effect_is_chosen_past_no_change_ones() -> None:
    choice = choose_release([NOCHANGE, R3, R2, R1], None)
    assert choice.release is R3


def test_a_named_release_that_is_not_the_most_recent_in_effect_is_refused_naming_newer() -> None:
    with pytest.raises(OperationError) as err:
        choose_release([R3, R2, R1], "r2")
    assert "r3" in str(err.value) and "--release r3" in str(err.value)


def test_an_undone_release_is_nothing_to_do() -> None:
    undone = release("r3", R3.functions(), undone=True)
    choice = choose_release([undone, R2, R1], "r3")
    assert choice.release is None and "already undone" in choice.nothing_to_do
    assert choose_release([undone, R2, R1], None).release is R2


def test_unknown_ids_and_non_release_entries_are_bad_input() -> None:
    with pytest.raises(UsageError, match="not in the log"):
        choose_release([R2], "nope")
    rb = release("rb", [], kind="rollback")
    with pytest.raises(UsageError, match="not a release"):
        choose_release([rb, R2], "rb")


def test_a_release_that_moved_nothing_has_nothing_to_undo() -> None:
    choice = choose_release([NOCHANGE, R3], "r4")
    assert choice.release is None and "moved nothing" in choice.nothing_to_do


def test_moved_functions_go_back_and_untouched_ones_stay() -> None:
    lv = [live("A", "3", stable="2"), live("B", "2", stable="2")]
    plan = plan_release(R3, lv, known_versions(R3, lv))
    steps = {s.logical_id: s for s in plan.steps}
    assert (steps["A"].action, steps["A"].target) == (MOVE, "2")
    assert steps["B"].action == UNTOUCHED


def test_created_functions_stay_and_are_reported() -> None:
    lv = [live("A", "1"), live("B", "1")]
    plan = plan_release(R1, lv, known_versions(R1, lv))
    assert {s.action for s in plan.steps} == {CREATED}


def test_a_missing_before_version_is_refused_for_that_function_only() -> None:
    lv = [live("A", "2", stable="1"), live("B", "2")]  # B's version 1 is gone
    todo = versions_to_check(R2, lv)
    assert todo == [("B", "stack-B", "1")]  # A's is proven by its stable alias
    plan = plan_release(R2, lv, known_versions(R2, lv))
    steps = {s.logical_id: s for s in plan.steps}
    assert steps["A"].action == MOVE
    assert steps["B"].action == REFUSED and "no longer exists" in steps["B"].reason


def test_a_replaced_function_is_refused() -> None:
    lv = [live("A", "1", arn=ARN + "stack-A-new"), live("B", "2", stable="1")]
    plan = plan_release(R2, lv, known_versions(R2, lv) | {("A", "1")})
    steps = {s.logical_id: s for s in plan.steps}
    assert steps["A"].action == REFUSED and "replaced" in steps["A"].reason
    assert steps["B"].action == MOVE


def test_an_alias_moved_elsewhere_since_is_never_overwritten() -> None:
    lv = [live("A", "7", stable="2"), live("B", "2")]
    plan = plan_release(R3, lv, known_versions(R3, lv))
    a = next(s for s in plan.steps if s.logical_id == "A")
    assert a.action == REFUSED and "someone moved it" in a.reason


def test_an_alias_already_back_is_done_and_a_split_one_is_moved() -> None:
    step = Step("A", "stack-A", MOVE, "2", "3")
    assert decide(step, "2", {}, {"2"}).action == DONE
    assert decide(step, "2", {"3": 0.1}, {"2"}).action == MOVE
    assert decide(step, "2", {"9": 0.1}, {"2"}).action == REFUSED


def test_function_selection_skips_the_others_and_names_unknown_ones() -> None:
    lv = [live("A", "2", stable="1"), live("B", "2", stable="1")]
    plan = plan_release(R2, lv, known_versions(R2, lv), functions=["A"])
    actions = {s.logical_id: s.action for s in plan.steps}
    assert actions == {"A": MOVE, "B": SKIPPED}
    assert plan.rollback_key != plan_release(R2, lv, known_versions(R2, lv)).rollback_key
    with pytest.raises(UsageError, match="Z"):
        plan_release(R2, lv, set(), functions=["Z"])


def test_the_release_counts_as_undone_only_when_nothing_routes_to_its_versions() -> None:
    lv = [live("A", "2", stable="1"), live("B", "2", stable="1")]
    plan = plan_release(R2, lv, known_versions(R2, lv), functions=["A"])
    for s in plan.steps:
        if s.action == MOVE:
            s.current = s.target
    assert not plan.release_fully_undone  # B still runs R2's version
    full = plan_release(R2, lv, known_versions(R2, lv))
    for s in full.steps:
        s.current = s.target
    assert full.release_fully_undone
