"""`lambda-release watch` (and deploy's progress) against the sandbox, with the real SAM CLI.

One stack, in order: v1 created; v2 by canary with watch following (success, and deploy
shows the same progress); v3 whose alarm fires mid-canary (CodeDeploy stops and rolls back);
v4 whose deployment someone stops; v5 stopped too, its rollback shown late. The CodeDeploy
clock is slowed where the test must act inside a canary, so nothing depends on timing.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from lambda_release.sandbox.codedeploy import SETTINGS
from lambda_release.sandbox.server import Sandbox
from tests.support.aws_state import stack_status
from tests.support.late_rollback import rollbacks_made_late
from tests.support.samapp import set_code_version
from tests.support.standin_clock import sandbox_minute, skippable_clock
from tests.support.waiting import WaitTimeout, wait_until
from tests.watch.app import App, make_app

SLOW = 60.0  # a 5-minute canary takes 5 real minutes: the test ends it, not the clock


@pytest.fixture(scope="module")
def app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> App:
    built = make_app(sandbox, sandbox_env, tmp_path_factory.mktemp("watch-app"))
    first = built.deploy()
    assert first.returncode == 0, first.stderr
    return built


def wait_for(
    predicate: Callable[[], bool],
    what: str,
    timeout: float = 180,
    deploying: subprocess.Popen[str] | None = None,
) -> None:
    """Until `predicate()`; at once, with its stderr, if `deploying` ended first (a refused
    deploy made the test wait out the timeout for a canary that never came)."""

    def still_deploying() -> None:
        if deploying is not None and deploying.poll() is not None:
            _, err = deploying.communicate()
            raise AssertionError(
                f"the deploy ended (exit {deploying.returncode}) before {what}:\n{err[-3000:]}"
            )

    wait_until(predicate, what, timeout, interval=0.05, check=still_deploying)


class Follower:
    """A console script run in the background, its progress lines collected as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def finish_text(self) -> tuple[int, str, str]:
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(timeout=600)
        self._reader.join(timeout=30)
        return self.proc.returncode, out, "".join(self.lines)


class Watcher(Follower):
    """`lambda-release watch` in the background."""

    def __init__(self, app: App, minute: float) -> None:
        args = [
            "watch", "--stack", app.stack, "--alias", "PROD", "--wait", "300",
            "--progress", "plain", "--minute", f"{minute:g}", "--poll-interval", "0.1",
            "--output", "json",
        ]  # fmt: skip
        super().__init__(app.popen(*args))

    def finish(self) -> tuple[int, dict[str, Any], str]:
        code, out, err = self.finish_text()
        return code, json.loads(out), err


@contextmanager
def background(*procs: subprocess.Popen[str]) -> Iterator[None]:
    """End what is still running when the test fails half-way: SIGTERM first, as CircleCI
    cancels a job, so a deploy gives its lock back (a killed one left its lease in the
    release log, and the next test's deploy was refused beside it)."""
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()


@contextmanager
def canary_under_watch(app: App, function: str) -> Iterator[tuple[Watcher, subprocess.Popen[str]]]:
    """A deploy with `watch` following it, on the slowed clock, from when watch shows
    ``function``'s first canary step; both are ended if the test fails half-way."""
    with sandbox_minute(app.sandbox, SLOW):
        watcher = Watcher(app, SLOW)
        deploying = app.popen("deploy", *app.target())
        with background(watcher.proc, deploying):
            wait_for(
                lambda: watcher.saw(f"{function}Function: 10% on version"),
                f"watch to show {function}'s canary",
                deploying=deploying,
            )
            yield watcher, deploying


FUNCTIONS = ("A", "B")
IN_FLIGHT = ["Created", "Queued", "InProgress", "Baking", "Ready"]


def in_flight(app: App, function: str) -> list[str]:
    """Deployments in flight in the function's own deployment group."""
    resources = app.resources()
    got = app.sandbox.client("codedeploy").list_deployments(
        applicationName=resources["ServerlessDeploymentApplication"],
        deploymentGroupName=resources[f"{function}FunctionDeploymentGroup"],
        includeOnlyStatuses=IN_FLIGHT,
    )
    return list(got["deployments"])


def wait_until_settled(app: App, timeout: float) -> list[str]:
    """Until no deployment is in flight and the stack is not updating; what still was."""
    cfn = app.sandbox.client("cloudformation")
    unsettled: list[str] = []

    def settled() -> bool:
        left = [d for fn in FUNCTIONS for d in in_flight(app, fn)]
        status = stack_status(cfn, app.stack)
        unsettled[:] = left or ([status] if status.endswith("_IN_PROGRESS") else [])
        return not unsettled

    try:
        wait_until(settled, "the app to settle", timeout, interval=0.2)
    except WaitTimeout:
        return unsettled
    return []


