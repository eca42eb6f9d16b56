"""Shared pytest setup: the tiers, the sandbox, and a guard that no credential ever leaks.

Tiers. A test is ``e2e`` when it uses a fixture that starts a process or runs ``sam``
(``PROCESS_FIXTURES``, directly or through another fixture); the marker is applied here
from what the test uses, never by hand. Every other test is in the fast tier (``make
unit``): it may not start a process at all, and a test that tries fails naming the
fixture to use instead, so the tiers cannot drift apart.

Credentials. Every test that talks to the sandbox uses its dummy credentials (unique to
this test process: ``lambda_release.sandbox.server.CREDENTIALS``). The guard searches
every output a test captures from a subprocess (the console script, sam, the orb's
scripts), and when the sandbox stops, every release-log object in it, for them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from lambda_release.sandbox.server import CREDENTIALS, Sandbox
from tests.support.leaks import secrets_in

pytest_plugins = ["lambda_release.sandbox.pytest_plugin", "tests.support.fixtures"]

# Fixtures that start a process (the stand-in, the console script, sam, node, shellcheck,
# the orb's scripts). A test whose fixture closure holds one of them is e2e.
PROCESS_FIXTURES = frozenset({"sandbox", "processes"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def processes() -> None:
    """Request this (directly or through a fixture) to start processes: it makes a test e2e."""


def _leaks(*outputs: Any) -> list[str]:
    return secrets_in(CREDENTIALS.values(), *outputs)


@pytest.fixture(autouse=True)
def only_e2e_starts_processes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("e2e") is not None:
        return

    def refuse(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
        raise AssertionError(
            f"{request.node.nodeid} starts a process ({args!r}) but is not e2e: request "
            "the `processes` fixture (or one that uses it, such as `sandbox`) so that "
            "`make unit` leaves it out"
        )

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)


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


@pytest.fixture(scope="session")
def sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The plugin's sandbox, started only for the tests that use it (never in `make unit`).

    When it stops, no release-log object in it may carry its dummy credentials.
    """
    yield sandbox
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
