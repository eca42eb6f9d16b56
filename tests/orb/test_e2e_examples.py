"""Every example (and the SDK-generated config) run by the local runner against the sandbox.

Arguments are given in CircleCI's real forms: `$VAR` / `${VAR}` strings that only the orb's
scripts expand, booleans that reach the scripts as 1/0, capabilities separated by commas.
The "deploy on branch push" and "rollback behind approval" examples run in
test_e2e_jobs.py; here: the canary example (its smoke tests, overrides with variables),
one member of the region matrix, the serial-group example where a deploy fails after it
released (no record reaches the workspace: the rollback finds the release by pipeline id),
and the config generated with @circleci/circleci-config-sdk.
"""

from __future__ import annotations

import io
import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from orbtools.images import HOST, ImageProfile
from orbtools.runner import JobResult, LocalRun
from orbtools.workflow import run_workflow

from lambda_release.sandbox import Sandbox
from tests.orb.test_e2e_jobs import job_env
from tests.orb.test_sdk_example import generated_config
from tests.support.aws_state import alias_state, function_name
from tests.support.requires import require_tool
from tests.support.samapp import set_code_version, write_sam_app

# sam build (no container) needs the runtime's interpreter.
require_tool("python3.11", "sam build for python3.11 needs it on PATH")

FORMS = {"s3_bucket": "$BUCKET", "capabilities": "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND"}


