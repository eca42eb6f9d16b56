"""The policy evaluator the IAM tests rely on: wildcards, conditions, Deny."""

from __future__ import annotations

from typing import Any

import pytest

from tests.iam.evaluate import is_allowed, matches


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


FN = "arn:aws:lambda:eu-west-1:123456789012:function:app-prod-*"


def test_wildcards() -> None:
    assert matches("app-*", "app-prod-A:PROD")  # * crosses ':' and '/'
    assert matches("a?c", "abc") and not matches("a?c", "abbc")
    assert not matches("app-*", "xapp-1")  # anchored at both ends
    assert matches("[x]", "[x]")  # no character classes in IAM
    assert not matches("App-*", "app-1")  # resources are case-sensitive
    assert matches("LAMBDA:get*", "lambda:GetAlias", ignore_case=True)


def test_action_and_resource_must_both_match() -> None:
    p = policy({"Effect": "Allow", "Action": ["lambda:UpdateAlias"], "Resource": FN})
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:app-prod-AFunction-X"
    assert is_allowed(p, "lambda:UpdateAlias", arn)
    assert is_allowed(p, "lambda:updatealias", arn + ":PROD")
    assert not is_allowed(p, "lambda:DeleteAlias", arn)
    assert not is_allowed(p, "lambda:UpdateAlias", arn.replace("app-prod", "app-staging"))


def test_deny_wins_and_nothing_is_a_deny() -> None:
    p = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
    )
    assert is_allowed(p, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not is_allowed(p, "s3:PutObject", "arn:aws:s3:::b/k")
    assert not is_allowed(policy(), "s3:GetObject", "arn:aws:s3:::b/k")


def test_conditions() -> None:
    p = policy(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": ["logs/app/*"]}},
        }
    )
    assert is_allowed(p, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "logs/app/PROD/"})
    assert not is_allowed(p, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "logs/other/"})
    assert not is_allowed(p, "s3:ListBucket", "arn:aws:s3:::b", {})  # key absent
    neg = policy(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
            "Condition": {"StringEquals": {"x:aud": "o"}, "StringNotLike": {"x:sub": "*bad*"}},
        }
    )
    who = {"Federated": "arn:aws:iam::1:oidc-provider/x"}
    act = "sts:AssumeRoleWithWebIdentity"
    assert is_allowed(neg, act, None, {"x:aud": "o", "x:sub": "good"}, who)
    assert not is_allowed(neg, act, None, {"x:aud": "o", "x:sub": "a-bad-one"}, who)
    assert not is_allowed(neg, act, None, {"x:aud": "p", "x:sub": "good"}, who)
    assert not is_allowed(neg, act, None, {"x:aud": "o", "x:sub": "good"}, {"Federated": "y"})


def test_unsupported_forms_are_refused_not_guessed() -> None:
    with pytest.raises(NotImplementedError):
        is_allowed(policy({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), "s3:X", "*")
    cond = {"ArnLike": {"aws:SourceArn": "*"}}
    p = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": cond})
    with pytest.raises(NotImplementedError):
        is_allowed(p, "s3:GetObject", "*")
