"""The recorded release story, once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.iam.recorder import Story, run_story


@pytest.fixture(scope="session")
def story(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    yield from run_story(sandbox, sandbox_env, tmp_path_factory.mktemp("iam"))
