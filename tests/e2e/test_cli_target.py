"""`lambda-release target` through the console script, as CI runs it."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from lambda_release import __version__
from lambda_release.commands import COMMANDS
from lambda_release.names import git_branch_problem
from lambda_release.target import resolve_target
from tests.support.processes import Cli, Spawn, clean_env


def test_json_for_main(lr: Cli) -> None:
    r = lr("target", "--branch", "main", "--stack-prefix", "my-lambda", "--output", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "environment": "prod",
        "alias": "PROD",
        "stack": "my-lambda-prod",
        "branch": "main",
    }


def test_feature_branch_is_staging(lr: Cli) -> None:
    r = lr("--output", "json", "target", "--branch", "feature/x", "--stack-prefix", "my-lambda")
    assert json.loads(r.stdout) == {
        "environment": "staging",
        "alias": "STAGING",
        "stack": "my-lambda-staging",
        "branch": "feature/x",
    }


def test_glob_production_branch(lr: Cli) -> None:
    r = lr(
        "target", "--production-branch", "release/*", "--branch", "release/2.1",
        "--stack-prefix", "p", "--output", "json",
    )  # fmt: skip
    assert json.loads(r.stdout)["environment"] == "prod"


def test_branch_defaults_to_circle_branch(lr: Cli) -> None:
    r = lr(
        "target",
        "--stack-prefix",
        "p",
        "--output",
        "json",
        env=clean_env({"CIRCLE_BRANCH": "main"}),
    )
    assert json.loads(r.stdout)["alias"] == "PROD"


def test_tag_pipeline_without_branch_is_refused(lr: Cli) -> None:
    r = lr("target", "--stack-prefix", "p", env=clean_env({"CIRCLE_TAG": "v1.0.0"}))
    assert r.returncode == 2
    assert "no branch" in r.stderr
    assert "--environment" in r.stderr
    assert r.stdout == ""


def test_env_vars_and_flag_precedence(lr: Cli) -> None:
    env = {
        "LAMBDA_RELEASE_STACK_PREFIX": "from-env",
        "LAMBDA_RELEASE_PRODUCTION_BRANCH": "trunk,release/*",
        "CIRCLE_BRANCH": "trunk",
    }
    r = lr("target", "--output", "json", env=clean_env(env))
    assert json.loads(r.stdout)["stack"] == "from-env-prod"
    r = lr("target", "--output", "json", "--stack-prefix", "from-flag", env=env)
    assert json.loads(r.stdout)["stack"] == "from-flag-prod"


def test_output_env_is_sourceable_and_exact(lr: Cli) -> None:
    r = lr("target", "--branch", "main", "--stack-prefix", "my-lambda")
    assert r.stdout.splitlines() == [
        "export LAMBDA_RELEASE_ENVIRONMENT='prod'",
        "export LAMBDA_RELEASE_ALIAS='PROD'",
        "export LAMBDA_RELEASE_STACK='my-lambda-prod'",
        "export LAMBDA_RELEASE_BRANCH='main'",
    ]


HOSTILE_BUT_LEGAL = [
    "a$(touch${IFS}PWNED)",
    "`touch${IFS}PWNED`",
    "it's",
    'say"hi"',
    "semi;colon|pipe&amp",
    "ünïcødé/ブランチ",
    "$HOME",
    "a'$(touch${IFS}PWNED)'b",
    "!event",
    "{brace}",
    "#hash",
    "pull/123",
    "=eq",
]


@pytest.mark.parametrize("branch", HOSTILE_BUT_LEGAL)
def test_eval_is_safe_for_legal_branches(lr: Cli, branch: str, tmp_path: Path) -> None:
    assert git_branch_problem(branch) is None
    script = (
        'eval "$("$@" target --branch "$B" --stack-prefix p)" && printf %s "$LAMBDA_RELEASE_BRANCH"'
    )
    r = lr.spawn.bash(
        script, *lr.argv(), env={"PATH": os.environ["PATH"], "B": branch}, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == branch
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--branch", ""], "no branch"),
        (["--branch", "has space"], "not a branch name git allows"),
        (["--branch", "two\nlines"], "control character"),
        (["--branch", "$(rm -rf x)"], "' '"),
        (["--branch", "main", "--prod-alias", "123"], "all digits"),
        (["--branch", "main", "--prod-alias", "PROD!"], "not a valid Lambda alias"),
        (["--branch", "main", "--prod-alias", "P" * 122], "at most 121"),
        (["--branch", "main", "--staging-alias", "PROD"], "must differ"),
        (["--branch", "main", "--prod-stack", "1abc"], "start with a letter"),
        (["--branch", "main", "--prod-stack", "my_stack"], "'my_stack'"),
        (["--branch", "main", "--prod-stack", "s" * 129], "at most 128"),
        (["--branch", "main", "--stack-prefix", "1p"], "prefix '1p'"),
        (["--branch", "main", "--output", "yaml"], "--output 'yaml'"),
        (["--branch", "main", "--environment", "dev"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(lr: Cli, args: list[str], message: str) -> None:
    full = (
        ["target", *args] if "--stack-prefix" in args else ["target", "--stack-prefix", "p", *args]
    )
    r = lr(*full)
    assert r.returncode == 2
    assert message in r.stderr
    assert r.stdout == ""


def test_git_agrees_on_branch_names(spawn: Spawn) -> None:
    """Our check of branch names against git's own, over random names."""
    rng = random.Random(20261126)  # noqa: S311 - reproducible test data, not security
    alphabet = "ab/.-_@{}~^:?*[\\ $`'\"!;|&()#=,+ü\t"
    names = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(400)}
    disagreements = []
    for name in sorted(names):
        git = spawn.run(["git", "check-ref-format", "--branch", name])
        ours = git_branch_problem(name) is None
        if ours != (git.returncode == 0):
            disagreements.append((name, ours))
    assert disagreements == []


def test_version(lr: Cli) -> None:
    r = lr("--version")
    assert r.stdout.strip() == f"lambda-release {__version__}"


@pytest.mark.parametrize("name", [c.NAME for c in COMMANDS])
def test_every_command_has_help_with_an_example(lr: Cli, name: str) -> None:
    r = lr(name, "--help")
    assert r.returncode == 0
    assert "example" in r.stdout.lower()
    assert f"lambda-release {name}" in r.stdout


def test_no_command_prints_help_and_exits_2(lr: Cli) -> None:
    r = lr()
    assert r.returncode == 2
    assert "commands" in r.stderr


def test_python_api_matches_cli(lr: Cli) -> None:
    r = lr("target", "--branch", "dev", "--stack-prefix", "p", "--output", "json")
    assert json.loads(r.stdout) == resolve_target("dev", stack_prefix="p").as_dict()
