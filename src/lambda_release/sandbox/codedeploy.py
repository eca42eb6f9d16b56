"""CodeDeploy for Lambda: shifting an alias's weights on a compressed clock, as AWS does.

A deployment moves traffic from the version CloudFormation recorded for the alias to the new
one by the deployment group's predefined configuration. Every tick it checks the group's alarms
(driven with CloudWatch's `set_alarm_state`) and any stop request. Hooks cannot run here (no
Docker): they count as succeeded unless `SETTINGS.fail_hooks` is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.awslambda.utils import get_backend
from moto.cloudwatch.models import cloudwatch_backends
from moto.codedeploy import responses as codedeploy_responses
from moto.codedeploy.exceptions import CodeDeployException, DeploymentDoesNotExistException
from moto.codedeploy.models import codedeploy_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from lambda_release.deployment_types import (
    ALL_AT_ONCE,
    CANARY_MINUTES,
    CONFIG_PREFIX,
    LINEAR_MINUTES,
    PREDEFINED_TYPES,
)


@dataclass
class Settings:
    """Process-wide knobs of the stand-in (moto's backends are process-wide too)."""

    minute: float = 60.0  # real seconds per deployment minute
    fail_hooks: bool = False


SETTINGS = Settings()


def traffic_schedule(config_name: str) -> list[tuple[float, float]]:
    """(deployment minute, weight on the new version) steps of a predefined Lambda config.

    Canary: 10% at once, the rest after the interval. Linear: 10% more every interval, so
    100% after nine intervals. AllAtOnce: 100% at once.
    """
    name = config_name.removeprefix(CONFIG_PREFIX)
    if name == ALL_AT_ONCE:
        return [(0.0, 1.0)]
    if name in CANARY_MINUTES:
        return [(0.0, 0.1), (float(CANARY_MINUTES[name]), 1.0)]
    if name in LINEAR_MINUTES:
        step = float(LINEAR_MINUTES[name])
        return [(k * step, round((k + 1) / 10, 1)) for k in range(10)]
    raise ValueError(f"unknown CodeDeploy Lambda configuration {config_name!r}")


PREDEFINED_CONFIGS = tuple(CONFIG_PREFIX + n for n in PREDEFINED_TYPES)


class DeploymentStopped(Exception):
    def __init__(self, status: str, code: str, message: str, rollback: bool) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.rollback = rollback


@dataclass
class AliasShift:
    """What one deployment moves: function, alias, from version, to version."""

    function_name: str
    alias: str
    current_version: str
    target_version: str
    before_hook: str | None = None
    after_hook: str | None = None


RUNNERS: dict[str, LambdaDeployment] = {}


class LambdaDeployment:
    """One CodeDeploy deployment of a Lambda alias, run on its own thread."""

    def __init__(
        self,
        account_id: str,
        region: str,
        application: str,
        group: str,
        shift: AliasShift,
        on_done: Callable[[LambdaDeployment], None] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.shift = shift
        self.on_done = on_done
        backend = codedeploy_backends[account_id][region]
        appspec = appspec_content(shift)
        self.deployment_id: str = backend.create_deployment(
            application_name=application,
            deployment_group_name=group,
            revision={
                "revisionType": "AppSpecContent",
                "appSpecContent": {
                    "content": appspec,
                    "sha256": hashlib.sha256(appspec.encode()).hexdigest(),
                },
            },
            description=f"{shift.function_name}:{shift.alias} "
            f"{shift.current_version} -> {shift.target_version}",
        )
        # moto's DeploymentInfo, plus the fields moto leaves out
        info: Any = backend.deployments[self.deployment_id]
        info.error_information = {}
        info.rollback_info = {}
        info.creator = "user"
        self.info = info
        self.group = backend.deployment_groups[application][group]
        self._stop = threading.Event()
        self._stop_rollback = True
        self.finished = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"codedeploy-{self.deployment_id}", daemon=True
        )
        RUNNERS[self.deployment_id] = self

    @property
    def status(self) -> str:
        return str(self.info.status)

    def start(self) -> None:
        self._thread.start()

    def stop(self, auto_rollback: bool) -> None:
        """Ask the deployment to stop (StopDeployment); it answers within a tick."""
        self._stop_rollback = auto_rollback
        self._stop.set()

    # -- the run --------------------------------------------------------------------------

    def _run(self) -> None:
        info = self.info
        info.status = "InProgress"
        info.start_time = utcnow()
        self._overview(in_progress=1)
        try:
            self._check_alias_unchanged()
            self._check_alarms()
            self._hook(self.shift.before_hook, "BeforeAllowTraffic")
            start = time.monotonic()
            for minute, weight in traffic_schedule(str(info.deployment_config_name)):
                self._wait_until(start + minute * SETTINGS.minute)
                self._set_weight(weight)
            self._hook(self.shift.after_hook, "AfterAllowTraffic")
            info.status = "Succeeded"
            self._overview(succeeded=1)
        except DeploymentStopped as stop:
            info.status = stop.status
            info.error_information = {"code": stop.code, "message": stop.message}
            self._overview(failed=1)
            if stop.rollback:
                self._roll_back_alias()
                info.rollback_info = {
                    "rollbackMessage": f"Traffic returned to version {self.shift.current_version}"
                }
        except Exception as exc:  # a bug here must still end the deployment and the stack
            info.status = "Failed"
            info.error_information = {"code": "INTERNAL_ERROR", "message": str(exc)}
            self._overview(failed=1)
            with contextlib.suppress(Exception):
                self._roll_back_alias()
        finally:
            info.complete_time = utcnow()
            self.finished.set()
            if self.on_done is not None:
                self.on_done(self)

    def _overview(self, in_progress: int = 0, succeeded: int = 0, failed: int = 0) -> None:
        self.info.deployment_overview = {
            "Pending": 0,
            "InProgress": in_progress,
            "Succeeded": succeeded,
            "Failed": failed,
            "Skipped": 0,
            "Ready": 0,
        }

    def _lambda(self) -> Any:
        return get_backend(self.account_id, self.region)

    def _check_alias_unchanged(self) -> None:
        alias = self._lambda().get_alias(self.shift.alias, self.shift.function_name)
        live = str(alias.function_version)
        if live != self.shift.current_version:
            raise DeploymentStopped(
                "Failed",
                "INVALID_LAMBDA_CONFIGURATION",
                f"The deployment failed because the current version ({live}) of alias "
                f"{self.shift.alias} of function {self.shift.function_name} differs from the "
                f"version CloudFormation recorded ({self.shift.current_version}): the alias "
                "was moved outside CloudFormation",
                rollback=False,
            )

    def _alarm_names(self) -> list[str]:
        config = self.group.alarm_configuration
        if config is None:
            return []
        if isinstance(config, dict):
            enabled = config.get("enabled", True)
            alarms = config.get("alarms") or []
        else:
            enabled, alarms = config.enabled, config.alarms
        if not enabled:
            return []
        return [str(a.get("name")) for a in alarms]

    def _check_alarms(self) -> None:
        alarms = cloudwatch_backends[self.account_id][self.region].alarms
        firing = [
            n for n in self._alarm_names() if n in alarms and alarms[n].state_value == "ALARM"
        ]
        if firing:
            # Before any traffic moved, AWS fails the deployment; afterwards it stops it.
            moved = self.info.status == "InProgress" and getattr(self, "_moved", False)
            raise DeploymentStopped(
                "Stopped" if moved else "Failed",
                "ALARM_ACTIVE",
                f"One or more alarms have been activated according to the Amazon CloudWatch "
                f"metrics you selected, and the affected deployments have been stopped. "
                f"Activated alarms: <{', '.join(firing)}>",
                rollback=True,
            )

    def _hook(self, hook: str | None, event: str) -> None:
        if hook and SETTINGS.fail_hooks:
            raise DeploymentStopped(
                "Failed",
                "HOOK_EXECUTION_FAILURE",
                f"The {event} hook {hook} reported failure (sandbox told to fail hooks)",
                rollback=True,
            )

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise DeploymentStopped(
                "Stopped",
                "DEPLOYMENT_STOPPED",
                "The deployment was stopped by the user (StopDeployment)",
                rollback=self._stop_rollback,
            )

    def _wait_until(self, deadline: float) -> None:
        tick = max(0.01, min(0.1, SETTINGS.minute / 20))
        while True:
            self._check_stop()
            self._check_alarms()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._stop.wait(min(tick, remaining))

    def _set_weight(self, weight: float) -> None:
        backend = self._lambda()
        if weight >= 1.0:
            backend.update_alias(
                self.shift.alias,
                self.shift.function_name,
                self.shift.target_version,
                None,
                {"AdditionalVersionWeights": {}},
            )
        else:
            backend.update_alias(
                self.shift.alias,
                self.shift.function_name,
                self.shift.current_version,
                None,
                {"AdditionalVersionWeights": {self.shift.target_version: weight}},
            )
        self._moved = True

    def _roll_back_alias(self) -> None:
        self._lambda().update_alias(
            self.shift.alias,
            self.shift.function_name,
            self.shift.current_version,
            None,
            {"AdditionalVersionWeights": {}},
        )


def appspec_content(shift: AliasShift) -> str:
    """The AppSpec CloudFormation hands CodeDeploy for a Lambda alias update."""
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [
            {
                "alias": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": shift.function_name,
                        "Alias": shift.alias,
                        "CurrentVersion": shift.current_version,
                        "TargetVersion": shift.target_version,
                    },
                }
            }
        ],
    }
    hooks = []
    if shift.before_hook:
        hooks.append({"BeforeAllowTraffic": shift.before_hook})
    if shift.after_hook:
        hooks.append({"AfterAllowTraffic": shift.after_hook})
    if hooks:
        spec["Hooks"] = hooks
    return json.dumps(spec)


