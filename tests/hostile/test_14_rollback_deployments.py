"""CodeDeploy's rollback deployments (their own ids, still running after the stack rolled
back) as the helper meets them: pre-flight, status and watch see one in flight, and
`rollback` waits for it instead of racing it or stopping it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from lambda_release import lock
from lambda_release.release import settle
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.codedeploy import SETTINGS
from tests.rollback.cli import cli_env, console_script, describe, run_rollback
from tests.rollback.stackkit import ALIAS, Kit
from tests.sandbox.inline_app import wait_until
from tests.support.aws_state import wait_for_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def rolling_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Kit, str]]:
    """R1, R2, then R3's canary stopped with rollback: the stack is UPDATE_ROLLBACK_COMPLETE
    while CodeDeploy's rollback deployment still runs (for ~25 s). (kit, its id)."""
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(SETTINGS, "rollback_seconds", 25.0)
    # The 30-minute canary lasts 12 s, not 1.5: time to catch it mid-way on a loaded machine.
    monkeypatch.setattr(sandbox, "minute", 0.4)
    kit = Kit.create(sandbox, "rbd")
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
    yield kit, rollback_id


def run(kit: Kit, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args, *kit.cli_args()],
        env=cli_env(kit),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_pre_flight_status_and_watch_see_a_rollback_deployment_in_flight(
    rolling_back: tuple[Kit, str],
) -> None:
    kit, rollback_id = rolling_back
    begun = run(kit, "begin")
    assert begun.returncode == 1, describe(begun)
    assert "CodeDeploy deployment in flight" in begun.stderr and rollback_id in begun.stderr
    status = run(kit, "status", "--output", "json")
    assert status.returncode == 0, describe(status)
    data: dict[str, Any] = json.loads(status.stdout)
    flights = [d for a in data["aliases"] for d in a["deployments_in_flight"]]
    in_flight = {d["deployment_id"]: d["rollback_of"] for d in flights}
    assert rollback_id in in_flight
    # status says whose rollback it is, as watch does: the canary's deployment it undoes.
    first = in_flight[rollback_id]
    assert first and first != rollback_id
    text = run(kit, "status")
    assert f"{rollback_id} " in text.stdout and f"CodeDeploy's rollback of {first}" in text.stdout
    watched = run(kit, "watch", "--output", "json", "--poll-interval", "0.5")
    seen = json.loads(watched.stdout)
    mine = [d for d in seen["deployments"] if d["deployment_id"] == rollback_id]
    assert mine and mine[0]["rollback_of"] and mine[0]["status"] == "Succeeded", seen


def test_rollback_waits_for_codedeploys_rollback_then_undoes_the_release(
    rolling_back: tuple[Kit, str],
) -> None:
    kit, rollback_id = rolling_back
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    assert f"deployment {rollback_id}" in done.stderr and "waiting for it" in done.stderr
    cd = kit.sandbox.client("codedeploy")
    assert cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]["status"] == "Succeeded"
    assert kit.versions(ALIAS) == {"A": "1", "B": "1"}  # release 2 undone
    assert [r.kind for r in kit.entries()][-1] == "rollback"
