"""Fixtures that start processes. Each depends on ``processes``, so a test that uses one is
``e2e`` (tests/conftest.py) and ``make unit`` never starts a process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.processes import Cli, OrbShell, Spawn


@pytest.fixture(scope="session")
def spawn(processes: None) -> Spawn:
    """Any command (bash, git, node, python -c ...), run or started."""
    return Spawn()


@pytest.fixture(scope="session")
def lr(spawn: Spawn) -> Cli:
    """The console script ``lambda-release``: ``lr("target", ..., env=..., cwd=...)``."""
    return Cli(spawn=spawn)


@pytest.fixture(scope="session")
def git(spawn: Spawn) -> Callable[..., None]:
    """``git(repo, *args)``: git in ``repo`` with a committer of its own; raises if it fails."""

    def run(repo: Path, *args: str) -> None:
        identity = ("-c", "user.email=ci@example.com", "-c", "user.name=ci")
        spawn.run(["git", "-C", repo, *identity, *args], check=True)

    return run


@pytest.fixture(scope="session")
def orb_sh(spawn: Spawn) -> OrbShell:
    """The orb's bash scripts: ``orb_sh.function("deploy.sh", "lr_deploy_args", env, tmp_path)``."""
    return OrbShell(spawn)
