"""The deploy job's overhead beyond `sam build` and `sam deploy`, truly cold and warm.

Runs the orb's `deploy` job (the "deploy on branch push" example, main -> PROD)
through the local runner against a local sandbox, the helper installed by the orb's
own install command, every package by hash from the orb's lock, in these situations:

- cold, image without uv (the pinned SAM tag): truly cold: a new home (so an empty uv
  cache and no uv), no pip or uv configuration of this machine (its local wheel
  folders and indexes are dropped), so uv's pinned wheel and every dependency come
  from the registry itself; the helper's own wheel is built from this tree (it is not
  published yet: the only file not downloaded);
- cold, image with uv (SAM tags from 2026-01 on; needs --uv): the same, uv on PATH;
- warm: a fresh home, the helper's environment restored from the cache that the cold
  run saved at its end (the runner emulates restore_cache/save_cache).

Then the bare `sam build` and `sam deploy` of the same kind of change, and the
difference. Goals: the install step under 8 s cold and under 3 s warm. Prints figures;
asserts nothing.

    .venv/bin/python bench/orb_bench.py [--uv PATH/TO/uv] [--install-only N] [--repeat N]
                                        [--orb DIR] [--image-profile DIR]

--install-only N runs only the orb's install command (a one-job config), N times in
each situation, and prints the fastest and the median: on a shared, busy machine
the minimum is the figure to compare. --repeat N does the same for the whole job
(each step's fastest of N). --orb DIR measures another revision's orb (`git archive
main orb | tar -x -C /tmp/base` gives one) with the same harness. --image-profile DIR
runs the steps with that profile's bash and python3 (`make image-profile`: python3 3.9,
so the helper's venv gets a Python 3.11+ from uv).

uv: `make .uv/bin/uv` installs the locked uv (requirements/uv.txt) at .uv/bin/uv for --uv.
Figures: docs/orb.md, "What the install costs".
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

from orbtools.images import HOST, ImageProfile  # noqa: E402
from orbtools.pack import pack  # noqa: E402
from orbtools.runner import JobResult, LocalRun, StepResult  # noqa: E402
from tests.support.sam import sam_build, sam_deploy  # noqa: E402
from tests.support.samapp import set_code_version, write_sam_app  # noqa: E402

from lambda_release.sandbox import Sandbox  # noqa: E402

GOAL_SECONDS = 10.0
COLD_INSTALL_GOAL = 8.0
WARM_INSTALL_GOAL = 3.0
INSTALL_STEPS = (
    "Work out the helper's cache key",
    "Restore the helper's environment",
    "Install the lambda-release helper",
    "Save the helper's environment",
)
VENV_BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=b@b", "-c", "user.name=b", *args],
        check=True,
        capture_output=True,
    )


def truly_cold(env: dict[str, str]) -> dict[str, str]:
    """``env`` without this machine's pip and uv settings (local wheel folders, indexes,
    caches): what a fresh CI container has. The runner's HOME is each job's own, so uv's
    cache (~/.cache/uv) starts empty in a new home."""
    kept = {k: v for k, v in env.items() if not k.startswith(("PIP_", "UV_"))}
    return {**kept, "PIP_CONFIG_FILE": os.devnull}


def job_env(
    work: Path, sandbox: Sandbox, helper_home: Path | None = None, uv: Path | None = None
) -> dict[str, str]:
    tools = work / ("tools-uv" if uv else "tools")
    tools.mkdir(exist_ok=True)
    if not (tools / "sam").exists():
        (tools / "sam").symlink_to(VENV_BIN / "sam")
    if uv is not None and not (tools / "uv").exists():
        (tools / "uv").symlink_to(uv)
    path = [str(tools)] + [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != VENV_BIN]
    # HOME is the runner's (each job's own home, as in a container): never this machine's.
    dropped = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "HOME")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env = {
        **env,
        **sandbox.env,
        "PATH": os.pathsep.join(path),
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_DISABLE_VERSION_CHECK": "1",
    }
    if helper_home is not None:
        env["LR_STR_HELPER_HOME"] = str(helper_home)
    else:
        env.pop("LR_STR_HELPER_HOME", None)
    return truly_cold(env)


def run_deploy(
    orb: dict[str, Any],
    work: Path,
    name: str,
    repo: Path,
    env: dict[str, str],
    args: dict[str, Any],
    home: Path | None = None,
    cache: Path | None = None,
    profile: ImageProfile = HOST,
) -> JobResult:
    usage = orb["examples"]["deploy_on_branch_push"]["usage"]
    run = LocalRun(
        config=usage,
        inline_orbs={"lambda-release": orb},
        home=home or work / name,
        repo=repo,
        branch="main",
        artifacts=work / "artifacts" / name,
        workspace=work / "ws",
        cache=cache,
        env=env,
        profile=profile,
        log=io.StringIO(),
    )
    result = run.run_invocation("deploy-prod", **args)
    if result.status != "success":
        raise SystemExit(run.log.getvalue()[-4000:])  # type: ignore[attr-defined]
    return result


def install_seconds(result: JobResult) -> float:
    return sum(s.seconds for s in result.steps if s.name in INSTALL_STEPS)


def fastest(results: list[JobResult]) -> JobResult:
    """Each step's shortest time over repeated runs of one situation (steps in job order)."""
    steps = [
        StepResult(
            step.name, step.kind, step.status, seconds=min(r.steps[i].seconds for r in results)
        )
        for i, step in enumerate(results[0].steps)
    ]
    return JobResult(results[0].job, results[0].status, steps)


