"""Fixtures for the sandbox's own tests: clients, unique names, a slower clock when observing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lambda_release.sandbox import Sandbox
from tests.support.functions import python_function
from tests.support.standin_clock import sandbox_minute
from tests.support.zips import app_zip


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Unique resource names, so tests share the session sandbox without resets."""

    def make(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture
def clients(sandbox: Sandbox) -> dict[str, Any]:
    return {s: sandbox.client(s) for s in ("lambda", "cloudformation", "codedeploy", "cloudwatch")}


@pytest.fixture
def slow_clock(sandbox: Sandbox) -> Iterator[float]:
    """A deployment minute of 0.4 s while a test watches weights move; restored after."""
    with sandbox_minute(sandbox, 0.4):
        yield sandbox.minute


@pytest.fixture
def function_with_versions(sandbox: Sandbox, unique: Callable[[str], str]) -> Callable[[int], str]:
    """Create a function with N published versions (1..N); returns its name."""
    lam = sandbox.client("lambda")
    iam = sandbox.client("iam")

    def make(versions: int) -> str:
        name = unique("fn")
        python_function(lam, iam, name, "V = 1\n")
        lam.publish_version(FunctionName=name)
        for v in range(2, versions + 1):
            lam.update_function_code(FunctionName=name, ZipFile=app_zip(f"V = {v}\n"))
            lam.publish_version(FunctionName=name)
        return name

    return make
