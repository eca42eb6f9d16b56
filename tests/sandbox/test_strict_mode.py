"""Strict mode over HTTP: an answer outside AWS's model is recorded naming the operation and
the member, and the test during which it was sent fails (the plugin's autouse fixture)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

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


def test_a_call_whose_caller_hung_up_mid_body_is_not_an_answer_to_check(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    """A process killed while sending a call (its headers sent, part of its body not) gets no
    answer; moto's 400 for the body that never came (werkzeug's ClientDisconnected, no error
    code) reached nobody, so it is not checked. Strict mode had failed whichever test ran next
    in that worker: "lambda CreateAlias (HTTP 400): error 400 is not documented"."""
    lam: Any = sandbox.client("lambda")
    prepared: list[Any] = []

    class Kept(Exception):
        pass

    def keep(request: Any, **_: Any) -> Any:
        prepared.append(request)
        raise Kept  # sent below, by hand

    lam.meta.events.register("before-send.lambda.CreateAlias", keep)
    with contextlib.suppress(Kept):
        lam.create_alias(FunctionName=unique("gone"), Name="PROD", FunctionVersion="1")
    (request,) = prepared
    url = urlsplit(request.url)
    head = f"{request.method} {url.path} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in request.headers.items()
    )
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    checks = standin_answers_as_aws_models.__wrapped__()  # type: ignore[attr-defined]
    next(checks)
    with socket.create_connection((url.hostname, url.port)) as conn:
        conn.sendall(head.encode() + b"\r\n" + body[: len(body) // 2])
    # The server answers once it reads the end of the stream; the fixture then checks.
    time.sleep(0.5)
    with contextlib.suppress(StopIteration):
        next(checks)  # the fixture's teardown: fails the test on a violation
    assert not strict.CHECKS.violations
