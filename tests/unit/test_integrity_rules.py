"""Issue 12's pure rules: alias-removed, superseded, ordered ids, the alias guard and the
pass-through check (no AWS here; the sandbox tests are in tests/hostile/)."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_release.errors import UsageError
from lambda_release.log.ids import id_time, new_id, ordered_id
from lambda_release.release import alias_guard
from lambda_release.release.settlement import (
    AliasNow,
    SettlementReads,
    StackNow,
    settlement_for,
    superseded_settlement,
)
from lambda_release.template import sam

ENTRY: dict[str, Any] = {
    "id": "r1",
    "functions": [
        {"logical_id": "A", "function_name": "s-A", "function_arn": "arn:a", "before": "1"},
        {"logical_id": "B", "function_name": "s-B", "function_arn": "arn:b", "before": "1"},
    ],
}


def _settle(reads: SettlementReads) -> Any:
    return settlement_for(
        ENTRY, reads, alias="PROD", sam_exit_code=0, settled_by="t", settled_at="now"
    )


def test_a_function_left_without_its_alias_fails_the_release_even_if_another_moved() -> None:
    stack = StackNow("UPDATE_COMPLETE", functions={"B": "s-B"}, without_alias=frozenset({"A"}))
    reads = SettlementReads(stack, {"s-B": AliasNow("2", "sha", "arn:b")})
    body = _settle(reads)
    assert (body["outcome"], body["reason"]) == ("failed", "alias-removed")
    assert body["warnings"][0].startswith("alias PROD was removed from A:")
    row = next(r for r in body["functions"] if r["logical_id"] == "A")
    assert "removed" not in row  # the function is still there


def test_a_function_deleted_from_the_stack_is_not_alias_removed() -> None:
    stack = StackNow("UPDATE_COMPLETE", functions={"B": "s-B"})
    body = _settle(SettlementReads(stack, {"s-B": AliasNow("2", "sha", "arn:b")}))
    assert body["outcome"] == "succeeded" and "reason" not in body


def test_superseded_settlement_credits_nothing_and_names_the_evidence() -> None:
    body = superseded_settlement(ENTRY, ["r2", "r3"], settled_by="record", settled_at="now")
    assert (body["outcome"], body["reason"], body["superseded_by"]) == (
        "unknown",
        "superseded",
        ["r2", "r3"],
    )
    assert not any(r["moved"] for r in body["functions"])


def test_ordered_ids_come_after_the_newest_whatever_the_clock() -> None:
    future = "29991231T235959.999999Z-00000000"
    later = ordered_id(new_id(), future)
    assert later > future and id_time(later) is not None
    mine = new_id()
    assert ordered_id(mine, "20000101T000000.000000Z-00000000") == mine
    assert ordered_id(mine, None) == mine


TEMPLATE = {
    "Parameters": {"AliasName": {"Type": "String", "Default": "STAGING"}},
    "Globals": {"Function": {"AutoPublishAlias": {"Ref": "AliasName"}}},
    "Resources": {
        "A": {"Type": "AWS::Serverless::Function", "Properties": {}},
        "B": {"Type": "AWS::Serverless::Function", "Properties": {"AutoPublishAlias": "live"}},
        "C": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"AutoPublishAlias": {"Fn::Sub": "${AliasName}"}},
        },
    },
}


def test_alias_guard_resolves_globals_overrides_and_defaults() -> None:
    carrying = ["A", "B", "C", "Gone"]
    assert alias_guard.alias_removals(TEMPLATE, carrying, "PROD", {"AliasName": "PROD"}) == [
        "B (alias live)"
    ]
    assert alias_guard.alias_removals(TEMPLATE, carrying, "PROD", {}) == [
        "A (alias STAGING)",
        "B (alias live)",
    ]
    no_globals = {**TEMPLATE, "Globals": {}}
    assert alias_guard.alias_removals(no_globals, ["A"], "PROD", {}) == ["A (no AutoPublishAlias)"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--parameter-overrides", "AliasName=STAGING"], ["--parameter-overrides"]),
        (["--stack-name=x", "--region", "eu-west-1"], ["--stack-name", "--region"]),
        (["--guided"], ["--guided"]),
        (["--no-execute-changeset", "--force-upload", "Key=--stack-name"], []),
    ],
)
def test_pass_through_options_the_helper_sets_are_found(extra: list[str], named: list[str]) -> None:
    assert sam.reserved_pass_through(extra) == named
    if named:
        with pytest.raises(UsageError, match="lambda-release sets"):
            sam.check_pass_through(extra)
    else:
        sam.check_pass_through(extra)
