"""The local runner executes a job as CircleCI would; compile-time errors stay errors."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from orbtools import yamlio
from orbtools.images import ImageProfile
from orbtools.params import CompileError
from orbtools.runner import JobResult, LocalRun, arch, cache_key
from orbtools.workflow import STATUSES, requirements, run_workflow

from tests.orb.conftest import OLDEST_PROFILE, profile_tools

ORB = yamlio.load(
    r"""
version: 2.1
description: a test orb with enough words in its description to be a real one, almost.
commands:
  greet:
    description: says hello
    parameters:
      who: {type: string, default: world, description: who}
      loud: {type: boolean, default: false, description: shout}
      times: {type: integer, default: 1, description: how often}
      mood: {type: enum, enum: [calm, happy], default: calm, description: how}
      after: {type: steps, default: [], description: more}
    steps:
      - run:
          name: Greet << parameters.who >>
          environment:
            WHO: << parameters.who >>
            LOUD: << parameters.loud >>
            TIMES: << parameters.times >>
            MOOD: << parameters.mood >>
          command: |
            echo "hello $WHO loud=$LOUD times=$TIMES mood=$MOOD branch=<< pipeline.git.branch >>"
            echo 'literal \<< parameters.who >>'
      - when:
          condition: << parameters.loud >>
          steps:
            - run: {name: Shout, command: echo SHOUT}
      - unless:
          condition: << parameters.loud >>
          steps:
            - run: {name: Whisper, command: echo whisper}
      - steps: << parameters.after >>
jobs:
  hello:
    description: a job
    parameters:
      who: {type: string, default: job, description: who}
      extra: {type: steps, default: [], description: extra steps}
    docker: [{image: cimg/base:current}]
    working_directory: ~/work
    environment:
      JOB_LEVEL: from-job
    steps:
      - checkout
      - greet:
          who: << parameters.who >>
          loud: true
          after:
            - run: {name: After, command: echo after-step}
      - steps: << parameters.extra >>
      - run:
          name: Export through BASH_ENV
          command: echo 'export SHARED=from-bash-env' >> "$BASH_ENV"
      - run:
          name: Sees BASH_ENV, job environment and working directory
          working_directory: sub
          command: |
            echo "shared=$SHARED job=$JOB_LEVEL pwd=$(pwd) file=$(cat ../README)"
            mkdir -p out && echo artifact > out/a.txt
      - run:
          name: Fails
          command: "false | true; exit 3"
      - run:
          name: Skipped after failure
          command: echo never
      - run:
          name: Always
          when: always
          command: echo always-ran
      - store_artifacts:
          path: sub/out
          destination: results
