"""CodeDeploy for Lambda: shifting an alias's weights on a compressed clock, as AWS does.

A deployment moves traffic from the version CloudFormation recorded for the alias to the new
one by the deployment group's configuration (predefined or custom). Every tick it checks the
group's alarms (driven with CloudWatch's `set_alarm_state`) and any stop request. Hook
functions are invoked (their Python code runs, see lambda_runtime.py) and the deployment waits
for their PutLifecycleEventHookExecutionStatus. A deployment that fails or is stopped with
rollback gets a rollback deployment of its own, linked both ways in `rollbackInfo`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.awslambda.utils import get_backend
from moto.cloudwatch.models import cloudwatch_backends
from moto.codedeploy import models as codedeploy_models
from moto.codedeploy import responses as codedeploy_responses
from moto.codedeploy.exceptions import DeploymentDoesNotExistException
from moto.codedeploy.models import codedeploy_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from lambda_release.aws.deployment_types import ALL_AT_ONCE, CONFIG_PREFIX
from lambda_release.sandbox import deployment_configs
from lambda_release.sandbox.codedeploy_errors import codedeploy_error
from lambda_release.sandbox.deployment_configs import lookup, schedule_of
from lambda_release.sandbox.lambda_runtime import invoke_async, runs_here

PREDEFINED_CONFIGS = deployment_configs.PREDEFINED_CONFIGS


DRIFT_MODELS = ("fail", "recorded", "live")


@dataclass
class Settings:
    """Process-wide knobs of the stand-in (moto's backends are process-wide too)."""

    minute: float = 60.0  # real seconds per deployment minute
    fail_hooks: bool = False  # hooks report Failed without running (a stub)
    # What a deployment does when the alias's live version is not the one CloudFormation
    # recorded (moved by hand): AWS does not document it; see docs/sandbox.md.
    drift_model: str = "fail"
    hook_timeout_minutes: float = 60.0  # a hook must report within an hour
    # ...but never sooner than this many real seconds: starting a hook's interpreter takes
    # a second or two here that AWS does not count, and a compressed clock must not eat it.
    hook_timeout_floor: float = 20.0
    # How long a rollback deployment stays InProgress after traffic is back, in real seconds:
    # it does not follow the configuration's clock (nothing is shifted step by step).
    rollback_seconds: float = 2.0
    fail_stack_rollbacks: bool = False  # the next stack rollbacks end UPDATE_ROLLBACK_FAILED
    # Seconds AWS's clock is ahead of this machine's (negative: behind): CloudFormation's
    # times (CreationTime, LastUpdatedTime, events) and every answer's Date header.
    clock_offset: float = 0.0


SETTINGS = Settings()


def aws_now() -> datetime:
    """AWS's clock: this machine's, moved by the sandbox's clock offset."""
    return utcnow() + timedelta(seconds=SETTINGS.clock_offset)


def traffic_schedule(config_name: str, account_id: str, region: str) -> list[tuple[float, float]]:
    """(deployment minute, weight on the new version) steps of a Lambda configuration.

    Predefined canary: 10% at once, the rest after the interval; linear: 10% more every
    interval, so 100% after nine intervals; AllAtOnce: 100% at once. Custom configurations
    follow their trafficRoutingConfig.
    """
    return schedule_of(lookup(account_id, region, config_name)["trafficRoutingConfig"])


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


@dataclass
class HookRun:
    """One lifecycle hook execution: CodeDeploy waits for its status."""

    event: str
    execution_id: str
    status: str = "InProgress"
    reported: threading.Event = field(default_factory=threading.Event)


RUNNERS: dict[str, LambdaDeployment] = {}

LIFECYCLE_EVENTS = ("Start", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End")


class LambdaDeployment:
    """One CodeDeploy deployment of a Lambda alias, run on its own thread.

    `rollback_of`: this is the rollback deployment CodeDeploy creates when that deployment
    fails or is stopped with rollback: its own id, linked both ways in `rollbackInfo`.
    """

    def __init__(
        self,
        account_id: str,
        region: str,
        application: str,
        group: str,
        shift: AliasShift,
        on_done: Callable[[LambdaDeployment], None] | None = None,
        rollback_of: LambdaDeployment | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.application = application
        self.group_name = group
        self.shift = shift
        self.on_done = on_done
        self.rollback_of = rollback_of
        self.rollback: LambdaDeployment | None = None
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
            deployment_config_name=(CONFIG_PREFIX + ALL_AT_ONCE) if rollback_of else None,
            description=f"{shift.function_name}:{shift.alias} "
            f"{shift.current_version} -> {shift.target_version}",
        )
        # moto's DeploymentInfo, plus the fields moto leaves out
        info: Any = backend.deployments[self.deployment_id]
        info.error_information = {}
        info.rollback_info = (
            {"rollbackTriggeringDeploymentId": rollback_of.deployment_id} if rollback_of else {}
        )
        info.creator = "codeDeployRollback" if rollback_of else "user"
        self.info = info
        self.group = backend.deployment_groups[application][group]
        self.events: dict[str, dict[str, Any]] = {
            name: {"lifecycleEventName": name, "status": "Pending"} for name in LIFECYCLE_EVENTS
        }
        self.hook_run: HookRun | None = None
        self.target_weight = 0.0
        self.last_updated = aws_now()
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
        info.start_time = aws_now()
        self._overview(in_progress=1)
        try:
            self._event("Start", "Succeeded")
            if self.rollback_of is not None:
                self._run_rollback()
            else:
                self._run_shift()
            info.status = "Succeeded"
            self._event("End", "Succeeded")
            self._overview(succeeded=1)
        except DeploymentStopped as stop:
            # The rollback exists before the stop shows: a reader that sees this deployment
            # ended also sees its rollbackInfo (a watcher read between the two, ended, and
            # never followed the rollback).
            rollback = None
            if stop.rollback and self.rollback_of is None:  # a rollback is not rolled back
                rollback = self._create_rollback()
            info.status = stop.status
            info.error_information = {"code": stop.code, "message": stop.message}
            self._fail_open_events()
            self._overview(failed=1)
            if rollback is not None:
                rollback.start()
        except Exception as exc:  # a bug here must still end the deployment and the stack
            info.status = "Failed"
            info.error_information = {"code": "INTERNAL_ERROR", "message": str(exc)}
            self._fail_open_events()
            self._overview(failed=1)
            with contextlib.suppress(Exception):
                self._roll_back_alias()
        finally:
            info.complete_time = aws_now()
            self.finished.set()
            if self.on_done is not None:
                self.on_done(self)

    def _run_shift(self) -> None:
        self._check_alias()
        self._check_alarms()
        self._hook(self.shift.before_hook, "BeforeAllowTraffic")
        self._event("AllowTraffic", "InProgress")
        start = time.monotonic()
        schedule = traffic_schedule(
            str(self.info.deployment_config_name), self.account_id, self.region
        )
        for minute, weight in schedule:
            self._wait_until(start + minute * SETTINGS.minute)
            self._set_weight(weight)
        self._event("AllowTraffic", "Succeeded")
        self._hook(self.shift.after_hook, "AfterAllowTraffic")

    def _run_rollback(self) -> None:
        """Traffic back to the original version at once; the deployment ends a little later."""
        self._event("AllowTraffic", "InProgress")
        self._set_weight(1.0)
        self._event("AllowTraffic", "Succeeded")
        end = time.monotonic() + SETTINGS.rollback_seconds
        while time.monotonic() < end:
            self._check_stop()
            self._stop.wait(min(0.1, max(0.0, end - time.monotonic())))

    def _create_rollback(self) -> LambdaDeployment:
        """CodeDeploy's rollback deployment, linked both ways, not yet started."""
        back = AliasShift(
            function_name=self.shift.function_name,
            alias=self.shift.alias,
            current_version=self.shift.target_version,
            target_version=self.shift.current_version,
        )
        rollback = LambdaDeployment(
            self.account_id, self.region, self.application, self.group_name, back, rollback_of=self
        )
        self.rollback = rollback
        self.info.rollback_info = {
            "rollbackDeploymentId": rollback.deployment_id,
            "rollbackMessage": f"Deployment {self.deployment_id} was rolled back by deployment "
            f"{rollback.deployment_id}: traffic returns to version {self.shift.current_version}",
        }
        return rollback

    def _event(self, name: str, status: str) -> None:
        event = self.events[name]
        now = aws_now()
        if status == "InProgress" or "startTime" not in event:
            event["startTime"] = now
        if status != "InProgress":
            event["endTime"] = now
        event["status"] = status
        self.last_updated = now

    def _fail_open_events(self) -> None:
        for name, event in self.events.items():
            if event["status"] == "InProgress":
                self._event(name, "Failed")
            elif event["status"] == "Pending":
                event["status"] = "Skipped"

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

    def _check_alias(self) -> None:
        """The alias as CodeDeploy finds it: not split, and on the version it starts from."""
        alias = self._lambda().get_alias(self.shift.alias, self.shift.function_name)
        weights = (alias.routing_config or {}).get("AdditionalVersionWeights") or {}
        if weights:
            # CodeDeploy's troubleshooting guide: an alias left shifting between two versions
            # (a stopped deployment without rollback) makes later deployments fail.
            raise DeploymentStopped(
                "Failed",
                "INVALID_LAMBDA_CONFIGURATION",
                f"The deployment failed because alias {self.shift.alias} of function "
                f"{self.shift.function_name} shifts traffic between two versions "
                f"({alias.function_version} and {', '.join(map(str, weights))}): set the "
                "alias's weighted routing to none, then deploy again",
                rollback=False,
            )
        live = str(alias.function_version)
        if live == self.shift.current_version:
            return
        if SETTINGS.drift_model == "live":
            self.shift.current_version = live
            return
        if SETTINGS.drift_model == "recorded":
            return  # shift from CloudFormation's version, whatever the alias shows
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
            moved = self.info.status == "InProgress" and self.target_weight > 0
            raise DeploymentStopped(
                "Stopped" if moved else "Failed",
                "ALARM_ACTIVE",
                f"One or more alarms have been activated according to the Amazon CloudWatch "
                f"metrics you selected, and the affected deployments have been stopped. "
                f"Activated alarms: <{', '.join(firing)}>",
                rollback=True,
            )

    def _hook(self, hook: str | None, event: str) -> None:
        """Run one lifecycle hook: invoke it, wait for its PutLifecycleEventHookExecutionStatus."""
        if not hook:
            self._event(event, "Skipped")
            return
        self._event(event, "InProgress")
        run = HookRun(event, str(uuid.uuid4()))
        self.hook_run = run
        payload = {
            "DeploymentId": self.deployment_id,
            "LifecycleEventHookExecutionId": run.execution_id,
        }
        if SETTINGS.fail_hooks:
            run.status = "Failed"  # the stub: as if the hook had reported failure
            run.reported.set()
        else:
            function = self._lambda().get_function(hook)
            if runs_here(function):
                invoke_async(function, payload)
            else:  # a runtime the sandbox cannot run: it reports success on the hook's behalf
                run.status = "Succeeded"
                run.reported.set()
        deadline = time.monotonic() + max(
            SETTINGS.hook_timeout_minutes * SETTINGS.minute, SETTINGS.hook_timeout_floor
        )
        while not run.reported.is_set():
            self._check_stop()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.status = "Failed"
                self._event(event, "Failed")
                raise DeploymentStopped(
                    "Failed",
                    "HOOK_EXECUTION_FAILURE",
                    f"The {event} hook {hook} did not report a status "
                    "(PutLifecycleEventHookExecutionStatus) within "
                    f"{SETTINGS.hook_timeout_minutes:g} minutes",
                    rollback=True,
                )
            run.reported.wait(min(0.1, remaining))
        self._event(event, run.status)
        if run.status != "Succeeded":
            raise DeploymentStopped(
                "Failed",
                "HOOK_EXECUTION_FAILURE",
                f"The {event} hook {hook} reported {run.status}",
                rollback=True,
            )

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise DeploymentStopped(
                "Stopped",
                "MANUAL_STOP",
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
        self.target_weight = weight
        self.last_updated = aws_now()

    def _roll_back_alias(self) -> None:
        self._lambda().update_alias(
            self.shift.alias,
            self.shift.function_name,
            self.shift.current_version,
            None,
            {"AdditionalVersionWeights": {}},
        )

    # -- what ListDeploymentTargets / BatchGetDeploymentTargets show ----------------------

    @property
    def target_id(self) -> str:
        return f"{self.shift.function_name}:{self.shift.alias}"

    def target(self) -> dict[str, Any]:
        status = {"Stopped": "Failed"}.get(self.status, self.status)
        function = self._lambda().get_function(self.shift.function_name)
        arn = str(function.function_arn).split(":$LATEST")[0]
        return {
            "deploymentTargetType": "LambdaTarget",
            "lambdaTarget": {
                "deploymentId": self.deployment_id,
                "targetId": self.target_id,
                "targetArn": f"{arn}:{self.shift.alias}",
                "status": status,
                "lastUpdatedAt": self.last_updated,
                "lifecycleEvents": [dict(e) for e in self.events.values()],
                "lambdaFunctionInfo": {
                    "functionName": self.shift.function_name,
                    "functionAlias": self.shift.alias,
                    "currentVersion": self.shift.current_version,
                    "targetVersion": self.shift.target_version,
                    "targetVersionWeight": self.target_weight,
                },
            },
        }


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
    runner = _runner(self, deployment_id)
    if runner.finished.is_set():
        raise codedeploy_error(
            "DeploymentAlreadyCompletedException",
            f"Deployment {deployment_id} has already completed.",
        )
    # AWS's default for a stop is to roll back only when asked; CloudFormation then rolls the
    # stack back anyway.
    runner.stop(auto_rollback=bool(auto_rollback))
    runner.finished.wait(timeout=max(5.0, SETTINGS.minute))
    status = "Succeeded" if runner.finished.is_set() else "Pending"
    return ActionResult({"status": status, "statusMessage": f"Deployment {deployment_id} stopped"})


def _runner(self: Any, deployment_id: str) -> LambdaDeployment:
    runner = RUNNERS.get(deployment_id)
    # A deployment belongs to one account and one region: another region's id is unknown
    # there, as on AWS (RUNNERS holds every region's, moto's backends are per region).
    if runner is None or (runner.account_id, runner.region) != (self.current_account, self.region):
        self.codedeploy_backend.get_deployment(deployment_id)  # raises if unknown
        raise DeploymentDoesNotExistException(f"Deployment {deployment_id} is not a Lambda one")
    return runner


def _put_lifecycle_event_hook_execution_status(self: Any) -> Any:
    runner = _runner(self, str(self._get_param("deploymentId")))
    execution_id = str(self._get_param("lifecycleEventHookExecutionId"))
    status = str(self._get_param("status"))
    run = runner.hook_run
    if run is None or run.execution_id != execution_id:
        raise codedeploy_error(
            "InvalidLifecycleEventHookExecutionIdException",
            f"Lifecycle event hook execution {execution_id} is not one of deployment "
            f"{runner.deployment_id}",
        )
    if status not in ("Succeeded", "Failed"):
        raise codedeploy_error(
            "InvalidLifecycleEventHookExecutionStatusException",
            f"Status {status} is not a final status: report Succeeded or Failed",
        )
    if run.reported.is_set():
        raise codedeploy_error(
            "LifecycleEventAlreadyCompletedException",
            f"The {run.event} lifecycle event of deployment {runner.deployment_id} has already "
            "completed",
        )
    run.status = status
    run.reported.set()
    return ActionResult({"lifecycleEventHookExecutionId": execution_id})


BATCH_GET_DEPLOYMENTS_MAX = 25  # BatchGetDeployments: "The maximum number ... is 25."
_original_batch_get_deployments: list[Callable[[Any], Any]] = []


def _batch_get_deployments(self: Any) -> Any:
    ids = self._get_param("deploymentIds") or []
    if len(ids) > BATCH_GET_DEPLOYMENTS_MAX:
        raise codedeploy_error(
            "BatchLimitExceededException",
            f"The maximum number of names or IDs allowed for this request "
            f"({BATCH_GET_DEPLOYMENTS_MAX}) was exceeded.",
        )
    return _original_batch_get_deployments[0](self)


def _list_deployment_targets(self: Any) -> Any:
    runner = _runner(self, str(self._get_param("deploymentId")))
    return ActionResult({"targetIds": [runner.target_id]})


def _batch_get_deployment_targets(self: Any) -> Any:
    runner = _runner(self, str(self._get_param("deploymentId")))
    wanted = self._get_param("targetIds") or []
    if any(t != runner.target_id for t in wanted):
        raise codedeploy_error("DeploymentTargetDoesNotExistException", f"No target among {wanted}")
    return ActionResult({"deploymentTargets": [runner.target()] if wanted else []})


def _get_deployment_target(self: Any) -> Any:
    runner = _runner(self, str(self._get_param("deploymentId")))
    if self._get_param("targetId") != runner.target_id:
        raise codedeploy_error("DeploymentTargetDoesNotExistException", "No such target")
    return ActionResult({"deploymentTarget": runner.target()})


def install() -> None:
    """Add StopDeployment and the missing deployment fields to moto's CodeDeploy; idempotent."""
    if _original_deployment_info:
        return
    _original_deployment_info.append(codedeploy_responses._deployment_info)
    codedeploy_responses._deployment_info = _deployment_info
    response = codedeploy_responses.CodeDeployResponse
    _original_batch_get_deployments.append(response.batch_get_deployments)
    response.batch_get_deployments = _batch_get_deployments  # type: ignore[method-assign]
    response.stop_deployment = _stop_deployment  # type: ignore[attr-defined]
    codedeploy_models.utcnow = aws_now  # type: ignore[attr-defined]
    response.put_lifecycle_event_hook_execution_status = (  # type: ignore[attr-defined]
        _put_lifecycle_event_hook_execution_status
    )
    response.list_deployment_targets = _list_deployment_targets  # type: ignore[attr-defined]
    response.batch_get_deployment_targets = _batch_get_deployment_targets  # type: ignore[attr-defined]
    response.get_deployment_target = _get_deployment_target  # type: ignore[attr-defined]
    deployment_configs.install()
