"""Parameter overrides: SAM's grammar in, SAM's parser reads back exactly what we meant."""

from __future__ import annotations

import pytest
from samcli.cli.types import CfnParameterOverridesType

from lambda_release.errors import UsageError
from lambda_release.template.overrides import (
    config_overrides,
    format_override,
    merge_overrides,
    parse_override_item,
    parse_overrides,
)
from lambda_release.template.sam import deploy_command

TRICKY = [
    "plain",
    "hello world",
    'say "hi"',
    "it's",
    "a=b=c",
    "x,y,z",
    "  leading and trailing  ",
    "",
    "tab\there",
    "üñï",
    "a\\b",
]


def sam_reads(args: list[str]) -> dict[str, str]:
    """What the SAM CLI's own option type makes of the arguments we pass it."""
    result: dict[str, str] = CfnParameterOverridesType().convert(tuple(args), None, None)
    return result


@pytest.mark.parametrize("value", TRICKY)
def test_value_survives_sam_parser(value: str) -> None:
    assert sam_reads([format_override("Key", value)]) == {"Key": value}


def test_many_overrides_as_separate_elements() -> None:
    wanted = {f"K{i}": v for i, v in enumerate(TRICKY)}
    args = [format_override(k, v) for k, v in wanted.items()]
    assert sam_reads(args) == wanted


@pytest.mark.parametrize(
    "value", ['a\\"b', "ends\\", "a\\ b", "a\\'b", "ParameterKey=X,ParameterValue=Y"]
)
def test_values_sam_cannot_carry_are_refused(value: str) -> None:
    with pytest.raises(UsageError, match="SAM CLI"):
        format_override("Key", value)


def test_parse_sam_string_syntax_matches_sam() -> None:
    text = "Stage=prod Greeting=\"hello world\" Q='single quoted' Csv=a,b,c"
    assert parse_overrides(text) == sam_reads([text])
    assert parse_overrides(text)["Greeting"] == "hello world"


def test_parse_long_form() -> None:
    text = "ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=two"
    assert parse_overrides(text) == {"A": "1", "B": "two"} == sam_reads([text])


@pytest.mark.parametrize("text", ["novalue", "A=1 junk", "=x", 'A="unterminated'])
def test_malformed_string_is_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="malformed"):
        parse_overrides(text)


def test_item_is_literal() -> None:
    assert parse_override_item('Greeting=hello, "world" = 1') == ("Greeting", 'hello, "world" = 1')
    with pytest.raises(UsageError):
        parse_override_item("no-equals")
    with pytest.raises(UsageError):
        parse_override_item("bad key=1")


def test_config_forms() -> None:
    assert config_overrides('A=1 B="x y"') == {"A": "1", "B": "x y"}
    assert config_overrides(["A=1", "B=2"]) == {"A": "1", "B": "2"}
    assert config_overrides({"A": 1, "B": None}) == {"A": "1", "B": ""}
    assert config_overrides(None) == {}


def test_merge_order_and_alias() -> None:
    merged = merge_overrides({"A": "file", "B": "file"}, {"B": "string"}, [("C", "item")], "PROD")
    assert merged == {"A": "file", "B": "string", "C": "item", "AliasName": "PROD"}
    # The file's AliasName (e.g. a default) is replaced, not an error.
    assert merge_overrides({"AliasName": "STAGING"}, {}, [], "PROD")["AliasName"] == "PROD"
    assert merge_overrides({}, {"AliasName": "PROD"}, [], "PROD")["AliasName"] == "PROD"


def test_differing_user_alias_is_error() -> None:
    with pytest.raises(UsageError, match="contradicts"):
        merge_overrides({}, {}, [("AliasName", "STAGING")], "PROD")


def test_deploy_command_shape() -> None:
    cmd = deploy_command(
        "sam",
        stack="s",
        overrides={"AliasName": "PROD", "G": "a b"},
        tags={"lambda-release:log": "s3://b/p", "team": "x"},
        capabilities=["CAPABILITY_IAM"],
        s3_bucket="b",
        resolve_s3=True,
        region="us-east-1",
    )
    assert cmd[:4] == ["sam", "deploy", "--stack-name", "s"]
    assert "--resolve-s3" not in cmd  # an explicit bucket wins
    i = cmd.index("--parameter-overrides")
    assert sam_reads(cmd[i + 1 : i + 3]) == {"AliasName": "PROD", "G": "a b"}
    j = cmd.index("--tags")
    assert cmd[j + 1 : j + 3] == ["lambda-release:log=s3://b/p", "team=x"]
    assert "--no-fail-on-empty-changeset" in cmd and "--no-confirm-changeset" in cmd


def test_a_bucket_given_beside_samconfigs_resolve_s3_turns_it_off() -> None:
    """`sam init` writes resolve_s3 = true; SAM refuses it beside --s3-bucket ("Cannot use
    both") unless the command line says --no-resolve-s3."""
    shape = dict(stack="s", overrides={}, tags={}, capabilities=[], resolve_s3=False)
    with_file = deploy_command("sam", s3_bucket="b", no_resolve_s3=True, **shape)  # type: ignore[arg-type]
    assert with_file[with_file.index("--s3-bucket") + 1 :][:2] == ["b", "--no-resolve-s3"]
    plain = deploy_command("sam", s3_bucket="b", **shape)  # type: ignore[arg-type]
    assert "--no-resolve-s3" not in plain