def report(runs: list[tuple[str, JobResult, float]], build: float, deploy: float) -> None:
    """Each run's steps, then the overhead beyond the bare SAM commands."""
    bare = build + deploy
    names = [label for label, _r, _t in runs]
    print(f"{'step':45} " + " ".join(f"{n[:16]:>16}" for n in names))
    for index, step in enumerate(runs[0][1].steps):
        cells = " ".join(f"{r.steps[index].seconds:16.2f}" for _l, r, _t in runs)
        print(f"{step.name[:45]:45} {cells}")
    print(f"{'deploy job, total':45} " + " ".join(f"{t:16.2f}" for _l, _r, t in runs))
    print(f"{'bare sam build + sam deploy':45} {bare:16.2f}  ({build:.2f} + {deploy:.2f})")
    for label, result, total in runs:
        overhead = total - bare
        install = install_seconds(result)
        verdict = "within" if overhead < GOAL_SECONDS else "OVER"
        print(
            f"{label}: overhead beyond sam build/deploy {overhead:.2f} s ({verdict} the "
            f"{GOAL_SECONDS:.0f} s goal); helper install steps {install:.2f} s; "
            f"the rest {overhead - install:.2f} s"
        )
    for label, result, _t in runs:
        goal = WARM_INSTALL_GOAL if label.startswith("warm") else COLD_INSTALL_GOAL
        seconds = install_seconds(result)
        verdict = "within" if seconds < goal else "OVER"
        print(f"{label}: install steps {seconds:.2f} s ({verdict} the {goal:.0f} s goal)")


