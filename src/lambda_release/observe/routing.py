"""How a Lambda deployment configuration moves traffic: its steps, in deployment minutes.

CodeDeploy's predefined configurations are read from their names; a custom one is asked
of CodeDeploy (``GetDeploymentConfig``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

_PREDEFINED = re.compile(
    r"^CodeDeployDefault\.Lambda(?:(Canary)(\d+)Percent(\d+)Minutes?"
    r"|(Linear)(\d+)PercentEvery(\d+)Minutes?|(AllAtOnce))$"
)


@dataclass(frozen=True)
class TrafficRouting:
    """A Lambda deployment configuration: how traffic moves, in deployment minutes."""

    kind: str  # Canary, Linear, AllAtOnce
    percent: int = 100
    interval: int = 0  # minutes

    def steps(self) -> list[tuple[float, float]]:
        """(minute, share) at which each traffic step begins."""
        if self.kind == "Canary":
            return [(0.0, self.percent / 100), (float(self.interval), 1.0)]
        if self.kind == "Linear" and self.percent > 0:
            count = -(-100 // self.percent)
            return [
                (float(k * self.interval), min(1.0, (k + 1) * self.percent / 100))
                for k in range(count)
            ]
        return [(0.0, 1.0)]

    def next_step(self, elapsed_minutes: float) -> float | None:
        """Minutes until the next step, or None after the last."""
        for minute, _share in self.steps():
            if minute > elapsed_minutes:
                return minute - elapsed_minutes
        return None


def routing_of(name: str, cd: Any = None) -> TrafficRouting | None:
    """The routing of a predefined Lambda configuration, else as CodeDeploy describes it."""
    m = _PREDEFINED.match(name)
    if m:
        if m.group(1):
            return TrafficRouting("Canary", int(m.group(2)), int(m.group(3)))
        if m.group(4):
            return TrafficRouting("Linear", int(m.group(5)), int(m.group(6)))
        return TrafficRouting("AllAtOnce")
    if cd is None or not name:
        return None
    try:
        info = cd.get_deployment_config(deploymentConfigName=name)["deploymentConfigInfo"]
    except (botocore.exceptions.ClientError, KeyError):
        return None
    return _described(info.get("trafficRoutingConfig") or {})


def _described(routing: dict[str, Any]) -> TrafficRouting | None:
    """A custom configuration's ``trafficRoutingConfig``."""
    kind = str(routing.get("type", ""))
    if kind == "TimeBasedCanary":
        c = routing.get("timeBasedCanary") or {}
        return TrafficRouting(
            "Canary", int(c.get("canaryPercentage", 0)), int(c.get("canaryInterval", 0))
        )
    if kind == "TimeBasedLinear":
        c = routing.get("timeBasedLinear") or {}
        return TrafficRouting(
            "Linear", int(c.get("linearPercentage", 0)), int(c.get("linearInterval", 0))
        )
    return TrafficRouting("AllAtOnce") if kind == "AllAtOnce" else None
