"""The canary's timeline as a settlement keeps it: what a deploy (or `watch`) saw of each
deployment's traffic and of its alarms. Part of the log's contract (log/schema.py, which
re-exports these); docs/release-log.md shows the shape.
"""

# No ``from __future__ import annotations`` here: TypedDict needs its Required[...] markers
# evaluated to know which keys are required.
from typing import Required, TypedDict


class TrafficStep(TypedDict, total=False):
    """One reading of a deployment: the share of traffic on the new version, 0..1."""

    at: Required[str]
    share: Required[float]
    status: str


class AlarmChange(TypedDict, total=False):
    """An alarm of a deployment group entering a state (CloudWatch's time and reason)."""

    at: Required[str]
    alarm: Required[str]
    state: Required[str]
    reason: str


class ObservedDeployment(TypedDict, total=False):
    """One CodeDeploy deployment as the canary was followed: its readings and its end."""

    deployment_id: Required[str]
    logical_id: str
    function_name: str
    config: str
    current_version: str | None
    target_version: str | None
    status: str
    message: str
    rolled_back: bool
    rollback_of: str
    steps: list[TrafficStep]


class Timeline(TypedDict, total=False):
    """The canary as ``deploy`` (or ``watch``) saw it, bounded in size (observe/timeline.py)."""

    observed_by: str
    started: str
    ended: str
    deployments: list[ObservedDeployment]
    alarms: list[AlarmChange]
    truncated: bool
