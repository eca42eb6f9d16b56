"""CodeDeploy deployment configurations: the predefined Lambda ones and custom ones.

Custom configurations (`CreateDeploymentConfig`, or `AWS::CodeDeploy::DeploymentConfig` in a
template) carry a `trafficRoutingConfig`: `TimeBasedCanary` (a percentage, then the rest after
an interval), `TimeBasedLinear` (a percentage more every interval) or `AllAtOnce`. `Get`,
`List` and `Delete` answer as CodeDeploy does; a deployment shifts traffic by its schedule.
"""

from __future__ import annotations

import math
import threading
import uuid
from typing import Any

from moto.codedeploy import responses as codedeploy_responses
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from lambda_release.aws.deployment_types import (
    ALL_AT_ONCE,
    CANARY_MINUTES,
    CONFIG_PREFIX,
    LINEAR_MINUTES,
    PREDEFINED_TYPES,
)
from lambda_release.sandbox.codedeploy_errors import codedeploy_error

PREDEFINED_CONFIGS = tuple(CONFIG_PREFIX + n for n in PREDEFINED_TYPES)
ROUTING_TYPES = ("TimeBasedCanary", "TimeBasedLinear", "AllAtOnce")

# (account, region) -> name -> deploymentConfigInfo
_CUSTOM: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
_lock = threading.Lock()


def predefined_routing(name: str) -> dict[str, Any]:
    """The trafficRoutingConfig of a predefined Lambda configuration."""
    short = name.removeprefix(CONFIG_PREFIX)
    if short == ALL_AT_ONCE:
        return {"type": "AllAtOnce"}
    if short in CANARY_MINUTES:
        return {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": CANARY_MINUTES[short]},
        }
    if short in LINEAR_MINUTES:
        return {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 10, "linearInterval": LINEAR_MINUTES[short]},
        }
    raise KeyError(name)


def schedule_of(routing: dict[str, Any]) -> list[tuple[float, float]]:
    """(deployment minute, weight on the new version) steps of a trafficRoutingConfig."""
    kind = routing.get("type")
    if kind == "TimeBasedCanary":
        canary = routing["timeBasedCanary"]
        return [(0.0, canary["canaryPercentage"] / 100), (float(canary["canaryInterval"]), 1.0)]
    if kind == "TimeBasedLinear":
        linear = routing["timeBasedLinear"]
        steps = math.ceil(100 / linear["linearPercentage"])
        return [
            (
                float(k * linear["linearInterval"]),
                min(1.0, round((k + 1) * linear["linearPercentage"] / 100, 4)),
            )
            for k in range(steps)
        ]
    return [(0.0, 1.0)]


def lookup(account_id: str, region: str, name: str) -> dict[str, Any]:
    """deploymentConfigInfo of `name`, predefined or custom; DeploymentConfigDoesNotExist."""
    if name in PREDEFINED_CONFIGS:
        return {
            "deploymentConfigName": name,
            "deploymentConfigId": "predefined-" + name,
            "computePlatform": "Lambda",
            "trafficRoutingConfig": predefined_routing(name),
        }
    with _lock:
        found = _CUSTOM.get((account_id, region), {}).get(name)
    if found is None:
        raise codedeploy_error(
            "DeploymentConfigDoesNotExistException",
            f"No deployment configuration found for name: {name}",
        )
    return found


def create(account_id: str, region: str, name: str, platform: str, routing: Any) -> str:
    """Store a custom Lambda configuration, checked as CodeDeploy checks it; its id."""
    if name in PREDEFINED_CONFIGS or name.startswith("CodeDeployDefault."):
        raise codedeploy_error("DeploymentConfigAlreadyExistsException", f"{name} already exists")
    if platform != "Lambda":
        raise codedeploy_error(
            "InvalidComputePlatformException",
            f"the sandbox stores Lambda deployment configurations only, not {platform}",
        )
    routing = dict(routing or {"type": "AllAtOnce"})
    kind = routing.get("type")
    if kind not in ROUTING_TYPES:
        raise codedeploy_error(
            "InvalidTrafficRoutingConfigurationException", f"unknown type {kind}"
        )
    section = {"TimeBasedCanary": "timeBasedCanary", "TimeBasedLinear": "timeBasedLinear"}.get(
        str(kind)
    )
    if section is not None:
        values = routing.get(section) or {}
        percentage = values.get("canaryPercentage", values.get("linearPercentage"))
        interval = values.get("canaryInterval", values.get("linearInterval"))
        if not isinstance(percentage, int) or not 1 <= percentage <= 99:
            raise codedeploy_error(
                "InvalidTrafficRoutingConfigurationException",
                f"{section} percentage must be a whole number from 1 to 99, not {percentage}",
            )
        if not isinstance(interval, int) or interval < 1:
            raise codedeploy_error(
                "InvalidTrafficRoutingConfigurationException",
                f"{section} interval must be a whole number of minutes >= 1, not {interval}",
            )
    config_id = str(uuid.uuid4())
    with _lock:
        store = _CUSTOM.setdefault((account_id, region), {})
        if name in store:
            raise codedeploy_error(
                "DeploymentConfigAlreadyExistsException", f"{name} already exists"
            )
        store[name] = {
            "deploymentConfigName": name,
            "deploymentConfigId": config_id,
            "computePlatform": platform,
            "trafficRoutingConfig": routing,
            "createTime": utcnow(),
        }
    return config_id


def delete(account_id: str, region: str, name: str) -> None:
    if name in PREDEFINED_CONFIGS:
        raise codedeploy_error(
            "InvalidOperationException",
            f"{name} is a predefined configuration: it can't be deleted",
        )
    with _lock:
        _CUSTOM.get((account_id, region), {}).pop(name, None)


def reset() -> None:
    with _lock:
        _CUSTOM.clear()


# -- API --------------------------------------------------------------------------------------


def _create_response(self: Any) -> Any:
    config_id = create(
        self.current_account,
        self.region,
        str(self._get_param("deploymentConfigName")),
        str(self._get_param("computePlatform") or "Server"),
        self._get_param("trafficRoutingConfig"),
    )
    return ActionResult({"deploymentConfigId": config_id})


def _get_response(self: Any) -> Any:
    name = str(self._get_param("deploymentConfigName"))
    return ActionResult({"deploymentConfigInfo": lookup(self.current_account, self.region, name)})


def _list_response(self: Any) -> Any:
    with _lock:
        custom = sorted(_CUSTOM.get((self.current_account, self.region), {}))
    return ActionResult({"deploymentConfigsList": [*PREDEFINED_CONFIGS, *custom]})


def _delete_response(self: Any) -> Any:
    delete(self.current_account, self.region, str(self._get_param("deploymentConfigName")))
    return EmptyResult()


def install() -> None:
    """Add the deployment-config API to moto's CodeDeploy; idempotent."""
    response = codedeploy_responses.CodeDeployResponse
    response.create_deployment_config = _create_response  # type: ignore[attr-defined]
    response.get_deployment_config = _get_response  # type: ignore[attr-defined]
    response.list_deployment_configs = _list_response  # type: ignore[attr-defined]
    response.delete_deployment_config = _delete_response  # type: ignore[attr-defined]
