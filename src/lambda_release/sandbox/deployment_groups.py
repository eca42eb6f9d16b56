"""GetDeploymentGroup with the group's alarms, as CodeDeploy answers (moto leaves them out).

``lambda-release watch`` shows each function's alarms from its deployment group, and
``deploy``'s pre-flight reads them too; moto always answers ``alarmConfiguration: {}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.codedeploy import responses as codedeploy_responses

_originals: list[Callable[[Any], dict[str, Any]]] = []


def alarm_configuration(group: Any) -> dict[str, Any]:
    """The group's alarm configuration in the API's shape (stored as a dict or moto's object)."""
    config = getattr(group, "alarm_configuration", None)
    if not config:
        return {}
    if isinstance(config, dict):
        return {
            "enabled": bool(config.get("enabled", True)),
            "alarms": [{"name": str(a.get("name"))} for a in config.get("alarms") or []],
            "ignorePollAlarmFailure": bool(config.get("ignorePollAlarmFailure", False)),
        }
    return {
        "enabled": bool(getattr(config, "enabled", True)),
        "alarms": [{"name": str(a.get("name"))} for a in getattr(config, "alarms", []) or []],
        "ignorePollAlarmFailure": bool(getattr(config, "ignore_poll_alarm_failure", False)),
    }


def _deployment_group_info(deployment_group: Any) -> dict[str, Any]:
    out = _originals[0](deployment_group)
    out["alarmConfiguration"] = alarm_configuration(deployment_group)
    return out


def install() -> None:
    """Patch moto's CodeDeploy responses; idempotent."""
    if _originals:
        return
    _originals.append(codedeploy_responses._deployment_group_info)
    codedeploy_responses._deployment_group_info = _deployment_group_info
