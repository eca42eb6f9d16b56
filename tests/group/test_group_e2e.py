"""End to end: `lambda-release group` through the console script, the real SAM CLI and the
stand-in. A group of stacks from one app, in two waves (the first bakes when asked)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable

from lambda_release.sandbox.server import Sandbox
from tests.group.conftest import Group, client
from tests.support.samapp import set_code_version
from tests.support.waiting import wait_until

# Bake minutes at 0.1 s each; alarms read every 0.1 s.
QUICK = ("--minute", "0.1", "--poll-interval", "0.1")
# The shape: three stacks in each of two regions, in two waves (the first: one
# stack per region).
REGIONS = ("us-east-1", "eu-west-1")


def member_history(g: Group, stack: str, region: str) -> list[dict[str, object]]:
    p = g.app.lr(
        "history", "--stack", stack, "--alias", "PROD", "--region", region, "--output", "json"
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    return list(data["releases"] if isinstance(data, dict) else data)


def test_a_group_releases_wave_by_wave_and_its_history_agrees_with_each_member(
    group_app: Callable[..., Group],
) -> None:
    g = group_app(regions=REGIONS)
    t0 = time.monotonic()
    code, data, err = g.json("deploy", str(g.file))
    took = time.monotonic() - t0
    assert code == 0, err
    assert data["outcome"] == "succeeded" and data["stopped_at_wave"] is None
    assert [(m["wave"], m["stack"], m["region"], m["outcome"]) for m in data["members"]] == [
        (1 if i < len(REGIONS) else 2, s, r, "succeeded") for i, (s, r) in enumerate(g.stacks)
    ]
    assert g.versions() == dict.fromkeys((s for s, _ in g.stacks), "1")
    assert "wave 1/2 (w1)" in err and "wave 2/2 (w2)" in err, err
    print(f"group deploy of {len(g.stacks)} stacks: {took:.1f} s")
    # The group's history names each member's release; each member's history has it,
    # naming the group.
    code, hist, err = g.json("history", str(g.file))
    assert code == 0, err
    (latest,) = hist["releases"]
    assert latest["id"] == data["id"] and latest["outcome"] == "succeeded"
    for m in latest["members"]:
        (own,) = member_history(g, m["stack"], m["region"])
        assert own["id"] == m["release"] and own["outcome"] == "succeeded"
        assert own["group"] == {"name": g.name, "id": data["id"], "wave": m["wave"]}
    code, status, err = g.json("status", str(g.file))
    assert code == 0, err
    assert status["id"] == data["id"] and status["outcome"] == "succeeded"
    assert all(m["in_effect"] and m["released_since"] is None for m in status["members"])
    # The deploy's result is built from the settlements its members wrote (not read back
    # from 2 x 3 logs): it says what reading them back says, row for row.
    assert data == status


def alarm_of(g: Group, stack: str, region: str) -> str:
    cfn = client(g.app.sandbox, "cloudformation", region)
    r = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="AErrorsAlarm")
    return str(r["StackResourceDetail"]["PhysicalResourceId"])


def still_running(proc: subprocess.Popen[str]) -> Callable[[], None]:
    def check() -> None:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"ended early ({proc.returncode}):\n{out}\n{err}")

    return check


def newest_wave(g: Group, stack: str, region: str) -> int | None:
    """The wave the stack's newest release was part of (None: not of a group)."""
    rels = g.log(stack, region).releases(1)
    ref = rels[0].entry.get("group") if rels else None
    return None if ref is None else ref["wave"]


def wave_2_begun(g: Group, wave2: list[tuple[str, str]], proc: subprocess.Popen[str]) -> None:
    """Wait until one of ``wave2``'s stacks has a release of the group's wave 2 begun (its
    second release), while ``proc`` (the group deploy) still runs."""
    wait_until(
        lambda: any(
            newest_wave(g, s, r) == 2 and len(g.log(s, r).releases(2)) == 2 for s, r in wave2
        ),
        "a wave 2 release begun",
        240,
        0.05,
        still_running(proc),
    )


def v1_released(g: Group) -> dict[str, str | None]:
    code, _, err = g.json("deploy", str(g.file))
    assert code == 0, err
    before = g.versions()
    assert set(before.values()) == {"1"}
    set_code_version(g.app.directory, "2", ("A",))
    return before


