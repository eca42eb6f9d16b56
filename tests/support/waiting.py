"""The one wait: poll a condition until it holds, or fail saying what never happened."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """What was waited for did not happen in time (a test failure, not an error)."""


def wait_until(
    predicate: Callable[[], T],
    what: str = "condition",
    timeout: float = 60,
    interval: float = 0.01,
    check: Callable[[], None] | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy; return that.

    ``check`` runs after each false answer and may raise at once (a process that ended
    before what it should have done); after ``timeout`` seconds, WaitTimeout names ``what``.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if check is not None:
            check()
        if time.monotonic() > deadline:
            raise WaitTimeout(f"gave up waiting for {what} ({timeout:g} s)")
        time.sleep(interval)
