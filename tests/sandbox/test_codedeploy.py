"""CodeDeploy in the sandbox: traffic shifting for every predefined configuration, the API
(get/list deployments and groups, stop), alarms, hooks, CancelUpdateStack, and the check of
the alias's live version, all through CloudFormation stacks as SAM deploys them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.codedeploy import PREDEFINED_CONFIGS, SETTINGS, traffic_schedule
from lambda_release.sandbox.server import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from tests.sandbox.inline_app import (
    create_stack,
    output,
    start_update,
    wait_for_stack,
)
from tests.support.aws_state import AliasWatcher, alias_state
from tests.support.late_rollback import rollbacks_made_late
from tests.support.standin_clock import SkippableTime, skippable_clock
from tests.support.waiting import wait_until

ALIAS = "live"
# The account and region of the session stand-in's clients (`clients`): configurations are
# each region's own.
HERE = (DEFAULT_ACCOUNT_ID, DEFAULT_REGION)


def _deployments_of(cd: Any, cfn: Any, stack: str) -> list[dict[str, Any]]:
    """Every deployment of the stack's only deployment group, oldest first."""
    app = _physical(cfn, stack, "ServerlessDeploymentApplication")
    group = _physical(cfn, stack, "FnDeploymentGroup")
    ids = cd.list_deployments(applicationName=app, deploymentGroupName=group)["deployments"]
    infos = [cd.get_deployment(deploymentId=i)["deploymentInfo"] for i in ids]
    return sorted(infos, key=lambda d: d["createTime"])


def _deployment_of(cd: Any, cfn: Any, stack: str) -> dict[str, Any]:
    """The latest deployment CloudFormation started (not a rollback deployment)."""
    started = [d for d in _deployments_of(cd, cfn, stack) if d["creator"] != "codeDeployRollback"]
    assert started, f"no deployment for {stack}"
    return started[-1]


def _physical(cfn: Any, stack: str, logical: str) -> str:
    got = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical)
    return str(got["StackResourceDetail"]["PhysicalResourceId"])


def _alarm(cfn: Any, stack: str) -> str:
    return _physical(cfn, stack, "FnErrors")


@pytest.fixture
def stalled_clock(sandbox: Sandbox) -> Iterator[float]:
    """A deployment minute of 60 s: a 5-minute canary lasts 5 real minutes, so the test ends
    it (alarm, StopDeployment, CancelUpdateStack) however long a loaded machine takes to
    act on the weights it saw; a 2-second canary could end first. Restored after."""
    before = sandbox.minute
    sandbox.minute = 60.0
    try:
        yield sandbox.minute
    finally:
        sandbox.minute = before


@pytest.fixture
def patient_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook's report only bounds a hang here: its interpreter may take a loaded machine
    longer to start than the stand-in's 20 s floor."""
    monkeypatch.setattr(SETTINGS, "hook_timeout_floor", 600.0)


def test_schedules_of_the_nine_predefined_configurations() -> None:
    assert len(PREDEFINED_CONFIGS) == 9
    assert traffic_schedule("CodeDeployDefault.LambdaAllAtOnce", *HERE) == [(0.0, 1.0)]
    for minutes in (5, 10, 15, 30):
        name = f"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes"
        assert traffic_schedule(name, *HERE) == [(0.0, 0.1), (float(minutes), 1.0)]
    for name, step in (
        ("Linear10PercentEvery1Minute", 1),
        ("Linear10PercentEvery2Minutes", 2),
        ("Linear10PercentEvery3Minutes", 3),
        ("Linear10PercentEvery10Minutes", 10),
    ):
        schedule = traffic_schedule("CodeDeployDefault.Lambda" + name, *HERE)
        assert [w for _, w in schedule] == [round(k / 10, 1) for k in range(1, 11)]
        assert [m for m, _ in schedule] == [float(k * step) for k in range(10)]


