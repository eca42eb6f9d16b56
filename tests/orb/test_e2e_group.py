"""The orb's group jobs (issue 33 item 4), run by the local runner against the stand-in.

The `group_waves` example's `group_deploy` job releases one SAM app to three regions in two
waves (us-east-1, then eu-west-1 and ap-southeast-2 two at once) with the real SAM CLI and
the helper installed from a wheel of this tree by the orb's own install step; its
`group_rollback` job, behind the approval, undoes exactly that pipeline's group release.
`aws-cli/setup` is another orb's step: a logged no-op; the stand-in's variables stand in for
the credentials it would set.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from orbtools.images import ImageProfile
from orbtools.runner import JobResult, LocalRun

from lambda_release.sandbox import Sandbox
from tests.orb.test_e2e_jobs import assert_ok, job_env
from tests.support.aws_state import alias_state, function_name
from tests.support.processes import Cli
from tests.support.requires import require_tool
from tests.support.samapp import set_code_version, write_sam_app

require_tool("python3.11", "sam build for python3.11 needs it on PATH")

WAVES = (("us-east-1",), ("eu-west-1", "ap-southeast-2"))
REGIONS = tuple(r for wave in WAVES for r in wave)


def group_file(name: str, prefix: str, buckets: dict[str, str]) -> dict[str, Any]:
    """Three regions in two waves, as the example's description writes it."""
    return {
        "version": 1,
        "group": name,
        "waves": [
            {
                "name": f"wave-{n}",
                "concurrency": len(regions),
                "targets": [
                    {"stack_prefix": prefix, "region": r, "s3_bucket": buckets[r]} for r in regions
                ],
            }
            for n, regions in enumerate(WAVES, 1)
        ],
    }


@pytest.fixture
def group_repo(
    git: Callable[..., None], tmp_path: Path, sandbox: Sandbox
) -> tuple[Path, str, dict[str, str]]:
    """A user's repository: one SAM app and its group file; an artifacts bucket per region
    (Lambda reads a function's code in its own region)."""
    prefix = f"orb-group-{uuid.uuid4().hex[:8]}"
    buckets = {}
    for region in REGIONS:
        buckets[region] = f"{prefix}-{region}"
        config = {} if region == "us-east-1" else {"LocationConstraint": region}
        s3 = sandbox.client("s3", region)
        s3.create_bucket(
            Bucket=buckets[region], **({"CreateBucketConfiguration": config} if config else {})
        )
    repo = tmp_path / "repo"
    write_sam_app(repo, functions=("A",), code_version="1")
    body = group_file(prefix, prefix, buckets)
    (repo / "lambda-release.group.yml").write_text(yaml.safe_dump(body, sort_keys=False))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "app and its group")
    return repo, prefix, buckets


def run_job(
    packed_orb: dict[str, Any],
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    pipeline: str,
    job: str,
    profile: ImageProfile,
) -> LocalRun:
    usage = packed_orb["examples"]["group_waves"]["usage"]
    return LocalRun(
        config=usage,
        inline_orbs={"lambda-release": packed_orb},
        home=tmp_path / "jobs" / job,
        repo=repo,
        branch="main",
        artifacts=tmp_path / "artifacts" / job,
        workspace=tmp_path / "workspace" / pipeline,
        env=env,
        pipeline_id=f"00000000-0000-0000-0000-{int(pipeline[1:]):012d}",
        profile=profile,
        log=io.StringIO(),
    )


def artifact(tmp_path: Path, job: str, name: str) -> str:
    return (tmp_path / "artifacts" / job / "lambda-release" / name).read_text()


def prod_versions(sandbox: Sandbox, stack: str) -> dict[str, tuple[str, dict[str, float]]]:
    out = {}
    for region in REGIONS:
        cfn, lam = sandbox.client("cloudformation", region), sandbox.client("lambda", region)
        out[region] = alias_state(lam, function_name(cfn, stack, "AFunction"), "PROD")
    return out


