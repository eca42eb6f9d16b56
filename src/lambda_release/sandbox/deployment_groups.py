"""Deployment groups with their alarms, as CodeDeploy answers (moto leaves them out).

``lambda-release watch`` shows each function's alarms from its deployment group, and
``deploy``'s pre-flight reads them too; moto always answers ``alarmConfiguration: {}``.
moto has no BatchGetDeploymentGroups: added here as the CodeDeploy API reference
describes it (one application, at most 100 group names; unknown groups are left out of
``deploymentGroupsInfo`` and named in ``errorMessage``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.codedeploy import responses as codedeploy_responses
from moto.codedeploy.exceptions import (
    ApplicationDoesNotExistException,
    ApplicationNameRequiredException,
    CodeDeployException,
    DeploymentGroupNameRequiredException,
)
from moto.core.responses import ActionResult

BATCH_LIMIT = 100  # BatchGetDeploymentGroups: "the maximum number of names ... (100)"

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


def _batch_get_deployment_groups(self: Any) -> Any:
    application = self._get_param("applicationName")
    names = self._get_param("deploymentGroupNames") or []
    if not application:
        raise ApplicationNameRequiredException("The application name must be specified.")
    if not names:
        raise DeploymentGroupNameRequiredException("The deployment group names must be specified.")
    if len(names) > BATCH_LIMIT:
        raise CodeDeployException(
            "BatchLimitExceededException",
            f"The maximum number of names or IDs allowed for this request ({BATCH_LIMIT}) "
            "was exceeded.",
        )
    backend = self.codedeploy_backend
    if application not in backend.applications:
        raise ApplicationDoesNotExistException(
            f"The application {application} does not exist with the user or AWS account."
        )
    groups = backend.deployment_groups.get(application, {})
    found = [_deployment_group_info(groups[n]) for n in names if n in groups]
    missing = [n for n in names if n not in groups]
    result: dict[str, Any] = {"deploymentGroupsInfo": found}
    if missing:
        result["errorMessage"] = (
            f"Deployment groups {', '.join(missing)} do not exist in application {application}"
        )
    return ActionResult(result)


def install() -> None:
    """Patch moto's CodeDeploy responses; idempotent."""
    if _originals:
        return
    _originals.append(codedeploy_responses._deployment_group_info)
    codedeploy_responses._deployment_group_info = _deployment_group_info
    response = codedeploy_responses.CodeDeployResponse
    response.batch_get_deployment_groups = _batch_get_deployment_groups  # type: ignore[attr-defined]
