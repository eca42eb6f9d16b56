"""Fixtures the hostile tests share."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    """A folder with a template that has nothing to release: deploy runs its checks there."""
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    return tmp_path


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where every AWS call the helper makes in this test is recorded."""
    path = tmp_path / "trace.jsonl"
    monkeypatch.setenv("LAMBDA_RELEASE_TRACE_AWS", str(path))
    return path
