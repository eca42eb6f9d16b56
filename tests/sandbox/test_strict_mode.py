"""Strict mode over HTTP: an answer outside AWS's model is recorded naming the operation and
the member, and the test during which it was sent fails (the plugin's autouse fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from lambda_release.sandbox import Sandbox, answer_fixes, strict
from lambda_release.sandbox.pytest_plugin import standin_answers_as_aws_models


def _with_a_member_aws_lacks(status: int, body: bytes) -> bytes:
    answer = json.loads(body)
    answer["Weight"] = "heavy"
    return json.dumps(answer).encode()


def test_an_answer_outside_the_model_is_recorded_and_fails_the_test(
    sandbox: Sandbox,
    unique: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sandbox.strict
    lam: Any = sandbox.client("lambda")
    iam = sandbox.client("iam")
    role = iam.create_role(RoleName=unique("strict"), AssumeRolePolicyDocument="{}")
    from tests.support.zips import app_zip  # noqa: PLC0415

    fn = lam.create_function(
        FunctionName=unique("strict"),
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": app_zip("1")},
    )["FunctionName"]
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="$LATEST")
    monkeypatch.setitem(answer_fixes.FIXES, "lambda GetAlias", _with_a_member_aws_lacks)
    checks = standin_answers_as_aws_models.__wrapped__()  # type: ignore[attr-defined]
    next(checks)  # the fixture's set-up, as pytest runs it
    lam.get_alias(FunctionName=fn, Name="PROD")  # botocore drops the member: no error here
    with pytest.raises(pytest.fail.Exception) as failed:
        next(checks)  # the fixture's teardown
    assert "lambda GetAlias (HTTP 200): GetAlias.Weight: not a member of AliasConfiguration" in (
        str(failed.value)
    )
    assert not strict.CHECKS.violations  # reported once, then cleared
