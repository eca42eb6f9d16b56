"""Issue 31, the bake as a hostile user runs it: numbers that are not minutes, an alarm that
does not exist, two bakes of one release at once, a bake of a release not in effect, a
stack with nothing to watch, and INSUFFICIENT_DATA taken either way.

The kit's stacks carry no alarm of their own: each bake names one with --bake-alarm."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_release import bounds
from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, one_line, world
from tests.rollback.cli import kit_cli, kit_lr
from tests.rollback.stackkit import Kit
from tests.support.alarms import new_alarm, set_alarm_state
from tests.support.waiting import wait_until

QUICK = ("--minute", "0.1", "--poll-interval", "0.1")


def a_new_alarm(sandbox: Sandbox) -> str:
    return new_alarm(sandbox.client("cloudwatch"), "bake")  # INSUFFICIENT_DATA, as at first


def set_state(sandbox: Sandbox, alarm: str, state: str) -> None:
    set_alarm_state(sandbox.client("cloudwatch"), alarm, state)


@pytest.fixture(scope="module")
def kit(sandbox: Sandbox) -> Iterator[Kit]:
    with pytest.MonkeyPatch.context() as mp:
        k = Kit.in_env(sandbox, mp, "bakeh")
        k.release({"A": "1", "B": "1"})
        k.release({"A": "2"})
        yield k


@pytest.fixture
def fresh(sandbox: Sandbox) -> Iterator[Kit]:
    """A kit of its own, for a test that rolls back."""
    with pytest.MonkeyPatch.context() as mp:
        k = Kit.in_env(sandbox, mp, "bakef")
        k.release({"A": "1", "B": "1"})
        k.release({"A": "2"})
        yield k


NUMBERS = ["nan", "-1", "inf", "1e9", "1441", "ten"]


@pytest.mark.parametrize("value", NUMBERS)
def test_bake_minutes_that_are_not_minutes_are_bad_input(kit: Kit, value: str) -> None:
    before = world(kit)
    p = kit_lr(kit, "bake", "--minutes", value)
    assert p.returncode == 2, p.stderr
    line = one_line(p.stderr)
    assert line.startswith(f"lambda-release bake: error: --minutes {value!r} is")
    assert bounds.BAKE.describe() in line
    assert world(kit) == before


@pytest.mark.parametrize("value", NUMBERS)
def test_deploy_bake_that_is_not_minutes_is_refused_before_anything_changes(
    kit: Kit, app_dir: Path, value: str
) -> None:
    before = world(kit)
    p = kit_lr(kit, "deploy", "--sam-path", SAM, "--bake", value, cwd=app_dir)
    assert p.returncode == 2, p.stderr
    assert one_line(p.stderr).startswith(f"lambda-release deploy: error: --bake {value!r} is")
    assert world(kit) == before


def test_an_alarm_that_does_not_exist_is_refused_before_the_release(
    kit: Kit, app_dir: Path
) -> None:
    before = world(kit)
    p = kit_lr(
        kit,
        "deploy",
        "--sam-path",
        SAM,
        "--bake",
        "5",
        "--bake-alarm",
        "no-such-alarm",
        cwd=app_dir,
    )
    assert p.returncode == 2, p.stderr
    line = one_line(p.stderr)
    assert "--bake-alarm no-such-alarm: no such CloudWatch alarm" in line
    assert world(kit) == before
    p = kit_lr(kit, "bake", "--minutes", "5", "--bake-alarm", "no-such-alarm")
    assert p.returncode == 2 and "no-such-alarm" in one_line(p.stderr)
    assert world(kit) == before


def test_bake_options_without_a_bake_are_bad_input(kit: Kit, app_dir: Path) -> None:
    before = world(kit)
    p = kit_lr(kit, "deploy", "--sam-path", SAM, "--bake-alarm", "x", cwd=app_dir)
    assert p.returncode == 2
    assert "need a bake: add --bake MINUTES" in one_line(p.stderr)
    p = kit_lr(kit, "bake")
    assert p.returncode == 2 and "--minutes MINUTES" in one_line(p.stderr)
    assert world(kit) == before


def test_a_stack_with_no_alarm_has_nothing_to_bake_against(kit: Kit) -> None:
    before = world(kit)
    p = kit_lr(kit, "bake", "--minutes", "5", *QUICK)
    assert p.returncode == 1
    assert "nothing to bake against" in one_line(p.stderr) and "--bake-alarm" in p.stderr
    assert world(kit) == before


def test_a_dry_run_shows_the_alarms_and_writes_nothing(kit: Kit, sandbox: Sandbox) -> None:
    alarm = a_new_alarm(sandbox)
    before = world(kit)
    p = kit_lr(
        kit, "bake", "--minutes", "5", "--bake-alarm", alarm, "--dry-run", "--output", "json"
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["alarms"] == {alarm: "INSUFFICIENT_DATA"} and data["dry_run"] is True
    assert world(kit) == before


def test_insufficient_data_is_healthy_by_default_and_fails_when_asked(
    fresh: Kit, sandbox: Sandbox
) -> None:
    alarm = a_new_alarm(sandbox)
    ok = kit_lr(fresh, "bake", "--minutes", "3", "--bake-alarm", alarm, *QUICK)
    assert ok.returncode == 0, ok.stderr
    assert f"{alarm} INSUFFICIENT_DATA" in ok.stderr  # shown, and counted healthy
    release = fresh.entries()[-1]
    # Baked already: a second bake says so. A new release, baked with missing data as fail:
    fresh.release({"B": "2"})
    failing = kit_lr(
        fresh,
        "bake",
        "--minutes",
        "3",
        "--bake-alarm",
        alarm,
        "--bake-missing-data",
        "fail",
        "--output",
        "json",
        *QUICK,
    )
    assert failing.returncode == 1, failing.stderr
    data = json.loads(failing.stdout)
    assert data["bake"]["outcome"] == "rolled-back"
    assert data["bake"]["automatic"]["state"] == "INSUFFICIENT_DATA"
    assert fresh.versions() == {"A": "2", "B": "1"}
    assert release.id != data["release"]


def start_bake(kit: Kit, alarm: str) -> subprocess.Popen[str]:
    return kit_cli(kit).popen(
        "bake",
        *kit.cli_args(),
        "--minutes",
        "600",
        "--bake-alarm",
        alarm,
        "--output",
        "json",
        *QUICK,
    )


def attempts(kit: Kit, release_id: str) -> int:
    return len(kit.log().bake_starts(release_id))


def test_two_bakes_at_once_roll_back_once(fresh: Kit, sandbox: Sandbox) -> None:
    alarm = a_new_alarm(sandbox)
    newest = fresh.entries()[-1].id
    procs = [start_bake(fresh, alarm) for _ in range(2)]
    try:
        wait_until(lambda: attempts(fresh, newest) == 2, "both bakes to begin", 120, 0.1)
        set_state(sandbox, alarm, "ALARM")
        outs = [p.communicate(timeout=180) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [1, 1], [e for _, e in outs]
    results: list[dict[str, Any]] = [json.loads(o) for o, _ in outs]
    # One rollback (one claim, one entry), one bake end both report.
    rollbacks = fresh.rollback_entries()
    assert len(rollbacks) == 1 and rollbacks[0].entry["undoes"] == newest
    assert {r["bake"]["rollback_id"] for r in results} == {rollbacks[0].id}
    assert fresh.versions() == {"A": "1", "B": "1"}
    assert fresh.log().read_bake_end(newest) is not None
    # The release is undone: baking it by id is refused, naming why.
    again = kit_lr(fresh, "bake", "--minutes", "3", "--release", newest, "--bake-alarm", alarm)
    assert again.returncode == 1 and f"release {newest} is undone" in one_line(again.stderr)


def test_two_bakes_at_once_without_an_alarm_both_bake(fresh: Kit, sandbox: Sandbox) -> None:
    alarm = a_new_alarm(sandbox)
    newest = fresh.entries()[-1].id
    cli = kit_cli(fresh)
    args = ["bake", *fresh.cli_args(), "--minutes", "20", "--bake-alarm", alarm, *QUICK]
    procs = [cli.popen(*args) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    end = fresh.log().read_bake_end(newest)
    assert end is not None and end["outcome"] == "baked"
    assert attempts(fresh, newest) == 2 and fresh.rollback_entries() == []


def test_a_bake_killed_outright_leaves_the_release_succeeded_and_unbaked(
    fresh: Kit, sandbox: Sandbox
) -> None:
    """SIGKILL (no handler runs): the start is in the log, no end; once its planned end has
    passed, status says un-baked; a new bake bakes it."""
    alarm = a_new_alarm(sandbox)
    newest = fresh.entries()[-1].id
    proc = start_bake(fresh, alarm)  # 600 minutes at 0.1 s: a minute of real time
    try:
        wait_until(lambda: attempts(fresh, newest) == 1, "the bake to begin", 120, 0.1)
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    log = fresh.log()
    release = log.load(newest)
    assert release.outcome == "succeeded" and not release.undone
    assert log.read_bake_end(newest) is None and fresh.rollback_entries() == []
    status = kit_lr(fresh, "status", "--output", "json")
    assert json.loads(status.stdout)["aliases"][0]["bake"]["state"] == "baking"  # until its end
    again = kit_lr(
        fresh, "bake", "--minutes", "3", "--bake-alarm", alarm, "--release", newest, *QUICK
    )
    assert again.returncode == 0, again.stderr
    assert attempts(fresh, newest) == 2
    text = kit_lr(fresh, "status")
    assert f"release {newest} baked" in text.stdout
