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
# Vendored apps (`sam init`'s templates) carry their own tests: data here, not ours to run.
collect_ignore_glob = ["fixtures/sam_init/*"]

# Fixtures that start a process (the stand-in, the console script, sam, node, shellcheck,
# the orb's scripts). A test whose fixture closure holds one of them is e2e.
PROCESS_FIXTURES = frozenset({"sandbox", "processes"})


# Before xdist's own hook reads the xdist_group markers added here.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.e2e)
        group = shared_fixture_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    # Longest first, so that no worker starts a long group when the others are finishing:
    # the groups (a shared stack's whole story), then the e2e tests, then the fast tier to
    # fill the gaps. A stable sort: a file's tests keep their order.
    items.sort(key=_expected_length)


def _expected_length(item: pytest.Item) -> int:
    if item.get_closest_marker("xdist_group") is not None:
        return 0
    return 1 if item.get_closest_marker("e2e") is not None else 2


# Session fixtures of ours that every pytest-xdist worker makes for itself: the stand-in
# must be per worker, the rest cost little. Any other of ours that outlives a test is shared.
PER_WORKER_FIXTURES = frozenset(
    {"sandbox", "sandbox_env", "processes", "packed_orb", "helper_wheel"}
)


def shared_fixture_group(item: pytest.Item) -> str | None:
    """The xdist group of a test that shares a fixture with other tests, else None.

    Under `--dist loadgroup` (make test) a group runs on one worker, so a module fixture (a
    shared stack, a built app) or an expensive session one (the IAM story) is set up once;
    every other test goes to whichever worker is free.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    groups = []
    for name, defs in info.name2fixturedefs.items():
        if not defs:
            continue
        scope, ours = defs[-1].scope, defs[-1].baseid.startswith("tests")
        if scope in ("module", "class", "package"):
            groups.append(item.nodeid.split("::")[0])
        elif scope == "session" and ours and name not in PER_WORKER_FIXTURES:
            groups.append(f"session-fixture-{name}")
    return sorted(groups)[0] if groups else None


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