@pytest.mark.parametrize(
    "config", [c.removeprefix("CodeDeployDefault.Lambda") for c in PREDEFINED_CONFIGS]
)
def test_each_configuration_shifts_traffic_through_a_stack_update(
    sandbox: Sandbox,
    clients: dict[str, Any],
    unique: Callable[[str], str],
    config: str,
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("cfg")
    assert create_stack(cfn, stack, "1", deployment_type=config) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    watcher = AliasWatcher(lam, fn, ALIAS)
    start_update(cfn, stack, "2", deployment_type=config)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    seen = watcher.stop()
    assert alias_state(lam, fn, ALIAS) == ("2", {})
    schedule = traffic_schedule("CodeDeployDefault.Lambda" + config, *HERE)
    allowed = [("1", {"2": w}) for _, w in schedule if w < 1] + [("1", {}), ("2", {})]
    assert all(state in allowed for state in seen), seen
    deployment = _deployment_of(cd, cfn, stack)
    assert deployment["status"] == "Succeeded"
    assert deployment["deploymentConfigName"] == "CodeDeployDefault.Lambda" + config
    assert deployment["deploymentOverview"]["Succeeded"] == 1
    elapsed = (deployment["completeTime"] - deployment["startTime"]).total_seconds()
    assert elapsed >= schedule[-1][0] * sandbox.minute * 0.9


def test_stack_stays_in_progress_while_the_canary_runs_and_weights_move(
    clients: dict[str, Any],
    unique: Callable[[str], str],
    stalled_clock: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with skippable_clock(monkeypatch) as clock:
        _stays_in_progress_then_completes(clients, unique, clock)


def _stays_in_progress_then_completes(
    clients: dict[str, Any], unique: Callable[[str], str], clock: SkippableTime
) -> None:
    """The checks below all land inside the canary (a 2-second one raced eight calls on a
    loaded machine); then the clock jumps past its 5 minutes and it completes."""
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("canary")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS) == ("1", {"2": 0.1}), what="10% on v2")
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "UPDATE_IN_PROGRESS"
    running = _deployment_of(cd, cfn, stack)
    assert running["status"] == "InProgress"
    assert running["deploymentOverview"]["InProgress"] == 1
    groups = cd.list_deployment_groups(
        applicationName=_physical(cfn, stack, "ServerlessDeploymentApplication")
    )["deploymentGroups"]
    assert groups == [_physical(cfn, stack, "FnDeploymentGroup")]
    in_progress = cd.list_deployments(
        applicationName=_physical(cfn, stack, "ServerlessDeploymentApplication"),
        deploymentGroupName=groups[0],
        includeOnlyStatuses=["InProgress"],
    )["deployments"]
    assert in_progress == [running["deploymentId"]]
    clock.skip(3600)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("2", {})


