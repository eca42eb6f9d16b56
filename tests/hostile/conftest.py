"""Fixtures the hostile tests share."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where every AWS call the helper makes in this test is recorded."""
    path = tmp_path / "trace.jsonl"
    monkeypatch.setenv("LAMBDA_RELEASE_TRACE_AWS", str(path))
    return path