def test_group_deploy_job_releases_three_regions_in_two_waves_and_group_rollback_undoes_it(
    git: Callable[..., None],
    packed_orb: dict[str, Any],
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    group_repo: tuple[Path, str, dict[str, str]],
    tmp_path: Path,
    helper_wheel: Path,
    job_profile: ImageProfile,
) -> None:
    repo, prefix, buckets = group_repo
    env = job_env(tmp_path, sandbox_env)
    ours = {"helper_source": str(helper_wheel)}
    stack = f"{prefix}-prod"

    def deploy(pipeline: str) -> tuple[JobResult, LocalRun]:
        run = run_job(packed_orb, tmp_path, repo, env, pipeline, pipeline, job_profile)
        return run.run_invocation("lambda-release/group_deploy", **ours), run

    # Pipeline 1 creates the three stacks: PROD -> 1 in every region.
    result, run = deploy("p1")
    assert_ok(result, run)
    assert prod_versions(sandbox, stack) == dict.fromkeys(REGIONS, ("1", {}))

    # Pipeline 2 releases version 2, wave by wave.
    set_code_version(repo, "2", ["A"])
    git(repo, "commit", "-qam", "version 2")
    result, run = deploy("p2")
    assert_ok(result, run)
    assert prod_versions(sandbox, stack) == dict.fromkeys(REGIONS, ("2", {}))
    record = json.loads(artifact(tmp_path, "p2", "group.json"))
    assert (record["group"], record["alias"], record["outcome"]) == (prefix, "PROD", "succeeded")
    assert [(m["wave"], m["region"], m["outcome"]) for m in record["members"]] == [
        (1, "us-east-1", "succeeded"),
        (2, "eu-west-1", "succeeded"),
        (2, "ap-southeast-2", "succeeded"),
    ]
    assert (tmp_path / "workspace" / "p2" / "lambda-release" / "group.json").exists()
    # Its report: a row per member, and each member release's own page.
    report = artifact(tmp_path, "p2", "group-report/report.md")
    assert report.startswith(f"# Group {prefix} release {record['id']} to PROD: succeeded")
    for m in record["members"]:
        page = f"{m['wave']}-{m['region']}-{stack}.html"
        assert f"| {m['release']} | succeeded | {page} |" in report
        assert f'id="r-{m["release"]}"' in artifact(tmp_path, "p2", f"group-report/{page}")

    # Pipeline 2's hold approved: every member back to version 1, newest wave first.
    def undo(pipeline: str, job: str) -> tuple[JobResult, LocalRun]:
        run = run_job(packed_orb, tmp_path, repo, env, pipeline, job, job_profile)
        return run.run_invocation("lambda-release/group_rollback", **ours), run

    result, run = undo("p2", "undo")
    assert_ok(result, run)
    assert prod_versions(sandbox, stack) == dict.fromkeys(REGIONS, ("1", {}))
    undone = json.loads(artifact(tmp_path, "undo", "group-rollback.json"))
    assert undone["id"] == record["id"] and undone["outcome"] == "rolled back"
    assert "rollback approved by: unknown" in run.log.getvalue()  # type: ignore[attr-defined]
    # Who approved is in each member's rollback entry.
    history = Cli(env=sandbox_env)(
        "history", "--stack", stack, "--alias", "PROD", "--region", "ap-southeast-2",
        "--log-bucket", buckets["ap-southeast-2"], "--output", "json",
    )  # fmt: skip
    assert history.returncode == 0, history.stderr
    assert "approved by unknown" in json.dumps(json.loads(history.stdout)[0])
    # A second approval (a re-run of the job) changes nothing and succeeds.
    result, run = undo("p2", "again")
    assert_ok(result, run)
    assert prod_versions(sandbox, stack) == dict.fromkeys(REGIONS, ("1", {}))

    # Pipeline 3's group_deploy is killed before it persists its record: its rollback finds
    # the group release by the pipeline's id in the group's log, not "the latest".
    set_code_version(repo, "3", ["A"])
    git(repo, "commit", "-qam", "version 3")
    result, run = deploy("p3")
    assert_ok(result, run)
    (tmp_path / "workspace" / "p3" / "lambda-release" / "group.json").unlink()
    result, run = undo("p3", "by-pipeline")
    assert_ok(result, run)
    assert "looking up pipeline" in run.log.getvalue()  # type: ignore[attr-defined]
    assert prod_versions(sandbox, stack) == dict.fromkeys(REGIONS, ("1", {}))
