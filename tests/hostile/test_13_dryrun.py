"""Dry runs decide with the real run's code: they refuse where it would, and only there.

Each case runs the console script against the sandbox and checks the log and the aliases
are exactly as before (a dry run writes nothing).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from lambda_release import lock
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import cli_env, console_script, describe, run_rollback
from tests.rollback.stackkit import Kit

pytestmark = pytest.mark.e2e


def lr(
    kit: Kit, command: str, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), command, *kit.cli_args(), *args],
        cwd=cwd,
        env=cli_env(kit),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def log_objects(kit: Kit) -> dict[str, Any]:
    """Every object of the log with its ETag: any write changes this."""
    s3 = kit.sandbox.client("s3")
    found: dict[str, Any] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=kit.bucket):
        for obj in page.get("Contents", []):
            if "lambda-release/" in obj["Key"]:
                found[obj["Key"]] = obj["ETag"]
    return found


def state(kit: Kit) -> tuple[dict[str, Any], dict[str, str]]:
    return log_objects(kit), kit.versions()


@pytest.fixture
def rolled_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """R1, R2, then R2 rolled back: A runs 1 while CloudFormation records 2."""
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    kit = Kit.create(sandbox, "dry")
    kit.release({"A": "1"})
    kit.release({"A": "2"})
    done = run_rollback(kit)
    assert done.returncode == 0, describe(done)
    return kit


def test_begin_dry_run_after_a_rollback_goes_ahead_like_begin(rolled_back: Kit) -> None:
    """The divergence of issue 13: the dry run refused for drift the real run realigns."""
    kit = rolled_back
    before = state(kit)
    dry = lr(kit, "begin", "--dry-run")
    assert dry.returncode == 0, describe(dry)
    assert "would refuse" not in dry.stdout
    assert "would realign" in dry.stderr
    assert state(kit) == before  # nothing written, nothing realigned
    real = lr(kit, "begin")
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
    real = lr(kit, "begin")
    assert real.returncode == 1
    words = lock.locked_message(log, lease.body)
    assert words in real.stderr
    for command in ("begin", "deploy"):
        dry = lr(kit, command, "--dry-run", cwd=tmp_path)
        assert dry.returncode == 1, describe(dry)
        assert f"would refuse: {words}" in dry.stdout, dry.stdout
    assert state(kit) == before