def install_only(
    orb: dict[str, Any], uv: Path | None, repeat: int, profile: ImageProfile = HOST
) -> None:
    """The install command alone: cold without uv, cold with uv, warm; min and median of N."""
    config = {
        "version": 2.1,
        "orbs": {"lambda-release": "lambda-release/lambda-release@1"},
        "jobs": {
            "install": {
                "docker": [{"image": "public.ecr.aws/sam/build-python3.12"}],
                "parameters": {"source": {"type": "string"}},
                "steps": [{"lambda-release/install": {"helper_source": "<< parameters.source >>"}}],
            }
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
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
        plan: list[tuple[str, Path | None, bool]] = [("cold, no uv", None, True)]
        if uv is not None:
            plan.append(("cold, uv in image", uv, True))
        plan.append(("warm cache", None, False))
        home, cache = work / "container", work / "cache"
        for label, with_uv, cold in plan:
            times = []
            for _ in range(repeat):
                if cold:
                    shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(home, ignore_errors=True)
                env = truly_cold({k: v for k, v in os.environ.items() if k != "HOME"})
                tools = work / ("tools-uv" if with_uv else "tools")
                tools.mkdir(exist_ok=True)
                if with_uv is not None and not (tools / "uv").exists():
                    (tools / "uv").symlink_to(with_uv)
                path = [str(tools)] + [
                    p for p in env["PATH"].split(os.pathsep) if Path(p) != VENV_BIN
                ]
                env["PATH"] = os.pathsep.join(path)
                run = LocalRun(
                    config=config,
                    inline_orbs={"lambda-release": orb},
                    home=home,
                    cache=cache,
                    env=env,
                    profile=profile,
                    log=io.StringIO(),
                )
                result = run.run("install", {"source": str(wheel)})
                if result.status != "success":
                    raise SystemExit(run.log.getvalue()[-3000:])  # type: ignore[attr-defined]
                if (
                    not cold
                    and "restored" not in result.step("Restore the helper's environment").output
                ):
                    raise SystemExit("the warm run restored nothing")
                times.append(install_seconds(result))
            times.sort()
            median = times[len(times) // 2]
            goal = COLD_INSTALL_GOAL if cold else WARM_INSTALL_GOAL
            verdict = "within" if times[0] < goal else "OVER"
            print(
                f"install command, {label:18} min {times[0]:6.2f} s  "
                f"median {median:6.2f} s  max {times[-1]:6.2f} s  (n={repeat}; "
                f"{verdict} the {goal:.0f} s goal)"
            )


def main() -> int:  # noqa: PLR0915 - the benchmark's plan, step by step
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uv", type=Path, help="a uv binary: also measure an image that has uv")
    parser.add_argument("--install-only", type=int, metavar="N", help="only the install command")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="N runs of each situation; the fastest"
    )
    parser.add_argument(
        "--orb",
        type=Path,
        default=ROOT / "orb",
        help="the orb's source folder (another revision's)",
    )
    parser.add_argument(
        "--image-profile", type=Path, help="run the steps with this profile's bash and python3"
    )
    options = parser.parse_args()
    profile = ImageProfile.from_dir(options.image_profile) if options.image_profile else HOST
    uv = options.uv.resolve() if options.uv else None
    repeat = max(1, options.repeat)
    orb = pack(options.orb)
    if options.install_only:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        install_only(orb, uv, options.install_only, profile)
        return 0
    # PYTHONDONTWRITEBYTECODE is set on this workplace's machines, not in the SAM image: with it,
    # every step would recompile cfn-lint and boto3 from source, which a CI job never does.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if shutil.which("python3.11") is None:
        print("skipped: sam build for python3.11 needs python3.11 on PATH")
        return 0
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

        # The first release creates the stack (warming pip's download cache too; not measured).
        run_deploy(orb, work, "create", repo, job_env(work, sandbox, work / "h0"), args)

        # Measured: each a fresh container (a new home), a new code version with a canary.
        home, cache = work / "container", work / "cache"
        plan = [("cold, no uv", None, True)]
        if uv is not None:
            plan.append(("cold, uv in image", uv, True))
        plan.append(("warm cache", None, False))
        measured: dict[str, list[tuple[JobResult, float]]] = {label: [] for label, _u, _c in plan}
        number = 1
        for _ in range(repeat):
            for label, with_uv, cold in plan:
                number += 1
                if cold:
                    shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(home, ignore_errors=True)
                set_code_version(repo, str(number), ["A", "B"])
                git(repo, "commit", "-qam", f"v{number}")
                env = job_env(work, sandbox, None, with_uv)
                started = time.monotonic()
                result = run_deploy(
                    orb, work, label, repo, env, args, home=home, cache=cache, profile=profile
                )
                measured[label].append((result, time.monotonic() - started))

        # Bare SAM: the same kind of change, built and deployed by hand.
        app = work / "bare"
        shutil.copytree(
            repo, app, ignore=shutil.ignore_patterns(".git", ".aws-sam", "lambda-release")
        )
        env = job_env(work, sandbox, work / "h2")
        builds, deploys = [], []
        for attempt in range(repeat):
            set_code_version(app, str(99 + attempt), ["A", "B"])
            t0 = time.monotonic()
            sam_build(app, env)
            t1 = time.monotonic()
            done = sam_deploy(app, f"{prefix}-prod", "PROD", env, bucket=bucket)
            t2 = time.monotonic()
            if done.returncode != 0:
                raise SystemExit(done.stdout + done.stderr)
            builds.append(t1 - t0)
            deploys.append(t2 - t1)

    runs = []
    for label, found in measured.items():
        # Per step the fastest run (load comes and goes); the job's own overhead likewise.
        steps = fastest([r for r, _t in found])
        between = min(t - sum(s.seconds for s in r.steps) for r, t in found)
        runs.append((label, steps, sum(s.seconds for s in steps.steps) + between))
    if repeat > 1:
        print(f"fastest of {repeat} runs in each situation, step by step")
    report(runs, min(builds), min(deploys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
