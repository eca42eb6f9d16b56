"""Deployments in flight and alarms in ALARM, found through the account-wide reads (issue 18).

Each test has an account of its own in the sandbox (tests/support/codedeploy_world.py), so
"nothing in flight anywhere" is true and every call is counted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lambda_release.aws import codedeploy
from lambda_release.release.preflight import stack_problems
from tests.support.codedeploy_world import World, stack_info, world

__all__ = ["world"]

GROUPS = {"G1": ["g1-errors"], "G2": ["g2-errors"], "G3": []}


def test_nothing_in_flight_nor_firing_costs_one_call_each(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application(GROUPS)
    world.alarm("g1-errors")
    world.alarm("somebody-elses", "INSUFFICIENT_DATA")
    sa = world.stack_alias(monkeypatch)
    assert stack_problems(sa, stack_info(app, groups)) == []
    assert world.calls == {"ListDeployments": 1, "DescribeAlarms": 1}


def test_a_clean_stack_asks_cloudwatch_only(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    app, groups = world.application(GROUPS)
    mine = world.deploy(app, "G1")  # by hand: CloudFormation's own deployment would be refused
    sa = world.stack_alias(monkeypatch)
    for status in codedeploy.CLEAN_STACK_STATUSES:
        assert stack_problems(sa, stack_info(app, groups, status=status)) == []
    assert "ListDeployments" not in world.calls and world.calls["DescribeAlarms"] == 2
    assert codedeploy.active_deployment_ids(
        world.client("codedeploy"), stack_info(app, groups)
    ) == [(mine, "G1")]  # status, watch and rollback still see it


def test_a_deployment_of_another_application_does_not_block(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application(GROUPS)
    other, _ = world.application({"G1": []})  # same group name, another application
    world.deploy(other, "G1")
    sa = world.stack_alias(monkeypatch)
    assert stack_problems(sa, stack_info(app, groups)) == []
    assert world.calls["ListDeployments"] == 1
    assert world.calls["BatchGetDeployments"] == 1


def test_a_deployment_of_this_stack_blocks_and_names_its_group(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application(GROUPS)
    other, _ = world.application({"G2": []})
    world.deploy(other, "G2")
    mine = world.deploy(app, "G2")
    sa = world.stack_alias(monkeypatch)
    problems = stack_problems(sa, stack_info(app, groups))
    assert len(problems) == 1
    assert f"{mine} (G2)" in problems[0]
    assert "in flight" in problems[0]
    assert world.calls["ListDeployments"] == 1


def test_a_stack_of_one_group_lists_that_group_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application({"Only": []})
    other, _ = world.application({"Only": []})
    world.deploy(other, "Only")
    cd = world.client("codedeploy")
    info = stack_info(app, groups)
    assert codedeploy.active_deployment_ids(cd, info) == []
    assert world.calls == {"ListDeployments": 1}
    mine = world.deploy(app, "Only")
    assert codedeploy.active_deployment_ids(cd, info) == [(mine, "Only")]


def test_status_gets_each_deployments_status_without_a_second_read(world: World) -> None:
    app, groups = world.application(GROUPS)
    mine = world.deploy(app, "G3")
    cd = world.client("codedeploy")
    found = codedeploy.active_deployments(cd, stack_info(app, groups))
    assert [d.as_json() for d in found] == [
        {"deployment_id": mine, "deployment_group": "G3", "status": "Created", "rollback_of": None}
    ]
    assert world.calls == {"ListDeployments": 1, "BatchGetDeployments": 1}


def test_a_busy_account_costs_no_more_than_listing_each_group(world: World) -> None:
    app, groups = world.application({"A": [], "B": []})
    other, _ = world.application({"X": []})
    for _ in range(26):  # two batches of BatchGetDeployments: as dear as two listings
        world.deploy(other, "X")
    mine = world.deploy(app, "B")
    cd = world.client("codedeploy")
    assert codedeploy.active_deployment_ids(cd, stack_info(app, groups)) == [(mine, "B")]
    assert world.calls == {"ListDeployments": 3}


def test_a_firing_alarm_of_a_group_blocks(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    app, groups = world.application(GROUPS)
    world.alarm("g2-errors", "ALARM")
    world.alarm("unrelated", "ALARM")
    sa = world.stack_alias(monkeypatch)
    problems = stack_problems(sa, stack_info(app, groups))
    assert len(problems) == 1
    assert "alarm already in ALARM: g2-errors:" in problems[0]
    assert world.calls["DescribeAlarms"] == 1
    assert world.calls["BatchGetDeploymentGroups"] == 1


def test_a_firing_alarm_unrelated_to_the_stack_does_not_block(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application(GROUPS)
    world.alarm("g1-errors", "OK")
    world.alarm("another-teams-errors", "ALARM")
    sa = world.stack_alias(monkeypatch)
    assert stack_problems(sa, stack_info(app, groups)) == []
    assert world.calls["DescribeAlarms"] == 1


def test_a_group_whose_alarm_check_is_disabled_does_not_block(world: World) -> None:
    app, groups = world.application(GROUPS, alarms_enabled=False)
    world.alarm("g1-errors", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    assert codedeploy.stack_alarms_in_alarm(cd, cw, stack_info(app, groups)) == []


def test_the_stacks_own_alarm_firing_blocks_without_reading_the_groups(world: World) -> None:
    app, groups = world.application(GROUPS)
    world.alarm("stack-own-alarm", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    info = stack_info(app, groups, alarms=["stack-own-alarm"])
    assert codedeploy.stack_alarms_in_alarm(cd, cw, info) == ["stack-own-alarm"]
    assert world.calls == {"DescribeAlarms": 1}


def test_a_stack_without_codedeploy_still_checks_its_own_alarms(world: World) -> None:
    world.alarm("lonely", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    assert codedeploy.active_deployment_ids(cd, stack_info(None, [])) == []
    info = stack_info(None, [], alarms=["lonely"])
    assert codedeploy.stack_alarms_in_alarm(cd, cw, info) == ["lonely"]
    assert world.calls == {"DescribeAlarms": 1}


def test_a_failed_release_names_its_groups_failures_from_one_account_wide_listing(
    world: World,
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    app, groups = world.application(GROUPS)
    other, _ = world.application({"G1": []})
    world.end(world.deploy(other, "G1"), "Failed")
    stopped = world.deploy(app, "G3")
    failed = world.deploy(app, "G1")
    world.deploy(app, "G2")  # still in flight: not a failure
    world.end(stopped, "Stopped")
    world.end(failed, "Failed")
    cd = world.client("codedeploy")
    assert codedeploy.failures_since(cd, stack_info(app, groups), since) == [
        f"G1: deployment {failed} failed",
        f"G3: deployment {stopped} stopped",
    ]
    assert world.calls["ListDeployments"] == 1
    assert world.calls["BatchGetDeployments"] == 1
