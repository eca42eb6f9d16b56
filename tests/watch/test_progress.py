"""Progress rendering and traffic schedules, without AWS: what a person sees, and when."""

from __future__ import annotations

import io

import pytest

from lambda_release.observe.progress import (
    DeploymentView,
    LineRenderer,
    TtyRenderer,
    choose_renderer,
    describe,
    duration,
)
from lambda_release.observe.routing import TrafficRouting, routing_of


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def view(**kw: object) -> DeploymentView:
    base: dict[str, object] = {
        "logical_id": "OrdersFunction",
        "function_name": "stack-Orders-1",
        "deployment_id": "d-1",
        "status": "InProgress",
        "current_version": "4",
        "target_version": "5",
        "share": 0.1,
        "step_ends_in": 240.0,
        "alarms": {"orders-errors": "OK"},
    }
    base.update(kw)
    return DeploymentView(**base)  # type: ignore[arg-type]


def test_line_renderer_prints_changes_only_never_the_ticking_time() -> None:
    out, clock = io.StringIO(), FakeClock()
    r = LineRenderer(out, heartbeat=50, clock=clock)
    r.update([view()])
    for left in (239.0, 230.0, 200.0):  # only the time left moves: nothing to say
        clock.now += 2
        r.update([view(step_ends_in=left)])
    r.update([view(step_ends_in=200.0, alarms={"orders-errors": "ALARM"})])
    r.update([view(status="Stopped", rolled_back=True, alarms={"orders-errors": "ALARM"})])
    assert out.getvalue().splitlines() == [
        "OrdersFunction: 10% on version 5 (from 4), next step in 4m 00s; alarm orders-errors OK",
        "OrdersFunction: 10% on version 5 (from 4), next step in 3m 20s; alarm orders-errors ALARM",
        "OrdersFunction: stopped, traffic back on version 4: alarm orders-errors in ALARM",
    ]


def test_line_renderer_heartbeat_when_silent_and_only_then() -> None:
    out, clock = io.StringIO(), FakeClock()
    r = LineRenderer(out, heartbeat=50, clock=clock, prefix="[lr] ")
    r.update([view()])
    for _ in range(24):  # 48 s of polls with nothing new
        clock.now += 2
        r.update([view()])
    assert len(out.getvalue().splitlines()) == 1
    clock.now += 2  # 50 s of silence
    r.update([view(step_ends_in=190.0)])
    lines = out.getvalue().splitlines()
    assert lines[-1] == (
        "[lr] still deploying: OrdersFunction: 10% on version 5 (from 4), next step in "
        "3m 10s; alarm orders-errors OK"
    )
    for _ in range(24):  # the heartbeat restarts the silence count: no flood
        clock.now += 2
        r.update([view()])
    assert len(out.getvalue().splitlines()) == 2


def test_line_renderer_heartbeat_while_nothing_started_and_none_when_off() -> None:
    out, clock = io.StringIO(), FakeClock()
    r = LineRenderer(out, heartbeat=30, clock=clock)
    clock.now += 31
    r.update([])
    assert out.getvalue() == "still waiting for a deployment to start\n"
    quiet = io.StringIO()
    off = LineRenderer(quiet, heartbeat=None, clock=clock)
    clock.now += 3600
    off.update([])
    assert quiet.getvalue() == ""


def test_tty_renderer_redraws_in_place() -> None:
    out = Tty()
    r = TtyRenderer(out, width=10)
    r.update([view(), view(logical_id="PaymentsFunction", deployment_id="d-2", share=0.0)])
    r.update([view(status="Succeeded", share=1.0)])
    text = out.getvalue()
    assert "[#---------]  10%  OrdersFunction: 10% on version 5" in text
    assert "\x1b[2F\x1b[J" in text  # two lines drawn, so two lines up before redrawing
    assert text.endswith("[##########] 100%  OrdersFunction: succeeded, 100% on version 5\n")


@pytest.mark.parametrize(
    ("tty", "env", "kind"),
    [
        (True, {}, TtyRenderer),
        (True, {"CI": "true"}, LineRenderer),
        (False, {}, LineRenderer),
        (True, {"TERM": "dumb"}, LineRenderer),
    ],
)
def test_auto_mode_plain_in_ci_or_without_a_terminal(
    tty: bool, env: dict[str, str], kind: type
) -> None:
    stream = Tty() if tty else io.StringIO()
    assert isinstance(choose_renderer(stream, "auto", env), kind)
    assert isinstance(choose_renderer(stream, "plain", env), LineRenderer)
    assert isinstance(choose_renderer(stream, "tty", env), TtyRenderer)


def test_describe_outcomes() -> None:
    assert describe(view(status="Succeeded", share=1.0)) == (
        "OrdersFunction: succeeded, 100% on version 5"
    )
    failed = view(status="Failed", message="hook failed", alarms={})
    assert describe(failed) == "OrdersFunction: failed (hook failed)"
    assert describe(view(), with_time=False).endswith("(from 4); alarm orders-errors OK")


@pytest.mark.parametrize(
    ("seconds", "text"), [(1.25, "1.2s"), (42.4, "42s"), (245, "4m 05s"), (3725, "1h 02m")]
)
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_traffic_schedules_of_the_predefined_configurations() -> None:
    canary = routing_of("CodeDeployDefault.LambdaCanary10Percent5Minutes")
    assert canary == TrafficRouting("Canary", 10, 5)
    assert canary.steps() == [(0.0, 0.1), (5.0, 1.0)]
    assert canary.next_step(1.5) == 3.5
    assert canary.next_step(5.0) is None
    linear = routing_of("CodeDeployDefault.LambdaLinear10PercentEvery2Minutes")
    assert linear == TrafficRouting("Linear", 10, 2)
    assert len(linear.steps()) == 10 and linear.steps()[-1] == (18.0, 1.0)
    assert linear.next_step(3.0) == 1.0
    assert routing_of("CodeDeployDefault.LambdaAllAtOnce") == TrafficRouting("AllAtOnce")
    assert routing_of("MyOwnConfig") is None  # no CodeDeploy client to ask
