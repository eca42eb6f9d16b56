"""CloudWatch alarm state as AWS sets it, where moto does not.

PutMetricAlarm: "When this operation creates an alarm, the alarm state is immediately set to
INSUFFICIENT_DATA ... When you update an existing alarm, its state is left unchanged"
(CloudWatch API reference, PutMetricAlarm). moto starts every alarm, new or updated, at `OK`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudwatch import models as cloudwatch_models

INITIAL_STATE = "INSUFFICIENT_DATA"
INITIAL_REASON = "Unchecked: Initial alarm creation"

_originals: dict[str, Callable[..., Any]] = {}


def _put_metric_alarm(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    previous = self.alarms.get(name)
    alarm = _originals["put_metric_alarm"](self, name, *args, **kwargs)
    if previous is None:
        alarm.state_value = INITIAL_STATE
        alarm.state_reason = INITIAL_REASON
    else:
        alarm.state_value = previous.state_value
        alarm.state_reason = previous.state_reason
        alarm.state_reason_data = previous.state_reason_data
        alarm.state_updated_timestamp = previous.state_updated_timestamp
        alarm.history = previous.history
    return alarm


def install() -> None:
    """Patch moto's CloudWatch backend; idempotent."""
    if _originals:
        return
    backend = cloudwatch_models.CloudWatchBackend
    _originals["put_metric_alarm"] = backend.put_metric_alarm
    backend.put_metric_alarm = _put_metric_alarm  # type: ignore[method-assign]
