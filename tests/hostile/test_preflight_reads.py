"""Attacks on the pre-flight's account-wide reads (issue 18): look-alike applications,
batch limits, a crowded account, groups and applications that vanished.

Each test has an account of its own in the sandbox (tests/support/codedeploy_world.py).
"""

from __future__ import annotations

import pytest

from lambda_release.aws import codedeploy
from lambda_release.release.preflight import stack_problems
from tests.support.codedeploy_world import World, stack_info, world

__all__ = ["world"]


def test_a_look_alike_application_with_the_same_group_names_does_not_block(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, groups = world.application({"G1": ["e1"], "G2": ["e2"]})
    twin, _ = world.application({"G1": ["e1-twin"], "G2": []}, app=app + "-2")
    world.deploy(twin, "G1")
    world.alarm("e1-twin", "ALARM")
    sa = world.stack_alias(monkeypatch)
    assert stack_problems(sa, stack_info(app, groups)) == []


def test_more_than_a_page_of_alarms_firing_still_finds_the_groups_one(world: World) -> None:
    app, groups = world.application({"G1": [], "G2": ["mine-errors"]})
    for i in range(101):
        world.alarm(f"noise-{i:03}", "ALARM")
    world.alarm("mine-errors", "ALARM")
    world.alarm("stack-alarm", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    info = stack_info(app, groups, alarms=["stack-alarm"])
    assert codedeploy.stack_alarms_in_alarm(cd, cw, info) == ["mine-errors", "stack-alarm"]
    # the first page, then the stack's alarms by name: not the account's 103
    assert world.calls == {"DescribeAlarms": 2, "BatchGetDeploymentGroups": 1}


def test_an_alarm_watched_by_an_enabled_group_blocks_though_another_ignores_it(
    world: World,
) -> None:
    app, off = world.application({"Off": ["shared"]}, alarms_enabled=False)
    _, on = world.application({"On": ["shared"]}, app=app + "-x")
    world.alarm("shared", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    assert codedeploy.stack_alarms_in_alarm(cd, cw, stack_info(app, off)) == []
    assert codedeploy.stack_alarms_in_alarm(cd, cw, stack_info(app + "-x", on)) == ["shared"]


def test_more_than_100_groups_are_read_in_batches_the_stand_in_accepts(world: World) -> None:
    names = {f"G{i:03}": (["last-errors"] if i == 120 else []) for i in range(121)}
    app, groups = world.application(names)
    world.alarm("last-errors", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    assert codedeploy.stack_alarms_in_alarm(cd, cw, stack_info(app, groups)) == ["last-errors"]
    assert world.calls["BatchGetDeploymentGroups"] == 2


def test_a_crowded_account_is_read_25_ids_a_call(world: World) -> None:
    app, groups = world.application({f"G{i}": [] for i in range(5)})
    other, _ = world.application({"X": []})
    for _ in range(60):
        world.deploy(other, "X")
    mine = world.deploy(app, "G4")
    cd = world.client("codedeploy")
    found = codedeploy.active_deployments(cd, stack_info(app, groups))
    assert [(d.deployment_id, d.group, d.status) for d in found] == [(mine, "G4", "Created")]
    # 61 ids: 3 batches of 25, cheaper than 5 listings
    assert world.calls == {"ListDeployments": 1, "BatchGetDeployments": 3}


def test_groups_or_an_application_that_vanished_leave_the_own_alarms_checked(
    world: World,
) -> None:
    app, groups = world.application({"G1": ["e1"]})
    world.alarm("e1", "ALARM")
    world.alarm("own", "ALARM")
    cd, cw = world.client("codedeploy"), world.client("cloudwatch")
    gone = stack_info(app, [*groups, "Deleted"], alarms=["own"])
    assert codedeploy.stack_alarms_in_alarm(cd, cw, gone) == ["e1", "own"]
    no_app = stack_info("deleted-app", ["G1"], alarms=["own"])
    assert codedeploy.stack_alarms_in_alarm(cd, cw, no_app) == ["own"]