def running_code(app: App, function: str) -> str:
    """The code version PROD serves (the handler answers with it)."""
    lam = app.sandbox.client("lambda")
    got = lam.invoke(FunctionName=app.function_name(function), Qualifier="PROD")
    return str(json.loads(got["Payload"].read())["code_version"])


@pytest.fixture(autouse=True)
def leaves_the_app_as_the_stack_runs(app: App) -> Iterator[None]:
    """After each test, whether it passed or failed half-way: no alarm left in ALARM, nothing
    in flight (stopped, then named, if it outlasts 30 s) and the app's code what PROD runs.
    The stack is shared: a test that left A's alarm firing, a canary or CodeDeploy's rollback
    running, or B's code changed, made the next one fail (refused, or two functions deployed)."""
    yield
    cw = app.sandbox.client("cloudwatch")
    for fn in FUNCTIONS:
        alarm = app.alarm_name(fn)
        got = cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
        if got and got[0]["StateValue"] == "ALARM":
            cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test ended")
    left = wait_until_settled(app, timeout=30)
    still: list[str] = []
    if left:
        cd = app.sandbox.client("codedeploy")
        for deployment_id in [d for fn in FUNCTIONS for d in in_flight(app, fn)]:
            info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            rollback = info.get("creator") == "codeDeployRollback"
            cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=not rollback)
        still = wait_until_settled(app, timeout=120)
    for fn in FUNCTIONS:
        handler = app.directory / "src" / fn.lower() / "app.py"
        runs = running_code(app, fn)
        if f'CODE_VERSION = "{runs}"' not in handler.read_text():
            set_code_version(app.directory, runs, (fn,))
    assert not left, f"the test left {left} in flight after 30 s (stopped: {still or 'ok'})"


def by_function(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["logical_id"]: d for d in result["deployments"]}


def test_nothing_in_flight_is_reported_and_succeeds(app: App) -> None:
    p = app.lr("watch", "--stack", app.stack, "--alias", "PROD")
    assert p.returncode == 0, p.stderr
    assert f"no deployment of {app.stack} in flight" in p.stdout


def test_bad_input_exits_2(app: App) -> None:
    missing = app.lr("watch", "--stack", "no-such-stack-x", "--alias", "PROD")
    assert missing.returncode == 2
    assert "no-such-stack-x does not exist" in missing.stderr
    bad = app.lr("watch", "--stack", app.stack, "--alias", "PROD", "--poll-interval", "0")
    assert bad.returncode == 2 and "--poll-interval '0' is out of range" in bad.stderr


