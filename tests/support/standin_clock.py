"""The stand-in CodeDeploy's clock, moved forward by a test that has seen what it came for.

A test that must act while a canary step or a rollback deployment runs makes that phase long
(nothing a loaded machine does can outlast it), then ends it by jumping the clock past it:
the phase ends as it would on its own (Succeeded), not stopped. The sandbox runs in the test
process, so its deployments' threads read this clock; only CodeDeploy's module sees it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

import pytest

from lambda_release.sandbox import Sandbox, codedeploy
from tests.support.aws_state import AliasWatcher
from tests.support.waiting import wait_until

T = TypeVar("T")


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


def through_canaries(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deploy: Callable[[], T],
    seen: Callable[[], bool],
    timeout: float = 600,
) -> T:
    """Run `deploy` (it waits for its canaries) with deployment minutes of 60 s; once `seen()`
    holds, or the deploy ended, jump the stand-in's clock past every step until it returns.

    For a watcher that must see a step: a 2-second canary could end between two of its reads
    on a loaded machine. A deployment that starts after a jump counts from the jumped clock,
    so the clock jumps again until the deploy is done. Not for deployments with hooks: a jump
    also passes a hook's deadline."""
    got: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            got.append(deploy())
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    with skippable_clock(monkeypatch) as clock, monkeypatch.context() as patch:
        patch.setattr(sandbox, "minute", 60.0)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        wait_until(lambda: not thread.is_alive() or seen(), "the step", timeout, interval=0.02)
        while thread.is_alive():
            assert time.monotonic() < deadline, "the deploy did not end"
            clock.skip(24 * 3600)
            thread.join(0.2)
    if failed:
        raise failed[0]
    return got[0]


# An alias at its canary's first step: version 1 with 10% on version 2.
FIRST_CANARY_STEP = ("1", {"2": 0.1})


def through_a_canary_step(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    lam: Any,
    function: str,
    deploy: Callable[[], T],
    step: tuple[str, dict[str, float]] = FIRST_CANARY_STEP,
) -> tuple[T, list[tuple[str, dict[str, float]]]]:
    """`through_canaries` until a watcher of ``function``'s PROD alias saw it at ``step``:
    (what ``deploy`` returned, every alias state seen, in order)."""
    watcher = AliasWatcher(lam, function, "PROD")
    try:
        got = through_canaries(sandbox, monkeypatch, deploy, lambda: step in watcher.seen)
    finally:
        seen = watcher.stop()
    return got, seen


@contextmanager
def sandbox_minute(sandbox: Sandbox, minute: float) -> Iterator[None]:
    """A slower (or faster) CodeDeploy clock for the duration."""
    before = sandbox.minute
    sandbox.minute = minute
    try:
        yield
    finally:
        sandbox.minute = before
