"""The issue's end-to-end check: the orb's jobs, run by the local runner, against the sandbox.

The `deploy` job of the "deploy on branch push" example and the `rollback` job of the
"rollback behind an approval" example run as CircleCI would run them (scripts from the packed
orb, bash -eo pipefail, $BASH_ENV, checkout of a fixture repository, artifacts, workspace),
with the real SAM CLI and the helper installed from a wheel of this tree by the orb's own
install step. `aws-cli/setup` is another orb's step: a logged no-op; the sandbox's variables
stand in for the credentials it would set.
"""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from orbtools.images import HOST, ImageProfile
from orbtools.runner import JobResult, LocalRun

from lambda_release.sandbox import Sandbox
from tests.support.aws_state import alias_state, function_name, stack_status
from tests.support.report_pages import parse_markdown
from tests.support.requires import require_tool
from tests.support.samapp import set_code_version, write_sam_app
from tests.support.standin_clock import through_a_canary_step

# sam build (no container) needs the runtime's interpreter.
require_tool("python3.11", "sam build for python3.11 needs it on PATH")

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def repo(git: Callable[..., None], tmp_path: Path) -> Path:
    """A user's repository: a two-function SAM app on main, and a feature/x branch."""
    repo = tmp_path / "repo"
    write_sam_app(repo, functions=("A", "B"), code_version="1")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "app")
    git(repo, "branch", "feature/x")
    return repo


def job_env(tmp_path: Path, sandbox_env: dict[str, str]) -> dict[str, str]:
    """The sandbox's AWS variables; PATH with sam but without this venv's lambda-release."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    if not (tools / "sam").exists():
        (tools / "sam").symlink_to(VENV_BIN / "sam")
    path = [str(tools)] + [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != VENV_BIN
    ]
    return {
        **sandbox_env,
        "PATH": os.pathsep.join(path),
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_DISABLE_VERSION_CHECK": "1",
        # One helper environment for all the jobs of this test (CircleCI would install it in
        # each fresh container; bench/orb_bench.py measures that cold install).
        "LR_STR_HELPER_HOME": str(tmp_path / "helper"),
    }


def runner(
    packed_orb: dict[str, Any],
    example: str,
    tmp_path: Path,
    job: str,
    repo: Path,
    branch: str,
    env: dict[str, str],
    pipeline: str = "p0",
    profile: ImageProfile = HOST,
) -> LocalRun:
    usage = packed_orb["examples"][example]["usage"]
    return LocalRun(
        config=usage,
        inline_orbs={"lambda-release": packed_orb},
        home=tmp_path / "jobs" / job,
        repo=repo,
        branch=branch,
        artifacts=tmp_path / "artifacts" / job,
        workspace=tmp_path / "workspace" / pipeline,  # each pipeline has its own workspace
        env=env,
        profile=profile,
        log=io.StringIO(),
    )


def assert_ok(result: JobResult, run: LocalRun) -> None:
    assert result.status == "success", run.log.getvalue()[-6000:]  # type: ignore[attr-defined]


def report_artifact(tmp_path: Path, job: str, name: str) -> str:
    """A file of the report the job stored as an artifact."""
    return (tmp_path / "artifacts" / job / "lambda-release" / "report" / name).read_text()


def record(tmp_path: Path, job: str, name: str = "release.json") -> dict[str, Any]:
    data = json.loads((tmp_path / "artifacts" / job / "lambda-release" / name).read_text())
    assert isinstance(data, dict)
    return data


def deploy_prod(
    packed_orb: dict[str, Any],
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    ours: dict[str, Any],
    pipeline: str,
    profile: ImageProfile = HOST,
) -> LocalRun:
    run = runner(
        packed_orb,
        "deploy_on_branch_push",
        tmp_path,
        pipeline,
        repo,
        "main",
        env,
        pipeline,
        profile,
    )
    assert_ok(run.run_invocation("deploy-prod", **ours), run)
    return run


def rollback(
    packed_orb: dict[str, Any],
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    prefix: str,
    wheel: Path,
    pipeline: str,
    job: str,
    profile: ImageProfile = HOST,
) -> tuple[JobResult, LocalRun]:
    """The approval example's rollback job, in `pipeline` (whose workspace holds its deploy)."""
    run = runner(
        packed_orb, "rollback_behind_approval", tmp_path, job, repo, "main", env, pipeline, profile
    )
    result = run.run_invocation(
        "lambda-release/rollback", stack_prefix=prefix, helper_source=str(wheel)
    )
    return result, run


