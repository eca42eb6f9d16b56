"""CloudWatch alarms for tests and benches: one Lambda-errors alarm with a name of its own,
in the state a test needs (CloudWatch starts every alarm INSUFFICIENT_DATA)."""

from __future__ import annotations

import uuid
from typing import Any


def new_alarm(cw: Any, prefix: str, state: str | None = None) -> str:
    """A new alarm named ``<prefix>-<8 hex>``; set to ``state`` when one is given."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    put_alarm(cw, name)
    if state is not None:
        set_alarm_state(cw, name, state)
    return name


def set_alarm_state(cw: Any, name: str, state: str) -> None:
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"test: {state.lower()}")


def put_alarm(cw: Any, name: str, threshold: float = 1) -> None:
    """Create (or update: CloudWatch keeps an updated alarm's state) the alarm ``name``."""
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
