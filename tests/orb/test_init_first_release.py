"""A real app's first release, as a new user makes it: `sam init`'s hello-world app (its
samconfig.toml as SAM writes it: resolve_s3, confirm_changeset), a team config with a
unit-tests job, `lambda-release init`, then the jobs of the config init wrote through the
local orb runner against the stand-in: STAGING from a feature branch, PROD from main
with a canary, and the rollback behind the hold. No bucket is given anywhere: the first
deploy has SAM create its managed bucket, as `sam deploy --resolve-s3` would. The trust
policies init's next steps print refuse PROD from a feature branch."""

from __future__ import annotations

import io
import json
import os
import shlex
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from orbtools.runner import LocalRun

from lambda_release.iam.trust import ACTION, subject
from lambda_release.sandbox import Sandbox
from tests.iam.evaluate import is_allowed
from tests.orb.test_e2e_jobs import assert_ok, job_env, record
from tests.support.aws_state import alias_state, function_name
from tests.support.processes import Cli, Spawn
from tests.support.sam_init import sam_init
from tests.support.standin_clock import through_a_canary_step

TEAM_CONFIG = """\
version: 2.1
jobs:
  unit-tests:
    docker:
      - image: cimg/python:3.11
    steps: [checkout, {run: python -m pytest tests/unit}]
workflows:
  ci:
    jobs: [unit-tests]
"""
ORG, PROJECT, ACCOUNT = str(uuid.uuid4()), str(uuid.uuid4()), "123456789012"


def _runner(
    packed_orb: dict[str, Any],
    tmp_path: Path,
    job: str,
    repo: Path,
    branch: str,
    env: dict[str, str],
    pipeline: str,
) -> LocalRun:
    """The runner on the config init wrote (each pipeline with its own workspace)."""
    return LocalRun(
        config=yaml.safe_load((repo / ".circleci" / "config.yml").read_text()),
        inline_orbs={"lambda-release": packed_orb},
        home=tmp_path / "jobs" / job,
        repo=repo,
        branch=branch,
        artifacts=tmp_path / "artifacts" / job,
        workspace=tmp_path / "workspace" / pipeline,
        env=env,
        log=io.StringIO(),
    )


def trust_commands(stdout: str) -> dict[str, str]:
    """The --trust commands init printed, by the role they follow in the next steps."""
    found: dict[str, str] = {}
    role = ""
    for line in stdout.splitlines():
        text = line.strip()
        if text.startswith("lambda-release iam-policy --role"):
            role = f"{text.split()[3]} {text.split()[5]}"
        elif text.startswith("lambda-release iam-policy --trust"):
            found[role] = text
    return found


def assumes(policy: dict[str, Any], ref: str) -> bool:
    issuer = f"oidc.circleci.com/org/{ORG}"
    sub = subject(ORG, PROJECT, str(uuid.uuid4()), "github.com/acme/app", ref)
    principal = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"}
    context = {f"{issuer}:sub": sub, f"{issuer}:aud": ORG}
    return is_allowed(policy, ACTION, None, context, principal)


