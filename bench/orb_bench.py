"""The deploy job's overhead beyond `sam build` and `sam deploy` (goal: under 10 s).

Runs the orb's `deploy` job (the "deploy on branch push" example, main -> PROD)
through the local runner against a local sandbox, with a cold helper install
from a wheel of this tree, as every fresh CircleCI container does. Then runs
the bare `sam build` and `sam deploy` of the same kind of change (new code for
every function, a canary) and prints the difference: helper install, target,
template check, and what the helper adds around `sam` (pre-flight, the
pending entry, settling, stable pointers, the record). Prints figures;
asserts nothing.

    .venv/bin/python bench/orb_bench.py [--uv PATH/TO/uv]

The install step uses uv when it is on PATH (the SAM image has it) and pip
otherwise; give --uv to measure what the image does (uv is not a dependency
of this project: `python3 -m venv /tmp/uvtool && /tmp/uvtool/bin/pip install uv`).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from orbtools.pack import pack  # noqa: E402
from orbtools.runner import JobResult, LocalRun  # noqa: E402
from tests.support.sam import sam_build, sam_deploy  # noqa: E402
from tests.support.samapp import set_code_version, write_sam_app  # noqa: E402

from lambda_release.sandbox import Sandbox  # noqa: E402

GOAL_SECONDS = 10.0
VENV_BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=b@b", "-c", "user.name=b", *args],
        check=True,
        capture_output=True,
    )


def job_env(
    work: Path, sandbox: Sandbox, helper_home: Path, uv: Path | None = None
) -> dict[str, str]:
    tools = work / "tools"
    tools.mkdir(exist_ok=True)
    if not (tools / "sam").exists():
        (tools / "sam").symlink_to(VENV_BIN / "sam")
    if uv is not None and not (tools / "uv").exists():
        (tools / "uv").symlink_to(uv)
    path = [str(tools)] + [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != VENV_BIN]
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    return {
        **env,
        **sandbox.env,
        "PATH": os.pathsep.join(path),
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_DISABLE_VERSION_CHECK": "1",
        "LR_STR_HELPER_HOME": str(helper_home),
    }


def run_deploy(
    orb: dict[str, Any],
    work: Path,
    name: str,
    repo: Path,
    env: dict[str, str],
    args: dict[str, Any],
) -> JobResult:
    usage = orb["examples"]["deploy_on_branch_push"]["usage"]
    run = LocalRun(
        config=usage,
        inline_orbs={"lambda-release": orb},
        home=work / name,
        repo=repo,
        branch="main",
        artifacts=work / "artifacts" / name,
        workspace=work / "ws",
        env=env,
        log=io.StringIO(),
    )
    result = run.run_invocation("deploy-prod", **args)
    if result.status != "success":
        raise SystemExit(run.log.getvalue()[-4000:])  # type: ignore[attr-defined]
    return result


def report(
    result: JobResult, job_total: float, build: float, deploy: float, installer: str
) -> None:
    """The job's steps, then the overhead beyond the bare SAM commands."""
    print(f"{'step':55} {'seconds':>8}")
    for step in result.steps:
        print(f"{step.name[:55]:55} {step.seconds:8.2f}")
    bare = build + deploy
    overhead = job_total - bare
    print(f"{'deploy job, total':55} {job_total:8.2f}")
    print(f"{'bare sam build + sam deploy':55} {bare:8.2f}  ({build:.2f} + {deploy:.2f})")
    verdict = "within" if overhead < GOAL_SECONDS else "OVER"
    print(
        f"{'overhead beyond sam build/deploy':55} {overhead:8.2f}  "
        f"({verdict} the {GOAL_SECONDS:.0f} s goal)"
    )
    install = next(s.seconds for s in result.steps if s.name.startswith("Install"))
    print(f"{f'  of which the helper install ({installer}, cold venv)':55} {install:8.2f}")
    print(f"{'  the rest (target, check, helper around sam, record)':55} {overhead - install:8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--uv", type=Path, help="a uv binary for the install step (as in the image)"
    )
    options = parser.parse_args()
    uv = options.uv.resolve() if options.uv else None
    # PYTHONDONTWRITEBYTECODE is set on this workplace's machines, not in the SAM image: with it,
    # every step would recompile cfn-lint and boto3 from source, which a CI job never does.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if shutil.which("python3.11") is None:
        print("skipped: sam build for python3.11 needs python3.11 on PATH")
        return 0
    orb = pack(ROOT / "orb")
    with tempfile.TemporaryDirectory() as tmp, Sandbox(port=0, minute=0.05) as sandbox:
        work = Path(tmp)
        wheel_dir = work / "wheel"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                str(wheel_dir),
                str(ROOT),
            ],
            check=True,
        )
        wheel = next(wheel_dir.glob("*.whl"))
        prefix = f"bench-{uuid.uuid4().hex[:6]}"
        bucket = f"{prefix}-artifacts"
        sandbox.client("s3").create_bucket(Bucket=bucket)
        repo = work / "repo"
        write_sam_app(repo, functions=("A", "B"), code_version="1")
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "v1")
        args = {"stack_prefix": prefix, "helper_source": str(wheel), "s3_bucket": bucket}

        # The first release creates the stack (warming pip's cache too; not measured).
        run_deploy(orb, work, "create", repo, job_env(work, sandbox, work / "h0", uv), args)

        # Measured: a cold helper install, then an update with a canary.
        set_code_version(repo, "2", ["A", "B"])
        git(repo, "commit", "-qam", "v2")
        started = time.monotonic()
        result = run_deploy(
            orb, work, "update", repo, job_env(work, sandbox, work / "h1", uv), args
        )
        job_total = time.monotonic() - started

        # Bare SAM: the same kind of change, built and deployed by hand.
        app = work / "bare"
        shutil.copytree(
            repo, app, ignore=shutil.ignore_patterns(".git", ".aws-sam", "lambda-release")
        )
        set_code_version(app, "3", ["A", "B"])
        env = job_env(work, sandbox, work / "h2")
        t0 = time.monotonic()
        sam_build(app, env)
        t1 = time.monotonic()
        done = sam_deploy(app, f"{prefix}-prod", "PROD", env, bucket=bucket)
        t2 = time.monotonic()
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)

    report(result, job_total, t1 - t0, t2 - t1, "uv" if uv else "pip")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
