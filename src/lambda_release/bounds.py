"""Every number an option takes, checked by one validator: finite, within documented bounds.

Each numeric option is a :class:`Bound` in :data:`BOUNDS`; ``add_option`` puts it on a
parser with its range in ``--help``, and ``Bound.read`` reads it from the settings
(flag, environment or file) and refuses anything else as bad input (exit 2), naming the
value and the range. ``nan``, ``inf`` and ``1e20`` are refused like ``-1``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambda_release.errors import UsageError

if TYPE_CHECKING:
    from lambda_release.settings import Name, Settings

DAY = 86400.0


@dataclass(frozen=True)
class Bound:
    """One numeric option: its name (``lock_ttl``), range and unit."""

    name: Name
    low: float
    high: float
    unit: str = "seconds"
    integer: bool = False
    # An open lower end: "more than 0" rather than "0 or more".
    above_low: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def describe(self) -> str:
        """The range as ``--help`` and error messages say it."""
        low, high = _number(self.low), _number(self.high)
        kind = "a whole number" if self.integer else "a number"
        start = f"more than {low}" if self.above_low else f"{low}"
        unit = f" {self.unit}" if self.unit else ""
        if self.above_low:
            return f"{kind} {start} and at most {high}{unit}"
        return f"{kind} from {start} to {high}{unit}"

    def check(self, text: str, where: str | None = None) -> float:
        """``text`` as a number within bounds, else a one-line ``UsageError``."""
        label = f"{where or self.flag} {text!r}"
        try:
            value = int(text.strip()) if self.integer else float(text)
        except (ValueError, OverflowError):
            raise UsageError(f"{label} is not {self.describe()}") from None
        return self.within(value, label)

    def within(self, value: float, label: str) -> float:
        """``value`` if finite and within bounds; ``label`` names it in the error."""
        if not math.isfinite(value):
            raise UsageError(f"{label} is not finite: give {self.describe()}")
        too_low = value <= self.low if self.above_low else value < self.low
        if too_low or value > self.high:
            raise UsageError(f"{label} is out of range: give {self.describe()}")
        return value

    def read(self, settings: Settings, default: float | None = None) -> float | None:
        """The option's value from ``settings`` (flag > environment > file), checked."""
        text = settings.get(self.name)
        if text is None:
            return default
        where = None
        if settings.source(self.name) == "env":
            where = settings.env_key(self.name)
        return self.check(text, where)

    def value(self, settings: Settings, default: float) -> float:
        """Like :meth:`read` with a default, so never None."""
        found = self.read(settings, default)
        return default if found is None else found

    def whole(self, settings: Settings, default: int) -> int:
        """An integer option's value, checked."""
        return int(self.value(settings, default))


def _number(value: float) -> str:
    """``86400`` rather than ``86400.0`` or ``8.64e+04``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


LOCK_TTL = Bound("lock_ttl", 30, DAY)
LOCK_TIMEOUT = Bound("lock_timeout", 0, DAY)
HEARTBEAT = Bound("heartbeat", 1, 540)  # CircleCI kills a step silent for 10 minutes
MINUTE = Bound("minute", 0, 3600, above_low=True)
DEMO_MINUTE = Bound("minute", 0, 60, above_low=True)
POLL_INTERVAL = Bound("poll_interval", 0.05, 3600)
# Every wait is --WHAT-timeout, WHAT being what is waited for: the lock, a deployment to
# start, the deployments in flight to end (watch's --wait and --timeout, rollback's
# --wait-timeout before: their old flags and variables still work).
START_TIMEOUT = Bound("start_timeout", 0, DAY)
DEPLOYMENT_TIMEOUT = Bound("deployment_timeout", 1, 7 * DAY)
LAMBDA_RATE = Bound("lambda_rate", 0, 1000, unit="calls per second", above_low=True)
MAX_ATTEMPTS = Bound("max_attempts", 1, 50, unit="", integer=True)
KEEP = Bound("keep", 0, 10000, unit="versions", integer=True)
LIMIT = Bound("limit", 1, 1_000_000, unit="entries", integer=True)
PORT = Bound("port", 0, 65535, unit="(0: any free port)", integer=True)
SAM_EXIT_CODE = Bound("sam_exit_code", 0, 255, unit="", integer=True)
# CloudWatch keeps metrics for 15 months; audit's --since is a duration such as 24h.
SINCE = Bound("since", 0, 455, unit="days", above_low=True)
# A bake outlasting a day outlasts any CI job that would run it (CircleCI's longest is 5 h).
BAKE = Bound("bake", 0, 1440, unit="minutes")

BOUNDS: tuple[Bound, ...] = (
    LOCK_TTL,
    LOCK_TIMEOUT,
    HEARTBEAT,
    MINUTE,
    DEMO_MINUTE,
    POLL_INTERVAL,
    START_TIMEOUT,
    DEPLOYMENT_TIMEOUT,
    LAMBDA_RATE,
    MAX_ATTEMPTS,
    KEEP,
    LIMIT,
    PORT,
    SAM_EXIT_CODE,
    SINCE,
    BAKE,
)
NUMERIC_OPTIONS = frozenset(b.name for b in BOUNDS)


def add_option(
    p: argparse.ArgumentParser | argparse._ArgumentGroup,
    bound: Bound,
    help_text: str,
    default: float | str | None = None,
    *,
    suppress: bool = False,
    old: Sequence[str] = (),
) -> None:
    """Add ``bound``'s option to ``p`` with its range (and default) in the help.

    ``suppress``: for global options, so a value given before the command name is not
    reset by the subparser's default. ``old``: former flags of the option, kept working
    and out of the help.
    """
    shown = ""
    if isinstance(default, str):
        shown = f"; default {default}"
    elif default is not None:
        shown = f"; default {_number(default)}"
    metavar = "N" if bound.integer else "SECONDS" if bound.unit == "seconds" else "NUMBER"
    p.add_argument(
        bound.flag,
        metavar=metavar,
        default=argparse.SUPPRESS if suppress else None,
        help=f"{help_text} ({bound.describe()}{shown})",
    )
    for flag in old:
        p.add_argument(flag, dest=bound.name, default=None, help=argparse.SUPPRESS)