def test_sam_init_app_first_release_through_the_config_init_writes(
    git: Callable[..., None],
    lr: Cli,
    spawn: Spawn,
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    helper_wheel: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = sam_init(spawn, tmp_path, "sam-app")
    assert "resolve_s3 = true" in (repo / "samconfig.toml").read_text()
    (repo / ".circleci").mkdir()
    (repo / ".circleci" / "config.yml").write_text(TEAM_CONFIG)
    prefix = f"hello-{uuid.uuid4().hex[:8]}"
    done = lr("init", "--stack-prefix", prefix, cwd=repo, env=os.environ)
    assert done.returncode == 0, done.stdout + done.stderr

    # The release jobs joined the team's workflow and wait for its tests.
    config = yaml.safe_load((repo / ".circleci" / "config.yml").read_text())
    jobs = {
        (args or {}).get("name", ref) if isinstance(job, dict) else job: args
        for job in config["workflows"]["ci"]["jobs"]
        for ref, args in (job.items() if isinstance(job, dict) else [(job, {})])
    }
    assert jobs["deploy-prod"]["requires"] == ["unit-tests"]
    assert jobs["deploy-staging"]["requires"] == ["unit-tests"]
    assert jobs["deploy-prod"]["context"] != jobs["deploy-staging"]["context"]
    assert jobs["hold-rollback"]["filters"] == {"branches": {"only": "main"}}
    assert ".lambda-release/" in (repo / ".gitignore").read_text().splitlines()

    # The trust policies, as printed (variables set as step 0 asks): PROD only from main.
    variables = {
        "AWS_ACCOUNT_ID": ACCOUNT,
        "AWS_REGION": "us-east-1",
        "CIRCLECI_ORG_ID": ORG,
        "CIRCLECI_PROJECT_ID": PROJECT,
    }
    printed = trust_commands(done.stdout)
    policies = {}
    for role, command in printed.items():
        argv = [variables.get(a[1:], a) if a.startswith("$") else a for a in shlex.split(command)]
        ran = lr(*argv[1:], env={**os.environ, **variables})
        assert ran.returncode == 0, ran.stderr
        policies[role] = json.loads(ran.stdout)
    prod_deploy = policies[f"deploy {prefix}-prod"]
    staging_deploy = policies[f"deploy {prefix}-staging"]
    assert assumes(prod_deploy, "refs/heads/main")
    assert not assumes(prod_deploy, "refs/heads/feature/x")
    assert not assumes(policies[f"rollback {prefix}-prod"], "refs/heads/feature/x")
    assert assumes(staging_deploy, "refs/heads/feature/x")

    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "hello world, made safe by lambda-release init")
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    env = job_env(tmp_path, sandbox_env)
    ours = {"helper_source": str(helper_wheel)}

    # feature/x -> STAGING; no bucket given: SAM's managed bucket, made if missing.
    run = _runner(packed_orb, tmp_path, "staging", repo, "feature/x", env, "p0")
    assert_ok(run.run_invocation("deploy-staging", **ours), run)
    staging_fn = function_name(cfn, f"{prefix}-staging", "HelloWorldFunction")
    assert alias_state(lam, staging_fn, "STAGING") == ("1", {})
    managed = cfn.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]
    assert managed["StackStatus"] == "CREATE_COMPLETE"

    # main -> PROD: created (p1), then version 2 by canary (p2).
    run = _runner(packed_orb, tmp_path, "p1", repo, "main", env, "p1")
    assert_ok(run.run_invocation("deploy-prod", **ours), run)
    prod_fn = function_name(cfn, f"{prefix}-prod", "HelloWorldFunction")
    assert alias_state(lam, prod_fn, "PROD") == ("1", {})
    app = repo / "hello_world" / "app.py"
    app.write_text(app.read_text() + "\n# version 2\n")
    git(repo, "commit", "-qam", "hello: version 2")

    def deploy_p2() -> None:
        run = _runner(packed_orb, tmp_path, "p2", repo, "main", env, "p2")
        assert_ok(run.run_invocation("deploy-prod", **ours), run)

    _, seen = through_a_canary_step(sandbox, monkeypatch, lam, prod_fn, deploy_p2)
    assert ("1", {"2": 0.1}) in seen, seen
    assert alias_state(lam, prod_fn, "PROD") == ("2", {})
    released = record(tmp_path, "p2")
    assert (released["alias"], released["outcome"]) == ("PROD", "succeeded")

    # The hold approved: the rollback job undoes exactly pipeline 2's release.
    run = _runner(packed_orb, tmp_path, "undo", repo, "main", env, "p2")
    assert_ok(run.run_invocation("rollback-prod", **ours), run)
    assert alias_state(lam, prod_fn, "PROD") == ("1", {})
    assert released["id"] in json.dumps(record(tmp_path, "undo", "rollback.json"))