"""
)

CONFIG: dict[str, Any] = {
    "version": 2.1,
    "orbs": {"t": "me/t@1", "aws-cli": "circleci/aws-cli@5", "other": "x/other@1"},
    "workflows": {"w": {"jobs": ["t/hello"]}},
}


@pytest.fixture
def repo(git: Callable[..., None], tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README").write_text("fixture readme\n")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["commit", "-qm", "init"],
        ["branch", "feature/x"],
    ):
        git(repo, *args)
    return repo


def make_run(
    tmp_path: Path, repo: Path | None, branch: str = "feature/x"
) -> tuple[LocalRun, io.StringIO]:
    log = io.StringIO()
    run = LocalRun(
        config=CONFIG,
        inline_orbs={"t": ORB},
        home=tmp_path / "home",
        repo=repo,
        branch=branch,
        artifacts=tmp_path / "artifacts",
        log=log,
    )
    return run, log


def test_a_job_runs_as_circleci_would(tmp_path: Path, repo: Path) -> None:
    run, log = make_run(tmp_path, repo)
    extra = [{"aws-cli/setup": {"region": "eu-west-1"}}, {"other/thing": {}}]
    result = run.run("t/hello", {"who": "you", "extra": extra})
    by_name = {s.name: s for s in result.steps}
    assert result.status == "failed"
    greet = by_name["Greet you"].output
    # A boolean in `environment:` reaches the script as CircleCI writes it: 1 (0 for false).
    assert "hello you loud=1 times=1 mood=calm branch=feature/x" in greet
    assert "literal << parameters.who >>" in greet  # escaped, so never expanded
    assert by_name["Shout"].status == "success"
    assert "Whisper" not in by_name  # unless: decided when the config is compiled
    assert "after-step" in by_name["After"].output
    # aws-cli/setup is emulated (test_aws_cli_setup_...); other orbs' steps are logged no-ops.
    assert by_name["aws-cli/setup"].status == "success"
    assert by_name["other/thing"].status == "noop"
    assert "another orb's" in log.getvalue()
    sees = by_name["Sees BASH_ENV, job environment and working directory"].output
    assert (
        f"shared=from-bash-env job=from-job pwd={tmp_path}/home/work/sub file=fixture readme"
        in sees
    )
    assert by_name["Fails"].exit_code == 1  # -eo pipefail: `false | true` stops it before exit 3
    assert by_name["Skipped after failure"].status == "skipped"
    assert "always-ran" in by_name["Always"].output
    assert (tmp_path / "artifacts/results/a.txt").read_text() == "artifact\n"


def test_unless_runs_when_the_condition_is_false(tmp_path: Path) -> None:
    config = {**CONFIG}
    run = LocalRun(config=config, inline_orbs={"t": ORB}, home=tmp_path / "h", log=io.StringIO())
    scope_job = run.compile("t/hello")
    names = [s.spec.get("name") for s in scope_job.steps]
    assert "Shout" in names and "Whisper" not in names
    # The command alone, with loud false: the unless branch.
    orb = yamlio.load(yamlio.dump(ORB))
    orb["jobs"]["hello"]["steps"][1]["greet"]["loud"] = False
    run = LocalRun(config=config, inline_orbs={"t": orb}, home=tmp_path / "h", log=io.StringIO())
    names = [s.spec.get("name") for s in run.compile("t/hello").steps]
    assert "Whisper" in names and "Shout" not in names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"whom": "x"}, "unexpected argument(s) whom"),
        ({"who": 3}, "argument 'who': expected string"),
        ({"extra": "run: ls"}, "argument 'extra': expected steps"),
    ],
)
def test_compile_errors_are_errors(tmp_path: Path, args: dict[str, Any], message: str) -> None:
    run, _ = make_run(tmp_path, None)
    with pytest.raises(CompileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run.run("t/hello", args)


def test_wrong_enum_and_undeclared_parameter_in_a_command(tmp_path: Path) -> None:
    orb = yamlio.load(yamlio.dump(ORB))
    orb["jobs"]["hello"]["steps"][1]["greet"]["mood"] = "angry"
    run = LocalRun(config=CONFIG, inline_orbs={"t": orb}, home=tmp_path, log=io.StringIO())
    with pytest.raises(CompileError, match="'angry' is not one of"):
        run.compile("t/hello")
    orb = yamlio.load(yamlio.dump(ORB))
    orb["commands"]["greet"]["steps"][0]["run"]["name"] = "<< parameters.whom >>"
    run = LocalRun(config=CONFIG, inline_orbs={"t": orb}, home=tmp_path, log=io.StringIO())
    with pytest.raises(CompileError, match="undeclared parameter"):
        run.compile("t/hello")


def test_checkout_without_a_fixture_fails_the_job(processes: None, tmp_path: Path) -> None:
    run, _ = make_run(tmp_path, None)
    result = run.run("t/hello")
    assert result.steps[0].name == "checkout" and result.steps[0].status == "failed"
    assert result.status == "failed"


def test_no_output_timeout_kills_a_silent_step_but_not_one_with_a_heartbeat(
    processes: None, tmp_path: Path
) -> None:
    orb = yamlio.load(
        """
