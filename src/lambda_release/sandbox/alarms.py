"""CloudWatch alarm state as AWS sets it, where moto does not.

PutMetricAlarm: "When this operation creates an alarm, the alarm state is immediately set to
INSUFFICIENT_DATA ... When you update an existing alarm, its state is left unchanged"
(CloudWatch API reference, PutMetricAlarm). moto starts every alarm, new or updated, at `OK`.

DescribeAlarms: AWS applies every filter given (``StateValue`` with ``AlarmNames`` or a prefix),
returns only metric alarms unless ``AlarmTypes`` asks for composite ones, and pages by
``MaxRecords`` (1 to 100) with ``NextToken`` (CloudWatch API reference, DescribeAlarms). moto
applies only the first filter it finds, ignores ``AlarmTypes`` and never pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudwatch import models as cloudwatch_models
from moto.cloudwatch import responses as cloudwatch_responses
from moto.cloudwatch.exceptions import ValidationError
from moto.core.responses import ActionResult

INITIAL_STATE = "INSUFFICIENT_DATA"
INITIAL_REASON = "Unchecked: Initial alarm creation"

MAX_RECORDS = 100  # DescribeAlarms: MaxRecords "Minimum value of 1. Maximum value of 100."

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


def _describe_alarms(self: Any) -> Any:
    names = self._get_param("AlarmNames", []) or []
    prefix = self._get_param("AlarmNamePrefix")
    action_prefix = self._get_param("ActionPrefix")
    state = self._get_param("StateValue")
    types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
    limit = int(self._get_param("MaxRecords") or MAX_RECORDS)
    start = int(self._get_param("NextToken") or 0)
    if names and prefix:
        # DescribeAlarms documents no error for it (only InvalidNextToken): the common
        # ValidationError, as strict mode requires (was InvalidParameterCombination).
        raise ValidationError("AlarmNames and AlarmNamePrefix cannot both be given")
    if len(names) > MAX_RECORDS or not 1 <= limit <= MAX_RECORDS:
        raise ValidationError(f"At most {MAX_RECORDS} alarm names and records per call")
    alarms = sorted(self.cloudwatch_backend.alarms.values(), key=lambda a: a.name)
    kept = [
        a
        for a in alarms
        if (not names or a.name in names)
        and (not prefix or a.name.startswith(prefix))
        and (not action_prefix or any(x.startswith(action_prefix) for x in a.alarm_actions))
        and (not state or a.state_value == state)
        and ("CompositeAlarm" if a.rule is not None else "MetricAlarm") in types
    ]
    page = kept[start : start + limit]
    result: dict[str, Any] = {
        "MetricAlarms": [a for a in page if a.rule is None],
        "CompositeAlarms": [a for a in page if a.rule is not None],
    }
    if start + limit < len(kept):
        result["NextToken"] = str(start + limit)
    return ActionResult(result)


def install() -> None:
    """Patch moto's CloudWatch backend; idempotent."""
    if _originals:
        return
    backend = cloudwatch_models.CloudWatchBackend
    _originals["put_metric_alarm"] = backend.put_metric_alarm
    backend.put_metric_alarm = _put_metric_alarm  # type: ignore[method-assign]
    response = cloudwatch_responses.CloudWatchResponse
    _originals["describe_alarms"] = response.describe_alarms
    response.describe_alarms = _describe_alarms  # type: ignore[method-assign]