def test_deploy_job_staging_then_prod_canary_then_rollback_job(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    repo: Path,
    tmp_path: Path,
    helper_wheel: Path,
    monkeypatch: pytest.MonkeyPatch,
    job_profile: ImageProfile,
) -> None:
    prefix = f"orb-e2e-{uuid.uuid4().hex[:8]}"
    bucket = f"{prefix}-artifacts"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    env = {**job_env(tmp_path, sandbox_env), "BUCKET": bucket}
    # CircleCI's real forms: a $VAR the orb expands, a boolean (1/0 in the script), commas.
    ours = {
        "stack_prefix": prefix,
        "helper_source": str(helper_wheel),
        "s3_bucket": "$BUCKET",
        "resolve_s3": False,
        "capabilities": "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND",
    }

    # feature/x -> STAGING of <prefix>-staging.
    run = runner(
        packed_orb,
        "deploy_on_branch_push",
        tmp_path,
        "staging",
        repo,
        "feature/x",
        env,
        profile=job_profile,
    )
    result = run.run_invocation("deploy-staging", **ours)
    assert_ok(result, run)
    # aws-cli/setup (no role_arn here) configures the default profile, region from the env.
    assert "aws-cli/setup: profile default" in run.log.getvalue()  # type: ignore[attr-defined]
    staging = f"{prefix}-staging"
    assert stack_status(cfn, staging) == "CREATE_COMPLETE"
    for logical in ("AFunction", "BFunction"):
        assert alias_state(lam, function_name(cfn, staging, logical), "STAGING") == ("1", {})
    staged = record(tmp_path, "staging")
    assert (staged["stack"], staged["alias"], staged["outcome"]) == (
        staging,
        "STAGING",
        "succeeded",
    )

    # main -> PROD of <prefix>-prod: created (pipeline 1), then version 2 through the canary.
    prod = f"{prefix}-prod"
    deploy_prod(packed_orb, tmp_path, repo, env, ours, "p1", job_profile)
    fn_a, fn_b = (function_name(cfn, prod, f"{x}Function") for x in ("A", "B"))
    assert alias_state(lam, fn_a, "PROD") == ("1", {})

    set_code_version(repo, "2", ["A", "B"])
    git(repo, "commit", "-qam", "version 2")
    # The canary's 10% step lasts until the watcher has seen it (a 2 s one could end between
    # two reads on a loaded machine), then the stand-in's clock jumps past it.
    _, seen = through_a_canary_step(
        sandbox,
        monkeypatch,
        lam,
        fn_a,
        lambda: deploy_prod(packed_orb, tmp_path, repo, env, ours, "p2", job_profile),
    )
    assert ("1", {"2": 0.1}) in seen, seen  # the canary: 10% on the new version first
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("2", {})
    released = record(tmp_path, "p2")
    assert (released["stack"], released["alias"], released["outcome"]) == (
        prod,
        "PROD",
        "succeeded",
    )
    assert (tmp_path / "workspace" / "p2" / "lambda-release" / "release.json").exists()
    # The job's report (issue 32), stored beside the record (the canary's step here is too
    # short for the deploy's reads: tests/engine/test_report_e2e.py checks the timeline).
    md = parse_markdown(report_artifact(tmp_path, "p2", "report.md"))
    assert released["id"] in md.title and md.outcome == "succeeded"
    assert md.functions["AFunction"]["before"] == "1" and md.functions["AFunction"]["after"] == "2"
    assert f'id="r-{released["id"]}"' in report_artifact(tmp_path, "p2", "report.html")

    # Pipeline 3 releases version 3.
    set_code_version(repo, "3", ["A", "B"])
    git(repo, "commit", "-qam", "version 3")
    deploy_prod(packed_orb, tmp_path, repo, env, ours, "p3", job_profile)
    newest = record(tmp_path, "p3")
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("3", {})

    # The hold left in pipeline 2, approved now, must not undo pipeline 3's release.
    result, run = rollback(
        packed_orb, tmp_path, repo, env, prefix, helper_wheel, "p2", "old", job_profile
    )
    assert result.status == "failed", run.log.getvalue()[-4000:]  # type: ignore[attr-defined]
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("3", {})
    assert record(tmp_path, "old", "rollback.json")  # a record is kept, even of a refusal
    # ... and a report, though the rollback step failed (the report step runs `when: always`)
    assert "No release was recorded" in report_artifact(tmp_path, "old", "report.md")

    # Pipeline 3's rollback: PROD back to the stable version (2) of every function.
    result, run = rollback(
        packed_orb, tmp_path, repo, env, prefix, helper_wheel, "p3", "undo", job_profile
    )
    assert_ok(result, run)
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("2", {})
    assert "approved by: unknown" in run.log.getvalue()  # type: ignore[attr-defined]
    assert newest["id"] in json.dumps(record(tmp_path, "undo", "rollback.json"))
    undo = parse_markdown(report_artifact(tmp_path, "undo", "report.md"))
    assert undo.title.startswith("Rollback ") and newest["id"] in undo.undone
    assert "approved by unknown" in " ".join(undo.why)

    # A second approval (a re-run of the same job) changes nothing and succeeds.
    result, run = rollback(
        packed_orb, tmp_path, repo, env, prefix, helper_wheel, "p3", "again", job_profile
    )
    assert_ok(result, run)
    for fn in (fn_a, fn_b):
        assert alias_state(lam, fn, "PROD") == ("2", {})