def test_success_followed_by_watch_and_shown_by_deploy(
    app: App, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.change_code("2", ("A", "B"))
    env = dict(app.env, LAMBDA_RELEASE_POLL_INTERVAL="0.1", LAMBDA_RELEASE_MINUTE=f"{SLOW:g}")
    # The 10% steps last until both followers have shown both, then the stand-in's clock jumps
    # past them: a 10 s step raced the followers' polls on a loaded machine.
    steps = [f"{lid}: 10% on version 2 (from 1)" for lid in ("AFunction", "BFunction")]
    with skippable_clock(monkeypatch) as clock, sandbox_minute(sandbox, SLOW):
        watcher = Watcher(app, SLOW)
        # A heartbeat each second of sam's silence, saying what watch says (issue 25).
        deploying = Follower(app.popen("deploy", *app.target(), "--heartbeat", "1", env=env))
        beat = "[lambda-release] sam still running ("
        with background(watcher.proc, deploying.proc):
            wait_for(
                lambda: (
                    all(watcher.saw(s) and deploying.saw(s) for s in steps)
                    and any(beat in line and "10% on version 2" in line for line in deploying.lines)
                ),
                "watch and deploy to show both canaries, deploy in its heartbeat too",
                timeout=300,
            )
            clock.skip(3600)
            code, result, err = watcher.finish()
            deployed_code, _, deployed_err = deploying.finish_text()
    assert deployed_code == 0, deployed_err
    assert code == 0, err
    runs = by_function(result)
    assert set(runs) == {"AFunction", "BFunction"}
    for lid, run in runs.items():
        assert run["status"] == "Succeeded"
        assert (run["current_version"], run["target_version"]) == ("1", "2")
        assert run["traffic_on_new_version"] == 1.0
        # A new alarm starts INSUFFICIENT_DATA, as on AWS (no metric data in the sandbox).
        assert run["alarms"] == {app.alarm_name(lid[0]): "INSUFFICIENT_DATA"}
        # watch printed the canary step, then the outcome, one line each (no flood).
        assert err.count(f"{lid}: 10% on version 2 (from 1), next step in") == 1
        assert err.count(f"{lid}: succeeded, 100% on version 2") == 1
        assert f"[lambda-release] {lid}: 10% on version 2 (from 1)" in deployed_err
        assert f"[lambda-release] {lid}: succeeded, 100% on version 2" in deployed_err
    beats = [line for line in deployed_err.splitlines() if line.startswith(beat)]
    # Traffic and time left on deploy's own --minute clock (LAMBDA_RELEASE_MINUTE): minutes.
    assert any(
        re.search(r"\): AFunction: 10% on version 2 \(from 1\), next step in \d+m", b)
        for b in beats
    )
    assert result["succeeded"] is True and result["failures"] == []


def test_alarm_mid_canary_fails_naming_the_alarm(app: App, sandbox: Sandbox) -> None:
    app.change_code("3", ("A",))
    alarm = app.alarm_name("A")
    cw = sandbox.client("cloudwatch")
    with canary_under_watch(app, "A") as (watcher, deploying):
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: errors")
        code, result, err = watcher.finish()
        deploying.communicate(timeout=600)
    assert deploying.returncode == 1
    assert code == 1, err
    # watch follows CodeDeploy's rollback deployment too, to its end
    (run,) = [d for d in result["deployments"] if not d["rollback_of"]]
    rollbacks = [d for d in result["deployments"] if d["rollback_of"]]
    assert [(d["rollback_of"], d["status"]) for d in rollbacks] == [
        (run["deployment_id"], "Succeeded")
    ]
    assert run["logical_id"] == "AFunction" and run["status"] in ("Stopped", "Failed")
    assert run["alarms_firing"] == [alarm] and run["rolled_back"] is True
    assert result["failures"] == [f"AFunction: {run['status'].lower()}: alarm {alarm} fired"]
    assert f"lambda-release watch: AFunction: {run['status'].lower()}: alarm {alarm} fired" in err
    assert app.weights("A") == {}
    # what watch saw, kept for `record --timeline-file` (issue 32): the 10% step, the stop,
    # and the alarm's change with CloudWatch's reason
    timeline = result["timeline"]
    assert timeline["observed_by"] == "watch"
    (seen,) = [d for d in timeline["deployments"] if d["deployment_id"] == run["deployment_id"]]
    assert seen["steps"][0]["share"] == 0.1 and seen["steps"][-1]["status"] == run["status"]
    changes = [(a["alarm"], a["state"], a.get("reason")) for a in timeline["alarms"]]
    assert changes[-1] == (alarm, "ALARM", "test: errors"), changes
    # the 10% step was shown with its time left on the (slowed) clock: minutes, not seconds
    step = f"AFunction: 10% on version {run['target_version']} \\(from {run['current_version']}\\)"
    assert re.search(step + r", next step in (4m \d\ds|5m 00s)", err)


def test_stopped_deployment_fails(app: App, sandbox: Sandbox) -> None:
    app.change_code("4", ("B",))
    cd = sandbox.client("codedeploy")
    with canary_under_watch(app, "B") as (watcher, deploying):
        (deployment_id,) = in_flight(app, "B")
        # prune refuses while a canary is in flight: its versions must not go
        busy = app.lr("prune", "--stack", app.stack, "--keep", "0", "--s3-bucket", app.bucket)
        assert busy.returncode == 1
        assert "UPDATE_IN_PROGRESS: prune once it has finished" in busy.stderr
        cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        code, result, err = watcher.finish()
        deploying.communicate(timeout=600)
    assert deploying.returncode == 1
    assert code == 1, err
    (run,) = [d for d in result["deployments"] if not d["rollback_of"]]
    assert [d["rollback_of"] for d in result["deployments"] if d["rollback_of"]] == [deployment_id]
    assert (run["logical_id"], run["deployment_id"]) == ("BFunction", deployment_id)
    assert run["status"] == "Stopped" and run["rolled_back"] is True
    assert run["alarms_firing"] == []
    assert "StopDeployment" in run["message"]
    assert f"BFunction: stopped, traffic back on version {run['current_version']}" in err
    assert app.weights("B") == {}


def test_a_rollback_that_shows_after_the_stop_is_still_followed(
    app: App, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CodeDeploy does not document whether a stopped deployment's rollback exists when the
    stop shows. Here it comes a second later, once watch has read the deployment ended, and the
    stack moves on at once: watch looks once more and follows it (it used to stop there)."""
    rollbacks_made_late(monkeypatch, 1.0, stop_shows_first=True)
    monkeypatch.setattr(SETTINGS, "rollback_seconds", 600.0)  # ended below, once seen
    app.change_code("5", ("A",))
    cd = sandbox.client("codedeploy")
    with (
        skippable_clock(monkeypatch) as clock,
        canary_under_watch(app, "A") as (watcher, deploying),
    ):
        (deployment_id,) = in_flight(app, "A")
        cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        wait_for(lambda: watcher.saw("CodeDeploy's rollback of"), "watch to follow it")
        clock.skip(24 * 3600)  # the rollback deployment ends
        code, result, err = watcher.finish()
        deploying.communicate(timeout=600)
    assert code == 1, err
    rollbacks = [d for d in result["deployments"] if d["rollback_of"]]
    assert [(d["rollback_of"], d["status"]) for d in rollbacks] == [(deployment_id, "Succeeded")]
    assert app.weights("A") == {}
