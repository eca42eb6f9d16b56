"""The canary's timeline: what following it saw, kept for the release's settlement.

Each poll of the deployments (observe/watch.py's ``Follower``) hands its views here: per
deployment the traffic share on the new version, and per alarm of the deployment groups
its state, CloudWatch's reason and the time it entered that state. Only changes are kept
(a reading equal to the last one of its deployment adds nothing), and every list is
bounded: past its cap, the middle is thinned and ``truncated`` says so, so the first
readings and the end always remain. The settlement is one S3 object: it stays small
however long the canary runs.

The recorder is written by the progress thread and read once sam has ended: a lock
guards it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar, cast

from lambda_release.errors import UsageError
from lambda_release.log.schema import problem_with
from lambda_release.log.timeline_schema import (
    AlarmChange,
    ObservedDeployment,
    Timeline,
    TrafficStep,
)
from lambda_release.observe.progress import DeploymentView

MAX_STEPS = 30  # readings per deployment (a Linear10 canary has 10 steps)
MAX_ALARM_CHANGES = 120
MAX_DEPLOYMENTS = 40
MAX_TEXT = 200  # characters of a reason or message

T = TypeVar("T")


@dataclass(frozen=True)
class AlarmReading:
    """An alarm as DescribeAlarms shows it."""

    state: str
    reason: str = ""
    since: float | None = None  # StateUpdatedTimestamp, epoch seconds


def iso_at(epoch: float) -> str:
    """``2026-11-26T22:17:00.123Z``: the log's time form, to the millisecond."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def thinned(items: list[T], cap: int) -> tuple[list[T], bool]:
    """``items`` at most ``cap`` long: the middle dropped first (first and last kept)."""
    if len(items) <= cap:
        return items, False
    keep_head = cap // 2
    return items[:keep_head] + items[len(items) - (cap - keep_head) :], True


@dataclass
class CanaryTimeline:
    """Records the canary's readings as they are polled; :meth:`record` gives the result."""

    observed_by: str = "deploy"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _deployments: dict[str, ObservedDeployment] = field(default_factory=dict)
    _alarms: list[AlarmChange] = field(default_factory=list)
    _alarm_last: dict[str, tuple[str, str]] = field(default_factory=dict)
    _first: float | None = None
    _last: float | None = None
    _truncated: bool = False

    def observe(
        self,
        views: Sequence[DeploymentView],
        at: float,
        alarms: Mapping[str, AlarmReading] | None = None,
    ) -> None:
        """One poll: every deployment's view and every alarm read, at epoch ``at``."""
        with self._lock:
            self._first = at if self._first is None else self._first
            self._last = at
            for view in views:
                self._observe_view(view, at)
            for name, reading in sorted((alarms or {}).items()):
                self._observe_alarm(name, reading, at)

    def _observe_view(self, view: DeploymentView, at: float) -> None:
        known = self._deployments.get(view.deployment_id)
        if known is None:
            if len(self._deployments) >= MAX_DEPLOYMENTS:
                self._truncated = True
                return
            known = {"deployment_id": view.deployment_id, "steps": []}
            self._deployments[view.deployment_id] = known
        known.update(_ended_fields(view))
        step: TrafficStep = {"at": iso_at(at), "share": round(view.share, 4), "status": view.status}
        steps = known.setdefault("steps", [])
        last = steps[-1] if steps else None
        if last is None or (last["share"], last.get("status")) != (step["share"], view.status):
            steps.append(step)
            kept, cut = thinned(steps, MAX_STEPS)
            known["steps"], self._truncated = kept, self._truncated or cut

    def _observe_alarm(self, name: str, reading: AlarmReading, at: float) -> None:
        key = (reading.state, reading.reason)
        if self._alarm_last.get(name) == key:
            return
        self._alarm_last[name] = key
        # CloudWatch's time of the change, within what was followed: a state entered before
        # the canary began is shown at its start, not hours earlier.
        since = reading.since if reading.since is not None else at
        when = min(max(since, self._first if self._first is not None else at), at)
        change: AlarmChange = {"at": iso_at(when), "alarm": name, "state": reading.state}
        if reading.reason:
            change["reason"] = _short(reading.reason)
        self._alarms.append(change)
        self._alarms, cut = thinned(self._alarms, MAX_ALARM_CHANGES)
        self._truncated = self._truncated or cut

    def record(self) -> Timeline | None:
        """What was seen, for the settlement; None when no deployment was seen."""
        with self._lock:
            if not self._deployments or self._first is None or self._last is None:
                return None
            out: Timeline = {
                "observed_by": self.observed_by,
                "started": iso_at(self._first),
                "ended": iso_at(self._last),
                "deployments": [
                    {**d, "steps": list(d.get("steps", []))} for d in self._deployments.values()
                ],
                "alarms": list(self._alarms),
            }
            if self._truncated:
                out["truncated"] = True
            return out


def _ended_fields(view: DeploymentView) -> ObservedDeployment:
    """The deployment's latest facts (all but its readings)."""
    fields: ObservedDeployment = {
        "deployment_id": view.deployment_id,
        "logical_id": view.logical_id,
        "function_name": view.function_name,
        "config": view.config,
        "current_version": view.current_version,
        "target_version": view.target_version,
        "status": view.status,
    }
    if view.message:
        fields["message"] = _short(view.message)
    if view.rolled_back:
        fields["rolled_back"] = True
    if view.rollback_of:
        fields["rollback_of"] = view.rollback_of
    return fields


MAX_FILE_BYTES = 1024 * 1024  # watch's whole output; its timeline is a few kilobytes


def timeline_from_file(path: str) -> Timeline:
    """The timeline in ``path``: ``watch --output json``'s document (its ``timeline``) or a
    timeline alone; checked (shape, size) before it goes into the log, bounded again."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--timeline-file {path}: cannot read it: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise UsageError(
            f"--timeline-file {path} is over {MAX_FILE_BYTES // 1024} KiB: give the output of "
            "`lambda-release watch --output json` (a few KiB)"
        )
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"--timeline-file {path} is not JSON: {exc}") from exc
    if isinstance(doc, dict) and "deployments" in doc and "timeline" in doc:
        doc = doc["timeline"]  # watch's whole document
    problem = None if doc is None else problem_with(doc, Timeline)
    if doc is None or problem is not None:
        raise UsageError(
            f"--timeline-file {path} holds no timeline ({problem or 'watch saw no deployment'}):"
            " give the output of `lambda-release watch --output json`"
        )
    return bounded(cast(Timeline, doc))


def bounded(timeline: Timeline) -> Timeline:
    """``timeline`` within the recorder's caps (one from a file may be longer)."""
    out: Timeline = dict(timeline)  # type: ignore[assignment]
    deployments, cut = thinned(list(timeline.get("deployments", [])), MAX_DEPLOYMENTS)
    kept: list[ObservedDeployment] = []
    for d in deployments:
        steps, more = thinned(list(d.get("steps", [])), MAX_STEPS)
        kept.append({**d, "steps": steps})
        cut = cut or more
    alarms, more = thinned(list(timeline.get("alarms", [])), MAX_ALARM_CHANGES)
    for a in alarms:
        if len(a.get("reason", "")) > MAX_TEXT:
            a["reason"] = _short(a["reason"])
    out["deployments"], out["alarms"] = kept, alarms
    if cut or more:
        out["truncated"] = True
    return out