# -- API additions ----------------------------------------------------------------------------

_original_deployment_info: list[Callable[[Any], dict[str, Any]]] = []


def _deployment_info(deployment: Any) -> dict[str, Any]:
    out = _original_deployment_info[0](deployment)
    out["errorInformation"] = getattr(deployment, "error_information", {}) or None
    out["rollbackInfo"] = getattr(deployment, "rollback_info", {}) or None
    return {k: v for k, v in out.items() if v is not None}


def _stop_deployment(self: Any) -> Any:
    deployment_id = self._get_param("deploymentId")
    auto_rollback = self._get_param("autoRollbackEnabled")
    runner = RUNNERS.get(deployment_id)
    if runner is None or runner.account_id != self.current_account:
        self.codedeploy_backend.get_deployment(deployment_id)  # raises if unknown
        raise DeploymentDoesNotExistException(f"Deployment {deployment_id} is not in progress")
    if runner.finished.is_set():
        raise CodeDeployException(
            "DeploymentAlreadyCompletedException",
            f"Deployment {deployment_id} has already completed.",
        )
    # AWS's default for a stop is to roll back only when asked; CloudFormation then rolls the
    # stack back anyway.
    runner.stop(auto_rollback=bool(auto_rollback))
    runner.finished.wait(timeout=max(5.0, SETTINGS.minute))
    status = "Succeeded" if runner.finished.is_set() else "Pending"
    return ActionResult({"status": status, "statusMessage": f"Deployment {deployment_id} stopped"})


def install() -> None:
    """Add StopDeployment and the missing deployment fields to moto's CodeDeploy; idempotent."""
    if _original_deployment_info:
        return
    _original_deployment_info.append(codedeploy_responses._deployment_info)
    codedeploy_responses._deployment_info = _deployment_info
    codedeploy_responses.CodeDeployResponse.stop_deployment = _stop_deployment  # type: ignore[attr-defined]