jobs:
  wait:
    description: waits
    docker: [{image: x}]
    steps:
      - run:
          name: Heartbeat
          no_output_timeout: 3s
          command: for i in $(seq 16); do echo beat; sleep 0.25; done
      - run:
          name: Silent
          no_output_timeout: 3s
          command: sleep 120; echo never
"""
    )
    # The heartbeat step outlasts its timeout (4 s) with gaps far under it (0.25 s of 3 s):
    # a 1 s timeout over 0.3 s gaps was within a loaded machine's stall of a fork.
    run = LocalRun(config=CONFIG, inline_orbs={"t": orb}, home=tmp_path, log=io.StringIO())
    started = time.monotonic()
    result = run.run("t/wait")
    assert result.step("Heartbeat").status == "success"
    assert result.step("Heartbeat").output.count("beat") == 16
    assert result.step("Silent").status == "failed"
    assert "never" not in result.step("Silent").output
    assert time.monotonic() - started < 100  # killed after ~3 s of silence, not after 120 s
    assert "no_output_timeout" in run.log.getvalue()  # type: ignore[attr-defined]


def test_caches_are_restored_by_key_prefix_and_never_overwritten(
    processes: None, tmp_path: Path
) -> None:
    orb = {
        "version": 2.1,
        "jobs": {
            "cached": {
                "docker": [{"image": "x"}],
                "steps": [
                    {"run": {"name": "fixed key", "command": "echo v1 > key.txt"}},
                    {"restore_cache": {"keys": ['k-{{ checksum "key.txt" }}', "k-"]}},
                    {"run": {"name": "use", "command": "cat ~/data/f 2>/dev/null || echo miss"}},
                    {
                        "run": {
                            "name": "make",
                            "command": "mkdir -p ~/data; echo $RANDOM > ~/data/f",
                        }
                    },
                    {"save_cache": {"key": 'k-{{ checksum "key.txt" }}', "paths": ["~/data"]}},
                ],
            }
        },
    }
    cache = tmp_path / "cache"

    def run_once(name: str) -> JobResult:
        run = LocalRun(
            config=orb, inline_orbs={}, home=tmp_path / name, cache=cache, log=io.StringIO()
        )
        return run.run("cached")

    first = run_once("one")
    assert first.step("use").output.strip() == "miss"
    saved = (tmp_path / "one" / "data" / "f").read_text()
    second = run_once("two")
    assert second.step("use").output == saved  # restored into a fresh home
    assert "exists; not saved" in second.steps[-1].output


def test_job_environment_booleans_are_written_as_circleci_writes_them(
    processes: None, tmp_path: Path
) -> None:
    config = {
        "version": 2.1,
        "jobs": {
            "j": {
                "docker": [{"image": "x"}],
                "environment": {"ON": True, "OFF": False, "N": 3},
                "steps": [{"run": {"name": "show", "command": 'echo "$ON $OFF $N"'}}],
            }
        },
    }
    run = LocalRun(config=config, inline_orbs={}, home=tmp_path / "h", log=io.StringIO())
    assert run.run("j").step("show").output == "1 0 3\n"


WORKFLOW_ORB = yamlio.load(
    r"""
version: 2.1
description: a test orb with enough words in its description to be a real one, almost.
jobs:
  make:
    description: writes a file, persists it, then fails when told to
    parameters:
      file: {type: string, default: a.txt, description: the file}
      fail: {type: boolean, default: false, description: fail after persisting}
    docker: [{image: cimg/base:current}]
    steps:
      - run:
          name: Write
          command: mkdir -p out && echo "<< parameters.file >>" > out/<< parameters.file >>
      - persist_to_workspace: {root: out, paths: [<< parameters.file >>]}
      - run: {name: Maybe fail, command: "[ << parameters.fail >> = false ]"}
  look:
    description: lists what the workspace holds
    docker: [{image: cimg/base:current}]
    steps:
      - attach_workspace: {at: ws}
      - run: {name: List, command: "ls ws | tr '\\n' ' '"}
