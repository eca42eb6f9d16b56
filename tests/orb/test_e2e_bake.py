"""Issue 31: the orb's `bake_minutes`, run end to end through the local runner against the
stand-in. The deploy job of the "deploy on branch push" example releases version 2 with
`bake_minutes: 600`; an alarm fires during the bake and the job rolls the release back by
itself and fails. The bake's clock is compressed through the helper's own variable
(LAMBDA_RELEASE_MINUTE: real seconds per minute), as the stand-in's CodeDeploy clock is."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox import Sandbox
from tests.orb.test_e2e_jobs import assert_ok, job_env, record, repo, runner
from tests.orb.test_scripts import ARGS_OF
from tests.support.aws_state import alias_state, function_name
from tests.support.samapp import alarm_logical_id, set_code_version
from tests.support.waiting import wait_until

__all__ = ["repo"]  # the fixture


def test_bake_minutes_rolls_back_a_release_whose_alarm_fires_during_the_bake(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    repo: Path,
    tmp_path: Path,
    helper_wheel: Path,
) -> None:
    prefix = f"orb-bake-{uuid.uuid4().hex[:8]}"
    bucket = f"{prefix}-artifacts"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    cfn, lam, cw = (sandbox.client(s) for s in ("cloudformation", "lambda", "cloudwatch"))
    env = {
        **job_env(tmp_path, sandbox_env),
        "BUCKET": bucket,
        "LAMBDA_RELEASE_MINUTE": "0.1",
        "LAMBDA_RELEASE_POLL_INTERVAL": "0.1",
    }
    ours = {"stack_prefix": prefix, "helper_source": str(helper_wheel), "s3_bucket": "$BUCKET"}
    stack = f"{prefix}-prod"

    first = runner(packed_orb, "deploy_on_branch_push", tmp_path, "p1", repo, "main", env, "p1")
    assert_ok(first.run_invocation("deploy-prod", **ours, bake_minutes=2), first)

    def release_log() -> ReleaseLog:  # a log object caches what it read: one per look
        return ReleaseLog(sandbox.client("s3"), LogLocation(bucket), stack, "PROD")

    baked = release_log()
    (v1,) = baked.releases(1)
    end = baked.read_bake_end(v1.id)
    assert end is not None and end["outcome"] == "baked"  # no alarm: baked, job green

    set_code_version(repo, "2", ["A", "B"])
    git(repo, "commit", "-qam", "version 2")
    alarm = str(
        cfn.describe_stack_resource(StackName=stack, LogicalResourceId=alarm_logical_id("B"))[
            "StackResourceDetail"
        ]["PhysicalResourceId"]
    )

    def fire_during_the_bake() -> None:
        def baking() -> bool:
            log = release_log()
            newest = log.releases(1)
            return bool(newest) and newest[0].id != v1.id and bool(log.bake_starts(newest[0].id))

        wait_until(baking, "the bake of version 2", 600, 0.2)
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: errors")

    firing = threading.Thread(target=fire_during_the_bake, daemon=True)
    firing.start()
    second = runner(packed_orb, "deploy_on_branch_push", tmp_path, "p2", repo, "main", env, "p2")
    try:
        result = second.run_invocation("deploy-prod", **ours, bake_minutes=600)
    finally:
        firing.join(timeout=5)
        cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test ended")
    log = second.log.getvalue()  # type: ignore[attr-defined]
    assert result.status == "failed", log[-6000:]
    assert f"alarm {alarm} in ALARM" in log, log[-6000:]
    for fn in ("AFunction", "BFunction"):
        assert alias_state(lam, function_name(cfn, stack, fn), "PROD") == ("1", {})
    rollback, v2 = release_log().releases(2)
    assert v2.undone and rollback.entry.get("automatic", {}).get("alarm") == alarm
    assert record(tmp_path, "p2")["outcome"] == "succeeded"  # the record file was kept


def test_the_release_step_passes_bake_minutes_only_when_set(orb_sh: Any, tmp_path: Path) -> None:
    target = {"LAMBDA_RELEASE_STACK": "s", "LAMBDA_RELEASE_ALIAS": "PROD"}
    for value, expected in (("30", ["--bake=30"]), ("0", []), ("", [])):
        env = {**target, "LR_INT_BAKE_MINUTES": value}
        out = orb_sh.function(
            "deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path
        ).stdout.splitlines()
        assert [a for a in out if a.startswith("--bake")] == expected
