"""`lambda-release init` without AWS: the files it writes, merges, refuses, and its second run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from lambda_release.cli import main
from tests.support.bare_demo import write_bare_demo

EXISTING_CONFIG = """\
version: 2.1
# our tests: keep this comment and everything below exactly
orbs:
  node: circleci/node@5.2.0
jobs:
  test:
    docker:
      - image: cimg/python:3.12
    steps:
      - checkout
      - run: "pytest -q"   # quoted on purpose
workflows:
  ci:
    jobs: [test]
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "orders-app"
    write_bare_demo(directory)
    monkeypatch.chdir(directory)
    return directory


def _files(app: Path) -> dict[str, str]:
    return {str(p.relative_to(app)): p.read_text() for p in app.rglob("*") if p.is_file()}


def test_init_writes_config_samconfig_and_fixes_the_template(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--stack-prefix", "orders", "--account", "123456789012"]) == 0
    out = capsys.readouterr().out
    config = yaml.safe_load((app / ".circleci/config.yml").read_text())
    assert config["orbs"]["lambda-release"] == "lambda-release/lambda-release@1"
    jobs = config["workflows"]["release"]["jobs"]
    staging, prod, hold, rollback = (next(iter(j.items())) for j in jobs)
    assert staging[0] == prod[0] == "lambda-release/deploy"
    assert (staging[1]["name"], prod[1]["name"]) == ("deploy-staging", "deploy-prod")
    assert prod[1]["stack_prefix"] == "orders" and prod[1]["target_environment"] == "prod"
    # Two roles in two contexts: production only from main.
    assert staging[1]["context"] != prod[1]["context"]
    assert staging[1]["filters"] == {"branches": {"ignore": "main"}}
    assert prod[1]["filters"] == {"branches": {"only": "main"}}
    # The hold follows the deploy whether it succeeded or failed; main only.
    assert hold == (
        "hold-rollback",
        {
            "type": "approval",
            "requires": [{"deploy-prod": ["success", "failed"]}],
            "filters": {"branches": {"only": "main"}},
        },
    )
    assert rollback[0] == "lambda-release/rollback"
    assert rollback[1]["context"] == "aws-prod-rollback"
    assert rollback[1]["requires"] == ["hold-rollback"]
    assert prod[1]["serial-group"] == rollback[1]["serial-group"]
    assert prod[1]["executor"]["image"] == "public.ecr.aws/sam/build-python3.11"
    samconfig = tomllib.loads((app / "samconfig.toml").read_text())
    assert samconfig["prod"]["deploy"]["parameters"]["stack_name"] == "orders-prod"
    assert samconfig["staging"]["deploy"]["parameters"]["parameter_overrides"] == (
        "AliasName=STAGING"
    )
    assert "AutoPublishAlias: !Ref AliasName" in (app / "template.yaml").read_text()
    assert (
        "lambda-release iam-policy --role rollback --stack orders-prod --alias PROD "
        "--account 123456789012" in out
    )
    assert "--trust --account 123456789012" in out and "--branch main" in out
    assert main(["check"]) == 0


def test_init_twice_changes_nothing_the_second_time(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--stack-prefix", "orders"]) == 0
    first = _files(app)
    capsys.readouterr()
    assert main(["init", "--stack-prefix", "orders"]) == 0
    assert _files(app) == first
    assert "nothing to change" in capsys.readouterr().out


def test_dry_run_writes_nothing_and_shows_every_diff(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(app)
    assert main(["init", "--stack-prefix", "orders", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert _files(app) == before
    for name in ("b/template.yaml", "b/.circleci/config.yml", "b/samconfig.toml"):
        assert f"+++ {name}" in out


def test_merges_into_an_existing_config_keeping_every_byte(app: Path) -> None:
    (app / ".circleci").mkdir()
    (app / ".circleci/config.yml").write_text(EXISTING_CONFIG)
    assert main(["init", "--stack-prefix", "orders"]) == 0
    merged = (app / ".circleci/config.yml").read_text()
    kept = [line for line in EXISTING_CONFIG.splitlines() if line != "    jobs: [test]"]
    assert all(line in merged.splitlines() for line in kept)
    data = yaml.safe_load(merged)
    assert data["orbs"]["node"] == "circleci/node@5.2.0"
    assert data["orbs"]["lambda-release"] == "lambda-release/lambda-release@1"
    # The release jobs joined the team's workflow and wait for its test job.
    jobs = data["workflows"]["ci"]["jobs"]
    assert jobs[0] == "test" and "release" not in data["workflows"]
    deploys = [j["lambda-release/deploy"] for j in jobs[1:] if "lambda-release/deploy" in j]
    assert [d["requires"] for d in deploys] == [["test"], ["test"]]
    assert main(["init", "--stack-prefix", "orders"]) == 0
    assert (app / ".circleci/config.yml").read_text() == merged


def test_refuses_a_config_it_cannot_merge_and_prints_the_snippet(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (app / ".circleci").mkdir()
    setup = "version: 2.1\nsetup: true\norbs:\n  continuation: circleci/continuation@1\n"
    (app / ".circleci/config.yml").write_text(setup)
    assert main(["init", "--stack-prefix", "orders"]) == 1
    out = capsys.readouterr().out
    assert (app / ".circleci/config.yml").read_text() == setup
    assert "dynamic-config setup file" in out
    assert "lambda-release/deploy:" in out and "hold-rollback:" in out
    assert (app / "samconfig.toml").is_file()  # the rest of init still happened


def test_existing_samconfig_sections_are_kept(app: Path) -> None:
    mine = 'version = 0.1\n\n[prod.deploy.parameters]\nstack_name = "legacy"  # ours\n'
    (app / "samconfig.toml").write_text(mine)
    assert main(["init", "--stack-prefix", "orders"]) == 0
    text = (app / "samconfig.toml").read_text()
    # Kept, with the one line sam needs to find a bucket (the app names none).
    assert text.startswith(
        'version = 0.1\n\n[prod.deploy.parameters]\nresolve_s3 = true\nstack_name = "legacy"'
    )
    data = tomllib.loads(text)
    assert data["prod"]["deploy"]["parameters"]["stack_name"] == "legacy"
    assert data["staging"]["deploy"]["parameters"]["stack_name"] == "orders-staging"
    assert data["staging"]["deploy"]["parameters"]["resolve_s3"] is True


def test_stack_prefix_defaults_to_the_directory_name(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--dry-run"]) == 0
    assert "stack_prefix: orders-app" in capsys.readouterr().out


def test_bad_prefix_and_missing_template_are_bad_input(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(app)
    assert main(["init", "--stack-prefix", "bad prefix;rm"]) == 2
    assert "--stack-prefix" in capsys.readouterr().err
    assert main(["init", "--template", "missing.yaml"]) == 2
    assert "no SAM template" in capsys.readouterr().err
    assert _files(app) == before
