"""The stand-in serves several regions at once, each region's resources apart (issue 33).

One SAM app, one stack name, released at the same time in us-east-1 and eu-west-1 with the
real `sam` (through `lambda-release deploy --region`): CloudFormation with the SAM transform,
versions and aliases, CodeDeploy canaries with their groups, CloudWatch alarms, an artifacts
bucket per region with its LocationConstraint. Each region sees only its own; a rollback in
one region leaves the other where it was.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.codedeploy import SETTINGS
from tests.sandbox.inline_app import create_stack, start_update, wait_for_stack
from tests.support.aws_state import alias_state, function_name
from tests.support.cliapp import BIN, unique
from tests.support.processes import Cli
from tests.support.requires import require_tool
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import alarm_logical_id, set_code_version, write_sam_app

require_tool("python3.11", "sam build for python3.11 needs it on PATH")

REGIONS = ("us-east-1", "eu-west-1")
FUNCTIONS = ("A",)


@dataclass
class TwoRegions:
    sandbox: Sandbox
    directory: Path
    stack: str
    buckets: dict[str, str]
    env: dict[str, str]

    def client(self, service: str, region: str) -> Any:
        return self.sandbox.client(service, region)

    def lr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return Cli(env=self.env, cwd=self.directory)(*args)

    def deploy(self, region: str) -> subprocess.CompletedProcess[str]:
        return self.lr(*self.deploy_args(region))

    def deploy_args(self, region: str) -> list[str]:
        return [
            "deploy",
            "--stack",
            self.stack,
            "--alias",
            "PROD",
            "--s3-bucket",
            self.buckets[region],
            "--region",
            region,
            "--output",
            "json",
            # Two releases run from one folder at once: a record each (the default one
            # file would be written by both).
            "--record-file",
            f".lambda-release/{region}.json",
        ]

    def in_both(
        self, run: Callable[[str], subprocess.CompletedProcess[str]]
    ) -> dict[str, subprocess.CompletedProcess[str]]:
        """`run(region)` in every region at the same time."""
        with ThreadPoolExecutor(len(REGIONS)) as pool:
            return dict(zip(REGIONS, pool.map(run, REGIONS), strict=True))

    def canaries(self, region: str) -> tuple[str, str, list[str]]:
        """The stack's CodeDeploy application, its group and the group's deployments."""
        cfn, cd = self.client("cloudformation", region), self.client("codedeploy", region)
        resources = cfn.list_stack_resources(StackName=self.stack)["StackResourceSummaries"]
        by_type = {r["ResourceType"]: r["PhysicalResourceId"] for r in resources}
        app = by_type["AWS::CodeDeploy::Application"]
        group = by_type["AWS::CodeDeploy::DeploymentGroup"]
        listed = cd.list_deployments(applicationName=app, deploymentGroupName=group)
        return app, group, list(listed["deployments"])

    def function(self, region: str) -> str:
        return function_name(self.client("cloudformation", region), self.stack, "AFunction")


@pytest.fixture
def two_regions(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> Iterator[TwoRegions]:
    env = sam_env(sandbox_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # The environment names us-east-1: eu-west-1 is reached only through --region.
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = "us-east-1"
    directory = tmp_path / "app"
    stack = unique("multi")
    template = write_sam_app(directory, functions=FUNCTIONS, code_version="1")
    # One alarm name in both regions (names are unique per region, not across them).
    body = yaml.safe_load(template.read_text())
    body["Resources"][alarm_logical_id("A")]["Properties"]["AlarmName"] = f"{stack}-errors"
    template.write_text(yaml.safe_dump(body, sort_keys=False))
    sam_build(directory, env)
    buckets = {}
    for region in REGIONS:
        bucket = unique(f"artifacts-{region}")
        s3 = sandbox.client("s3", region)
        if region == "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
        buckets[region] = bucket
    yield TwoRegions(sandbox, directory, stack, buckets, env)


def _ok(runs: dict[str, subprocess.CompletedProcess[str]]) -> dict[str, dict[str, Any]]:
    for region, p in runs.items():
        assert p.returncode == 0, f"{region}: {p.stderr[-3000:]}"
    return {region: json.loads(p.stdout) for region, p in runs.items()}


def test_one_stack_name_released_in_two_regions_at_once_stays_apart(
    two_regions: TwoRegions,
) -> None:
    w = two_regions
    _ok(w.in_both(w.deploy))  # create: version 1, PROD -> 1 in each region
    set_code_version(w.directory, "2", FUNCTIONS)
    sam_build(w.directory, w.env)
    _ok(w.in_both(w.deploy))  # a canary in each region at once: PROD -> 2

    for region in REGIONS:
        other = next(r for r in REGIONS if r != region)
        cfn = w.client("cloudformation", region)
        stack = cfn.describe_stacks(StackName=w.stack)["Stacks"][0]
        assert stack["StackId"].startswith(f"arn:aws:cloudformation:{region}:"), stack["StackId"]
        assert stack["StackStatus"] == "UPDATE_COMPLETE"
        fn = w.function(region)
        lam = w.client("lambda", region)
        arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
        assert arn.startswith(f"arn:aws:lambda:{region}:"), arn
        assert alias_state(lam, fn, "PROD") == ("2", {})
        alias_arn = lam.get_alias(FunctionName=fn, Name="PROD")["AliasArn"]
        assert alias_arn.startswith(f"arn:aws:lambda:{region}:"), alias_arn

        # CodeDeploy: the region's own application, group and the canary it ran.
        cd = w.client("codedeploy", region)
        app, group, deployments = w.canaries(region)
        info = cd.get_deployment_group(applicationName=app, deploymentGroupName=group)[
            "deploymentGroupInfo"
        ]
        assert info["serviceRoleArn"].startswith("arn:aws:iam::"), info
        assert info["alarmConfiguration"]["alarms"], info
        assert len(deployments) == 1, deployments  # the update's canary, in this region only
        done = cd.get_deployment(deploymentId=deployments[0])["deploymentInfo"]
        assert done["status"] == "Succeeded", done
        assert done["deploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
        target = cd.get_deployment_target(deploymentId=deployments[0], targetId=f"{fn}:PROD")[
            "deploymentTarget"
        ]["lambdaTarget"]
        assert target["targetArn"].startswith(f"arn:aws:lambda:{region}:"), target
        # The other region's application and deployment are not found here, as on AWS.
        their_app, _, theirs = w.canaries(other)
        assert their_app not in cd.list_applications()["applications"]
        with pytest.raises(cd.exceptions.DeploymentDoesNotExistException):
            cd.get_deployment_target(deploymentId=theirs[0], targetId=f"{w.function(other)}:PROD")

        # CloudWatch: the stack's alarm in this region, its ARN naming the region.
        alarm = cfn.describe_stack_resource(
            StackName=w.stack, LogicalResourceId=alarm_logical_id("A")
        )["StackResourceDetail"]["PhysicalResourceId"]
        found = w.client("cloudwatch", region).describe_alarms(AlarmNames=[alarm])
        assert [a["AlarmArn"].split(":")[3] for a in found["MetricAlarms"]] == [region]

        s3 = w.client("s3", region)
        where = s3.get_bucket_location(Bucket=w.buckets[region])["LocationConstraint"]
        assert where == (None if region == "us-east-1" else region)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=w.buckets[region])["Contents"]]
        assert any(k.startswith(f"lambda-release/{w.stack}/PROD/") for k in keys), keys

    # A third region has none of it.
    with pytest.raises(Exception, match="does not exist"):
        w.client("cloudformation", "ap-south-1").describe_stacks(StackName=w.stack)

    # Roll back in eu-west-1 only: its PROD goes back to 1, us-east-1's stays on 2.
    back = w.lr("rollback", "--stack", w.stack, "--alias", "PROD", "--region", "eu-west-1")
    assert back.returncode == 0, back.stderr[-3000:]
    assert alias_state(w.client("lambda", "eu-west-1"), w.function("eu-west-1"), "PROD") == (
        "1",
        {},
    )
    assert alias_state(w.client("lambda", "us-east-1"), w.function("us-east-1"), "PROD") == (
        "2",
        {},
    )


def test_an_alarm_in_one_region_rolls_back_only_that_regions_canary(
    two_regions: TwoRegions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same stack name, so the same alarm name in both regions: the ALARM set in eu-west-1
    stops eu-west-1's canary; us-east-1's, watching its own alarm of that name, succeeds."""
    w = two_regions
    _ok(w.in_both(w.deploy))
    alarms = {
        region: w.client("cloudformation", region).describe_stack_resource(
            StackName=w.stack, LogicalResourceId=alarm_logical_id("A")
        )["StackResourceDetail"]["PhysicalResourceId"]
        for region in REGIONS
    }
    assert alarms["us-east-1"] == alarms["eu-west-1"] == f"{w.stack}-errors"
    set_code_version(w.directory, "2", FUNCTIONS)
    sam_build(w.directory, w.env)
    # Canaries of a few seconds: long enough to set the alarm while eu-west-1's runs.
    monkeypatch.setattr(w.sandbox, "minute", 1.0)

    def deploy_and_alarm(region: str) -> subprocess.CompletedProcess[str]:
        if region == "us-east-1":
            return w.deploy(region)
        cw, cd = w.client("cloudwatch", region), w.client("codedeploy", region)
        proc = Cli(env=w.env, cwd=w.directory).popen(*w.deploy_args(region))
        _wait_for_a_deployment(cd, w.stack)
        cw.set_alarm_state(AlarmName=alarms[region], StateValue="ALARM", StateReason="test")
        out, err = proc.communicate(timeout=600)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    runs = w.in_both(deploy_and_alarm)
    assert runs["us-east-1"].returncode == 0, runs["us-east-1"].stderr[-3000:]
    assert runs["eu-west-1"].returncode == 1, runs["eu-west-1"].stderr[-3000:]
    assert alias_state(w.client("lambda", "us-east-1"), w.function("us-east-1"), "PROD") == (
        "2",
        {},
    )
    assert alias_state(w.client("lambda", "eu-west-1"), w.function("eu-west-1"), "PROD") == (
        "1",
        {},
    )
    states = {
        r: w.client("cloudwatch", r).describe_alarms(AlarmNames=[alarms[r]])["MetricAlarms"][0][
            "StateValue"
        ]
        for r in REGIONS
    }
    assert states == {"us-east-1": "INSUFFICIENT_DATA", "eu-west-1": "ALARM"}


