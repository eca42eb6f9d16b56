"""The five chapters of the release story, each told by running the real commands."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lambda_release.aws.stack import list_resources
from lambda_release.demo.stage import Stage
from lambda_release.errors import OperationError

CHAPTERS = 5
_EXPORT = re.compile(r"^export (LAMBDA_RELEASE_[A-Z_]+)='([^']*)'$")


@dataclass
class Story:
    """What the chapters share: the stage, a client factory for the sandbox, and notes."""

    stage: Stage
    client: Callable[[str], Any]
    prefix: str
    release: int = 0
    shown: list[str] = field(default_factory=list)
    alarm: tuple[str, str] | None = None  # (function logical id, alarm name)

    def target(self, branch: str) -> dict[str, str]:
        """Run `target` for a branch and "source" its exports, as CI does with $BASH_ENV."""
        for key in ("ENVIRONMENT", "ALIAS", "STACK", "BRANCH"):  # a new CI job: a fresh shell
            self.stage.env.pop(f"LAMBDA_RELEASE_{key}", None)
        _, out = self.stage.run(["target", "--branch", branch, "--stack-prefix", self.prefix])
        exports = {m.group(1): m.group(2) for m in map(_EXPORT.match, out.splitlines()) if m}
        self.stage.env.update(exports)
        return exports

    def new_release(self) -> list[str]:
        """A new release's code built; the functions it changed."""
        self.release += 1
        return self.stage.mark_release(self.release)

    def deploy(self, *, expect: tuple[int, ...] = (0,)) -> int:
        code, _ = self.stage.run(["deploy"], expect=expect)
        return code


def staging(story: Story) -> None:
    s = story.stage
    s.chapter(1, CHAPTERS, "A push to feature/x deploys to STAGING")
    s.say(
        "CI works out the target from the branch: any branch but main releases to alias "
        "STAGING in its own stack. The exports go to $BASH_ENV, so later steps need no flags."
    )
    story.target("feature/x")
    story.new_release()
    s.say("The first release creates the stack: every function at version 1, nothing to shift.")
    story.deploy()
    story.shown.append("a feature branch released to STAGING in its own stack")


def _these_functions(names: list[str]) -> str:
    """How the story names the functions a push changed: a template may have one."""
    if len(names) == 1:
        return f"its function {names[0]}"
    return "both functions" if len(names) == 2 else f"all {len(names)} functions"


def _deployments(count: int) -> str:
    return {1: "its deployment", 2: "both deployments"}.get(count, f"all {count} deployments")


def prod_canary(story: Story) -> None:
    s = story.stage
    s.chapter(2, CHAPTERS, "A push to main deploys to PROD with a canary that succeeds")
    story.target("main")
    s.say("The first release to PROD creates its stack (version 1 of each function).")
    story.deploy()
    changed = story.new_release()
    s.say(
        f"The next push changes {_these_functions(changed)}. Before any traffic moves, a "
        "PreTraffic hook (if the template has one, as the bundled app does) invokes each new "
        "version and checks its answer; then each gets 10% of the traffic first, under its "
        "alarm, then 100%. deploy shows the progress while sam deploy waits."
    )
    story.deploy()
    s.say("PROD now runs version 2 everywhere; PROD_STABLE (the rollback target) points at 1.")
    story.shown.append("a canary to PROD, its progress shown while sam waits, then 100%")


def _alarm_of(story: Story, stack: str, logical_id: str) -> str | None:
    """The first alarm of the function's CodeDeploy deployment group."""
    cfn, cd = story.client("cloudformation"), story.client("codedeploy")
    resources = list_resources(cfn, stack)
    by_id = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources}
    apps = [r for r in resources if r["ResourceType"] == "AWS::CodeDeploy::Application"]
    group = by_id.get(f"{logical_id}DeploymentGroup")
    if not apps or not group:
        return None
    info = cd.get_deployment_group(
        applicationName=apps[0]["PhysicalResourceId"], deploymentGroupName=group
    )["deploymentGroupInfo"]
    alarms = (info.get("alarmConfiguration") or {}).get("alarms") or []
    return str(alarms[0]["name"]) if alarms else None


def _functions(story: Story, stack: str) -> dict[str, str]:
    resources = list_resources(story.client("cloudformation"), stack)
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == "AWS::Lambda::Function"
    }


def _fire_when_shifting(
    story: Story, function: str, alias: str, alarm: str, stop: threading.Event
) -> threading.Thread:
    """Put ``alarm`` in ALARM once the new version of ``function`` takes traffic."""
    lam, cw = story.client("lambda"), story.client("cloudwatch")

    def run() -> None:
        while not stop.wait(0.1):
            routing = lam.get_alias(FunctionName=function, Name=alias).get("RoutingConfig") or {}
            if routing.get("AdditionalVersionWeights"):
                stop.wait(1.0)  # let the 10% be seen first
                cw.set_alarm_state(
                    AlarmName=alarm,
                    StateValue="ALARM",
                    StateReason="lambda-release demo: errors in the canary",
                )
                return

    thread = threading.Thread(target=run, name="demo-alarm", daemon=True)
    thread.start()
    return thread


def _watch_line(stage: Stage) -> Callable[[str], None]:
    """watch's progress lines (its closing notes repeat the result on stdout)."""

    def show(line: str) -> None:
        if not line.startswith("lambda-release watch:"):
            stage.show(line.rstrip())

    return show


