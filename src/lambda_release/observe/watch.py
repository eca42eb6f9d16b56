"""Following the CodeDeploy deployments of a stack's functions until they end.

One deployment per function, in parallel (SAM gives each function its own deployment
group). Per function: the traffic share on the new version (from the alias's routing
weights, as Lambda serves it), time left in the current traffic step (from the deployment
configuration and the deployment's start), the state of each alarm of its deployment group,
and the outcome (CodeDeploy's own message, which names the alarm that fired).

:func:`watch` is the ``watch`` command's loop; :func:`following` wraps the function that
runs ``sam deploy`` so that ``deploy`` shows the same progress while sam waits on the canary.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import botocore.exceptions

from lambda_release.aws.codedeploy import active_deployment_ids, groups_alarms
from lambda_release.aws.stack import StackInfo, describe_stack
from lambda_release.errors import EXIT_FAILED, EXIT_OK, OperationError, UsageError
from lambda_release.log.timeline_schema import Timeline
from lambda_release.observe.progress import DeploymentView, LineRenderer, Renderer, describe
from lambda_release.observe.routing import TrafficRouting, routing_of
from lambda_release.observe.timeline import AlarmReading, CanaryTimeline
from lambda_release.release.stack_alias import StackAlias
from lambda_release.template.sam import still_running

# Stack states in which CloudFormation may still start more deployments.
STARTING = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int | float):
        return float(value)
    return None


def _appspec(info: dict[str, Any]) -> dict[str, str]:
    """Name, Alias, CurrentVersion and TargetVersion from the deployment's AppSpec."""
    content = ((info.get("revision") or {}).get("appSpecContent") or {}).get("content")
    if not content:
        return {}
    try:
        spec = json.loads(content)
        resource = next(iter(spec["Resources"][0].values()))
        props = resource["Properties"]
    except (ValueError, KeyError, IndexError, StopIteration, AttributeError, TypeError):
        return {}
    return {k: str(v) for k, v in props.items() if isinstance(v, str | int)}


# CodeDeploy's lifecycle events for Lambda and the SAM hook that runs in each.
HOOK_EVENTS = {"BeforeAllowTraffic": "PreTraffic", "AfterAllowTraffic": "PostTraffic"}


def _has_hooks(info: dict[str, Any]) -> bool:
    content = ((info.get("revision") or {}).get("appSpecContent") or {}).get("content")
    try:
        return bool(content and json.loads(content).get("Hooks"))
    except (ValueError, AttributeError):
        return False


def running_hook(cd: Any, deployment_id: str) -> tuple[str, float | None]:
    """(PreTraffic or PostTraffic, its start time) of the hook running now; ("", None)."""
    try:
        ids = cd.list_deployment_targets(deploymentId=deployment_id).get("targetIds", [])
        if not ids:
            return "", None
        got = cd.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=ids[:25])
    except botocore.exceptions.ClientError:
        return "", None  # progress only: the deployment's own status still tells the outcome
    for target in got.get("deploymentTargets", []):
        for event in (target.get("lambdaTarget") or {}).get("lifecycleEvents", []):
            hook = HOOK_EVENTS.get(str(event.get("lifecycleEventName")))
            if hook and event.get("status") == "InProgress":
                return hook, _epoch(event.get("startTime"))
    return "", None