def make_repo(git: Callable[..., None], tmp_path: Path) -> Path:
    """An app whose function A reads three template parameters, with unit tests."""
    repo = tmp_path / "repo"
    template = write_sam_app(repo, functions=("A", "B"), code_version="1")
    data = yaml.safe_load(template.read_text())
    data.setdefault("Parameters", {}).update(
        {
            "ErrorRateThreshold": {"Type": "Number", "Default": 5},
            "Owner": {"Type": "String", "Default": "nobody"},
            "Version": {"Type": "String", "Default": "none"},
        }
    )
    variables = {k.upper(): {"Ref": k} for k in ("ErrorRateThreshold", "Owner", "Version")}
    data["Resources"]["AFunction"]["Properties"]["Environment"] = {"Variables": variables}
    template.write_text(yaml.safe_dump(data, sort_keys=False))
    (repo / "tests" / "unit").mkdir(parents=True)
    (repo / "tests" / "unit" / "test_smoke.py").write_text(
        "import unittest\n\n\nclass Smoke(unittest.TestCase):\n"
        "    def test_it(self):\n        self.assertTrue(True)\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "app")
    return repo


def local_run(
    config: dict[str, Any],
    orb: dict[str, Any],
    tmp_path: Path,
    job: str,
    repo: Path,
    env: dict[str, str],
    pipeline: str,
    profile: ImageProfile = HOST,
) -> LocalRun:
    return LocalRun(
        config=config,
        inline_orbs={"lambda-release": orb},
        home=tmp_path / "jobs" / job,
        repo=repo,
        branch="main",
        artifacts=tmp_path / "artifacts" / job,
        workspace=tmp_path / "workspace" / pipeline,
        env={**env, "CIRCLE_PIPELINE_ID": pipeline},
        pipeline_id=pipeline,
        profile=profile,
        log=io.StringIO(),
    )


def ok(result: JobResult, run: LocalRun) -> None:
    assert result.status == "success", run.log.getvalue()[-6000:]  # type: ignore[attr-defined]


@pytest.fixture
def world(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    helper_wheel: Path,
    git: Callable[..., None],
    job_profile: ImageProfile,
) -> dict[str, Any]:
    prefix = f"ex-{uuid.uuid4().hex[:8]}"
    bucket = f"{prefix}-artifacts"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    env = {**job_env(tmp_path, sandbox_env), "BUCKET": bucket, "ARTIFACTS_BUCKET": bucket}
    return {
        "prefix": prefix,
        "env": env,
        "repo": make_repo(git, tmp_path),
        "ours": {"stack_prefix": prefix, "helper_source": str(helper_wheel)},
        "profile": job_profile,
    }


def usage(packed_orb: dict[str, Any], example: str) -> dict[str, Any]:
    data = packed_orb["examples"][example]["usage"]
    assert isinstance(data, dict)
    return data


def test_canary_example_expands_variables_and_runs_its_tests(
    packed_orb: dict[str, Any], sandbox: Sandbox, world: dict[str, Any], tmp_path: Path
) -> None:
    config = usage(packed_orb, "canary_with_alarms")
    run = local_run(
        config, packed_orb, tmp_path, "canary", world["repo"], world["env"], "p1", world["profile"]
    )
    result = run.run_invocation("lambda-release/deploy", **world["ours"], **FORMS)
    ok(result, run)
    assert result.step("Smoke-test the build before traffic moves").status == "success"
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    stack = f"{world['prefix']}-prod"
    fn = function_name(cfn, stack, "AFunction")
    variables = lam.get_function_configuration(FunctionName=fn)["Environment"]["Variables"]
    sha = run.pipeline()["git.revision"]
    assert variables == {"ERRORRATETHRESHOLD": "1", "OWNER": "team payments", "VERSION": sha}
    assert alias_state(lam, fn, "PROD") == ("1", {})
    sarif = json.loads(
        (tmp_path / "artifacts" / "canary" / "lambda-release" / "check.sarif").read_text()
    )
    assert sarif["version"] == "2.1.0"


def test_matrix_example_releases_in_its_region(
    packed_orb: dict[str, Any], sandbox: Sandbox, world: dict[str, Any], tmp_path: Path
) -> None:
    config = usage(packed_orb, "multi_region_matrix")
    run = local_run(
        config, packed_orb, tmp_path, "eu", world["repo"], world["env"], "p1", world["profile"]
    )
    result = run.run_invocation("deploy-eu-west-1", **world["ours"], **FORMS, resolve_s3=False)
    ok(result, run)
    record = json.loads(
        (tmp_path / "artifacts" / "eu" / "lambda-release" / "release-eu-west-1.json").read_text()
    )
    assert record["outcome"] == "succeeded"
    env = world["env"]
    cfn = boto3.client(
        "cloudformation",
        endpoint_url=sandbox.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
    )
    stack = cfn.describe_stacks(StackName=f"{world['prefix']}-prod")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_serialised_example_rolls_back_a_failed_deploy_found_by_pipeline_id(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    world: dict[str, Any],
    tmp_path: Path,
) -> None:
    config = usage(packed_orb, "serialised_deploys")
    repo, env, ours = world["repo"], world["env"], world["ours"]
    run = local_run(config, packed_orb, tmp_path, "d1", repo, env, "p1", world["profile"])
    ok(run.run_invocation("lambda-release/deploy", **ours, **FORMS), run)

    set_code_version(repo, "2", ["A", "B"])
    git(repo, "commit", "-qam", "version 2")
    failing_smoke = [{"run": {"name": "Smoke tests", "command": "echo smoke failed; exit 1"}}]
    run = local_run(config, packed_orb, tmp_path, "d2", repo, env, "p2", world["profile"])
    result = run.run_invocation("lambda-release/deploy", **ours, **FORMS, post_deploy=failing_smoke)
    assert result.status == "failed"
    assert result.step("Release with sam deploy and record it").status == "success"
    assert result.step("persist_to_workspace").status == "skipped"  # as on CircleCI
    assert (tmp_path / "artifacts" / "d2" / "lambda-release" / "release.json").exists()
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    stack = f"{world['prefix']}-prod"
    fns = [function_name(cfn, stack, f"{x}Function") for x in ("A", "B")]
    assert [alias_state(lam, fn, "PROD") for fn in fns] == [("2", {}), ("2", {})]

    run = local_run(config, packed_orb, tmp_path, "undo", repo, env, "p2", world["profile"])
    result = run.run_invocation("lambda-release/rollback", **ours)
    ok(result, run)
    assert "looking up pipeline p2 in the release log" in run.log.getvalue()  # type: ignore[attr-defined]
    assert [alias_state(lam, fn, "PROD") for fn in fns] == [("1", {}), ("1", {})]


def test_sdk_generated_config_deploys_and_rolls_back(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    world: dict[str, Any],
    tmp_path: Path,
    helper_wheel: Path,
    generate: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    config = generated_config(
        generate,
        packed_orb,
        tmp_path,
        LR_STACK_PREFIX=world["prefix"],
        LR_HELPER_SOURCE=str(helper_wheel),
    )
    repo, env = world["repo"], world["env"]
    run = local_run(config, packed_orb, tmp_path, "s1", repo, env, "p1", world["profile"])
    ok(run.run_invocation("deploy"), run)
    set_code_version(repo, "2", ["A", "B"])
    git(repo, "commit", "-qam", "version 2")
    run = local_run(config, packed_orb, tmp_path, "s2", repo, env, "p2", world["profile"])
    ok(run.run_invocation("deploy"), run)
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    fn = function_name(cfn, f"{world['prefix']}-prod", "AFunction")
    assert alias_state(lam, fn, "PROD") == ("2", {})
    run = local_run(config, packed_orb, tmp_path, "s3", repo, env, "p2", world["profile"])
    ok(run.run_invocation("rollback"), run)
    assert alias_state(lam, fn, "PROD") == ("1", {})
    variables = lam.get_function_configuration(FunctionName=f"{fn}:PROD")["Environment"]
    assert variables["Variables"]["VERSION"] != "${CIRCLE_SHA1}"


def test_approval_example_offers_the_rollback_after_a_deploy_that_released_then_failed(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    world: dict[str, Any],
    tmp_path: Path,
) -> None:
    """The whole workflow: deploy, hold (requires deploy: [success, failed]), rollback."""
    config = usage(packed_orb, "rollback_behind_approval")
    repo, env, ours = world["repo"], world["env"], world["ours"]
    overrides = {
        "lambda-release/deploy": {**ours, **FORMS},
        "lambda-release/rollback": ours,
    }
    run = local_run(config, packed_orb, tmp_path, "p1", repo, env, "p1", world["profile"])
    done = run_workflow(run, "release", tmp_path / "ws-p1", overrides=overrides)
    assert done.statuses["lambda-release/deploy"] == "success", run.log.getvalue()[-6000:]  # type: ignore[attr-defined]
    assert (done.statuses["hold-rollback"], done.statuses["lambda-release/rollback"]) == (
        "on_hold",
        "not_run",
    )

    set_code_version(repo, "2", ["A", "B"])
    git(repo, "commit", "-qam", "version 2")
    failing_smoke = [{"run": {"name": "Smoke tests", "command": "echo smoke failed; exit 1"}}]
    overrides["lambda-release/deploy"] = {**ours, **FORMS, "post_deploy": failing_smoke}
    run = local_run(config, packed_orb, tmp_path, "p2", repo, env, "p2", world["profile"])
    done = run_workflow(
        run, "release", tmp_path / "ws-p2", approve={"hold-rollback"}, overrides=overrides
    )
    log = run.log.getvalue()  # type: ignore[attr-defined]
    deploy = done.results["lambda-release/deploy"]
    assert deploy.status == "failed"
    assert deploy.step("Release with sam deploy and record it").status == "success"
    assert done.statuses["hold-rollback"] == "success"
    assert done.statuses["lambda-release/rollback"] == "success", log[-6000:]
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    stack = f"{world['prefix']}-prod"
    fns = [function_name(cfn, stack, f"{x}Function") for x in ("A", "B")]
    assert [alias_state(lam, fn, "PROD") for fn in fns] == [("1", {}), ("1", {})]
    # Exactly pipeline 2's release was undone: the rollback's record names its id.
    released = json.loads(
        (
            tmp_path
            / "artifacts"
            / "p2"
            / "lambda-release_deploy"
            / "lambda-release"
            / "release.json"
        ).read_text()
    )
    undone = (
        tmp_path
        / "artifacts"
        / "p2"
        / "lambda-release_rollback"
        / "lambda-release"
        / "rollback.json"
    )
    assert released["id"] in undone.read_text()
