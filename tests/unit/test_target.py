"""Branch -> target resolution and AWS's naming rules."""

from __future__ import annotations

import pytest

from lambda_release.errors import UsageError
from lambda_release.names import git_branch_problem, validate_alias, validate_stack_name
from lambda_release.target import Target, resolve_target, shell_quote
from tests.support.processes import Spawn


def test_main_is_production() -> None:
    t = resolve_target("main", stack_prefix="my-lambda")
    assert t == Target("prod", "PROD", "my-lambda-prod", "main")


def test_other_branch_is_staging() -> None:
    t = resolve_target("feature/x", stack_prefix="my-lambda")
    assert (t.environment, t.alias, t.stack) == ("staging", "STAGING", "my-lambda-staging")


def test_glob_production_branch() -> None:
    t = resolve_target("release/2.1", production_branches=["main", "release/*"], stack_prefix="p")
    assert t.environment == "prod"
    assert resolve_target(
        "releases/2", production_branches=["release/*"], stack_prefix="p"
    ).alias == ("STAGING")


def test_glob_is_case_sensitive() -> None:
    assert resolve_target("Main", stack_prefix="p").environment == "staging"


def test_explicit_stacks_beat_prefix() -> None:
    t = resolve_target("main", stack_prefix="p", prod_stack="live", staging_stack="test")
    assert t.stack == "live"
    assert resolve_target("dev", stack_prefix="p", prod_stack="live").stack == "p-staging"


def test_custom_aliases() -> None:
    t = resolve_target("dev", prod_alias="live", staging_alias="beta", stack_prefix="p")
    assert t.alias == "beta"


def test_environment_without_branch() -> None:
    t = resolve_target(None, environment="prod", stack_prefix="p")
    assert (t.environment, t.branch) == ("prod", "")


def test_environment_must_agree_with_branch() -> None:
    with pytest.raises(UsageError, match="not a prod branch"):
        resolve_target("dev", environment="prod", stack_prefix="p")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"branch": ""}, "no branch"),
        ({"branch": None}, "no branch"),
        ({"branch": "has space"}, "' '"),
        ({"branch": "a\nb"}, "control character"),
        ({"branch": "a\tb"}, "control character"),
        ({"branch": "a..b"}, "'..'"),
        ({"branch": "a~1"}, "'~'"),
        ({"branch": "x.lock"}, ".lock"),
        ({"branch": "-x"}, "starts with '-'"),
        ({"branch": "main", "prod_alias": "123"}, "all digits"),
        ({"branch": "main", "prod_alias": "PROD!"}, "letters, digits"),
        ({"branch": "main", "prod_alias": "A" * 122}, "at most 121"),
        ({"branch": "main", "prod_alias": ""}, "empty"),
        ({"branch": "main", "staging_alias": "PROD"}, "must differ"),
        ({"branch": "main", "stack_prefix": "1abc"}, "start with a letter"),
        ({"branch": "main", "stack_prefix": "my_stack"}, "start with a letter"),
        ({"branch": "main", "stack_prefix": "a" * 125}, "at most 128"),
        ({"branch": "main", "stack_prefix": None}, "no stack"),
        ({"branch": "main", "stack_prefix": None, "prod_stack": "x", "staging_stack": "x"}, "both"),
        ({"branch": "main", "production_branches": []}, "no production branch"),
        ({"branch": "main", "production_branches": [" main"]}, "surrounding spaces"),
    ],
)
def test_bad_input_is_rejected(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"stack_prefix": "p"} | kwargs
    branch = args.pop("branch")
    with pytest.raises(UsageError, match=message):
        resolve_target(branch, **args)  # type: ignore[arg-type]


def test_alias_limits() -> None:
    assert validate_alias("A" * 121) == "A" * 121
    assert validate_alias("PROD-2_x") == "PROD-2_x"
    with pytest.raises(UsageError):
        validate_alias("A" * 122)


def test_stack_limits() -> None:
    assert validate_stack_name("a" + "-1" * 63 + "b") == "a" + "-1" * 63 + "b"
    with pytest.raises(UsageError):
        validate_stack_name("a" * 129)


@pytest.mark.parametrize(
    "branch",
    [
        "main",
        "feature/x",
        "a$(id)",
        "quote'd",
        'dq"x',
        "back`tick`",
        "ünïcødé/ブランチ",
        "a;b|c&d",
        "@x",
    ],
)
def test_legal_git_branches_are_accepted(branch: str) -> None:
    assert git_branch_problem(branch) is None


@pytest.mark.parametrize(
    "value", ["plain", "it's", "$(id)", "`x`", "a'b'c", "'", "''", "\\", "!x", "ü", "a\\'b"]
)
def test_shell_quote_round_trips(spawn: Spawn, value: str) -> None:
    out = spawn.bash(f"printf %s {shell_quote(value)}", check=True)
    assert out.stdout == value
