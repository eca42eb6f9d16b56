"""`lambda-release rollback` end to end against the sandbox (console script, real HTTP).

Stacks are released through the engine's own begin/settle around a CloudFormation
update (inline SAM, no `sam build`), so these run in seconds; the scenario with
the real SAM CLI is in test_rollback_sam.py.
"""

from __future__ import annotations

import json

import pytest

from lambda_release.log import lock
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import run_rollback
from tests.rollback.stackkit import Kit, wait_for_stack
from tests.support.processes import describe
from tests.support.waiting import wait_until


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    return Kit.in_env(sandbox, monkeypatch)


def three_releases(kit: Kit) -> tuple[str, str, str]:
    r1 = kit.release({"A": "1", "B": "1", "C": "1"})
    r2 = kit.release({"A": "2", "B": "2", "C": "2"})
    r3 = kit.release({"A": "3"})
    assert kit.versions() == {"A": "3", "B": "2", "C": "2"}
    return r1, r2, r3


def test_rollback_pops_the_stack_of_releases(kit: Kit) -> None:
    _, r2, r3 = three_releases(kit)

    first = run_rollback(kit, "--reason", "A errors", "--output", "json")
    assert first.returncode == 0, describe(first)
    data = json.loads(first.stdout)
    assert data["release"] == r3 and data["release_undone"] is True
    assert kit.versions() == {"A": "2", "B": "2", "C": "2"}
    assert kit.aliases()["A"][1] == {}  # weights cleared
    # Stable: what undoing R2 (now the most recent in effect) would give.
    assert kit.versions("PROD_STABLE") == {"A": "1", "B": "1", "C": "1"}

    second = run_rollback(kit)
    assert second.returncode == 0, describe(second)
    assert r2 in second.stdout
    assert kit.versions() == {"A": "1", "B": "1", "C": "1"}

    again = run_rollback(kit, "--release", r3)
    assert again.returncode == 0, describe(again)
    assert "already undone" in again.stdout

    rollbacks = kit.rollback_entries()
    assert [r.entry["undoes"] for r in rollbacks] == [r3, r2]
    assert rollbacks[0].entry["reason"] == "A errors"
    moved = {
        f["logical_id"]: (f["before"], f["after"]) for f in rollbacks[0].functions() if f["moved"]
    }
    assert moved == {"AFunction": ("3", "2")}
    undone = {r.id for r in kit.entries() if r.undone}
    assert undone == {r2, r3}


def test_release_that_is_not_the_most_recent_in_effect_is_refused(kit: Kit) -> None:
    _, r2, r3 = three_releases(kit)
    refused = run_rollback(kit, "--release", r2)
    assert refused.returncode == 1, describe(refused)
    assert r3 in refused.stderr
    assert kit.versions() == {"A": "3", "B": "2", "C": "2"}
    assert kit.rollback_entries() == []


def test_dry_run_prints_the_plan_and_changes_nothing(kit: Kit) -> None:
    three_releases(kit)
    before_log = [r.id for r in kit.entries()]
    stable = kit.versions("PROD_STABLE")
    plan = run_rollback(kit, "--dry-run", "--output", "json")
    assert plan.returncode == 0, describe(plan)
    steps = {f["logical_id"]: f for f in json.loads(plan.stdout)["functions"]}
    assert (steps["AFunction"]["action"], steps["AFunction"]["target"]) == ("move", "2")
    assert steps["BFunction"]["action"] == "untouched"
    assert kit.versions() == {"A": "3", "B": "2", "C": "2"}
    assert kit.versions("PROD_STABLE") == stable
    assert [r.id for r in kit.entries()] == before_log
    text = run_rollback(kit, "--dry-run")
    assert "plan:" in text.stdout and "AFunction" in text.stdout


