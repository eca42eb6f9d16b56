"""Showing deployment progress: redrawn bars in a terminal, one line per change in CI.

A renderer gets the latest view of every deployment on each poll. The line renderer prints a
function's line only when something a person cares about changed (status, traffic share, an
alarm's state, the outcome), never the ticking "time left", and a heartbeat line when it has
been silent for ``heartbeat`` seconds (CircleCI kills a step silent for 10 minutes). The
terminal renderer redraws one bar per function in place.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO

# Deployment states CodeDeploy reports once a deployment has ended.
ENDED = ("Succeeded", "Failed", "Stopped")
HEARTBEAT = 50.0  # seconds; "at least once a minute"
BAR_WIDTH = 20


@dataclass
class DeploymentView:
    """One function's deployment as last seen."""

    logical_id: str
    function_name: str
    deployment_id: str
    status: str
    config: str = ""
    current_version: str | None = None
    target_version: str | None = None
    share: float = 0.0  # traffic on the new version, 0..1
    step_ends_in: float | None = None  # seconds until the next traffic step
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name -> state
    message: str = ""  # CodeDeploy's error message when it failed or stopped
    rolled_back: bool = False
    hook: str = ""  # the lifecycle hook running now: "PreTraffic" or "PostTraffic"
    hook_running_for: float | None = None  # seconds since that hook started
    rollback_of: str = ""  # this is CodeDeploy's rollback of that deployment

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"

    @property
    def firing(self) -> list[str]:
        return sorted(name for name, state in self.alarms.items() if state == "ALARM")

    def change_key(self) -> tuple[object, ...]:
        """What makes a new line worth printing (time left excluded on purpose)."""
        return (
            self.status,
            round(self.share, 3),
            tuple(sorted(self.alarms.items())),
            self.message,
            self.rolled_back,
            self.hook,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "logical_id": self.logical_id,
            "function_name": self.function_name,
            "deployment_id": self.deployment_id,
            "status": self.status,
            "deployment_config": self.config,
            "current_version": self.current_version,
            "target_version": self.target_version,
            "traffic_on_new_version": round(self.share, 4),
            "step_ends_in_seconds": None
            if self.step_ends_in is None
            else round(self.step_ends_in, 1),
            "alarms": dict(self.alarms),
            "alarms_firing": self.firing,
            "message": self.message,
            "rolled_back": self.rolled_back,
            "hook": self.hook or None,
            "hook_running_seconds": None
            if self.hook_running_for is None
            else round(self.hook_running_for, 1),
            "rollback_of": self.rollback_of or None,
        }


def duration(seconds: float) -> str:
    """``4m 05s``, ``42s``, ``1.5s`` (short waits on a compressed clock keep a decimal)."""
    s = max(0.0, seconds)
    if s < 10:
        return f"{s:.1f}s"
    whole = round(s)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


# CodeDeploy's states as a sentence says them ("InProgress" read "inprogress").
HUMAN_STATUS = {
    "Created": "created",
    "Queued": "queued",
    "Ready": "ready",
    "InProgress": "in progress",
    "Baking": "baking",
    "Succeeded": "succeeded",
    "Failed": "failed",
    "Stopped": "stopped",
}


def human_status(status: str) -> str:
    return HUMAN_STATUS.get(status, status.lower())


def _alarms_text(view: DeploymentView) -> str:
    if not view.alarms:
        return "no alarm"
    parts = [f"{name} {state}" for name, state in sorted(view.alarms.items())]
    return ("alarm " if len(parts) == 1 else "alarms ") + ", ".join(parts)


