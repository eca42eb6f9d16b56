"""The alarms a bake watches, read from CloudWatch: their state, its reason and since when.

``DescribeAlarms`` by name, 100 names a call (CloudWatch's limit): a bake of a stack with
fewer than 100 alarms costs one call per poll, whatever the number of functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lambda_release.aws.codedeploy import alarms_by_name, stack_alarms
from lambda_release.aws.stack import StackInfo
from lambda_release.bake.rules import MISSING, AlarmState
from lambda_release.errors import UsageError
from lambda_release.log.ids import iso


def read_states(cw: Any, names: Sequence[str]) -> list[AlarmState]:
    """Each of ``names`` as CloudWatch answers for it now (MISSING: no such alarm)."""
    found = alarms_by_name(cw, names)
    states = []
    for name in sorted(set(names)):
        alarm = found.get(name)
        if alarm is None:
            states.append(AlarmState(name, MISSING))
            continue
        since = alarm.get("StateUpdatedTimestamp")
        states.append(
            AlarmState(
                name=name,
                state=str(alarm.get("StateValue", "")),
                reason=str(alarm.get("StateReason", "")),
                since=iso(since) if isinstance(since, datetime) else "",
            )
        )
    return states


def require_alarms(cw: Any, names: Sequence[str], flag: str) -> None:
    """Every alarm named by ``flag`` exists: a misspelt name would be watched as missing
    for the whole bake and never fire. Bad input (exit 2), naming them."""
    missing = [a.name for a in read_states(cw, names) if a.state == MISSING]
    if missing:
        raise UsageError(
            f"{flag} {', '.join(missing)}: no such CloudWatch alarm in this account and region; "
            "check the name (CloudWatch alarm names are case-sensitive) and --region"
        )


def alarms_to_watch(cd: Any, info: StackInfo, extra: Sequence[str]) -> list[str]:
    """The stack's alarms, those its deployment groups watch, and ``extra``."""
    return sorted({*stack_alarms(cd, info), *extra})