def test_function_selection_and_explicit_version(kit: Kit) -> None:
    _, r2, _ = three_releases(kit)
    assert run_rollback(kit).returncode == 0  # undo R3 (A only)
    only_b = run_rollback(kit, "--function", "BFunction", "--output", "json")
    assert only_b.returncode == 0, describe(only_b)
    assert kit.versions() == {"A": "2", "B": "1", "C": "2"}
    assert json.loads(only_b.stdout)["release_undone"] is False
    assert not next(r for r in kit.entries() if r.id == r2).undone

    explicit = run_rollback(kit, "--function", "CFunction", "--to-version", "1")
    assert explicit.returncode == 0, describe(explicit)
    assert kit.versions()["C"] == "1"
    # R2 is still in effect for A: the plain rollback finishes it and marks it undone.
    rest = run_rollback(kit, "--output", "json")
    assert rest.returncode == 0, describe(rest)
    assert kit.versions() == {"A": "1", "B": "1", "C": "1"}
    assert json.loads(rest.stdout)["release_undone"] is True
    kinds = [r.entry.get("to_version") for r in kit.rollback_entries()]
    assert kinds.count("1") == 1 and len(kinds) == 4

    bad = run_rollback(kit, "--function", "CFunction", "--to-version", "$LATEST")
    assert bad.returncode == 2 and "$LATEST" in bad.stderr
    missing = run_rollback(kit, "--function", "CFunction", "--to-version", "99")
    assert missing.returncode == 2 and "99" in missing.stderr


def test_missing_before_version_is_refused_for_that_function_only(kit: Kit) -> None:
    three_releases(kit)
    assert run_rollback(kit).returncode == 0  # R3 undone; R2 next (A, B, C: 2 -> 1)
    lam = kit.sandbox.client("lambda")
    name_b = kit.names()["B"]
    # Version 1 of B disappears (its stable pointer must move off it first, as in AWS).
    lam.update_alias(FunctionName=name_b, Name="PROD_STABLE", FunctionVersion="2")
    lam.delete_function(FunctionName=name_b, Qualifier="1")
    result = run_rollback(kit, "--output", "json")
    assert result.returncode == 1, describe(result)
    steps = {f["logical_id"]: f for f in json.loads(result.stdout)["functions"]}
    assert steps["BFunction"]["result"] == "refused"
    assert "no longer exists" in steps["BFunction"]["reason"]
    assert kit.versions() == {"A": "1", "B": "2", "C": "1"}


def test_rollback_mid_canary_stops_it_and_leaves_every_alias_on_its_before_version(
    kit: Kit, sandbox: Sandbox
) -> None:
    kit.release({"A": "1", "B": "1", "C": "1"})
    kit.release({"A": "2", "B": "2", "C": "2"})
    before = sandbox.minute
    # 10% for 5 real minutes: the rollback stops it, however long a loaded machine takes to
    # start the console script (15 s could pass before it saw the canary in flight).
    sandbox.minute = 60.0
    try:
        rid = kit.release(
            {"A": "3", "B": "3"}, deployment_type="Canary10Percent5Minutes", wait=False
        )
        wait_until(lambda: kit.aliases()["A"][1] == {"3": 0.1}, "A at 10% on 3", 60, interval=0.05)
        result = run_rollback(kit, "--output", "json", "--release", rid)
    finally:
        sandbox.minute = before
    assert result.returncode == 0, describe(result)
    assert "stopping CodeDeploy deployment" in result.stderr
    assert kit.aliases() == {"A": ("2", {}), "B": ("2", {}), "C": ("2", {})}
    cfn = sandbox.client("cloudformation")
    assert wait_for_stack(cfn, kit.stack, timeout=1) == "UPDATE_ROLLBACK_COMPLETE"
    data = json.loads(result.stdout)
    assert data["in_flight"]["stopped"] and data["release_undone"] is True
    again = run_rollback(kit, "--release", rid)
    assert again.returncode == 0 and "already undone" in again.stdout, describe(again)
    # The killed deploy's entry is settled later; it moved nothing, so it is not in effect.
    engine, log = kit.engine(), kit.log()
    settle(engine, log, log.load(rid).entry, sam_exit_code=1, settled_by="test")
    lock.release(log, rid)
    assert log.load(rid).outcome == "failed"


def test_a_deploy_holding_the_lock_makes_the_rollback_refuse_and_move_nothing(kit: Kit) -> None:
    three_releases(kit)
    log = kit.log()
    lease, _ = lock.try_acquire(log, "deploy-starting", mode="deploy", ttl=60, who="ci")
    assert lease is not None
    refused = run_rollback(kit)
    assert refused.returncode == 1, describe(refused)
    assert "locked by" in refused.stderr and "deploy-starting" in refused.stderr
    assert kit.versions() == {"A": "3", "B": "2", "C": "2"}
    assert kit.rollback_entries() == []
    lock.release(log, "deploy-starting")
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    assert kit.versions() == {"A": "2", "B": "2", "C": "2"}
    assert lock.is_free((lock.read_lease(log) or ({}, ""))[0])  # given back
