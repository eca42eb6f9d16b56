"""Dry runs decide with the real run's code: they refuse where it would, and only there.

Each case runs the console script against the sandbox and checks the log and the aliases
are exactly as before (a dry run writes nothing).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from lambda_release.log import lock
from lambda_release.release.begin import begin
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import kit_lr, run_rollback
from tests.rollback.stackkit import ALIAS, Kit
from tests.support.processes import describe


def log_objects(kit: Kit) -> dict[str, Any]:
    """Every object of the log with its ETag: any write changes this."""
    s3 = kit.sandbox.client("s3")
    found: dict[str, Any] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=kit.bucket):
        for obj in page.get("Contents", []):
            if "lambda-release/" in obj["Key"]:
                found[obj["Key"]] = obj["ETag"]
    return found


def state(kit: Kit) -> tuple[dict[str, Any], dict[str, str | None], dict[str, str | None]]:
    """The log's objects, the aliases and their stable pointers."""
    return log_objects(kit), kit.versions(), kit.versions(f"{ALIAS}_STABLE")


def error_line(p: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in p.stderr, p.stderr
    (line,) = [x for x in p.stderr.splitlines() if ": error: " in x]
    return line


def pending_release(kit: Kit, changes: dict[str, str], *, lease_seconds: float) -> str:
    """A deploy that changed the aliases and died before settling: its lease lapses."""
    entry, _lease, problems = begin(
        kit.engine(),
        kit.log(),
        environment="test",
        mode="deploy",
        lock_ttl=lease_seconds,
        lock_timeout=5,
    )
    assert not problems, problems
    assert kit.update_outside_the_log(changes) == "UPDATE_COMPLETE"
    time.sleep(lease_seconds)  # the lease lapses: the job is gone
    return str(entry["id"])


@pytest.fixture
def two_releases(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    kit = Kit.in_env(sandbox, monkeypatch, "dry")
    kit.release({"A": "1", "B": "1"})
    kit.release({"A": "2", "B": "2"})
    return kit


@pytest.fixture
def rolled_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """R1, R2, then R2 rolled back: A runs 1 while CloudFormation records 2."""
    kit = Kit.in_env(sandbox, monkeypatch, "dry")
    kit.release({"A": "1"})
    kit.release({"A": "2"})
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    return kit


def test_begin_dry_run_after_a_rollback_goes_ahead_like_begin(rolled_back: Kit) -> None:
    """The divergence of issue 13: the dry run refused for drift the real run realigns."""
    kit = rolled_back
    before = state(kit)
    dry = kit_lr(kit, "begin", "--dry-run")
    assert dry.returncode == 0, describe(dry)
    assert "would refuse" not in dry.stdout
    assert "would realign" in dry.stderr
    assert state(kit) == before  # nothing written, nothing realigned
    real = kit_lr(kit, "begin")
    assert real.returncode == 0, describe(real)
    assert len(kit.log().pending_ids()) == 1


def test_deploy_and_begin_dry_runs_refuse_a_held_lock_in_the_real_runs_words(
    rolled_back: Kit, tmp_path: Path
) -> None:
    kit = rolled_back
    (tmp_path / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    log = kit.log()
    lease = lock.acquire(log, "20990101T000000.000000Z-held", mode="begin", ttl=600, timeout=0)
    before = state(kit)
    real = kit_lr(kit, "begin")
    assert real.returncode == 1
    words = lock.locked_message(log, lease.body)
    assert words in real.stderr
    for command in ("begin", "deploy"):
        dry = kit_lr(kit, command, "--dry-run", cwd=tmp_path)
        assert dry.returncode == 1, describe(dry)
        assert f"would refuse: {words}" in dry.stdout, dry.stdout
    assert state(kit) == before


def test_rollback_dry_run_refuses_a_release_still_being_deployed_like_the_real_run(
    two_releases: Kit,
) -> None:
    kit = two_releases
    begin(kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=600, lock_timeout=5)
    before = state(kit)
    dry, real = run_rollback(kit, "--dry-run"), run_rollback(kit)
    assert dry.returncode == real.returncode == 1, describe(dry)
    assert error_line(dry) == error_line(real)
    assert "still being deployed" in error_line(dry)
    assert state(kit) == before


def test_rollback_dry_run_refuses_a_held_lock_like_the_real_run(two_releases: Kit) -> None:
    kit = two_releases
    lock.acquire(kit.log(), "20990101T000000.000000Z-other", mode="rollback", ttl=600, timeout=0)
    before = state(kit)
    dry = run_rollback(kit, "--dry-run")
    assert dry.returncode == 1 and "is locked by" in error_line(dry)
    objects = log_objects(kit)
    assert state(kit) == before
    real = run_rollback(kit)
    assert real.returncode == 1 and error_line(real) == error_line(dry)
    claims = set(log_objects(kit)) - set(objects)
    assert all("/rollbacks/" in key for key in claims)  # the real run only claimed


def test_rollback_dry_run_plans_the_release_a_dead_deploy_left_pending(two_releases: Kit) -> None:
    """The real run settles it first and undoes it; the dry run plans exactly that."""
    kit = two_releases
    rid = pending_release(kit, {"A": "3"}, lease_seconds=1.0)
    before = state(kit)
    dry = run_rollback(kit, "--dry-run", "--output", "json")
    assert dry.returncode == 0, describe(dry)
    plan = json.loads(dry.stdout)
    assert plan["release"] == rid
    assert state(kit) == before
    real = run_rollback(kit, "--output", "json")
    assert real.returncode == 0, describe(real)
    assert json.loads(real.stdout)["release"] == rid
    assert kit.versions()["A"] == "2"


def test_status_only_reads(two_releases: Kit) -> None:
    kit = two_releases
    rid = pending_release(kit, {"A": "3"}, lease_seconds=1.0)
    before = state(kit)
    p = kit_lr(kit, "status", "--output", "json")
    assert p.returncode == 0, describe(p)
    (alias,) = json.loads(p.stdout)["aliases"]
    assert alias["pending"] == [rid] and alias["log_error"] is None
    assert state(kit) == before


def test_status_exits_1_when_the_log_cannot_be_read(two_releases: Kit) -> None:
    kit = two_releases
    args = ["status", "--stack", kit.stack, "--alias", ALIAS, "--log-bucket", "no-such-bucket-13"]
    p = kit_lr(kit, *args, target=False, timeout=120)
    assert p.returncode == 1
    assert "release log unreadable" in error_line(p) and "no-such-bucket-13" in error_line(p)
    assert "AFunction" in p.stdout  # what could be read is still shown
