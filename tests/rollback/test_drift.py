"""Drift after a rollback, and the realignment the next deploy runs before `sam deploy`.

The sandbox models CodeDeploy's strict check: a deployment whose recorded current version
differs from the live alias fails. Without realignment the next canary fails that check;
with it, the canary shifts from the live version and never routes to the rolled-back one.
"""

from __future__ import annotations

import pytest

from lambda_release.release import drift
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import run_rollback
from tests.rollback.stackkit import ALIAS, Kit, resolve_drift
from tests.support.aws_state import AliasWatcher
from tests.support.processes import describe


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """R1, R2 (all), R3 (A only), then R3 rolled back: A runs 2, CloudFormation records 3."""
    kit = Kit.in_env(sandbox, monkeypatch, "dft")
    kit.release({"A": "1", "B": "1", "C": "1"})
    kit.release({"A": "2", "B": "2", "C": "2"})
    kit.release({"A": "3"})
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    return kit


def resolve(kit: Kit, dry_run: bool = False) -> tuple[list[drift.DriftItem], list[str]]:
    return resolve_drift(kit.engine(), kit.log(), dry_run=dry_run)


def recorded(kit: Kit) -> dict[str, str]:
    cfn = kit.sandbox.client("cloudformation")
    template = drift.processed_template(cfn, kit.stack)
    return drift.recorded_versions(template, drift.physical_ids(cfn, kit.stack))


def test_without_realignment_the_next_canary_fails_and_lands_on_the_rolled_back_version(
    kit: Kit,
) -> None:
    """What the realignment prevents: CodeDeploy refuses the shift, and CloudFormation's
    rollback of the alias puts it back on what it recorded: the rolled-back version."""
    assert recorded(kit)["AFunctionAliasPROD"] == "3"
    status = kit.update_outside_the_log({"A": "4"}, "Canary10Percent5Minutes")
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    events = kit.sandbox.client("cloudformation").describe_stack_events(StackName=kit.stack)
    reasons = " ".join(e.get("ResourceStatusReason") or "" for e in events["StackEvents"])
    assert "differs from the version CloudFormation recorded" in reasons
    assert kit.versions()["A"] == "3"


def test_realignment_lets_the_next_deploy_shift_from_the_live_version(kit: Kit) -> None:
    items, problems = resolve(kit, dry_run=True)
    assert [(i.logical_id, i.recorded, i.live, i.resolvable) for i in items] == [
        ("AFunction", "3", "2", True)
    ]
    assert problems == [] and recorded(kit)["AFunctionAliasPROD"] == "3"  # dry run: untouched

    watcher = AliasWatcher(kit.sandbox.client("lambda"), kit.names()["A"], ALIAS)
    items, problems = resolve(kit)
    assert problems == [] and len(items) == 1
    assert recorded(kit) == {f"{f}FunctionAliasPROD": "2" for f in "ABC"}
    assert kit.versions() == {"A": "2", "B": "2", "C": "2"}  # realigning moved no traffic
    assert resolve(kit) == ([], [])  # nothing left

    status = kit.update_outside_the_log({"A": "4"}, "Canary10Percent5Minutes")
    seen = watcher.stop()
    assert status == "UPDATE_COMPLETE"
    new = kit.versions()["A"]
    assert new not in ("2", "3")
    routed = {v for version, weights in seen for v in (version, *weights)}
    assert "3" not in routed, seen  # the rolled-back version never got traffic
    assert routed <= {"2", new}


def test_drift_no_rollback_explains_is_refused_with_the_way_out(kit: Kit) -> None:
    lam = kit.sandbox.client("lambda")
    lam.update_alias(FunctionName=kit.names()["B"], Name=ALIAS, FunctionVersion="1")
    items, problems = resolve(kit)
    assert {i.logical_id: i.resolvable for i in items} == {"AFunction": True, "BFunction": False}
    assert len(problems) == 1 and "BFunction" in problems[0] and "--to-version 1" in problems[0]
    assert recorded(kit)["AFunctionAliasPROD"] == "3"  # refused: nothing realigned
    moved = run_rollback(kit, "--function", "BFunction", "--to-version", "1")
    assert moved.returncode == 0, describe(moved)
    _, problems = resolve(kit)
    assert problems == []
    assert recorded(kit)["BFunctionAliasPROD"] == "1"
