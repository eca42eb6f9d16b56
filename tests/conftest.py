"""Shared pytest setup: the sandbox fixtures, and a guard that no credential ever leaks.

Every test that talks to the sandbox uses its dummy credentials (unique to this test
process: ``lambda_release.sandbox.server.CREDENTIALS``). The guard searches every
output a test captures from a subprocess (the console script, sam, the orb's scripts),
and at the end of the session every release-log object in the sandbox, for them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from lambda_release.sandbox.server import CREDENTIALS, Sandbox
from tests.support.leaks import secrets_in

pytest_plugins = ["lambda_release.sandbox.pytest_plugin"]


def _leaks(*outputs: Any) -> list[str]:
    return secrets_in(CREDENTIALS.values(), *outputs)


@pytest.fixture(autouse=True)
def no_credentials_in_subprocess_output(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # subprocess.run, check_output and Popen all collect captured output here.
    leaked: list[str] = []
    real_communicate = subprocess.Popen.communicate

    def communicate(self: Any, *args: Any, **kwargs: Any) -> Any:
        out, err = real_communicate(self, *args, **kwargs)
        leaked.extend(_leaks(out, err))
        return out, err

    monkeypatch.setattr(subprocess.Popen, "communicate", communicate)
    yield
    assert not leaked, "a subprocess printed the sandbox's dummy credentials"


@pytest.fixture(scope="session", autouse=True)
def no_credentials_in_release_logs(sandbox: Sandbox) -> Iterator[None]:
    # Depends on the session's sandbox so that it is still running at this teardown.
    yield
    s3 = sandbox.client("s3")
    leaked = []
    for bucket in s3.list_buckets()["Buckets"]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"])
        for page in pages:
            for obj in page.get("Contents", []):
                if "lambda-release/" not in obj["Key"]:
                    continue
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                if _leaks(body):
                    leaked.append(f"s3://{bucket['Name']}/{obj['Key']}")
    assert not leaked, f"release-log objects carry the dummy credentials: {leaked}"
