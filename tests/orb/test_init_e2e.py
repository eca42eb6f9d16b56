"""`lambda-release init` on the demo app stripped of its guardrails gives back a working
release: the config init writes runs its deploy job through the local orb runner (the
real `sam build`/`sam deploy`, the helper from a wheel of this tree) against the
stand-in, first creating production, then releasing new code to PROD by canary."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.sandbox import Sandbox
from tests.orb.test_e2e_jobs import assert_ok, job_env, record, runner
from tests.support.aws_state import alias_state, function_name
from tests.support.bare_demo import write_bare_demo
from tests.support.processes import Cli
from tests.support.standin_clock import through_a_canary_step


def _init(lr: Cli, repo: Path, prefix: str) -> subprocess.CompletedProcess[str]:
    return lr("init", "--stack-prefix", prefix, cwd=repo, env=os.environ)


def _deploy(
    packed_orb: dict[str, Any],
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    ours: dict[str, Any],
    pipeline: str,
) -> None:
    config = yaml.safe_load((repo / ".circleci" / "config.yml").read_text())
    run = runner(packed_orb, "deploy_on_branch_push", tmp_path, pipeline, repo, "main", env)
    run.config = config  # the generated config, not an example's
    assert_ok(run.run_invocation("deploy-prod", **ours), run)


def test_init_on_the_bare_demo_app_gives_a_working_release(
    git: Callable[..., None],
    lr: Cli,
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    helper_wheel: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = tmp_path / "repo"
    write_bare_demo(repo)
    prefix = f"init-{uuid.uuid4().hex[:8]}"
    done = _init(lr, repo, prefix)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"lambda-release iam-policy --role deploy --stack {prefix}-prod" in done.stdout
    again = _init(lr, repo, prefix)
    assert again.returncode == 0 and "nothing to change" in again.stdout, again.stdout
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "app, made safe by lambda-release init")

    bucket = f"{prefix}-artifacts"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    env = job_env(tmp_path, sandbox_env)
    ours = {"helper_source": str(helper_wheel), "s3_bucket": bucket}

    _deploy(packed_orb, tmp_path, repo, env, ours, "p1")
    prod = f"{prefix}-prod"
    functions = [function_name(cfn, prod, f"{x}Function") for x in ("Orders", "Payments")]
    for fn in functions:
        assert alias_state(lam, fn, "PROD") == ("1", {})

    orders = repo / "src" / "orders" / "orders.py"
    orders.write_text(orders.read_text() + "\n# version 2\n")
    git(repo, "commit", "-qam", "orders: version 2")
    # The canary's 10% step lasts until the watcher has seen it (a 2 s one could end between
    # two reads on a loaded machine), then the stand-in's clock jumps past it.
    _, seen = through_a_canary_step(
        sandbox,
        monkeypatch,
        lam,
        functions[0],
        lambda: _deploy(packed_orb, tmp_path, repo, env, ours, "p2"),
    )
    assert ("1", {"2": 0.1}) in seen, seen  # production moved by canary
    assert alias_state(lam, functions[0], "PROD") == ("2", {})
    assert alias_state(lam, functions[1], "PROD") == ("1", {})  # its code did not change
    released = record(tmp_path, "p2")
    assert (released["stack"], released["alias"], released["outcome"]) == (
        prod,
        "PROD",
        "succeeded",
    )
