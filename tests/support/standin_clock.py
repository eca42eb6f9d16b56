"""The stand-in CodeDeploy's clock, moved forward by a test that has seen what it came for.

A test that must act while a canary step or a rollback deployment runs makes that phase long
(nothing a loaded machine does can outlast it), then ends it by jumping the clock past it:
the phase ends as it would on its own (Succeeded), not stopped. The sandbox runs in the test
process, so its deployments' threads read this clock; only CodeDeploy's module sees it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from lambda_release.sandbox import codedeploy


class SkippableTime:
    """The `time` module as the stand-in's CodeDeploy sees it: monotonic() can jump ahead."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def skip(self, seconds: float) -> None:
        """Every deadline within `seconds` passes now (each deployment sees it within a tick).

        Skip once the phase is seen running: a deployment that starts after the jump counts
        its deadlines from the jumped clock."""
        self.skipped += seconds

    def __getattr__(self, name: str) -> Any:
        real: ModuleType = time
        return getattr(real, name)


@contextmanager
def skippable_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[SkippableTime]:
    clock = SkippableTime()
    with monkeypatch.context() as patch:
        patch.setattr(codedeploy, "time", clock)
        yield clock
