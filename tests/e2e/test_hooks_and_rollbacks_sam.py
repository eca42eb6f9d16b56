"""The product's handling of hooks, CodeDeploy's rollback deployments and a failed stack
rollback, end to end: the real `sam build`/`sam deploy` run by `lambda-release deploy` on the
sandbox, in order on one stack.

v1 created; v2 passes its PreTraffic hook (deploy's progress shows the hook running); v3
fails it (a `failed` release naming the hook, no traffic moved); v4's alarm fires mid-canary
and CodeDeploy's rollback deployment is still running when sam returns (status shows it in
flight, the next deploy refuses until it ends); v5's stack rollback fails
(UPDATE_ROLLBACK_FAILED: deploy and rollback refuse with the way out, which works).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.sandbox.codedeploy import SETTINGS
from lambda_release.sandbox.server import Sandbox
from tests.support.aws_state import wait_for_stack
from tests.support.cliapp import BIN, unique
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import sam_template, write_function_code
from tests.support.standin_clock import sandbox_minute
from tests.support.waiting import wait_until
from tests.watch.app import App

# A PreTraffic hook as teams write them: invoke the new version, check its answer, report.
HOOK_CODE = '''"""PreTraffic hook: the new version must not answer code_version "bad"."""
import json

import boto3

codedeploy = boto3.client("codedeploy")


def handler(event, context):
    info = codedeploy.get_deployment(deploymentId=event["DeploymentId"])["deploymentInfo"]
    spec = json.loads(info["revision"]["appSpecContent"]["content"])
    props = next(iter(spec["Resources"][0].values()))["Properties"]
    answer = boto3.client("lambda").invoke(
        FunctionName=props["Name"], Qualifier=str(props["TargetVersion"]), Payload=b"{}"
    )
    body = json.loads(answer["Payload"].read())
    good = "FunctionError" not in answer and body.get("code_version") != "bad"
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status="Succeeded" if good else "Failed",
    )
'''


def write_hooked_app(directory: Path) -> None:
    template = sam_template(functions=("A",), deployment_type="Canary10Percent5Minutes")
    resources: dict[str, Any] = template["Resources"]
    preference = resources["AFunction"]["Properties"]["DeploymentPreference"]
    preference["Hooks"] = {"PreTraffic": {"Ref": "PreTrafficHook"}}
    resources["PreTrafficHook"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "FunctionName": {"Fn::Sub": "CodeDeployHook_${AWS::StackName}-pre"},
            "CodeUri": "src/hook/",
            "Handler": "hook.handler",
            "Runtime": "python3.11",
            "Timeout": 30,
        },
    }
    (directory / "src" / "hook").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "hook" / "hook.py").write_text(HOOK_CODE)
    write_function_code(directory, "A", "1")
    (directory / "template.yaml").write_text(yaml.safe_dump(template, sort_keys=False))


# A 5-minute canary lasts 5 real hours: the alarm the test fires ends it, not the clock (a
# 2-second canary ended before a loaded machine fired the alarm, and the release succeeded).
STALLED = 60.0


@pytest.fixture(autouse=True)
def patient_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook's report only bounds a hang here: starting its interpreter, then the one of the
    version it invokes, may take a loaded machine longer than the stand-in's 20 s floor."""
    monkeypatch.setattr(SETTINGS, "hook_timeout_floor", 600.0)


@pytest.fixture(scope="module")
def app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> App:
    directory = tmp_path_factory.mktemp("hooked-app")
    env = sam_env(sandbox_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for name in [n for n in env if n.startswith("LAMBDA_RELEASE_")]:
        env.pop(name)
    write_hooked_app(directory)
    sam_build(directory, env)
    bucket = unique("artifacts")
    sandbox.client("s3").create_bucket(Bucket=bucket)
    built = App(directory, bucket, unique("hooked"), env, sandbox)
    first = built.deploy()
    assert first.returncode == 0, first.stderr
    return built


def alias_of(app: App) -> tuple[str, dict[str, float]]:
    lam = app.sandbox.client("lambda")
    got = lam.get_alias(FunctionName=app.function_name("A"), Name="PROD")
    weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(got["FunctionVersion"]), {k: float(v) for k, v in weights.items()}


def record(app: App) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (app.directory / ".lambda-release" / "release.json").read_text()
    )
    return data


class InBackground:
    """`then()` once `when()` holds, on a thread, until `done()` (or 300 s)."""

    def __init__(self, when: Callable[[], bool], then: Callable[[], None]) -> None:
        self.fired = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(when, then), daemon=True)
        self._thread.start()

    def _run(self, when: Callable[[], bool], then: Callable[[], None]) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not self._done.is_set():
            if when():
                then()
                self.fired.set()
                return
            time.sleep(0.05)

    def done(self) -> None:
        self._done.set()
        self._thread.join()


def wait_until_nothing_in_flight(app: App, timeout: float = 120) -> None:
    """Until `status` shows no CodeDeploy deployment in flight (a rollback one may run)."""

    def nothing_in_flight() -> bool:
        data = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
        return not any(a["deployments_in_flight"] for a in data["aliases"])

    wait_until(nothing_in_flight, "no deployment in flight", timeout, interval=1)