def _wait_for_a_deployment(cd: Any, stack: str) -> None:
    from tests.support.waiting import wait_until  # noqa: PLC0415

    def in_flight() -> bool:
        for d in cd.list_deployments(includeOnlyStatuses=["InProgress"])["deployments"]:
            if stack in cd.get_deployment(deploymentId=d)["deploymentInfo"]["applicationName"]:
                return True
        return False

    wait_until(in_flight, timeout=300, what="eu-west-1's canary in flight")


def test_hooks_and_a_custom_configuration_work_in_each_region_at_once(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stack with PreTraffic/PostTraffic hooks and a custom deployment configuration,
    updated in both regions at the same time: each hook reports to its own region's
    CodeDeploy (Lambda gives a function its region in AWS_REGION) and each deployment
    shifts by its own region's configuration."""
    monkeypatch.setattr(SETTINGS, "hook_timeout_floor", 600.0)  # a loaded machine's start
    stack = unique("hooks")
    routing = {
        "Type": "TimeBasedCanary",
        "TimeBasedCanary": {"CanaryPercentage": 20, "CanaryInterval": 1},
    }

    def release(region: str) -> dict[str, Any]:
        cfn = sandbox.client("cloudformation", region)
        assert create_stack(cfn, stack, "1", hooks=True, routing=routing) == "CREATE_COMPLETE"
        start_update(cfn, stack, "2", hooks=True, routing=routing)
        assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
        resources = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
        cd = sandbox.client("codedeploy", region)
        ids = cd.list_deployments(
            applicationName=physical["ServerlessDeploymentApplication"],
            deploymentGroupName=physical["FnDeploymentGroup"],
        )["deployments"]
        assert len(ids) == 1, ids
        deployment = cd.get_deployment(deploymentId=ids[0])["deploymentInfo"]
        events = cd.get_deployment_target(deploymentId=ids[0], targetId=f"{physical['Fn']}:live")
        lifecycle = events["deploymentTarget"]["lambdaTarget"]["lifecycleEvents"]
        lam = sandbox.client("lambda", region)
        return {
            "status": deployment["status"],
            "config": deployment["deploymentConfigName"] == physical["FnConfig"],
            "hooks": {e["lifecycleEventName"]: e["status"] for e in lifecycle},
            "alias": alias_state(lam, physical["Fn"], "live"),
            "config_here": physical["FnConfig"]
            in cd.list_deployment_configs()["deploymentConfigsList"],
        }

    with ThreadPoolExecutor(len(REGIONS)) as pool:
        got = dict(zip(REGIONS, pool.map(release, REGIONS), strict=True))
    for region in REGIONS:
        assert got[region] == {
            "status": "Succeeded",
            "config": True,
            "hooks": dict.fromkeys(
                ("Start", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End"),
                "Succeeded",
            ),
            "alias": ("2", {}),
            "config_here": True,
        }, region
    # Each region's custom configuration is its own: unknown in a third region.
    elsewhere = sandbox.client("codedeploy", "ap-south-1")
    configs = elsewhere.list_deployment_configs()["deploymentConfigsList"]
    assert not any(stack in c for c in configs), configs
