"""A stack whose own rollback failed (UPDATE_ROLLBACK_FAILED): deploy's pre-flight, rollback
(both kinds) and status each name it with the way out, and nothing is changed over it."""

from __future__ import annotations

import pytest

from lambda_release.log import lock
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import kit_lr, run_rollback
from tests.rollback.stackkit import Kit
from tests.support.aws_state import wait_for_stack
from tests.support.processes import describe
from tests.support.waiting import wait_until


@pytest.fixture
def stuck(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """A release, then a canary cancelled while stack rollbacks fail: UPDATE_ROLLBACK_FAILED."""
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    # The 30-minute canary lasts 30 real minutes: the test ends it mid-way, whatever the load.
    monkeypatch.setattr(sandbox, "minute", 60.0)
    kit = Kit.create(sandbox, "stk")
    kit.release({"A": "1"})
    release_id = kit.release({"A": "2"}, "Canary10Percent30Minutes", wait=False)
    lam = sandbox.client("lambda")
    name = kit.names()["A"]
    wait_until(
        lambda: (lam.get_alias(FunctionName=name, Name="PROD").get("RoutingConfig") or {}).get(
            "AdditionalVersionWeights"
        ),
        what="canary weights",
    )
    sandbox.fail_stack_rollbacks(True)
    try:
        cfn = sandbox.client("cloudformation")
        cfn.cancel_update_stack(StackName=kit.stack)
        assert wait_for_stack(cfn, kit.stack) == "UPDATE_ROLLBACK_FAILED"
    finally:
        sandbox.fail_stack_rollbacks(False)
    # The release job ends as a killed `sam deploy` would be settled: failed, lock released.
    log = kit.log()
    settle(kit.engine(), log, log.load(release_id).entry, sam_exit_code=1, settled_by="test")
    lock.release(log, release_id)
    return kit


def way_out(kit: Kit, text: str) -> None:
    assert "UPDATE_ROLLBACK_FAILED" in text
    assert f"aws cloudformation continue-update-rollback --stack-name {kit.stack}" in text
    assert "--resources-to-skip AFunctionAliasPROD" in text
    assert "Traceback" not in text


def test_begin_refuses_a_stack_whose_rollback_failed(stuck: Kit) -> None:
    done = kit_lr(stuck, "begin")
    assert done.returncode == 1, describe(done)
    way_out(stuck, done.stderr)
    assert [r.kind for r in stuck.entries()].count("release") == 2  # nothing new was begun


def test_rollback_refuses_it_too_and_moves_nothing(stuck: Kit) -> None:
    before = stuck.aliases()
    for args in ((), ("--function", "AFunction", "--to-version", "1")):
        done = run_rollback(stuck, *args)
        assert done.returncode == 1, describe(done)
        way_out(stuck, done.stderr)
    assert stuck.aliases() == before
    assert stuck.rollback_entries() == []


def test_status_shows_the_way_out_and_continuing_frees_the_stack(stuck: Kit) -> None:
    done = kit_lr(stuck, "status")
    assert done.returncode == 0, describe(done)
    way_out(stuck, done.stdout)
    cfn = stuck.sandbox.client("cloudformation")
    cfn.continue_update_rollback(StackName=stuck.stack, ResourcesToSkip=["AFunctionAliasPROD"])
    assert wait_for_stack(cfn, stuck.stack) == "UPDATE_ROLLBACK_COMPLETE"
    done = kit_lr(stuck, "begin")
    assert "UPDATE_ROLLBACK_FAILED" not in done.stderr, describe(done)
