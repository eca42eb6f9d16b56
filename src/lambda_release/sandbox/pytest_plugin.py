"""Pytest fixtures: one sandbox per test session, on a free port, with a fast clock.

Tests share it: give each test its own stack names rather than resetting it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lambda_release.sandbox.server import Sandbox

# Real seconds per CodeDeploy minute in tests: a 5-minute canary takes 0.25 s.
TEST_MINUTE = 0.05


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, minute=TEST_MINUTE) as sb:
        yield sb


@pytest.fixture(scope="session")
def sandbox_env(sandbox: Sandbox) -> dict[str, str]:
    """os.environ plus the sandbox's variables, for subprocesses (sam, lambda-release)."""
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    env.update(sandbox.env)
    return env