def bad_release(story: Story, slow_minute: Callable[[float], Callable[[], None]]) -> None:
    s = story.stage
    s.chapter(3, CHAPTERS, "A bad release to PROD: the alarm fires mid-canary")
    stack, alias = s.env["LAMBDA_RELEASE_STACK"], s.env["LAMBDA_RELEASE_ALIAS"]
    functions = _functions(story, stack)
    found = [(lid, _alarm_of(story, stack, lid)) for lid in sorted(functions)]
    with_alarm = [(lid, a) for lid, a in found if a]
    if not with_alarm:
        s.say(
            "None of this template's functions has an alarm in its DeploymentPreference, so "
            "CodeDeploy could not roll a bad release back by itself: `lambda-release check` "
            "reports it. Skipping this chapter."
        )
        return
    logical_id, alarm = with_alarm[0]
    story.alarm = (logical_id, alarm)
    story.new_release()
    s.say(
        f"Release {story.release} has a bug in {logical_id}. While its canary runs, "
        f"`lambda-release watch` follows {_deployments(len(functions))}; errors push {alarm} "
        "into ALARM."
    )
    restore = slow_minute(30.0)  # a long canary, so the alarm surely fires inside it
    stop = threading.Event()
    try:
        deploying = s.start(["deploy"])
        _fire_when_shifting(story, functions[logical_id], alias, alarm, stop)
        args = ["watch", "--start-timeout", "120", "--progress", "plain", "--minute", "30"]
        code, _ = s.run(args, expect=(1,), on_line=_watch_line(s), show_stdout=False)
        deploy_code, deploy_out = deploying.wait()
    finally:
        stop.set()
        restore()
    s.show("")
    s.say(
        "CodeDeploy stopped the deployments and put the traffic back by itself; the "
        "release is recorded as failed, and the stable versions did not move:"
    )
    for line in deploy_out.rstrip().splitlines():
        s.show(line)
    if deploy_code != 1 or code != 1:
        raise OperationError(f"the bad release should have failed (deploy {deploy_code})")
    story.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="OK", StateReason="lambda-release demo: errors fixed"
    )
    s.say(f"The bug is fixed and {alarm} is back to OK.")
    story.shown.append(f"an alarm ({alarm}) firing mid-canary: CodeDeploy rolled back by itself")


def found_bad_later(story: Story) -> None:
    s = story.stage
    s.chapter(4, CHAPTERS, "A release passes its canary but is found bad later")
    story.new_release()
    if story.alarm is None:
        s.say(f"Release {story.release} passes its canary and takes all the traffic.")
        story.deploy()
        s.say(
            "An hour later a customer reports wrong totals. One command puts every function "
            "back on its stable version (the release before), each guarded by its RevisionId:"
        )
        s.run(["rollback", "--reason", f"wrong totals reported after release {story.release}"])
        story.shown.append("one `rollback` returning every function to its stable version")
        return
    _, alarm = story.alarm
    stack, alias = s.env["LAMBDA_RELEASE_STACK"], s.env["LAMBDA_RELEASE_ALIAS"]
    s.say(
        f"Release {story.release} passes its canary and takes all the traffic. With --bake 10 "
        f"the helper keeps watching the alarms for 10 more minutes; a few minutes in, {alarm} "
        "fires (wrong totals, seen only under full traffic), and the helper rolls the "
        "release back by itself, through the same path as `rollback`:"
    )
    stop = threading.Event()
    _fire_when_baking(story, stack, alias, alarm, stop)
    try:
        s.run(["deploy", "--bake", "10"], expect=(1,), on_line=_bake_line(s))
    finally:
        stop.set()
    story.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="OK", StateReason="lambda-release demo: totals fixed"
    )
    s.say(
        "Nobody had to notice: the rollback's entry names the alarm, its reason and the time. "
        "Without a bake, one `lambda-release rollback` does the same by hand."
    )
    story.shown.append(f"a bake: {alarm} fired after the canary, the helper rolled back by itself")


def _bake_line(stage: Stage) -> Callable[[str], None]:
    """The bake's lines (time left, each alarm) and the rollback's, besides the usual."""

    rolling: list[bool] = []

    def show(line: str) -> None:
        if line.startswith(("bake:", "rollback ", "baking ")):
            rolling.append(line.startswith("rollback "))
            stage.show(line.rstrip())
        elif any(rolling) and line.startswith("  "):  # each function the rollback moved
            stage.show(line.rstrip())
        else:
            stage.progress_line(line)

    return show


def _fire_when_baking(
    story: Story, stack: str, alias: str, alarm: str, stop: threading.Event
) -> threading.Thread:
    """Put ``alarm`` in ALARM once a bake of the stack's release has begun (its log says so)."""
    s3 = story.client("s3")
    bucket = story.stage.env["LAMBDA_RELEASE_S3_BUCKET"]
    prefix = f"lambda-release/{stack}/{alias}/bakes/"
    seen = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0)

    def run() -> None:
        while not stop.wait(0.1):
            if s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0) > seen:
                stop.wait(2 * story.stage.minute)  # a couple of quiet bake minutes first
                story.client("cloudwatch").set_alarm_state(
                    AlarmName=alarm,
                    StateValue="ALARM",
                    StateReason="lambda-release demo: wrong totals under full traffic",
                )
                return

    thread = threading.Thread(target=run, name="demo-bake-alarm", daemon=True)
    thread.start()
    return thread


def status_and_history(story: Story) -> None:
    s = story.stage
    s.chapter(5, CHAPTERS, "status and history: what runs where, and why")
    s.say(
        "status shows each function's version, canary weights and stable version. After the "
        "rollback CloudFormation still records the newer version: that is drift, and the next "
        "deploy resolves it before calling sam, so traffic never returns to the bad version."
    )
    s.run(["status"])
    s.say("history is the release log, newest first: the rollback undid the last release.")
    s.run(["history"])
    story.shown.append("status and history: versions, stable versions, drift, the release log")