"""
)


def workflow_config(requires_b: list[Any]) -> dict[str, Any]:
    return {
        "version": 2.1,
        "orbs": {"t": "me/t@1"},
        "workflows": {
            "w": {
                "jobs": [
                    {"t/make": {"name": "a", "file": "a.txt", "fail": True}},
                    {"t/make": {"name": "other", "file": "other.txt"}},
                    {"hold": {"type": "approval", "requires": requires_b}},
                    {"t/look": {"name": "look", "requires": ["hold"]}},
                ]
            }
        },
    }


def test_requires_status_form_runs_after_a_failure_and_workspaces_follow_requires(
    processes: None, tmp_path: Path
) -> None:
    run = LocalRun(
        config=workflow_config([{"a": ["success", "failed"]}]),
        inline_orbs={"t": WORKFLOW_ORB},
        home=tmp_path / "home",
        log=io.StringIO(),
    )
    done = run_workflow(run, "w", tmp_path / "ws", approve={"hold"})
    assert done.statuses == {
        "a": "failed",
        "other": "success",
        "hold": "success",
        "look": "success",
    }
    # Only a's layer: "other" is not upstream of look, so its file is not attached.
    assert done.results["look"].step("List").output.split() == ["a.txt"]
    # The string form waits for success: after a failed "a", neither hold nor look runs.
    run = LocalRun(
        config=workflow_config(["a"]),
        inline_orbs={"t": WORKFLOW_ORB},
        home=tmp_path / "home2",
        log=io.StringIO(),
    )
    done = run_workflow(run, "w", tmp_path / "ws2", approve={"hold"})
    assert (done.statuses["hold"], done.statuses["look"]) == ("not_run", "not_run")
    # Not approved: on hold, and what requires it does not run.
    run = LocalRun(
        config=workflow_config([{"a": "terminal"}]),
        inline_orbs={"t": WORKFLOW_ORB},
        home=tmp_path / "home3",
        log=io.StringIO(),
    )
    done = run_workflow(run, "w", tmp_path / "ws3")
    assert (done.statuses["hold"], done.statuses["look"]) == ("on_hold", "not_run")


def test_requires_entries_in_every_form_and_bad_ones_refused() -> None:
    found = requirements(
        ["a", {"b": "failed"}, {"c": ["success", "canceled"]}, {"d": "terminal"}], "w"
    )
    assert [(r.job, set(r.statuses)) for r in found] == [
        ("a", {"success"}),
        ("b", {"failed"}),
        ("c", {"success", "canceled"}),
        ("d", set(STATUSES)),
    ]
    for bad in ([{"a": "done"}], [{"a": []}], [{"a": "x", "b": "y"}], "a"):
        with pytest.raises(CompileError):
            requirements(bad, "w")


def test_persist_to_workspace_fails_on_a_path_that_matches_nothing(
    processes: None, tmp_path: Path
) -> None:
    orb = yamlio.load(
        """
version: 2.1
description: a test orb with enough words in its description to be a real one, almost.
jobs:
  p:
    description: persists a missing file
    docker: [{image: cimg/base:current}]
    steps:
      - persist_to_workspace: {root: ., paths: [missing.json]}
"""
    )
    run = LocalRun(
        config={"version": 2.1, "orbs": {"t": "me/t@1"}, "workflows": {"w": {"jobs": ["t/p"]}}},
        inline_orbs={"t": orb},
        home=tmp_path / "home",
        workspace=tmp_path / "ws",
        log=io.StringIO(),
    )
    result = run.run("t/p")
    assert result.status == "failed"
    assert "did not match any files" in result.steps[0].output


def test_arch_renders_as_circleci_documents() -> None:
    # "linux-amd64-6_62" in CircleCI's caching document: OS, architecture, family_model.
    assert re.fullmatch(r"linux-(amd64|arm64)(-\d+_\d+)?", arch())
    assert cache_key("k-{{ arch }}-{{ .Branch }}", Path("."), {}, {"git.branch": "main"}) == (
        f"k-{arch()}-main"
    )


def test_aws_cli_setup_with_a_role_sets_what_the_real_command_sets(
    processes: None, tmp_path: Path
) -> None:
    orb = yamlio.load(
        """
