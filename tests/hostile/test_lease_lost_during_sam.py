"""A deploy whose lease lapsed while sam ran, and another runner released meanwhile.

The other runner settled this release (its lease had lapsed) and then made a newer one.
When sam returns, this deploy must not point ``<ALIAS>_STABLE`` back at what its own,
older release implies: the stable versions follow the log's newest release in effect.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from lambda_release.log.location import LogLocation
from lambda_release.release.deploy import DeployPlan, deploy
from lambda_release.sandbox import Sandbox
from tests.rollback.stackkit import ALIAS, Kit, code_key, function_code, template
from tests.support.aws_state import wait_for_stack

STABLE = f"{ALIAS}_STABLE"


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    k = Kit.in_env(sandbox, monkeypatch, "lost")
    k.release({"A": "1", "B": "1"})
    k.release({"A": "2", "B": "1"})
    yield k


def test_a_lease_lost_during_sam_leaves_the_stable_versions_to_the_newer_release(
    kit: Kit,
) -> None:
    seen: dict[str, Any] = {}

    def sam_then_someone_else(_cmd: list[str], **_kw: Any) -> int:
        # What `sam deploy` does for this release: A 2 -> 3.
        kit.code["A"] = "3"
        s3 = kit.sandbox.client("s3")
        s3.put_object(Bucket=kit.bucket, Key=code_key("A", "3"), Body=function_code("A", "3"))
        kit.submit(template(kit.code, kit.bucket, "AllAtOnce"))
        assert wait_for_stack(kit.sandbox.client("cloudformation"), kit.stack) == (
            "UPDATE_COMPLETE"
        )
        time.sleep(2.5)  # the 2-second lease lapses (no heartbeat renews it here)
        seen["newer"] = kit.release({"B": "2"})  # settles ours, then releases B 1 -> 2
        seen["stable"] = kit.versions(STABLE)
        return 0

    plan = DeployPlan(
        environment="test",
        sam_command=["sam", "deploy"],
        sam_env={},
        log_location=LogLocation(kit.bucket),
        lock_ttl=2.0,
        heartbeat=3600.0,
    )
    result = deploy(kit.engine(), plan, run_sam=sam_then_someone_else, progress=lambda _l: None)
    assert result.release is not None and result.release.outcome == "succeeded"
    assert any("the lock was taken over while sam ran" in w for w in result.warnings)
    assert seen["newer"] in " ".join(result.warnings)
    # The newer release (B only) set A's stable version to its current one (3): unchanged.
    assert kit.versions() == {"A": "3", "B": "2"}
    assert seen["stable"]["A"] == "3" and seen["stable"]["B"] == "1"
    assert kit.versions(STABLE) == seen["stable"]
    ids = [r.id for r in kit.entries()]
    assert ids[-1] == seen["newer"] and ids == sorted(ids)