def test_an_alarm_in_wave_1_stops_wave_2_and_rolls_wave_1_back(
    group_app: Callable[..., Group], sandbox: Sandbox
) -> None:
    g = group_app(regions=REGIONS)
    before = v1_released(g)
    g.write(bake="600m")  # 60 s of real time at 0.1 s a minute, cut short by the alarm
    (first, region), wave2 = g.stacks[0], g.stacks[len(REGIONS) :]
    alarm = alarm_of(g, first, region)
    cw = client(sandbox, "cloudwatch", region)
    proc = g.popen("deploy", str(g.file), "--output", "json", *QUICK)
    try:
        wait_until(
            lambda: any(
                g.log(first, region).bake_starts(r.id) for r in g.log(first, region).releases(1)
            ),
            "wave 1's bake",
            180,
            0.2,
            still_running(proc),
        )
        assert g.versions()[first] == "2"
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: 5xx at 12%")
        out, err = proc.communicate(timeout=300)
    finally:
        cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test ended")
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    data = json.loads(out)
    assert data["outcome"] == "rolled back" and data["stopped_at_wave"] == 1, data
    outcomes = {m["stack"]: m["outcome"] for m in data["members"]}
    # The alarmed member undone by its bake, the other of wave 1 by the group.
    wave1 = {s: "rolled back" for s, _ in g.stacks[: len(REGIONS)]}
    assert outcomes == {**wave1, **{s: "not started" for s, _ in wave2}}
    assert f"alarm {alarm} in ALARM" in err
    assert g.versions() == before  # wave 1 back, wave 2 never moved
    for stack, r in wave2:  # their newest release is still the first group release's
        (newest,) = g.log(stack, r).releases(1)
        assert newest.entry.get("group", {}).get("id") != data["id"]
    code, hist, err = g.json("history", str(g.file))
    assert code == 0, err
    assert [r["outcome"] for r in hist["releases"]] == ["rolled back", "succeeded"]


def test_a_group_deploy_killed_in_wave_2_then_group_rollback_puts_every_alias_back(
    group_app: Callable[..., Group],
) -> None:
    g = group_app(regions=REGIONS)
    before = v1_released(g)
    wave2 = g.stacks[len(REGIONS) :]
    proc = g.popen("deploy", str(g.file), "--lock-ttl", "30")
    try:
        wave_2_begun(g, wave2, proc)
    finally:
        g.kill(proc)
    # The killed members' leases lapse (30 s); until then a member may be refused, and
    # `group rollback` says so (exit 1) and is simply run again.
    deadline = time.monotonic() + 120
    runs = []
    while True:
        code, data, err = g.json("rollback", str(g.file))
        runs.append(code)
        if code == 0 or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert code == 0, (runs, err)
    assert g.versions() == before
    assert data["outcome"] == "rolled back", data
    # Run again: nothing left to do, the same answer.
    again, data2, err = g.json("rollback", str(g.file))
    assert again == 0, err
    assert data2["members"] == data["members"]


def test_on_failure_stop_leaves_what_was_released_and_begins_no_further_wave(
    group_app: Callable[..., Group], sandbox: Sandbox
) -> None:
    g = group_app(regions=REGIONS)
    before = v1_released(g)
    g.write(on_failure="stop")
    (blocked, region), (other, _) = g.stacks[0], g.stacks[1]
    alarm = alarm_of(g, blocked, region)
    cw = client(sandbox, "cloudwatch", region)
    # An alarm already in ALARM: that member's pre-flight refuses it (nothing written).
    cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: already failing")
    try:
        code, data, err = g.json("deploy", str(g.file))
    finally:
        cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test ended")
    assert code == 1, err
    assert data["outcome"] == "stopped" and data["stopped_at_wave"] == 1, data
    outcomes = {m["stack"]: (m["outcome"], m["release"]) for m in data["members"]}
    assert outcomes[blocked] == ("not started", None)  # refused before its entry
    (refused,) = [m for m in data["members"] if m["stack"] == blocked]
    assert any(alarm in p for p in refused["problems"]), refused
    assert outcomes[other][0] == "succeeded"  # released, and left in place
    assert all(outcomes[s] == ("not started", None) for s, _ in g.stacks[len(REGIONS) :])
    assert alarm in err
    now = g.versions()
    assert now[other] == "2" and now[blocked] == "1"
    assert {s: v for s, v in now.items() if s != other} == {
        s: v for s, v in before.items() if s != other
    }
    # `group rollback` then undoes what the stopped group left.
    code, undone, err = g.json("rollback", str(g.file))
    assert code == 0, err
    assert g.versions() == before
    assert undone["outcome"] == "rolled back"
