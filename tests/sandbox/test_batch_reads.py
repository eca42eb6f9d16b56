"""Probes: the stand-in answers the pre-flight's account-wide reads as AWS documents them.

ListDeployments with neither application nor group, BatchGetDeploymentGroups,
BatchGetDeployments' limit, and DescribeAlarms' filters and pages (docs/sandbox.md).
Each test runs in an account of its own, over HTTP.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.support.codedeploy_world import World, world

__all__ = ["world"]

ACTIVE = ["Created", "Queued", "InProgress", "Baking", "Ready"]


def _code(exc: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_list_deployments_account_wide_by_status(world: World) -> None:
    a, _ = world.application({"G": []})
    b, _ = world.application({"G": [], "H": []})
    ids = {world.deploy(a, "G"), world.deploy(b, "H")}
    cd = world.client("codedeploy")
    assert set(cd.list_deployments(includeOnlyStatuses=ACTIVE)["deployments"]) == ids
    assert cd.list_deployments(includeOnlyStatuses=["Succeeded"])["deployments"] == []
    # "If applicationName is specified, then deploymentGroupName must be specified."
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        cd.list_deployments(applicationName=a)
    assert _code(exc) == "DeploymentGroupNameRequiredException"


def test_batch_get_deployment_groups(world: World) -> None:
    app, _ = world.application({"On": ["x-errors"], "Off": []})
    world.application({"Elsewhere": ["y"]})
    cd = world.client("codedeploy")
    got = cd.batch_get_deployment_groups(
        applicationName=app, deploymentGroupNames=["On", "Off", "Elsewhere"]
    )
    infos = {g["deploymentGroupName"]: g for g in got["deploymentGroupsInfo"]}
    assert set(infos) == {"On", "Off"}
    assert infos["On"]["alarmConfiguration"]["alarms"] == [{"name": "x-errors"}]
    assert infos["On"]["applicationName"] == app
    assert "Elsewhere" in got["errorMessage"]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        cd.batch_get_deployment_groups(
            applicationName=app, deploymentGroupNames=[f"g{i}" for i in range(101)]
        )
    assert _code(exc) == "BatchLimitExceededException"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        cd.batch_get_deployment_groups(applicationName="no-such-app", deploymentGroupNames=["G"])
    assert _code(exc) == "ApplicationDoesNotExistException"


def test_batch_get_deployments_takes_at_most_25_ids(world: World) -> None:
    app, _ = world.application({"G": []})
    ids = [world.deploy(app, "G") for _ in range(26)]
    cd = world.client("codedeploy")
    assert len(cd.batch_get_deployments(deploymentIds=ids[:25])["deploymentsInfo"]) == 25
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        cd.batch_get_deployments(deploymentIds=ids)
    assert _code(exc) == "BatchLimitExceededException"


def test_describe_alarms_applies_every_filter_and_pages(world: World) -> None:
    for name, state in (("a1", "ALARM"), ("a2", "OK"), ("a3", "ALARM"), ("b1", "ALARM")):
        world.alarm(name, state)
    cw = world.client("cloudwatch")

    def names(**kw: object) -> list[str]:
        return [a["AlarmName"] for a in cw.describe_alarms(**kw)["MetricAlarms"]]

    assert names(StateValue="ALARM") == ["a1", "a3", "b1"]
    assert names(StateValue="ALARM", AlarmNames=["a1", "a2"]) == ["a1"]
    assert names(StateValue="ALARM", AlarmNamePrefix="a") == ["a1", "a3"]
    first = cw.describe_alarms(StateValue="ALARM", MaxRecords=2)
    assert [a["AlarmName"] for a in first["MetricAlarms"]] == ["a1", "a3"]
    rest = cw.describe_alarms(StateValue="ALARM", MaxRecords=2, NextToken=first["NextToken"])
    assert [a["AlarmName"] for a in rest["MetricAlarms"]] == ["b1"]
    assert "NextToken" not in rest
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        cw.describe_alarms(AlarmNames=["a1"], AlarmNamePrefix="a")
    assert _code(exc) == "ValidationError"
