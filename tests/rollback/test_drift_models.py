"""The deploy-after-rollback scenario under each of the sandbox's drift models, and a
realignment too large for an inline template.

AWS does not document what CodeDeploy does when the alias runs another version than the one
CloudFormation recorded (after a rollback). Whatever it does (fail, shift from the recorded
version, or shift from the live one), with realignment no traffic may ever reach the
rolled-back version; without it, under `recorded`, ~90% would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from lambda_release.release import drift
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import run_rollback
from tests.rollback.stackkit import ALIAS, Kit, resolve_drift
from tests.support.aws_state import AliasWatcher
from tests.support.processes import describe
from tests.support.standin_clock import skippable_clock
from tests.support.waiting import wait_until

MODELS = ("fail", "recorded", "live")


def rolled_back_kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, padding: int = 0) -> Kit:
    """R1, R2 (all), R3 (A only), then R3 rolled back: A runs 2, CloudFormation records 3."""
    kit = Kit.in_env(sandbox, monkeypatch, "dm")
    kit.padding = padding
    kit.release({"A": "1", "B": "1"})
    kit.release({"A": "2", "B": "2"})
    kit.release({"A": "3"})
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    assert kit.versions()["A"] == "2"
    return kit


@pytest.fixture
def drift_model_reset(sandbox: Sandbox) -> Iterator[None]:
    """The drift model put back afterwards."""
    try:
        yield
    finally:
        sandbox.drift_model = "fail"


def realign(kit: Kit, store: bool = True) -> list[drift.DriftItem]:
    log = kit.log()
    templates = drift.s3_template_store(log.s3, log.location.bucket, log.base) if store else None
    items, problems = resolve_drift(kit.engine(), log, store=templates)
    assert problems == []
    return items


def recorded(kit: Kit) -> dict[str, str]:
    cfn = kit.sandbox.client("cloudformation")
    template = drift.processed_template(cfn, kit.stack)
    return drift.recorded_versions(template, drift.physical_ids(cfn, kit.stack))


def deploy_watching_a(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, set[str], list[tuple[str, dict[str, float]]]]:
    """Deploy new code for A by canary; (stack status, versions routed to, states seen).

    The canary's split stays until the watcher has seen it, then the stand-in's clock jumps
    past its end: a 2-second canary could end between two reads on a loaded machine."""
    watcher = AliasWatcher(kit.sandbox.client("lambda"), kit.names()["A"], ALIAS)
    got: dict[str, str] = {}
    with skippable_clock(monkeypatch) as clock, monkeypatch.context() as patch:
        patch.setattr(kit.sandbox, "minute", 60.0)
        update = threading.Thread(
            target=lambda: got.update(
                status=kit.update_outside_the_log({"A": "4"}, "Canary10Percent5Minutes")
            ),
            daemon=True,
        )
        update.start()
        # A deployment that fails never splits the alias: it just ends.
        wait_until(
            lambda: any(w for _, w in watcher.seen) or not update.is_alive(),
            timeout=180,
            what="the canary's split, or the update's end",
        )
        clock.skip(3600)
        update.join(180)
    seen = watcher.stop()
    status = got["status"]
    routed = {v for version, weights in seen for v in (version, *weights)}
    routed.add(str(kit.versions()["A"]))
    return status, routed, seen


@pytest.mark.parametrize("model", MODELS)
def test_with_realignment_no_traffic_reaches_the_rolled_back_version_under_any_model(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, drift_model_reset: None, model: str
) -> None:
    kit = rolled_back_kit(sandbox, monkeypatch)
    sandbox.drift_model = model
    assert [i.logical_id for i in realign(kit)] == ["AFunction"]
    assert recorded(kit)["AFunctionAliasPROD"] == "2"
    status, routed, seen = deploy_watching_a(kit, monkeypatch)
    assert status == "UPDATE_COMPLETE"
    assert "3" not in routed, seen
    assert kit.versions()["A"] not in ("2", "3")


@pytest.mark.parametrize("model", MODELS)
def test_without_realignment_what_each_model_does(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, drift_model_reset: None, model: str
) -> None:
    kit = rolled_back_kit(sandbox, monkeypatch)
    sandbox.drift_model = model
    status, routed, seen = deploy_watching_a(kit, monkeypatch)
    if model == "fail":
        # The deployment fails, and CloudFormation's rollback puts the alias back on what it
        # recorded: the rolled-back version serves everything.
        assert status == "UPDATE_ROLLBACK_COMPLETE"
        assert kit.versions()["A"] == "3"
    elif model == "recorded":
        # The canary starts from the recorded version: 90% of the traffic goes back to 3.
        assert status == "UPDATE_COMPLETE"
        assert any(version == "3" and weights for version, weights in seen), seen
    else:
        assert status == "UPDATE_COMPLETE"
        assert "3" not in routed, seen


def test_realignment_over_the_inline_template_limit_uploads_the_template_to_s3(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = rolled_back_kit(sandbox, monkeypatch, padding=60_000)
    cfn = kit.sandbox.client("cloudformation")
    template = drift.processed_template(cfn, kit.stack)
    assert len(drift.json.dumps(template).encode()) > drift.TEMPLATE_BODY_MAX
    with pytest.raises(drift.OperationError, match="over CloudFormation's 51200"):
        realign(kit, store=False)
    assert [i.logical_id for i in realign(kit)] == ["AFunction"]
    assert recorded(kit)["AFunctionAliasPROD"] == "2"
    assert kit.versions()["A"] == "2"
    log = kit.log()
    listed = kit.sandbox.client("s3").list_objects_v2(
        Bucket=kit.bucket, Prefix=f"{log.base}templates/"
    )
    sizes = [o["Size"] for o in listed.get("Contents", [])]
    assert len(sizes) == 1 and sizes[0] > drift.TEMPLATE_BODY_MAX