version: 2.1
description: a test orb with enough words in its description to be a real one, almost.
jobs:
  j:
    description: authenticates then shows what a step sees
    parameters:
      auth: {type: steps, default: [], description: auth}
    docker: [{image: cimg/base:current}]
    steps:
      - steps: << parameters.auth >>
      - run:
          name: Show
          command: |
            echo "key=$AWS_ACCESS_KEY_ID oidc=${CIRCLE_OIDC_TOKEN_V2:+set}"
            echo "n=$CIRCLE_PIPELINE_NUMBER"
            cat ~/.aws/config
"""
    )
    config = {"version": 2.1, "orbs": {"t": "me/t@1", "aws-cli": "circleci/aws-cli@5"}}
    auth = [{"aws-cli/setup": {"role_arn": "${ROLE}", "profile_name": "deployer"}}]
    env = {
        "ROLE": "arn:aws:iam::123456789012:role/deploy",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
    }
    run = LocalRun(
        config=config,
        inline_orbs={"t": orb},
        home=tmp_path / "home",
        env=env,
        pipeline_number=42,
        log=io.StringIO(),
    )
    result = run.run("t/j", {"auth": auth})
    assert result.status == "success", run.log.getvalue()  # type: ignore[attr-defined]
    assert 'export AWS_ACCESS_KEY_ID="AKIAEXAMPLE"' in result.bash_env
    assert 'export AWS_SESSION_TOKEN="token"' in result.bash_env
    shown = result.step("Show").output
    assert "key=AKIAEXAMPLE oidc=set\nn=42" in shown
    # The region from AWS_DEFAULT_REGION, into ~/.aws/config (default and the profile),
    # never an AWS_REGION variable.
    assert "[profile deployer]\nregion = eu-west-3" in shown
    assert "[default]\nregion = eu-west-3" in shown
    assert "AWS_REGION" not in result.bash_env
    # A test's environment may carry the host's HOME: the emulation writes the job's ~/.aws.
    host_home = tmp_path / "host-home"
    run = LocalRun(
        config=config,
        inline_orbs={"t": orb},
        home=tmp_path / "job-home",
        env={**env, "HOME": str(host_home)},
        log=io.StringIO(),
    )
    run.run("t/j", {"auth": auth})  # its `cat ~/.aws/config` reads the host's: it fails
    assert not host_home.exists()
    assert (tmp_path / "job-home" / ".aws" / "credentials").is_file()
    # Without credentials to stand for STS's answer, the step fails as the real one does.
    bare = {k: v for k, v in env.items() if not k.startswith("AWS_ACCESS")}
    run = LocalRun(
        config=config, inline_orbs={"t": orb}, home=tmp_path / "h2", env=bare, log=io.StringIO()
    )
    assert run.run("t/j", {"auth": auth}).status == "failed"


def test_an_image_profile_runs_the_steps_with_its_bash_and_python3(
    processes: None, tmp_path: Path
) -> None:
    tools = profile_tools("oldest")  # skipped, saying so, where it cannot be built
    assert tools is not None
    orb = yamlio.load(
        """
version: 2.1
description: a test orb with enough words in its description to be a real one, almost.
jobs:
  v:
    description: prints its tools' versions
    docker: [{image: cimg/base:current}]
    steps:
      - run:
          name: Versions
          command: echo "bash $BASH_VERSION"; python3 -c "import sys; print(sys.version_info[:2])"
"""
    )
    run = LocalRun(
        config={"version": 2.1, "orbs": {"t": "me/t@1"}},
        inline_orbs={"t": orb},
        home=tmp_path / "home",
        profile=ImageProfile.from_dir(OLDEST_PROFILE),
        log=io.StringIO(),
    )
    out = run.run("t/v").step("Versions").output
    assert "bash 5.1." in out and "(3, 9)" in out
