"""The issue's scenario with the real SAM CLI: `sam build` + `lambda-release deploy`, then
`lambda-release rollback`, all as subprocesses against the sandbox.

Three functions: R1 (all), R2 (all), R3 (A only). `rollback` returns A to its R2 version and
leaves B and C alone; a second undoes R2 for all three; `--release R3` is then already undone.
A rollback while a canary is at 10% stops it. The next deploy after a rollback succeeds without
routing to a rolled-back version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from lambda_release.aws.client import Aws
from lambda_release.log.location import LogLocation
from lambda_release.release.stack_alias import StackAlias
from lambda_release.sandbox import Sandbox
from tests.rollback.stackkit import resolve_drift
from tests.support.aws_state import AliasWatcher, alias_state, stack_functions, stack_status
from tests.support.cliapp import deploy_args
from tests.support.processes import Cli
from tests.support.requires import require_tool
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import set_code_version, write_sam_app
from tests.support.waiting import wait_until

# sam build (no container) needs the runtime's interpreter.
require_tool("python3.11", "sam build for python3.11 needs it on PATH")

BIN = Path(sys.executable).parent


class App:
    def __init__(self, sandbox: Sandbox, env: dict[str, str], directory: Path) -> None:
        self.sandbox, self.env, self.dir = sandbox, env, directory
        tag = uuid.uuid4().hex[:8]
        self.stack, self.bucket = f"rbsam-{tag}", f"rbsam-art-{tag}"
        sandbox.client("s3").create_bucket(Bucket=self.bucket)

    @property
    def cli(self) -> Cli:
        return Cli(env=self.env, cwd=self.dir)

    def lr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.cli(*args)

    def deploy_args(self) -> list[str]:
        return deploy_args(self.stack, self.bucket, "--output", "json")

    def run_deploy(self) -> subprocess.CompletedProcess[str]:
        """`lambda-release deploy` of what is built, as a user runs it."""
        return self.lr(*self.deploy_args())

    def deploy(self, code: str, functions: tuple[str, ...]) -> dict[str, Any]:
        set_code_version(self.dir, code, functions)
        sam_build(self.dir, self.env)
        p = self.run_deploy()
        assert p.returncode == 0, p.stdout + p.stderr
        data: dict[str, Any] = json.loads(p.stdout)
        return data

    def rollback(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.lr("rollback", "--stack", self.stack, "--alias", "PROD", *args)

    def names(self) -> dict[str, str]:
        fns = stack_functions(self.sandbox.client("cloudformation"), self.stack)
        return {lid.removesuffix("Function"): name for lid, name in fns.items()}

    def aliases(self) -> dict[str, tuple[str, dict[str, float]]]:
        lam = self.sandbox.client("lambda")
        return {fn: alias_state(lam, name, "PROD") for fn, name in self.names().items()}

    def versions(self) -> dict[str, str]:
        return {fn: v for fn, (v, _) in self.aliases().items()}


def make_app(sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path, kind: str) -> App:
    env = sam_env(sandbox_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
    directory = tmp_path / "app"
    write_sam_app(directory, functions=("A", "B", "C"), code_version="1", deployment_type=kind)
    sam_build(directory, env)
    return App(sandbox, env, directory)


def test_rollback_pops_releases_made_with_the_sam_cli_then_the_next_deploy_works(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    app = make_app(sandbox, sandbox_env, tmp_path, "AllAtOnce")
    app.deploy("1", ("A", "B", "C"))
    r2 = app.deploy("2", ("A", "B", "C"))
    r3 = app.deploy("3", ("A",))
    assert app.versions() == {"A": "3", "B": "2", "C": "2"}

    plan = app.rollback("--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "plan:" in plan.stdout and r3["id"] in plan.stdout
    assert app.versions() == {"A": "3", "B": "2", "C": "2"}

    first = app.rollback("--reason", "A is failing", "--output", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["release"] == r3["id"]
    assert app.aliases() == {"A": ("2", {}), "B": ("2", {}), "C": ("2", {})}

    # Deploying the rolled-back code again (A's build is still R3's) is refused before sam:
    # it would send traffic to version 3 again.
    redeploy = app.run_deploy()
    assert redeploy.returncode == 1, redeploy.stdout + redeploy.stderr
    assert "AFunction: the built code is exactly version 3's" in redeploy.stderr
    assert "--allow-rolled-back-code REASON" in redeploy.stderr  # the way through, named
    assert app.aliases() == {"A": ("2", {}), "B": ("2", {}), "C": ("2", {})}
    # Still refused once CloudFormation records the live version (realigned by an earlier
    # deploy that then failed, say): the stack still holds version 3's Version resource.
    engine = StackAlias(
        Aws(region=sandbox.region, endpoint_url=sandbox.endpoint_url), app.stack, "PROD"
    )
    items, problems = resolve_drift(engine, engine.log(LogLocation(app.bucket)))
    assert [i.logical_id for i in items] == ["AFunction"] and problems == []
    redeploy = app.run_deploy()
    assert redeploy.returncode == 1, redeploy.stdout + redeploy.stderr
    assert "AFunction: the built code is exactly version 3's" in redeploy.stderr

    second = app.rollback()
    assert second.returncode == 0, second.stderr
    assert r2["id"] in second.stdout
    assert app.versions() == {"A": "1", "B": "1", "C": "1"}

    again = app.rollback("--release", r3["id"])
    assert again.returncode == 0 and "already undone" in again.stdout, again.stderr

    # The next deploy (new code everywhere) through `lambda-release deploy`: its pre-flight
    # realigns CloudFormation with the live aliases, then `sam deploy` shifts traffic from
    # the live version 1, never from (or to) the rolled-back 2 or 3.
    lam = sandbox.client("lambda")
    watchers = {fn: AliasWatcher(lam, name, "PROD") for fn, name in app.names().items()}
    set_code_version(app.dir, "5", ("A", "B", "C"))
    sam_build(app.dir, app.env)
    done = app.run_deploy()
    seen = {fn: w.stop() for fn, w in watchers.items()}
    assert done.returncode == 0, done.stdout + done.stderr
    assert "realign" in done.stderr
    assert json.loads(done.stdout)["outcome"] == "succeeded"
    now = app.versions()
    rolled_back = {"A": {"2", "3"}, "B": {"2"}, "C": {"2"}}
    for fn, states in seen.items():
        routed = {v for version, weights in states for v in (version, *weights)}
        assert routed <= {"1", now[fn]}, (fn, states)
        assert now[fn] not in rolled_back[fn] | {"1"}


def test_rollback_while_a_canary_is_at_ten_percent(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    app = make_app(sandbox, sandbox_env, tmp_path, "Canary10Percent5Minutes")
    app.deploy("1", ("A", "B", "C"))
    set_code_version(app.dir, "2", ("A", "B"))
    sam_build(app.dir, app.env)
    before = sandbox.minute
    # 10% for 5 real minutes: the rollback stops it, however long a loaded machine takes to
    # start the console script (15 s could pass before it saw the canary in flight).
    sandbox.minute = 60.0
    try:
        deploying = app.cli.popen(*app.deploy_args())

        def deploying_still() -> None:
            assert deploying.poll() is None, app.aliases()

        wait_until(
            lambda: app.aliases().get("A", ("", {}))[1] == {"2": 0.1},
            "A at 10% on 2",
            120,
            interval=0.05,
            check=deploying_still,
        )
        stopped = app.rollback("--reason", "canary looks bad", "--output", "json")
    finally:
        sandbox.minute = before
    out, err = deploying.communicate(timeout=300)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopping CodeDeploy deployment" in stopped.stderr
    assert app.aliases() == {"A": ("1", {}), "B": ("1", {}), "C": ("1", {})}
    assert stack_status(sandbox.client("cloudformation"), app.stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert deploying.returncode == 1, out + err  # the deploy saw its release fail
    assert json.loads(out)["outcome"] == "failed"
    data = json.loads(stopped.stdout)
    again = app.rollback("--release", data["release"])
    assert again.returncode == 0 and "already undone" in again.stdout, again.stderr
