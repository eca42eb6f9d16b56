"""The issue's scenario: the real `sam build` and `sam deploy` against the sandbox.

Deploy 1 creates functions, version 1 and alias PROD; deploy 2 (new code) is watched mid-canary
with 10% on version 2 and ends on 2; deploy 3 meets an alarm mid-canary and rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox import Sandbox
from tests.support.aws_state import (
    AliasWatcher,
    alias_state,
    function_name,
    published_versions,
    stack_status,
)
from tests.support.requires import require_tool
from tests.support.sam import sam_build, sam_deploy
from tests.support.samapp import alarm_logical_id, set_code_version, write_sam_app
from tests.support.standin_clock import SkippableTime, skippable_clock
from tests.support.waiting import wait_until

# sam build (no container) needs the runtime's interpreter.
require_tool("python3.11", "sam build for python3.11 needs it on PATH")


@pytest.fixture
def stalled_clock(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[SkippableTime]:
    """Canaries of 5 real minutes: the test ends them once it has seen what it came for (the
    alarm; CloudFormation then stops the other function's), or jumps the stand-in's clock
    past them; a 2 s canary raced the alias watcher and the alarm on a loaded machine."""
    monkeypatch.setattr(sandbox, "minute", 60.0)
    with skippable_clock(monkeypatch) as clock:
        yield clock


def _deploy_in_background(app: Path, stack: str, env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}

    def run() -> None:
        result["process"] = sam_deploy(app, stack, "PROD", env)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def test_three_deploys_canary_then_alarm_rollback(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    stalled_clock: SkippableTime,
) -> None:
    clock = stalled_clock
    app = tmp_path / "app"
    write_sam_app(app, functions=("A", "B"), code_version="1")
    stack = f"sam-e2e-{tmp_path.name[-8:].lower().replace('_', '-')}"
    cfn, lam, cw = (sandbox.client(s) for s in ("cloudformation", "lambda", "cloudwatch"))

    # 1: create. Functions, version 1, alias PROD -> 1.
    sam_build(app, sandbox_env)
    first = sam_deploy(app, stack, "PROD", sandbox_env)
    assert first.returncode == 0, first.stdout + first.stderr
    fn_a = function_name(cfn, stack, "AFunction")
    fn_b = function_name(cfn, stack, "BFunction")
    for fn in (fn_a, fn_b):
        assert published_versions(lam, fn) == ["1"]
        assert alias_state(lam, fn, "PROD") == ("1", {})
    assert stack_status(cfn, stack) == "CREATE_COMPLETE"

    # 2: new code, Canary10Percent5Minutes: 10% on version 2 mid-way, then PROD -> 2.
    set_code_version(app, "2", ["A", "B"])
    sam_build(app, sandbox_env)
    watcher = AliasWatcher(lam, fn_a, "PROD")
    deploying = _deploy_in_background(app, stack, sandbox_env)
    wait_until(lambda: ("1", {"2": 0.1}) in watcher.seen, timeout=300, what="10% on A")
    wait_until(lambda: alias_state(lam, fn_b, "PROD")[1], timeout=60, what="canary on B")
    clock.skip(3600)
    deploying["thread"].join(timeout=600)
    second = deploying["process"]
    seen = watcher.stop()
    assert second.returncode == 0, second.stdout + second.stderr
    assert ("1", {"2": 0.1}) in seen, seen
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("2", {})
    assert stack_status(cfn, stack) == "UPDATE_COMPLETE"

    # 3: new code again; A's alarm fires during the canary: everything goes back to 2.
    set_code_version(app, "3", ["A", "B"])
    sam_build(app, sandbox_env)
    third = _deploy_in_background(app, stack, sandbox_env)
    wait_until(lambda: alias_state(lam, fn_a, "PROD")[1], timeout=300, what="canary on A")
    alarm = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=alarm_logical_id("A"))
    cw.set_alarm_state(
        AlarmName=alarm["StackResourceDetail"]["PhysicalResourceId"],
        StateValue="ALARM",
        StateReason="errors during the canary",
    )
    third["thread"].join(timeout=600)
    process = third["process"]
    assert process.returncode != 0, process.stdout
    assert stack_status(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("2", {})


def test_sam_deploy_with_s3_bucket_via_localhost(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    app = tmp_path / "app"
    write_sam_app(app, functions=("Solo",), deployment_type="AllAtOnce", alarms=False)
    env = dict(sandbox_env, AWS_ENDPOINT_URL=f"http://localhost:{sandbox.port}")
    bucket = f"artifacts-{tmp_path.name[-8:].lower().replace('_', '-')}"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    stack = f"localhost-{tmp_path.name[-8:].lower().replace('_', '-')}"
    sam_build(app, env)
    done = sam_deploy(app, stack, "STAGING", env, bucket=bucket)
    assert done.returncode == 0, done.stdout + done.stderr
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    fn = function_name(cfn, stack, "SoloFunction")
    assert alias_state(lam, fn, "STAGING") == ("1", {})
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    assert {"OutputKey": "SoloFunctionName", "OutputValue": fn} in outputs
    keys = [o["Key"] for o in sandbox.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys, "sam uploaded nothing to the given bucket"
