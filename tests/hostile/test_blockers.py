"""Issue 31 item 3: a deploy is refused, before anything changes, outside its deploy windows
and while a --block-on-alarm alarm is in ALARM; --ignore-window REASON goes ahead and is
recorded; status shows each blocker in force. Through the console script, on the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lambda_release.release.windows import DAYS
from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, one_line, world
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import Kit
from tests.support.alarms import new_alarm


def closed_window() -> str:
    """A window on every day but today (UTC): closed now, whenever the test runs."""
    today = datetime.now(UTC).weekday()
    return ",".join(d for i, d in enumerate(DAYS) if i != today) + " 00:00-24:00 UTC"


OPEN_WINDOW = "* 00:00-24:00 UTC"


@pytest.fixture(scope="module")
def kit(sandbox: Sandbox) -> Iterator[Kit]:
    with pytest.MonkeyPatch.context() as mp:
        k = Kit.in_env(sandbox, mp, "block")
        k.release({"A": "1"})
        yield k


def an_alarm(sandbox: Sandbox, state: str) -> str:
    return new_alarm(sandbox.client("cloudwatch"), "block", state)


DEPLOY = ("deploy", "--sam-path", SAM)


def test_outside_the_window_a_deploy_and_its_dry_run_are_refused_changing_nothing(
    kit: Kit, app_dir: Path
) -> None:
    before = world(kit)
    window = closed_window()
    for extra in ((), ("--dry-run",)):
        p = kit_lr(kit, *DEPLOY, "--deploy-window", window, *extra, cwd=app_dir)
        assert p.returncode == 1, p.stderr
        line = one_line(p.stderr)
        assert line.startswith("lambda-release deploy: error: deploy blocked: outside the deploy")
        assert "--ignore-window REASON" in line and "the next opens" in line
    assert world(kit) == before
    # From the environment too (windows separated by ';').
    env = {"LAMBDA_RELEASE_DEPLOY_WINDOW": f"{window}; {window}"}
    p = kit_lr(kit, *DEPLOY, cwd=app_dir, extra_env=env)
    assert p.returncode == 1 and "deploy blocked" in one_line(p.stderr)
    assert world(kit) == before


def test_an_alarm_to_block_on_in_alarm_refuses_and_one_that_is_ok_does_not(
    kit: Kit, sandbox: Sandbox, app_dir: Path
) -> None:
    firing, calm = an_alarm(sandbox, "ALARM"), an_alarm(sandbox, "OK")
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, "--block-on-alarm", calm, "--block-on-alarm", firing, cwd=app_dir)
    assert p.returncode == 1
    line = one_line(p.stderr)
    assert f"alarm {firing} in ALARM (--block-on-alarm)" in line and calm not in line
    assert world(kit) == before
    s = kit_lr(kit, "status", "--block-on-alarm", firing, "--output", "json")
    assert s.returncode == 0, s.stderr
    assert any(firing in b for b in json.loads(s.stdout)["blockers"])
    text = kit_lr(kit, "status", "--block-on-alarm", firing, "--deploy-window", closed_window())
    assert f"the next deploy would be refused: alarm {firing} in ALARM" in text.stdout
    assert "the next deploy would be refused: outside the deploy windows" in text.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--block-on-alarm", "no-such-alarm"), "--block-on-alarm no-such-alarm: no such"),
        (("--deploy-window", "weekdays 9-5 UTC"), "--deploy-window 'weekdays 9-5 UTC'"),
        (("--deploy-window", OPEN_WINDOW, "--ignore-window", "  "), "--ignore-window is empty"),
    ],
)
def test_a_blocker_that_cannot_be_is_bad_input(
    kit: Kit, app_dir: Path, args: tuple[str, ...], says: str
) -> None:
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, *args, cwd=app_dir)
    assert p.returncode == 2, p.stderr
    assert says in one_line(p.stderr)
    assert world(kit) == before


def test_ignore_window_goes_ahead_and_is_recorded(kit: Kit) -> None:
    reason = "hotfix for the checkout outage"
    p = kit_lr(
        kit, "begin", "--deploy-window", closed_window(), "--ignore-window", reason,
        "--output", "json",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    entry = json.loads(p.stdout)
    assert entry["ignore_window"] == reason
    r = kit_lr(kit, "record")
    assert r.returncode == 0, r.stderr
    h = kit_lr(kit, "history", "--limit", "1")
    assert f"released outside its deploy windows: {reason}" in h.stdout
    # Inside the window, nothing is ignored, so nothing is recorded.
    p = kit_lr(kit, "begin", "--deploy-window", OPEN_WINDOW, "--ignore-window", reason)
    assert p.returncode == 0, p.stderr
    assert kit_lr(kit, "record").returncode == 0
    assert "ignore_window" not in kit.log().releases(1)[0].entry