def test_alarm_during_the_canary_stops_it_and_rolls_the_stack_back(
    clients: dict[str, Any], unique: Callable[[str], str], stalled_clock: float
) -> None:
    cfn, lam, cd, cw = (
        clients[s] for s in ("cloudformation", "lambda", "codedeploy", "cloudwatch")
    )
    stack = unique("alarm")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    cw.set_alarm_state(AlarmName=_alarm(cfn, stack), StateValue="ALARM", StateReason="test")
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    deployment = _deployment_of(cd, cfn, stack)
    assert deployment["status"] == "Stopped"
    assert deployment["errorInformation"]["code"] == "ALARM_ACTIVE"
    # The rollback is a deployment of its own, linked both ways.
    rollback_id = deployment["rollbackInfo"]["rollbackDeploymentId"]
    rollback = wait_until(
        lambda: (
            (d := cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"])["status"]
            == "Succeeded"
            and d
        ),
        what="rollback deployment succeeded",
    )
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == deployment["deploymentId"]
    # $LATEST went back to the old code too: the template is the old one again.
    assert "VERSION = '1'" in cfn.get_template(StackName=stack)["TemplateBody"]


def test_a_deployment_started_with_an_alarm_in_alarm_fails_at_once(
    clients: dict[str, Any], unique: Callable[[str], str], slow_clock: float
) -> None:
    cfn, lam, cd, cw = (
        clients[s] for s in ("cloudformation", "lambda", "codedeploy", "cloudwatch")
    )
    stack = unique("prealarm")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    cw.set_alarm_state(AlarmName=_alarm(cfn, stack), StateValue="ALARM", StateReason="test")
    watcher = AliasWatcher(lam, fn, ALIAS)
    start_update(cfn, stack, "2")
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert all(weights == {} for _, weights in watcher.stop())  # no traffic ever moved
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    deployment = _deployment_of(cd, cfn, stack)
    assert (deployment["status"], deployment["errorInformation"]["code"]) == (
        "Failed",
        "ALARM_ACTIVE",
    )


@pytest.mark.parametrize("auto_rollback", [True, False])
def test_stop_deployment(
    clients: dict[str, Any],
    unique: Callable[[str], str],
    stalled_clock: float,
    auto_rollback: bool,
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("stop")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    deployment_id = _deployment_of(cd, cfn, stack)["deploymentId"]
    answer = cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=auto_rollback)
    assert answer["status"] in ("Succeeded", "Pending")
    stopped = wait_until(
        lambda: (
            (d := cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"])["status"]
            == "Stopped"
            and d
        ),
        what="deployment stopped",
    )
    assert stopped["errorInformation"]["code"] == "MANUAL_STOP"
    if auto_rollback:
        assert alias_state(lam, fn, ALIAS) == ("1", {})
    # Either way CloudFormation sees a failed deployment and restores what it recorded.
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    with pytest.raises(ClientError) as exc:
        cd.stop_deployment(deploymentId=deployment_id)
    assert exc.value.response["Error"]["Code"] == "DeploymentAlreadyCompletedException"
    # AWS sends every CodeDeploy error with status 400 (its model; moto 5.2.6 reads it there).
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_stopped_deployment_shows_its_rollback_as_soon_as_it_shows_the_stop(
    clients: dict[str, Any],
    unique: Callable[[str], str],
    stalled_clock: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No read sees the stop without the rollback: a watcher that did thought the
    deployment ended with nothing to follow (CI). Creating the rollback is slowed to a second
    here, as a loaded machine may."""
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    rollbacks_made_late(monkeypatch, 1.0)
    stack = unique("stopseen")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    deployment_id = _deployment_of(cd, cfn, stack)["deploymentId"]
    stopping = threading.Thread(
        target=cd.stop_deployment,
        kwargs={"deploymentId": deployment_id, "autoRollbackEnabled": True},
        daemon=True,
    )
    stopping.start()
    reads: list[dict[str, Any]] = []

    def stopped() -> bool:
        reads.append(cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"])
        return bool(reads[-1]["status"] != "InProgress")

    wait_until(stopped, "the deployment to stop", 120, interval=0)
    stopping.join()
    assert len(reads) > 2  # read while the rollback was being made
    stopped = reads[-1]
    assert stopped["status"] == "Stopped"
    assert stopped["rollbackInfo"]["rollbackDeploymentId"], stopped
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"


def test_cancel_update_stack_stops_the_deployment_and_rolls_back(
    clients: dict[str, Any], unique: Callable[[str], str], stalled_clock: float
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("cancel")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    with pytest.raises(ClientError):  # nothing to cancel yet
        cfn.cancel_update_stack(StackName=stack)
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    cfn.cancel_update_stack(StackName=stack)
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    assert _deployment_of(cd, cfn, stack)["status"] == "Stopped"


def test_alias_moved_by_hand_fails_the_deployment_with_a_configuration_error(
    clients: dict[str, Any], unique: Callable[[str], str], slow_clock: float
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("drift")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    lam.update_alias(FunctionName=fn, Name=ALIAS, FunctionVersion="1")  # by hand: drift
    watcher = AliasWatcher(lam, fn, ALIAS)
    start_update(cfn, stack, "3")
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert all(weights == {} for _, weights in watcher.stop())
    deployment = _deployment_of(cd, cfn, stack)
    assert (deployment["status"], deployment["errorInformation"]["code"]) == (
        "Failed",
        "INVALID_LAMBDA_CONFIGURATION",
    )


def _lifecycle(cd: Any, deployment_id: str) -> dict[str, str]:
    """Lifecycle event -> status, from the deployment's Lambda target."""
    targets = cd.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    got = cd.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=targets)
    events = got["deploymentTargets"][0]["lambdaTarget"]["lifecycleEvents"]
    return {e["lifecycleEventName"]: e["status"] for e in events}


def test_hooks_run_and_the_deployment_waits_for_their_status(
    clients: dict[str, Any], unique: Callable[[str], str], patient_hooks: None
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("hooks")
    assert create_stack(cfn, stack, "1", hooks=True) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2", hooks=True)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("2", {})
    deployment = _deployment_of(cd, cfn, stack)
    assert deployment["status"] == "Succeeded"
    assert _lifecycle(cd, deployment["deploymentId"]) == {
        "Start": "Succeeded",
        "BeforeAllowTraffic": "Succeeded",
        "AllowTraffic": "Succeeded",
        "AfterAllowTraffic": "Succeeded",
        "End": "Succeeded",
    }


@pytest.mark.parametrize("result", ["Failed", "silent"])
def test_a_hook_that_fails_or_never_reports_fails_the_deployment(
    sandbox: Sandbox,
    clients: dict[str, Any],
    unique: Callable[[str], str],
    result: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("hookfail")
    assert create_stack(cfn, stack, "1", hooks=True, hook_result=result) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")
    watcher = AliasWatcher(lam, fn, ALIAS)
    # A silent hook never reports: its 3 s (60 deployment minutes) are what is tested. A hook
    # that reports Failed may take a loaded machine longer than that to start: no limit then.
    monkeypatch.setattr(SETTINGS, "hook_timeout_floor", 1.0 if result == "silent" else 600.0)
    start_update(cfn, stack, "2", hooks=True, hook_result=result)
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert all(weights == {} for _, weights in watcher.stop())  # PreTraffic: no traffic moved
    assert alias_state(lam, fn, ALIAS) == ("1", {})
    deployment = _deployment_of(cd, cfn, stack)
    assert (deployment["status"], deployment["errorInformation"]["code"]) == (
        "Failed",
        "HOOK_EXECUTION_FAILURE",
    )
    expected = "did not report" if result == "silent" else "reported Failed"
    assert expected in deployment["errorInformation"]["message"]
    events = _lifecycle(cd, deployment["deploymentId"])
    assert events["BeforeAllowTraffic"] == "Failed"
    assert events["AllowTraffic"] == events["AfterAllowTraffic"] == "Skipped"


def test_put_lifecycle_event_hook_execution_status_refuses_unknown_ids(
    clients: dict[str, Any], unique: Callable[[str], str], patient_hooks: None
) -> None:
    cfn, cd = clients["cloudformation"], clients["codedeploy"]
    stack = unique("hookids")
    create_stack(cfn, stack, "1", hooks=True)
    start_update(cfn, stack, "2", hooks=True)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    deployment_id = _deployment_of(cd, cfn, stack)["deploymentId"]
    with pytest.raises(ClientError) as exc:
        cd.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId="nope", status="Succeeded"
        )
    assert exc.value.response["Error"]["Code"] == "InvalidLifecycleEventHookExecutionIdException"


@pytest.mark.parametrize("fail", [False, True])
def test_hooks_stub_fails_them_when_told(
    sandbox: Sandbox, clients: dict[str, Any], unique: Callable[[str], str], fail: bool
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("hooks")
    assert create_stack(cfn, stack, "1", hooks=True) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")
    sandbox.fail_hooks(fail)
    try:
        start_update(cfn, stack, "2", hooks=True)
        status = wait_for_stack(cfn, stack)
    finally:
        sandbox.fail_hooks(False)
    deployment = _deployment_of(cd, cfn, stack)
    if fail:
        assert status == "UPDATE_ROLLBACK_COMPLETE"
        assert deployment["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
        assert alias_state(lam, fn, ALIAS) == ("1", {})
    else:
        assert status == "UPDATE_COMPLETE"
        assert deployment["status"] == "Succeeded"
        assert alias_state(lam, fn, ALIAS) == ("2", {})


def test_a_custom_deployment_config_from_the_template_shifts_by_its_schedule(
    sandbox: Sandbox, clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("custom")
    routing = {
        "Type": "TimeBasedLinear",
        "TimeBasedLinear": {"LinearPercentage": 25, "LinearInterval": 1},
    }
    assert create_stack(cfn, stack, "1", routing=routing) == "CREATE_COMPLETE"
    fn = output(cfn, stack, "FnName")
    name = _physical(cfn, stack, "FnConfig")
    info = cd.get_deployment_config(deploymentConfigName=name)["deploymentConfigInfo"]
    assert info["computePlatform"] == "Lambda"
    assert info["trafficRoutingConfig"] == {
        "type": "TimeBasedLinear",
        "timeBasedLinear": {"linearPercentage": 25, "linearInterval": 1},
    }
    assert name in cd.list_deployment_configs()["deploymentConfigsList"]
    watcher = AliasWatcher(lam, fn, ALIAS)
    start_update(cfn, stack, "2", routing=routing)
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    seen = watcher.stop()
    assert alias_state(lam, fn, ALIAS) == ("2", {})
    allowed = [("1", {}), ("1", {"2": 0.25}), ("1", {"2": 0.5}), ("1", {"2": 0.75}), ("2", {})]
    assert all(state in allowed for state in seen), seen
    deployment = _deployment_of(cd, cfn, stack)
    assert (deployment["status"], deployment["deploymentConfigName"]) == ("Succeeded", name)
    elapsed = (deployment["completeTime"] - deployment["startTime"]).total_seconds()
    assert elapsed >= 3 * sandbox.minute * 0.9


def test_deployment_configs_through_the_api(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cd = clients["codedeploy"]
    predefined = cd.get_deployment_config(
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes"
    )["deploymentConfigInfo"]
    assert predefined["trafficRoutingConfig"] == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    }
    name = unique("cfg")
    cd.create_deployment_config(
        deploymentConfigName=name,
        computePlatform="Lambda",
        trafficRoutingConfig={
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 2},
        },
    )
    got = cd.get_deployment_config(deploymentConfigName=name)["deploymentConfigInfo"]
    assert got["trafficRoutingConfig"]["timeBasedCanary"]["canaryPercentage"] == 20
    assert traffic_schedule(name, *HERE) == [(0.0, 0.2), (2.0, 1.0)]
    with pytest.raises(ClientError) as exc:
        cd.create_deployment_config(deploymentConfigName=name, computePlatform="Lambda")
    assert exc.value.response["Error"]["Code"] == "DeploymentConfigAlreadyExistsException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    cd.delete_deployment_config(deploymentConfigName=name)
    with pytest.raises(ClientError) as exc:
        cd.get_deployment_config(deploymentConfigName=name)
    assert exc.value.response["Error"]["Code"] == "DeploymentConfigDoesNotExistException"


def test_a_split_alias_blocks_the_next_deployment(
    clients: dict[str, Any], unique: Callable[[str], str], slow_clock: float
) -> None:
    cfn, lam, cd = clients["cloudformation"], clients["lambda"], clients["codedeploy"]
    stack = unique("split")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
    # As a deployment stopped without rollback leaves it: shifting between two versions.
    lam.update_alias(
        FunctionName=fn,
        Name=ALIAS,
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    )
    start_update(cfn, stack, "3")
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    deployment = _deployment_of(cd, cfn, stack)
    assert (deployment["status"], deployment["errorInformation"]["code"]) == (
        "Failed",
        "INVALID_LAMBDA_CONFIGURATION",
    )
    assert "shifts traffic between two versions" in deployment["errorInformation"]["message"]


def test_a_rollback_deployment_still_running_is_in_flight_after_the_stack_rolled_back(
    clients: dict[str, Any],
    unique: Callable[[str], str],
    stalled_clock: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfn, lam, cd, cw = (
        clients[s] for s in ("cloudformation", "lambda", "codedeploy", "cloudwatch")
    )
    # Long enough for any machine's load; the test stops it when done.
    monkeypatch.setattr(SETTINGS, "rollback_seconds", 120.0)
    stack = unique("rbflight")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    cw.set_alarm_state(AlarmName=_alarm(cfn, stack), StateValue="ALARM", StateReason="test")
    assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert alias_state(lam, fn, ALIAS) == ("1", {})  # traffic is back at once
    first, rollback = _deployments_of(cd, cfn, stack)
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["status"] == "InProgress"
    app = _physical(cfn, stack, "ServerlessDeploymentApplication")
    group = _physical(cfn, stack, "FnDeploymentGroup")
    in_flight = cd.list_deployments(
        applicationName=app, deploymentGroupName=group, includeOnlyStatuses=["InProgress"]
    )["deployments"]
    assert in_flight == [rollback["deploymentId"]]
    assert first["rollbackInfo"]["rollbackDeploymentId"] == rollback["deploymentId"]
    cd.stop_deployment(deploymentId=rollback["deploymentId"])  # it can be stopped, too
    assert (
        cd.get_deployment(deploymentId=rollback["deploymentId"])["deploymentInfo"]["status"]
        == "Stopped"
    )


@pytest.mark.parametrize(
    ("model", "during"),
    [("recorded", ("2", {"3": 0.1})), ("live", ("1", {"3": 0.1}))],
)
def test_drift_models_for_a_deployment_over_an_alias_moved_by_hand(
    sandbox: Sandbox,
    clients: dict[str, Any],
    unique: Callable[[str], str],
    stalled_clock: float,
    model: str,
    during: tuple[str, dict[str, float]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique(f"drift-{model}")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    with skippable_clock(monkeypatch) as clock:
        start_update(cfn, stack, "2")
        wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
        clock.skip(3600)  # skipped once a deployment runs: it started on the unskipped clock
        assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
        lam.update_alias(FunctionName=fn, Name=ALIAS, FunctionVersion="1")  # a rollback by hand
        sandbox.drift_model = model
        try:
            watcher = AliasWatcher(lam, fn, ALIAS)
            start_update(cfn, stack, "3")
            # The split stays until the watcher saw it (a 2 s one could end between two reads).
            wait_until(lambda: any(w for _, w in watcher.seen), what="the canary's split")
            clock.skip(3600)
            assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
        finally:
            sandbox.drift_model = "fail"
    seen = watcher.stop()
    # recorded: CloudFormation's version (2, rolled back by hand) gets 90% of the traffic
    # again; live: the canary starts from what the alias really served (1).
    assert during in seen, seen
    assert alias_state(lam, fn, ALIAS) == ("3", {})


def test_a_failed_stack_rollback_ends_update_rollback_failed_until_continued(
    sandbox: Sandbox, clients: dict[str, Any], unique: Callable[[str], str], stalled_clock: float
) -> None:
    cfn, lam, cw = clients["cloudformation"], clients["lambda"], clients["cloudwatch"]
    stack = unique("rbfail")
    create_stack(cfn, stack, "1")
    fn = output(cfn, stack, "FnName")
    start_update(cfn, stack, "2")
    wait_until(lambda: alias_state(lam, fn, ALIAS)[1], what="canary weights")
    sandbox.fail_stack_rollbacks(True)
    try:
        cw.set_alarm_state(AlarmName=_alarm(cfn, stack), StateValue="ALARM", StateReason="t")
        assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_FAILED"
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
        assert [e["LogicalResourceId"] for e in failed] == ["FnAliaslive"]
        assert "Function not found" in failed[0]["ResourceStatusReason"]
        with pytest.raises(ClientError) as exc:  # no update until the rollback continues
            start_update(cfn, stack, "3")
        assert "UPDATE_ROLLBACK_FAILED state and can not be updated" in str(exc.value)
        cfn.continue_update_rollback(StackName=stack)  # the switch is still on: fails again
        assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_FAILED"
        cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=["FnAliaslive"])
        assert wait_for_stack(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    finally:
        sandbox.fail_stack_rollbacks(False)
    cw.set_alarm_state(AlarmName=_alarm(cfn, stack), StateValue="OK", StateReason="fixed")
    sandbox.minute = 0.4  # this canary runs to its end: 2 s, with nothing to catch mid-way
    start_update(cfn, stack, "3")
    assert wait_for_stack(cfn, stack) == "UPDATE_COMPLETE"