def deploy_stopped_by_alarm(app: App) -> subprocess.CompletedProcess[str]:
    """A deploy whose canary A's alarm stops once traffic starts to shift (then OK again).

    It starts once the previous test's CodeDeploy rollback deployment has ended: deploy
    rightly refuses to start beside one, and a refusal is not the failure this is for."""
    wait_until_nothing_in_flight(app)
    cw = app.sandbox.client("cloudwatch")
    alarm = app.alarm_name("A")
    try:
        with sandbox_minute(app.sandbox, STALLED):  # the canary lasts until the alarm ends it
            firing = InBackground(
                lambda: bool(alias_of(app)[1]),
                lambda: cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="t"),
            )
            done = app.deploy()
            firing.done()
    finally:
        cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="fixed")
    assert firing.fired.is_set(), f"the canary never shifted traffic: {done.stderr}"
    return done


def stop_everything_in_flight(app: App) -> None:
    """StopDeployment on each deployment `status` shows in flight for the app's stack."""
    cd = app.sandbox.client("codedeploy")
    data = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
    for alias in data["aliases"]:
        for flight in alias["deployments_in_flight"]:
            cd.stop_deployment(deploymentId=flight["deployment_id"], autoRollbackEnabled=False)


def test_a_passing_pretraffic_hook_is_shown_running_and_the_release_succeeds(app: App) -> None:
    app.change_code("2", ("A",))
    env = dict(app.env, LAMBDA_RELEASE_POLL_INTERVAL="0.1", LAMBDA_RELEASE_MINUTE="0.05")
    done = app.lr("deploy", *app.target(), env=env)
    assert done.returncode == 0, done.stderr
    assert "AFunction: PreTraffic hook running" in done.stderr
    assert record(app)["outcome"] == "succeeded"
    assert alias_of(app) == ("2", {})


def test_a_failing_pretraffic_hook_is_a_failed_release_naming_the_hook(app: App) -> None:
    before = alias_of(app)
    app.change_code("bad", ("A",))
    done = app.deploy()
    assert done.returncode == 1, done.stderr
    data = record(app)
    assert data["outcome"] == "failed"
    assert any(
        "the PreTraffic hook CodeDeployHook_" in f and "-pre failed" in f for f in data["failures"]
    ), data["failures"]
    assert "why: " in done.stdout and "PreTraffic hook" in done.stdout
    assert alias_of(app) == before  # no traffic ever moved


def test_a_rollback_deployment_still_running_is_in_flight_for_status_and_deploy(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = app.sandbox
    # CodeDeploy's rollback deployment runs until this test stops it: a loaded machine may take
    # any time between the alarm and `status`, and a fixed length raced it (CI, 20 s).
    monkeypatch.setattr(SETTINGS, "rollback_seconds", 600.0)
    cd = sandbox.client("codedeploy")
    app.change_code("4", ("A",))
    try:
        done = deploy_stopped_by_alarm(app)
        assert done.returncode == 1, done.stderr
        assert record(app)["outcome"] == "failed"
        status = app.lr("status", "--stack", app.stack, "--output", "json")
        data = json.loads(status.stdout)
        flights = [d for a in data["aliases"] for d in a["deployments_in_flight"]]
        assert flights, data  # CodeDeploy's rollback deployment, still running
        refused = app.deploy()
        assert refused.returncode == 1
        assert "CodeDeploy deployment in flight" in refused.stderr
        assert flights[0]["deployment_id"] in refused.stderr
        info = cd.get_deployment(deploymentId=flights[0]["deployment_id"])["deploymentInfo"]
        assert info["creator"] == "codeDeployRollback"
        assert info["rollbackInfo"]["rollbackTriggeringDeploymentId"]
    finally:
        stop_everything_in_flight(app)


def test_a_failed_stack_rollback_is_refused_with_the_way_out(app: App) -> None:
    sandbox = app.sandbox
    app.change_code("5", ("A",))
    sandbox.fail_stack_rollbacks(True)
    try:
        done = deploy_stopped_by_alarm(app)
    finally:
        sandbox.fail_stack_rollbacks(False)
    assert done.returncode == 1, done.stderr
    cfn = sandbox.client("cloudformation")
    assert cfn.describe_stacks(StackName=app.stack)["Stacks"][0]["StackStatus"] == (
        "UPDATE_ROLLBACK_FAILED"
    )
    way_out = f"aws cloudformation continue-update-rollback --stack-name {app.stack}"
    refused = app.deploy()
    assert refused.returncode == 1 and way_out in refused.stderr, refused.stderr
    assert "--resources-to-skip AFunctionAliasPROD" in refused.stderr
    rolled = app.lr("rollback", "--stack", app.stack, "--alias", "PROD", "--log-bucket", app.bucket)
    assert rolled.returncode == 1 and way_out in rolled.stderr, rolled.stderr
    cfn.continue_update_rollback(StackName=app.stack, ResourcesToSkip=["AFunctionAliasPROD"])
    wait_for_stack(cfn, app.stack, timeout=60)
    wait_until_nothing_in_flight(app)
    app.change_code("6", ("A",))
    again = app.deploy()
    assert again.returncode == 0, again.stderr
    assert record(app)["outcome"] == "succeeded"
