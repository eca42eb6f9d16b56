"""Settings precedence: flag > LAMBDA_RELEASE_* environment > SAM config file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import get_args

import pytest

from lambda_release import cli, settings
from lambda_release.errors import UsageError
from lambda_release.settings import SamConfig, Settings, env_var

SAMCONFIG = """\
version = 0.1
[default.global.parameters]
region = "eu-west-1"
[default.deploy.parameters]
s3_bucket = "default-bucket"
stack_name = "ignored-target-option"
[prod.deploy.parameters]
region = "ap-northeast-1"
s3_bucket = "prod-bucket"
parameter_overrides = "Key=Value Other='a b'"
capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
resolve_s3 = true
"""


@pytest.fixture
def samconfig(tmp_path: Path) -> SamConfig:
    path = tmp_path / "samconfig.toml"
    path.write_text(SAMCONFIG)
    return SamConfig.load(path)


def test_env_var_name() -> None:
    assert env_var("stack_prefix") == "LAMBDA_RELEASE_STACK_PREFIX"
    assert env_var("log-bucket") == "LAMBDA_RELEASE_LOG_BUCKET"


def test_flag_beats_env_beats_file(samconfig: SamConfig) -> None:
    base = Settings({}, {}).with_file(samconfig, "prod", "deploy")
    assert base.get("region") == "ap-northeast-1"
    assert base.source("region") == "file"
    env = Settings({}, {"LAMBDA_RELEASE_REGION": "us-west-2"}).with_file(
        samconfig, "prod", "deploy"
    )
    assert env.get("region") == "us-west-2"
    assert env.source("region") == "env"
    flag = Settings({"region": "sa-east-1"}, {"LAMBDA_RELEASE_REGION": "us-west-2"}).with_file(
        samconfig, "prod", "deploy"
    )
    assert flag.get("region") == "sa-east-1"
    assert flag.source("region") == "flag"


def test_unset_everywhere_is_default() -> None:
    s = Settings({"region": None}, {})
    assert s.get("region", "x") == "x"
    assert s.source("region") is None


def test_empty_env_var_counts_as_unset() -> None:
    assert Settings({}, {"LAMBDA_RELEASE_REGION": ""}).get("region", "d") == "d"


def test_config_env_section_has_no_fallback(samconfig: SamConfig) -> None:
    # Like the SAM CLI: --config-env prod reads only [prod.*] sections.
    prod = Settings({}, {}).with_file(samconfig, "prod", "deploy")
    assert prod.get("s3_bucket") == "prod-bucket"
    default = Settings({}, {}).with_file(samconfig, "default", "deploy")
    assert default.get("region") == "eu-west-1"
    assert default.get("s3_bucket") == "default-bucket"
    staging = Settings({}, {}).with_file(samconfig, "staging", "deploy")
    assert staging.get("s3_bucket") is None


def test_target_options_never_come_from_the_file(samconfig: SamConfig) -> None:
    s = Settings({}, {}).with_file(samconfig, "default", "deploy")
    assert s.get("stack_name") is None


def test_file_lists_and_bools(samconfig: SamConfig) -> None:
    s = Settings({}, {}).with_file(samconfig, "prod", "deploy")
    assert s.get_list("capabilities") == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    assert s.get_bool("resolve_s3") is True
    assert s.get("parameter_overrides") == "Key=Value Other='a b'"


def test_lists_from_flags_and_env() -> None:
    assert Settings({"production_branch": ["main", "release/*"]}, {}).get_list(
        "production_branch"
    ) == ["main", "release/*"]
    env = {"LAMBDA_RELEASE_PRODUCTION_BRANCH": "main, release/*  hotfix/*"}
    assert Settings({}, env).get_list("production_branch") == ["main", "release/*", "hotfix/*"]
    assert Settings({}, {}).get_list("production_branch", ["main"]) == ["main"]


@pytest.mark.parametrize(("text", "value"), [("true", True), ("1", True), ("no", False)])
def test_bools_from_env(text: str, value: bool) -> None:
    assert Settings({}, {"LAMBDA_RELEASE_DRY_RUN": text}).get_bool("dry_run") is value


def test_bad_bool_names_the_variable() -> None:
    with pytest.raises(UsageError, match="LAMBDA_RELEASE_DRY_RUN='maybe'"):
        Settings({}, {"LAMBDA_RELEASE_DRY_RUN": "maybe"}).get_bool("dry_run")


def test_file_is_read_lazily(tmp_path: Path) -> None:
    broken = tmp_path / "samconfig.toml"
    broken.write_text("this is [not toml")
    s = Settings({"region": "eu-west-1"}, {}).with_file(
        lambda: SamConfig.load(broken), "default", "deploy"
    )
    assert s.get("region") == "eu-west-1"  # a flag: the broken file is never read
    with pytest.raises(UsageError, match="cannot read SAM config file"):
        s.get("s3_bucket")


def test_yaml_samconfig(tmp_path: Path) -> None:
    path = tmp_path / "samconfig.yaml"
    path.write_text("version: 0.1\nprod:\n  deploy:\n    parameters:\n      region: eu-north-1\n")
    cfg = SamConfig.find(None, tmp_path)
    assert Settings({}, {}).with_file(cfg, "prod", "deploy").get("region") == "eu-north-1"


def test_missing_explicit_config_file_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        SamConfig.find(str(tmp_path / "nope.toml"), tmp_path)


def test_every_option_the_parser_registers_is_a_setting_name_and_no_other() -> None:
    # settings.Name lets mypy refuse a misspelt setting; it must list exactly the options.
    dests: set[str] = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)
            elif action.dest not in ("help", "version") and not action.dest.startswith("_"):
                dests.add(action.dest)

    walk(cli.build_parser())
    assert set(get_args(settings.Name)) == dests
    assert [s.value for s in settings.Source] == ["flag", "env", "file"]