@dataclass
class Follower:
    """Reads the deployments of one stack and alias; each :meth:`poll` gives a fresh view."""

    engine: StackAlias
    minute: float = 60.0  # real seconds per deployment minute (an emulator may compress it)
    clock: Callable[[], float] = time.time
    tracked: dict[str, str] = field(default_factory=dict)  # deployment id -> group
    _info: StackInfo | None = None
    _alarms_of: dict[str, list[str]] = field(default_factory=dict)
    _routing: dict[str, TrafficRouting | None] = field(default_factory=dict)
    _ended: dict[str, DeploymentView] = field(default_factory=dict)
    _live: dict[str, DeploymentView] = field(default_factory=dict)
    stack_status: str = ""
    timeline: CanaryTimeline | None = None  # records each poll's readings (issue 32)
    _readings: dict[str, AlarmReading] = field(default_factory=dict)

    @property
    def cd(self) -> Any:
        return self.engine.client("codedeploy")

    def refresh_stack(self) -> StackInfo | None:
        self._info = self.engine.info(refresh=True)
        self.stack_status = self._info.status if self._info else ""
        return self._info

    def read_stack_status(self) -> str:
        desc = describe_stack(self.engine.client("cloudformation"), self.engine.stack)
        self.stack_status = str(desc.get("StackStatus", "")) if desc else ""
        return self.stack_status

    def discover(self) -> list[str]:
        """Deployments in flight for the stack's groups not yet followed; adds them."""
        info = self._info
        if info is None or not info.application:
            return []
        new: list[str] = []
        for deployment_id, group in active_deployment_ids(self.cd, info):
            if deployment_id not in self.tracked:
                self.tracked[deployment_id] = group
                new.append(deployment_id)
        return new

    def _group_alarms(self, group: str) -> list[str]:
        if group not in self._alarms_of:
            info = self._info
            if info is not None and info.application:
                # Every group of the stack in one call (100 a call), not one call per group.
                groups = sorted({group, *info.deployment_groups} - set(self._alarms_of))
                self._alarms_of.update(groups_alarms(self.cd, info.application, groups))
            self._alarms_of.setdefault(group, [])
        return self._alarms_of[group]

    def _alarm_states(self, names: Sequence[str]) -> dict[str, str]:
        unique = sorted(set(names))
        states: dict[str, str] = {}
        cw = self.engine.client("cloudwatch")
        for i in range(0, len(unique), 100):
            try:
                resp = cw.describe_alarms(AlarmNames=unique[i : i + 100])
            except botocore.exceptions.ClientError as exc:
                raise OperationError(f"cannot read alarms {', '.join(unique)}: {exc}") from exc
            for alarm in resp.get("MetricAlarms", []) + resp.get("CompositeAlarms", []):
                states[str(alarm["AlarmName"])] = str(alarm.get("StateValue", ""))
                self._readings[str(alarm["AlarmName"])] = AlarmReading(
                    states[str(alarm["AlarmName"])],
                    str(alarm.get("StateReason", "")),
                    _epoch(alarm.get("StateUpdatedTimestamp")),
                )
        return {n: states.get(n, "MISSING") for n in unique}

    def _function_of(self, group: str, spec: dict[str, str]) -> tuple[str, str]:
        info = self._info
        for f in info.functions if info else []:
            if f.deployment_group == group or (spec.get("Name") and f.name == spec["Name"]):
                return f.logical_id, f.name
        return "", spec.get("Name", group)

    def _share(self, name: str, alias: str, target: str | None) -> float:
        try:
            got = self.engine.client("lambda").get_alias(FunctionName=name, Name=alias)
        except botocore.exceptions.ClientError:
            return 0.0
        weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        if target and target in weights:
            return float(weights[target])
        return 1.0 if target and str(got.get("FunctionVersion")) == target else 0.0

    def _view(self, deployment_id: str, group: str, states: dict[str, str]) -> DeploymentView:
        try:
            info = self.cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot read deployment {deployment_id}: {exc}") from exc
        spec = _appspec(info)
        logical_id, name = self._function_of(group, spec)
        config = str(info.get("deploymentConfigName", ""))
        status = str(info.get("status", ""))
        target = spec.get("TargetVersion")
        view = DeploymentView(
            logical_id=logical_id,
            function_name=name,
            deployment_id=deployment_id,
            status=status,
            config=config.removeprefix("CodeDeployDefault."),
            current_version=spec.get("CurrentVersion"),
            target_version=target,
            alarms={n: states.get(n, "MISSING") for n in self._group_alarms(group)},
            message=str((info.get("errorInformation") or {}).get("message", "")),
            rolled_back=bool((info.get("rollbackInfo") or {}).get("rollbackDeploymentId")),
            rollback_of=str(
                (info.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId") or ""
            ),
        )
        rollback = str((info.get("rollbackInfo") or {}).get("rollbackDeploymentId") or "")
        if rollback and rollback not in self.tracked:
            self.tracked[rollback] = group  # CodeDeploy's rollback: follow it to its end
        if status == "InProgress" and _has_hooks(info):
            view.hook, hook_started = running_hook(self.cd, deployment_id)
            if hook_started is not None:
                view.hook_running_for = max(0.0, self.clock() - hook_started)
        alias = spec.get("Alias") or self.engine.alias
        view.share = 1.0 if view.succeeded else self._share(name, alias, target)
        started = _epoch(info.get("startTime")) or _epoch(info.get("createTime"))
        if config not in self._routing:
            self._routing[config] = routing_of(config, self.cd)
        routing = self._routing[config]
        if status == "InProgress" and routing is not None and started is not None:
            elapsed = (self.clock() - started) / self.minute
            left = routing.next_step(elapsed)
            view.step_ends_in = None if left is None else left * self.minute
        return view

    def poll(self) -> list[DeploymentView]:
        """A view of every followed deployment (ended ones are read once more, then kept)."""
        todo = [(d, g) for d, g in self.tracked.items() if d not in self._ended]
        groups = {g for _, g in todo}
        states = self._alarm_states([a for g in groups for a in self._group_alarms(g)])
        while todo:
            for deployment_id, group in todo:
                view = self._view(deployment_id, group, states)
                if view.ended:
                    self._ended[deployment_id] = view
                else:
                    self._ended.pop(deployment_id, None)
                    self._live[deployment_id] = view
            # a rollback deployment found just now is read in this same poll
            todo = [
                (d, g)
                for d, g in self.tracked.items()
                if d not in self._ended and d not in self._live
            ]
        views = [self._ended.get(d) or self._live[d] for d in self.tracked]
        views.sort(key=lambda v: (v.logical_id or v.function_name, v.deployment_id))
        if self.timeline is not None:
            self.timeline.observe(views, self.clock(), self._readings)
        return views


@dataclass
class WatchResult:
    """What ``watch`` saw: every deployment's last view and the exit code."""

    views: list[DeploymentView]
    exit_code: int
    stack_status: str = ""
    timeline: Timeline | None = None

    @property
    def failures(self) -> list[str]:
        return [describe_failure(v) for v in self.views if not v.succeeded]

    def as_json(self) -> dict[str, Any]:
        return {
            "deployments": [v.as_json() for v in self.views],
            "stack_status": self.stack_status,
            "succeeded": self.exit_code == EXIT_OK,
            "failures": self.failures,
            "timeline": self.timeline,
        }


def describe_failure(view: DeploymentView) -> str:
    name = view.logical_id or view.function_name
    what = "stopped" if view.status == "Stopped" else view.status.lower()
    if view.firing:
        return f"{name}: {what}: alarm {', '.join(view.firing)} fired"
    return f"{name}: {what}" + (f": {view.message}" if view.message else "")


def watch(
    engine: StackAlias,
    renderer: Renderer,
    *,
    minute: float = 60.0,
    poll: float = 2.0,
    wait: float = 0.0,
    timeout: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> WatchResult:
    """Follow the stack's deployments until they end (waiting ``wait`` s for one to start)."""
    follower = Follower(engine, minute=minute, timeline=CanaryTimeline("watch"))
    info = follower.refresh_stack()
    if info is None:
        raise UsageError(
            f"stack {engine.stack} does not exist (in this account and region): check --stack "
            "and --region"
        )
    engine.require_alias_functions(info, None)
    started = time.monotonic()
    follower.discover()
    if not follower.tracked and wait > 0:
        renderer.note(f"waiting up to {wait:g} s for a deployment of stack {engine.stack} to start")
    views: list[DeploymentView] = []
    while True:
        if not follower.tracked:
            if time.monotonic() - started >= wait:
                renderer.note(f"no deployment of stack {engine.stack} is in flight")
                return WatchResult([], EXIT_OK, follower.stack_status)
            renderer.update([])
            sleep(poll)
            follower.refresh_stack()
            follower.discover()
            continue
        views = follower.poll()
        renderer.update(views)
        if all(v.ended for v in views):
            starting = follower.read_stack_status() in STARTING
            # CloudFormation may yet start another function's deployment, and CodeDeploy its
            # rollback of one this poll saw end, even once the stack has moved on.
            if follower.discover():
                continue
            if not starting or time.monotonic() - started > timeout:
                break
        elif time.monotonic() - started > timeout:
            raise OperationError(
                f"deployments of stack {engine.stack} still in flight after {timeout:g} s: "
                "run `lambda-release watch` again to keep following them"
            )
        sleep(poll)
        if not all(v.ended for v in views):
            follower.discover()
    renderer.close()
    ok = all(v.succeeded for v in views)
    recorded = follower.timeline.record() if follower.timeline else None
    return WatchResult(views, EXIT_OK if ok else EXIT_FAILED, follower.stack_status, recorded)


RunSam = Callable[..., int]


def following(
    run_sam: RunSam,
    engine: StackAlias,
    *,
    minute: float = 60.0,
    poll: float = 5.0,
    stream: TextIO | None = None,
    prefix: str = "[lambda-release] ",
    timeline: CanaryTimeline | None = None,
) -> RunSam:
    """``run_sam`` that also prints the stack's deployment progress while it runs.

    A thread looks for deployments of the stack (the stack may not exist yet) and prints a
    line per change; it never fails the deploy: a read error is reported once and it stops.
    ``timeline`` records what it saw, for the release's settlement.
    """

    def run(cmd: Sequence[str], **kwargs: Any) -> int:
        # Beside sam's lines, where they go (a group member's: prefixed with its name).
        out = kwargs.get("out") or stream or sys.stderr
        renderer = LineRenderer(out, heartbeat=None, prefix=prefix)
        # An engine of its own: the deploy's engine caches what it read.
        own = StackAlias(engine.aws, engine.stack, engine.alias, rate=engine.rate)
        follower = Follower(own, minute=minute, timeline=timeline)
        done = threading.Event()
        failed: list[bool] = []

        def follow() -> None:
            try:
                while not done.wait(poll):
                    follower.refresh_stack()
                    follower.discover()
                    if follower.tracked:
                        renderer.update(follower.poll())
            except Exception as exc:  # progress is a courtesy: never fail the deploy
                failed.append(True)
                renderer.note(f"progress display stopped: {exc}")

        def beat_text(elapsed: float) -> str:
            # As watch says it: each canary's traffic, time to its next step, alarms.
            running = [describe(v) for v in renderer.views if not v.ended]
            if not running:
                return still_running(elapsed)
            return f"sam still running ({int(elapsed)} s): " + "; ".join(running)

        thread = threading.Thread(target=follow, name="deploy-progress", daemon=True)
        thread.start()
        try:
            return run_sam(cmd, heartbeat_text=beat_text, **kwargs)
        finally:
            done.set()
            thread.join(timeout=30)
            if follower.tracked and not failed and not thread.is_alive():
                try:  # the outcome of every deployment seen, even if sam ended between polls
                    renderer.update(follower.poll())
                except Exception as exc:
                    renderer.note(f"progress display stopped: {exc}")

    return run
