"""CodeDeploy's rollback deployments (their own ids, still running after the stack rolled
back) as the helper meets them: pre-flight, status and watch see one in flight, and
`rollback` waits for it instead of racing it or stopping it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from lambda_release.log import lock
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.codedeploy import SETTINGS
from tests.rollback.cli import kit_cli, kit_lr
from tests.rollback.stackkit import ALIAS, Kit
from tests.support.aws_state import wait_for_stack
from tests.support.processes import describe
from tests.support.standin_clock import SkippableTime, skippable_clock
from tests.support.waiting import wait_until


@pytest.fixture
def rolling_back(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Kit, SkippableTime, str]]:
    """R1, R2, then R3's canary stopped with rollback: the stack is UPDATE_ROLLBACK_COMPLETE
    while CodeDeploy's rollback deployment still runs, until the test jumps the stand-in's
    clock past its end (a fixed 25 s raced a loaded machine's CLI runs). (kit, clock, its id)"""
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(SETTINGS, "rollback_seconds", 600.0)
    # The 30-minute canary lasts 30 real minutes: the test ends it mid-way, whatever the load.
    monkeypatch.setattr(sandbox, "minute", 60.0)
    with skippable_clock(monkeypatch) as clock:
        kit = Kit.create(sandbox, "rbd")
        yield from _rolling_back(sandbox, kit, clock)


def _rolling_back(
    sandbox: Sandbox, kit: Kit, clock: SkippableTime
) -> Iterator[tuple[Kit, SkippableTime, str]]:
    kit.release({"A": "1", "B": "1"})
    kit.release({"A": "2", "B": "2"})
    release_id = kit.release({"A": "3"}, "Canary10Percent30Minutes", wait=False)
    cd = sandbox.client("codedeploy")
    info = kit.engine().info(refresh=True)
    assert info is not None and info.application
    group = next(f.deployment_group for f in info.functions if f.logical_id == "AFunction")

    def running() -> list[str]:
        return list(
            cd.list_deployments(
                applicationName=info.application,
                deploymentGroupName=group,
                includeOnlyStatuses=["InProgress"],
            )["deployments"]
        )

    first = wait_until(running, what="the canary's deployment")[0]
    cd.stop_deployment(deploymentId=first, autoRollbackEnabled=True)
    cfn = sandbox.client("cloudformation")
    assert wait_for_stack(cfn, kit.stack) == "UPDATE_ROLLBACK_COMPLETE"
    log = kit.log()
    settle(kit.engine(), log, log.load(release_id).entry, sam_exit_code=1, settled_by="test")
    lock.release(log, release_id)
    rollback_id = cd.get_deployment(deploymentId=first)["deploymentInfo"]["rollbackInfo"][
        "rollbackDeploymentId"
    ]
    assert running() == [rollback_id]
    try:
        yield kit, clock, rollback_id
    finally:
        clock.skip(3600)  # a test that failed before ending it: it ends now, not in 10 minutes
        wait_until(lambda: not running(), what="the rollback deployment to end")


def run_until_said(
    kit: Kit, args: list[str], said: str, clock: SkippableTime
) -> tuple[int, str, str]:
    """Run the console script; once a stderr line holds `said`, jump the stand-in's clock
    past the rollback deployment's end. (exit code, stdout, stderr)"""
    proc = kit_cli(kit).popen(args[0], *kit.cli_args(), *args[1:], stdin=subprocess.DEVNULL)
    try:
        assert proc.stderr is not None
        before: list[str] = []
        for line in proc.stderr:
            before.append(line)
            if said in line:
                break
        clock.skip(3600)
        out, rest = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, "".join(before) + rest


def test_pre_flight_status_and_watch_see_a_rollback_deployment_in_flight(
    rolling_back: tuple[Kit, SkippableTime, str],
) -> None:
    kit, clock, rollback_id = rolling_back
    begun = kit_lr(kit, "begin")
    assert begun.returncode == 1, describe(begun)
    assert "CodeDeploy deployment in flight" in begun.stderr and rollback_id in begun.stderr
    status = kit_lr(kit, "status", "--output", "json")
    assert status.returncode == 0, describe(status)
    data: dict[str, Any] = json.loads(status.stdout)
    flights = [d for a in data["aliases"] for d in a["deployments_in_flight"]]
    in_flight = {d["deployment_id"]: d["rollback_of"] for d in flights}
    assert rollback_id in in_flight
    # status says whose rollback it is, as watch does: the canary's deployment it undoes.
    first = in_flight[rollback_id]
    assert first and first != rollback_id
    text = kit_lr(kit, "status")
    assert f"{rollback_id} " in text.stdout and f"CodeDeploy's rollback of {first}" in text.stdout
    # watch follows it while it runs, then to its end
    args = ["watch", "--output", "json", "--poll-interval", "0.5", "--progress", "plain"]
    code, out, err = run_until_said(kit, args, f"({rollback_id}): traffic back on", clock)
    assert code == 0, err
    seen = json.loads(out)
    mine = [d for d in seen["deployments"] if d["deployment_id"] == rollback_id]
    assert mine and mine[0]["rollback_of"] and mine[0]["status"] == "Succeeded", seen


def test_rollback_waits_for_codedeploys_rollback_then_undoes_the_release(
    rolling_back: tuple[Kit, SkippableTime, str],
) -> None:
    kit, clock, rollback_id = rolling_back
    waiting = f"deployment {rollback_id} "
    code, out, err = run_until_said(kit, ["rollback"], waiting, clock)
    assert code == 0, f"{out}\n{err}"
    assert waiting in err and "waiting for it" in err
    cd = kit.sandbox.client("codedeploy")
    assert cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]["status"] == "Succeeded"
    assert kit.versions(ALIAS) == {"A": "1", "B": "1"}  # release 2 undone
    assert [r.kind for r in kit.entries()][-1] == "rollback"
