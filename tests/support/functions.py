"""The one way tests create a bare Lambda function (no stack) in the stand-in."""

from __future__ import annotations

from typing import Any

from tests.support.zips import app_zip


def python_function(lam: Any, iam: Any, name: str, source: str, **extra: Any) -> str:
    """A python3.11 function `name` running `source` as app.py (handler `app.handler`), with
    a role of the same name; `extra` goes to CreateFunction. Returns its unqualified ARN."""
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": app_zip(source)},
        **extra,
    )
    return str(created["FunctionArn"])