def describe(view: DeploymentView, *, with_time: bool = True) -> str:
    """One readable sentence about one function's deployment."""
    name = view.logical_id or view.function_name
    new, old = view.target_version or "?", view.current_version or "?"
    if view.rollback_of:
        state = "done" if view.succeeded else human_status(view.status)
        return (
            f"{name}: CodeDeploy's rollback of {view.rollback_of} ({view.deployment_id}): "
            f"traffic back on version {new}, {state}"
        )
    if view.hook and not view.ended:
        since = f", {duration(view.hook_running_for)}" if view.hook_running_for is not None else ""
        if not with_time:
            since = ""
        return f"{name}: {view.hook} hook running{since} (version {new}, from {old})"
    if view.succeeded:
        return f"{name}: succeeded, 100% on version {new}"
    if view.ended:
        verb = "stopped" if view.status == "Stopped" else "failed"
        back = f", traffic back on version {old}" if view.rolled_back else ""
        why = f": alarm {', '.join(view.firing)} in ALARM" if view.firing else ""
        detail = f" ({view.message})" if view.message and not view.firing else ""
        return f"{name}: {verb}{back}{why}{detail}"
    if view.status in ("Created", "Queued", "Ready"):
        return f"{name}: deployment {view.deployment_id} {human_status(view.status)}, version {new}"
    share = f"{view.share:.0%} on version {new} (from {old})"
    step = ""
    if with_time and view.step_ends_in is not None:
        step = f", next step in {duration(view.step_ends_in)}"
    return f"{name}: {share}{step}; {_alarms_text(view)}"


class Renderer(Protocol):
    def update(self, views: Sequence[DeploymentView]) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


class LineRenderer:
    """CI: one line per change, and a heartbeat when silent for ``heartbeat`` seconds."""

    def __init__(
        self,
        stream: TextIO,
        *,
        heartbeat: float | None = HEARTBEAT,
        prefix: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.heartbeat = heartbeat
        self.prefix = prefix
        self.clock = clock
        self._seen: dict[str, tuple[object, ...]] = {}
        self._last_print = clock()
        self._views: list[DeploymentView] = []

    def _print(self, text: str) -> None:
        self.stream.write(f"{self.prefix}{text}\n")
        self.stream.flush()
        self._last_print = self.clock()

    def note(self, text: str) -> None:
        self._print(text)

    def update(self, views: Sequence[DeploymentView]) -> None:
        self._views = list(views)
        printed = False
        for view in views:
            key = view.change_key()
            if self._seen.get(view.deployment_id) != key:
                self._seen[view.deployment_id] = key
                self._print(describe(view))
                printed = True
        if printed or self.heartbeat is None:
            return
        if self.clock() - self._last_print >= self.heartbeat:
            self._print(self.heartbeat_text())

    @property
    def views(self) -> list[DeploymentView]:
        """The views last shown (a list replaced whole, so another thread may read it)."""
        return self._views

    def heartbeat_text(self) -> str:
        if not self._views:
            return "still waiting for a deployment to start"
        running = [describe(v) for v in self._views if not v.ended]
        return "still deploying: " + ("; ".join(running) or "finishing")

    def close(self) -> None:
        return None


class TtyRenderer:
    """A terminal: one progress bar per function, redrawn in place."""

    def __init__(self, stream: TextIO, *, width: int = BAR_WIDTH) -> None:
        self.stream = stream
        self.width = width
        self._drawn = 0

    def _bar(self, view: DeploymentView) -> str:
        filled = round(view.share * self.width)
        return "[" + "#" * filled + "-" * (self.width - filled) + f"] {view.share:4.0%}"

    def note(self, text: str) -> None:
        self._erase()
        self.stream.write(text + "\n")
        self.stream.flush()

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def update(self, views: Sequence[DeploymentView]) -> None:
        self._erase()
        lines = [f"{self._bar(v)}  {describe(v)}" for v in views]
        for line in lines:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._drawn = len(lines)

    def close(self) -> None:
        self._drawn = 0  # leave the last drawing on screen


PROGRESS_MODES = ("auto", "tty", "plain")


def choose_renderer(
    stream: TextIO, mode: str = "auto", environ: Mapping[str, str] | None = None
) -> Renderer:
    """``tty`` redraws, ``plain`` prints lines; ``auto``: plain in CI or without a terminal."""
    env = os.environ if environ is None else environ
    if mode == "auto":
        in_ci = bool(env.get("CI"))
        mode = "tty" if stream.isatty() and not in_ci and env.get("TERM") != "dumb" else "plain"
    if mode == "tty":
        return TtyRenderer(stream)
    return LineRenderer(stream)
