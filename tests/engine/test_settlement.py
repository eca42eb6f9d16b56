"""How a release ended, decided from what was read: no AWS here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lambda_release.release.settlement import (
    AliasNow,
    SettlementReads,
    StackNow,
    deploy_failed,
    needs_update_events,
    settlement_for,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
BEGUN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def entry(**before: str | None) -> dict[str, Any]:
    return {
        "id": "r1",
        "time": BEGUN.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "functions": [
            {
                "logical_id": lid,
                "function_name": f"s-{lid}",
                "function_arn": ARN + f"s-{lid}",
                "before": v,
            }
            for lid, v in before.items()
        ],
    }


def alias(name: str, version: str) -> AliasNow:
    return AliasNow(version=version, code_sha256=f"sha-{version}", function_arn=ARN + name)


def reads(
    versions: dict[str, str | None],
    *,
    status: str = "UPDATE_COMPLETE",
    failed: bool = False,
    updated: frozenset[str] = frozenset(),
    last_updated: datetime | None = None,
) -> SettlementReads:
    functions = {lid: f"s-{lid}" for lid in versions}
    aliases = {f"s-{lid}": (alias(f"s-{lid}", v) if v else None) for lid, v in versions.items()}
    return SettlementReads(StackNow(status, failed, last_updated, functions), aliases, updated)


def settle(e: dict[str, Any], r: SettlementReads, code: int | None = 0) -> dict[str, Any]:
    return settlement_for(
        e, r, alias="PROD", sam_exit_code=code, settled_by="test", settled_at="now"
    )


def by_lid(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {f["logical_id"]: f.get(key) for f in body["functions"]}


def test_moved_aliases_make_a_success_whatever_sam_said_otherwise() -> None:
    body = settle(entry(A="1", B="1"), reads({"A": "2", "B": "1"}))
    assert body["outcome"] == "succeeded"
    assert by_lid(body, "moved") == {"A": True, "B": False}
    assert by_lid(body, "after") == {"A": "2", "B": "1"}
    assert settle(entry(A="1"), reads({"A": "2"}), code=1)["outcome"] == "partial"


def test_nothing_moved_is_no_change_or_failed_by_the_exit_code() -> None:
    assert settle(entry(A="1"), reads({"A": "1"}))["outcome"] == "no-change"
    assert settle(entry(A="1"), reads({"A": "1"}), code=2)["outcome"] == "failed"


def test_created_removed_and_replaced_functions_are_marked() -> None:
    e = entry(A="1", Gone="3")
    e["functions"][0]["function_arn"] = ARN + "old-name"
    body = settle(e, reads({"A": "1", "New": "1"}))
    assert by_lid(body, "created") == {"A": None, "Gone": None, "New": True}
    assert by_lid(body, "removed") == {"A": None, "Gone": True, "New": None}
    assert by_lid(body, "replaced") == {"A": True, "Gone": None, "New": None}
    assert by_lid(body, "moved") == {"A": True, "Gone": False, "New": True}


def test_unknown_exit_code_reads_the_stack_status_since_the_release_began() -> None:
    e = entry(A="1")
    after = BEGUN + timedelta(minutes=1)
    stale = BEGUN - timedelta(hours=1)
    assert deploy_failed(e, StackNow("UPDATE_ROLLBACK_COMPLETE", True, after), None)
    assert not deploy_failed(e, StackNow("UPDATE_ROLLBACK_COMPLETE", True, stale), None)
    assert not deploy_failed(e, StackNow("UPDATE_ROLLBACK_COMPLETE", True, after), 0)


# AWS accepts a request signed by a clock up to 15 minutes off its own (Common Errors,
# RequestExpired): a runner may be that far off CloudFormation's clock.
SKEW = timedelta(minutes=10)


def aws_entry(stack_last_updated: datetime | None, runner_skew: timedelta) -> dict[str, Any]:
    """An entry begun at BEGUN by AWS's clock, on a runner whose clock is `runner_skew` ahead;
    the stack's LastUpdatedTime as the release began (AWS's clock)."""
    e = entry(A="1")
    e["time"] = (BEGUN + runner_skew).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    e["stack_last_updated"] = (
        stack_last_updated.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if stack_last_updated else None
    )
    return e


def test_a_runner_ahead_of_aws_still_sees_its_own_failed_update() -> None:
    """The update this release made failed, 3 s after it began (AWS's clock); the runner's
    clock is 10 minutes ahead. Compared with the runner's start, the update looked older
    than the release (settled no-change); compared with the stack's time as it began, it
    is this release's."""
    this_update = BEGUN + timedelta(seconds=3)
    stack = StackNow("UPDATE_ROLLBACK_COMPLETE", True, this_update)
    assert deploy_failed(aws_entry(BEGUN - timedelta(days=1), SKEW), stack, None)
    assert deploy_failed(aws_entry(BEGUN - timedelta(days=1), -SKEW), stack, None)


def test_a_runner_behind_aws_does_not_take_an_older_failure_for_its_own() -> None:
    """The stack was left UPDATE_ROLLBACK_COMPLETE by an update 2 minutes before this release
    began, which then changed nothing (its job was killed before sam ran); the runner's
    clock is 10 minutes behind. Its own start made the old failure look newer."""
    older = BEGUN - timedelta(minutes=2)
    stack = StackNow("UPDATE_ROLLBACK_COMPLETE", True, older)
    assert not deploy_failed(aws_entry(older, -SKEW), stack, None)
    assert not deploy_failed(aws_entry(older, SKEW), stack, None)


def test_a_first_release_that_failed_to_create_its_stack_failed() -> None:
    """No stack as it began (or one never executed): a failed stack now is this release's."""
    stack = StackNow("ROLLBACK_COMPLETE", True, BEGUN + timedelta(seconds=1))
    assert deploy_failed(aws_entry(None, SKEW), stack, None)
    assert not deploy_failed(aws_entry(None, SKEW), StackNow("CREATE_COMPLETE", False), None)


def test_config_change_without_a_new_version_warns_only_when_events_say_so() -> None:
    e = entry(A="1", B="1")
    plain = reads({"A": "2", "B": "1"})
    assert needs_update_events(e, plain, 0)  # B did not move: worth reading the events
    assert not needs_update_events(e, reads({"A": "2", "B": "2"}), 0)
    assert not needs_update_events(e, plain, 1)  # a failed deploy: no warning to give
    warned = settle(e, reads({"A": "2", "B": "1"}, updated=frozenset({"A", "B"})))
    assert len(warned["warnings"]) == 1 and warned["warnings"][0].startswith("B:")


def test_a_stack_gone_settles_every_function_removed() -> None:
    body = settle(entry(A="1"), SettlementReads(StackNow("NONE", functions={}), {}), code=None)
    assert body["stack_status"] == "NONE"
    assert body["outcome"] == "no-change" and by_lid(body, "removed") == {"A": True}
