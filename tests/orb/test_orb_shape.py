"""What the issue asks of the orb's jobs, read from the jobs compiled as CircleCI would."""

from __future__ import annotations

from typing import Any

from orbtools.compiler import Compiler, Job, Scope
from orbtools.validate import EXAMPLE_PIPELINE

from tests.orb.conftest import ROOT


def compiled(packed_orb: dict[str, Any], job: str, **args: Any) -> Job:
    orbs = {"lambda-release": "lambda-release/lambda-release@1", "aws-cli": "circleci/aws-cli@5"}
    config = {"version": 2.1, "orbs": orbs}
    scope = Scope.of("config", config, {"lambda-release": packed_orb})
    return Compiler(scope, EXAMPLE_PIPELINE).job(f"lambda-release/{job}", args)


def names(job: Job) -> list[str]:
    return [str(s.spec.get("name", s.kind)) for s in job.steps]


def test_deploy_job_order_and_record_kept_after_failure(packed_orb: dict[str, Any]) -> None:
    job = compiled(packed_orb, "deploy", stack_prefix="app")
    assert names(job) == [
        "checkout",
        "Work out the helper's cache key",
        "Restore the helper's environment",
        "Install the lambda-release helper",
        "Work out the release target from the branch",
        "Check the SAM template",
        "Store the template check's SARIF report",
        "Build the SAM application",
        "Release with sam deploy and record it",
        "Keep the release record, even of a failed release",
        "Store the release record",
        "persist_to_workspace",
        # Issue 32: the report of the release, also of a failed one, stored and printed.
        "Write the release report, even of a failed release",
        "Store the release report",
        # Last, so that the bytecode the steps compiled is cached with the helper.
        "Save the helper's environment",
    ]
    by_name = {str(s.spec.get("name", s.kind)): s for s in job.steps}
    assert by_name["Keep the release record, even of a failed release"].when == "always"
    assert by_name["Write the release report, even of a failed release"].when == "always"
    for stored in (
        "Store the release record",
        "Store the template check's SARIF report",
        "Store the release report",
    ):
        assert by_name[stored].kind == "store_artifacts" and by_name[stored].when == "always"
    release = by_name["Release with sam deploy and record it"].spec
    assert release["no_output_timeout"] == "30m"  # a 30-minute canary is not cut at 10 minutes
    assert job.executor["docker"][0]["image"].startswith("public.ecr.aws/sam/build-python3.12:1.")
    code = [
        line
        for s in job.steps
        for line in str(s.spec.get("command", "")).splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert code and not [line for line in code if "--use-container" in line]


def test_deploy_job_splices_auth_and_hooks_and_can_skip_the_check(
    packed_orb: dict[str, Any],
) -> None:
    job = compiled(
        packed_orb,
        "deploy",
        stack_prefix="app",
        check_template=False,
        auth=[{"aws-cli/setup": {"role_arn": "r"}}],
        pre_deploy=[{"run": {"name": "smoke", "command": "true"}}],
        post_deploy=[{"run": {"name": "notify", "command": "true"}}],
    )
    steps = names(job)
    assert job.steps[1].kind == "external" and job.steps[1].spec["step"] == "aws-cli/setup"
    assert "Check the SAM template" not in steps
    assert steps.index("smoke") < steps.index("Release with sam deploy and record it")
    assert steps.index("notify") == steps.index("Release with sam deploy and record it") + 1
    install = next(
        s.spec for s in job.steps if s.spec.get("name") == "Install the lambda-release helper"
    )
    assert install["environment"]["LR_BOOL_WITH_CHECK"] is False


def test_rollback_job_reads_the_deploy_record_and_looks_up_the_approver(
    packed_orb: dict[str, Any],
) -> None:
    job = compiled(packed_orb, "rollback", stack_prefix="app", circleci_token="MY_TOKEN")
    assert job.steps[0].kind == "attach_workspace"
    by_name = {str(s.spec.get("name")): s.spec for s in job.steps}
    assert by_name["Look up who approved the rollback"]["environment"] == {
        "LR_ENV_TOKEN_NAME": "MY_TOKEN",
        "LR_STR_APPROVAL_JOB": "hold-rollback",
    }
    rollback = by_name["Roll back this pipeline's release"]["environment"]
    assert rollback["LR_STR_DEPLOY_RECORD"] == "lambda-release/release.json"
    assert "persist_to_workspace" not in names(job)


def test_integration_fixture_app_is_python_312_like_the_default_executor() -> None:
    template = (ROOT / "tests/orb/fixtures/app/template.yaml").read_text(encoding="utf-8")
    assert "Runtime: python3.12" in template


def test_tag_pipelines_name_alias_and_stack_in_deploy(packed_orb: dict[str, Any]) -> None:
    job = compiled(packed_orb, "deploy", alias="PROD", stack="orders-prod")
    target = next(
        s.spec for s in job.steps if s.spec.get("name", "").startswith("Work out the release")
    )
    assert target["environment"]["LR_STR_ALIAS"] == "PROD"
    assert target["environment"]["LR_STR_STACK"] == "orders-prod"
    job = compiled(packed_orb, "deploy", stack_prefix="app", target_environment="prod")
    target = next(
        s.spec for s in job.steps if s.spec.get("name", "").startswith("Work out the release")
    )
    assert target["environment"]["LR_ENUM_TARGET_ENVIRONMENT"] == "prod"


def test_machine_builds_with_a_pre_build_hook_and_docker_for_image_functions(
    packed_orb: dict[str, Any],
) -> None:
    install_sam = {"run": {"name": "Install the SAM CLI", "command": "pip install aws-sam-cli"}}
    job = compiled(
        packed_orb,
        "deploy",
        stack_prefix="app",
        executor={"name": "lambda-release/machine", "resource_class": "arm.medium"},
        pre_build=[install_sam],
        setup_remote_docker=True,
        image_repositories="Fn=1.dkr.ecr.eu-west-1.amazonaws.com/fn",
        profile_name="deployer",
    )
    steps = names(job)
    assert steps.index("Install the SAM CLI") < steps.index("Check the SAM template")
    assert steps.index("Install the SAM CLI") < steps.index("Build the SAM application")
    assert steps.index("setup_remote_docker") < steps.index("Build the SAM application")
    assert job.executor["machine"]["image"].startswith("ubuntu-")
    assert job.executor["resource_class"] == "arm.medium"
    release = next(s.spec for s in job.steps if s.spec.get("name", "").startswith("Release"))
    assert release["environment"]["LR_STR_IMAGE_REPOSITORIES"].startswith("Fn=")
    assert release["environment"]["LR_STR_PROFILE_NAME"] == "deployer"
    assert "setup_remote_docker" not in names(compiled(packed_orb, "deploy", stack_prefix="a"))


def test_other_runtimes_and_arm64_on_the_default_executor(packed_orb: dict[str, Any]) -> None:
    executor = {
        "name": "lambda-release/default",
        "image": "public.ecr.aws/sam/build-nodejs20.x",
        "tag": "1.142.1-20250701194731",
        "resource_class": "arm.large",
    }
    job = compiled(packed_orb, "deploy", stack_prefix="app", executor=executor)
    assert job.executor["docker"][0]["image"] == (
        "public.ecr.aws/sam/build-nodejs20.x:1.142.1-20250701194731"
    )
    assert job.executor["resource_class"] == "arm.large"


def test_the_cache_is_keyed_on_the_helper_and_can_be_turned_off(
    packed_orb: dict[str, Any],
) -> None:
    job = compiled(packed_orb, "deploy", stack_prefix="app")
    restore = next(s.spec for s in job.steps if s.kind == "restore_cache")
    save = next(s.spec for s in job.steps if s.kind == "save_cache")
    assert restore["keys"] == [save["key"]]
    assert "{{ arch }}" in save["key"] and '{{ checksum "' in save["key"]
    # the environment and its key, not the uv an install without one fetched (38 MB)
    assert save["paths"] == [
        "~/.lambda-release/venv",
        "~/.lambda-release/cache-key",
        "~/.lambda-release/python",  # uv's CPython, on images whose python3 is below 3.11
    ]
    off = compiled(packed_orb, "deploy", stack_prefix="app", cache=False)
    assert not [s for s in off.steps if s.kind in ("restore_cache", "save_cache")]


def test_rollback_records_the_approver_of_its_own_approval_job(
    packed_orb: dict[str, Any],
) -> None:
    job = compiled(packed_orb, "rollback", stack_prefix="app", approval_job="undo-prod")
    approver = next(s.spec for s in job.steps if s.spec.get("name", "").startswith("Look up"))
    assert approver["environment"]["LR_STR_APPROVAL_JOB"] == "undo-prod"


def test_the_install_command_saves_right_away_unless_its_job_saves_last(
    packed_orb: dict[str, Any],
) -> None:
    # A job of the user's own with the install command: saved right after the install.
    orbs = {"lambda-release": "lambda-release/lambda-release@1"}
    own = {
        "docker": [{"image": "cimg/python:3.12"}],
        "steps": ["checkout", {"lambda-release/install": {}}, {"run": "lambda-release status"}],
    }
    config = {"version": 2.1, "orbs": orbs, "jobs": {"own": own}}
    scope = Scope.of("config", config, {"lambda-release": packed_orb})
    steps = names(Compiler(scope, EXAMPLE_PIPELINE).job("own", {}))
    install = steps.index("Install the lambda-release helper")
    assert steps[install + 1] == "Save the helper's environment"
    # The orb's jobs save once, last (on success), under the key the install step restores.
    for job_name in ("deploy", "rollback"):
        job = compiled(packed_orb, job_name, stack_prefix="app")
        saves = [s for s in job.steps if s.kind == "save_cache"]
        assert len(saves) == 1 and job.steps[-1] is saves[0] and saves[0].when == "on_success"
        restore = next(s.spec for s in job.steps if s.kind == "restore_cache")
        assert restore["keys"] == [saves[0].spec["key"]]


def test_sam_cache_wraps_the_build_and_build_overrides_reach_it(packed_orb: dict[str, Any]) -> None:
    """Issue 27 item 6: an optional .aws-sam/cache cache; build-time parameter overrides."""
    plain = compiled(packed_orb, "deploy", stack_prefix="app")
    assert "Restore SAM's build cache" not in names(plain)
    job = compiled(
        packed_orb,
        "deploy",
        stack_prefix="app",
        app_dir="svc",
        sam_cache=True,
        build_parameter_overrides="Stage=prod",
        log_bucket="audit",
    )
    order = names(job)
    build = order.index("Build the SAM application")
    assert order[build - 1] == "Restore SAM's build cache"
    assert order[build + 1] == "Save SAM's build cache"
    save = job.steps[build + 1].spec
    assert save["paths"] == ["svc/.aws-sam/cache"]
    assert save["key"].startswith("lambda-release-sam-v1-{{ arch }}-{{ .Branch }}-")
    steps = {str(s.spec.get("name")): s.spec for s in job.steps}
    assert steps["Build the SAM application"]["environment"]["LR_STR_PARAMETER_OVERRIDES"] == (
        "Stage=prod"
    )
    release = steps["Release with sam deploy and record it"]["environment"]
    assert release["LR_STR_LOG_BUCKET"] == "audit"
