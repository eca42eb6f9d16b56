"""`lambda-release iam-policy` through the console script: roles, scoping, text, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string  # type: ignore[import-untyped]

from lambda_release.iam.policy import role_actions
from lambda_release.iam.roles import ROLES
from tests.iam.recorder import ACCOUNT, iam_policy
from tests.support.processes import Cli

SCOPE = ["--stack", "shop-prod", "--account", ACCOUNT, "--region", "eu-west-1"]


def policy(lr: Cli, *args: str) -> dict[str, Any]:
    p = iam_policy(lr, *args)
    assert p.returncode == 0, p.stderr
    out: dict[str, Any] = json.loads(p.stdout)
    return out


def resources(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for st in doc["Statement"]:
        r = st["Resource"]
        out += [r] if isinstance(r, str) else r
    return out


@pytest.mark.parametrize("role", ROLES)
def test_each_role_prints_a_clean_policy_with_exactly_its_actions(lr: Cli, role: str) -> None:
    doc = policy(lr, "--role", role, "--alias", "PROD", "--bucket", "s3://arts/logs", *SCOPE)
    granted = sorted(a for st in doc["Statement"] for a in st["Action"])
    assert granted == role_actions(role)
    assert [f.issue for f in analyze_policy_string(json.dumps(doc)).findings] == []
    for arn in resources(doc):
        assert arn == "*" or ":eu-west-1:" in arn or arn.startswith("arn:aws:s3:::")


def test_scoping_follows_the_flags(lr: Cli) -> None:
    doc = policy(lr, "--role", "deploy", "--alias", "PROD", "--bucket", "s3://arts/logs", *SCOPE)
    arns = resources(doc)
    assert "arn:aws:lambda:eu-west-1:123456789012:function:shop-prod-*" in arns
    assert "arn:aws:s3:::arts/logs/lambda-release/shop-prod/PROD/*" in arns
    assert "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-prod/*" in arns
    listing = next(st for st in doc["Statement"] if st["Action"] == ["s3:ListBucket"])
    assert listing["Condition"] == {
        "StringLike": {
            "s3:prefix": ["logs/lambda-release/shop-prod/", "logs/lambda-release/shop-prod/PROD/*"]
        }
    }
    prefixed = policy(
        lr, "--role", "rollback", "--function-prefix", "shop-", "--bucket", "arts", *SCOPE
    )
    assert "arn:aws:lambda:eu-west-1:123456789012:function:shop-*" in resources(prefixed)


def test_without_a_bucket_the_sam_managed_bucket_and_stack(lr: Cli) -> None:
    p = iam_policy(lr, "--role", "readonly", *SCOPE)
    assert p.returncode == 0 and "--resolve-s3" in p.stderr
    arns = resources(json.loads(p.stdout))
    assert any("aws-sam-cli-managed-default-samclisourcebucket-*" in a for a in arns)
    assert (
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/aws-sam-cli-managed-default/*" in arns
    )


def test_settings_come_from_the_environment_and_partition_from_the_region(lr: Cli) -> None:
    env = {"LAMBDA_RELEASE_STACK": "shop-staging", "LAMBDA_RELEASE_S3_BUCKET": "arts"}
    p = iam_policy(lr, "--role", "deploy", "--account", ACCOUNT, "--region", "cn-north-1", env=env)
    assert p.returncode == 0, p.stderr
    arns = resources(json.loads(p.stdout))
    assert "arn:aws-cn:lambda:cn-north-1:123456789012:function:shop-staging-*" in arns


def test_text_output_explains_every_action(lr: Cli) -> None:
    p = iam_policy(lr, "--role", "rollback", "--bucket", "arts", "--output", "text", *SCOPE)
    assert p.returncode == 0, p.stderr
    for action in role_actions("rollback"):
        assert action in p.stdout
    assert "only when" in p.stdout  # the actions a run may not need say when they are used


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stack", "s-prod", "--account", ACCOUNT, "--region", "eu-west-1"], "give --role"),
        (["--role", "deploy", "--account", ACCOUNT, "--region", "eu-west-1"], "no stack"),
        (
            ["--role", "deploy", "--stack", "s", "--account", "12", "--region", "eu-west-1"],
            "--account '12'",
        ),
        (
            ["--role", "deploy", "--stack", "s", "--account", ACCOUNT, "--region", "Europe"],
            "--region 'Europe'",
        ),
        (
            ["--role", "deploy", "--stack", "9bad", "--account", ACCOUNT, "--region", "eu-west-1"],
            "9bad",
        ),
        (["--role", "deploy", "--alias", "BAD ALIAS", *SCOPE], "BAD ALIAS"),
        (["--role", "deploy", "--function-prefix", "x*", *SCOPE], "--function-prefix 'x*'"),
        (["--role", "deploy", "--bucket", "arts/*", *SCOPE], "must not contain"),
        (["--role", "deploy", "--stack", "s", "--account", ACCOUNT], "no AWS region"),
    ],
)
def test_bad_input_names_the_value_and_the_fix(lr: Cli, args: list[str], message: str) -> None:
    p = iam_policy(lr, *args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert message in p.stderr, p.stderr


def test_help_has_examples(lr: Cli) -> None:
    p = iam_policy(lr, "--help")
    assert p.returncode == 0, p.stderr
    assert "lambda-release iam-policy --role deploy" in p.stdout
    assert "--trust" in p.stdout


def test_without_account_sts_names_it(lr: Cli, sandbox_env: dict[str, str]) -> None:
    env = {k: v for k, v in sandbox_env.items() if k.startswith("AWS_")}
    p = iam_policy(lr, "--role", "readonly", "--stack", "shop-prod", "--bucket", "arts", env=env)
    assert p.returncode == 0, p.stderr
    assert ":123456789012:" in p.stdout  # the stand-in's account, as STS reports it
