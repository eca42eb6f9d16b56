"""init's pure parts: samconfig sections with the app's bucket, the app's shape, the
CircleCI jobs merged into the tests' workflow, .gitignore, and every file or none."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
import yaml

from lambda_release.errors import OperationError, UsageError
from lambda_release.onboard import circleci, gitignore, samconfig
from lambda_release.onboard.app_shape import AppShape, shape
from lambda_release.onboard.writes import Change, write_all

SAM_INIT = """\
version = 0.1

[default.global.parameters]
stack_name = "sam-app"

[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
confirm_changeset = true
resolve_s3 = true
"""
TARGETS = [
    samconfig.Target("prod", "sam-app-prod", "PROD"),
    samconfig.Target("staging", "sam-app-staging", "STAGING"),
]


def _deploy(text: str, env: str) -> dict[str, object]:
    params: dict[str, object] = tomllib.loads(text)[env]["deploy"]["parameters"]
    return params


def test_sam_inits_resolve_s3_is_carried_into_each_section() -> None:
    plan = samconfig.plan(SAM_INIT, TARGETS)
    assert plan.text is not None and plan.text.startswith(SAM_INIT)
    for env in ("prod", "staging"):
        assert _deploy(plan.text, env)["resolve_s3"] is True
        assert _deploy(plan.text, env)["confirm_changeset"] is False
    assert plan.bucket == ""  # SAM's managed bucket


def test_a_named_bucket_prefix_and_region_are_carried_and_resolve_s3_is_not() -> None:
    mine = SAM_INIT.replace("resolve_s3 = true", 's3_bucket = "arts"\ns3_prefix = "app"')
    mine += 'region = "eu-west-1"\n'
    plan = samconfig.plan(mine, TARGETS)
    assert plan.text is not None
    prod = _deploy(plan.text, "prod")
    assert (prod["s3_bucket"], prod["s3_prefix"], prod["region"]) == ("arts", "app", "eu-west-1")
    assert "resolve_s3" not in prod and plan.bucket == "arts"


def test_an_app_with_no_bucket_gets_resolve_s3() -> None:
    plan = samconfig.plan(None, TARGETS)
    assert plan.text is not None and _deploy(plan.text, "staging")["resolve_s3"] is True


def test_a_bucketless_existing_section_is_amended_in_place() -> None:
    mine = SAM_INIT + '\n[prod.deploy.parameters]\nstack_name = "sam-app-prod" # ours\n'
    plan = samconfig.plan(mine, TARGETS)
    assert plan.text is not None and plan.amended == ["prod"] and plan.added == ["staging"]
    assert (
        '\n[prod.deploy.parameters]\nresolve_s3 = true\nstack_name = "sam-app-prod" # ours\n'
        in (plan.text)
    )
    assert samconfig.plan(plan.text, TARGETS).text is None  # the second run changes nothing


def test_the_prefix_in_use_and_sams_stack_name_are_read() -> None:
    data = tomllib.loads(SAM_INIT + '\n[prod.deploy.parameters]\nstack_name = "old-prod"\n')
    assert samconfig.prefix_in_use(data) == (
        "old",
        "samconfig.toml [prod] stack_name = 'old-prod'",
    )
    assert samconfig.app_stack_name(tomllib.loads(SAM_INIT)) == "sam-app"


def test_app_shape_runtimes_globals_and_images() -> None:
    template = {
        "Globals": {"Function": {"Runtime": "nodejs20.x"}},
        "Resources": {
            "A": {"Type": "AWS::Serverless::Function", "Properties": {}},
            "B": {"Type": "AWS::Serverless::Function", "Properties": {"PackageType": "Image"}},
            "C": {"Type": "AWS::S3::Bucket"},
        },
    }
    app = shape(template)
    assert app == AppShape(("nodejs20.x",), images=True)
    assert app.image == "public.ecr.aws/sam/build-nodejs20.x" and not app.mixed
    both = shape(
        {
            "Resources": {
                "A": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "java21"}},
                "B": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "go1.x"}},
            }
        }
    )
    assert both.mixed


def test_jobs_for_image_and_mixed_apps() -> None:
    config = yaml.safe_load(circleci.plan(None, "p", AppShape((), images=True)).text or "")
    prod = config["workflows"]["release"]["jobs"][1]["lambda-release/deploy"]
    assert prod["setup_remote_docker"] is True and prod["resolve_image_repos"] is True
    mixed = yaml.safe_load(circleci.plan(None, "p", AppShape(("go1.x", "java21"))).text or "")
    prod = mixed["workflows"]["release"]["jobs"][1]["lambda-release/deploy"]
    assert prod["executor"] == "lambda-release/machine"
    assert prod["extra_build_args"] == "--use-container"


def test_several_workflows_are_refused_with_the_snippet() -> None:
    two = "version: 2.1\nworkflows:\n  a:\n    jobs: [x]\n  b:\n    jobs: [y]\n"
    plan = circleci.plan(two, "p")
    assert plan.text is None and plan.refused and "several workflows (a, b)" in plan.refused
    assert "deploy-prod" in plan.snippet


def test_a_scheduled_workflow_is_not_the_tests_workflow() -> None:
    text = (
        "version: 2.1\nworkflows:\n  nightly:\n    triggers: []\n    jobs: [x]\n"
        "  ci:\n    jobs: [unit-tests, {lint: {name: style}}, {hold: {type: approval}}]\n"
    )
    plan = circleci.plan(text, "p")
    assert plan.workflow == "ci" and plan.requires == ("unit-tests", "style")


def test_a_job_name_clash_is_refused() -> None:
    plan = circleci.plan("version: 2.1\nworkflows:\n  ci:\n    jobs: [deploy-prod]\n", "p")
    assert plan.refused and "deploy-prod" in plan.refused


def test_gitignore_gains_the_folder_once() -> None:
    assert gitignore.plan(None) == (
        "# lambda-release's record of each release (written by deploy)\n.lambda-release/\n"
    )
    added = gitignore.plan("*.pyc")
    assert added is not None and added.startswith("*.pyc\n")
    assert gitignore.plan("/.lambda-release\n") is None


def test_every_file_or_none(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("before")
    (tmp_path / "blocker").write_text("a file where a folder is needed")
    changes = [
        Change(Path("kept.txt"), "before", "after"),
        Change(Path("new/dir/a.txt"), None, "x"),
        Change(Path("blocker/b.txt"), None, "y"),
    ]
    with pytest.raises(OperationError, match=r"cannot write blocker/b\.txt: .*nothing was written"):
        write_all(changes, tmp_path)
    assert (tmp_path / "kept.txt").read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "kept.txt"]


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    ro = tmp_path / "samconfig.toml"
    ro.write_text("mine")
    os.chmod(ro, 0o400)
    read_only = r"cannot write \S*samconfig\.toml: the file is read-only"
    with pytest.raises(OperationError, match=read_only):
        write_all([Change(Path("samconfig.toml"), "mine", "theirs")], tmp_path)
    assert ro.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["samconfig.toml"]


def test_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("theirs")
    project = tmp_path / "app"
    project.mkdir()
    (project / ".gitignore").symlink_to(outside)
    with pytest.raises(UsageError, match="outside the project"):
        write_all([Change(Path(".gitignore"), "theirs", "ours")], project)
    assert outside.read_text() == "theirs"
