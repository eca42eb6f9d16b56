"""End to end: `deploy --bake` and `bake` through the console script, the real SAM CLI and
the stand-in. The helper's bake clock is compressed with --minute (real seconds per bake
minute), as the stand-in's CodeDeploy clock is."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from typing import Any

from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App
from tests.support.waiting import wait_until

# A bake of 20 minutes at 0.1 s a minute: 2 s of real time, alarms read every 0.1 s.
QUICK = ("--minute", "0.1", "--poll-interval", "0.1")


def log_of(app: App) -> ReleaseLog:
    return ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket), app.stack, "PROD")


def prod_versions(app: App) -> dict[str, str]:
    out = {}
    for fn in ("AFunction", "BFunction"):
        got = app.alias(fn, "PROD")
        assert got is not None
        out[fn] = got["FunctionVersion"]
    return out


def bake_began(app: App, release_id: str | None = None) -> bool:
    log = log_of(app)
    ids = [release_id] if release_id else [r.id for r in log.releases(1)]
    return any(log.bake_starts(i) for i in ids)


def still_running(proc: subprocess.Popen[str]) -> Callable[[], None]:
    def check() -> None:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"ended early ({proc.returncode}):\n{out}\n{err}")

    return check


def status(app: App) -> dict[str, Any]:
    p = app.lr("status", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert p.returncode == 0, p.stderr
    data: dict[str, Any] = json.loads(p.stdout)["aliases"][0]
    return data


def test_an_alarm_during_the_bake_rolls_the_release_back(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A", "B"))
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A",))
    alarm = app.alarm_name("A")
    cw = sandbox.client("cloudwatch")
    # 600 bake minutes at 0.1 s: a minute of real time, cut short by the alarm.
    proc = app.popen(*app.deploy_args("--output", "json", "--bake", "600", *QUICK))
    try:
        wait_until(lambda: bake_began(app), "the bake", 120, 0.1, still_running(proc))
        assert prod_versions(app) == {"AFunction": "2", "BFunction": "1"}
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: 5xx at 12%")
        out, err = proc.communicate(timeout=300)
    finally:
        cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test ended")
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    data = json.loads(out)
    assert data["outcome"] == "succeeded"  # the release itself, as it settled
    assert data["bake"]["bake"]["outcome"] == "rolled-back"
    assert data["bake"]["bake"]["automatic"]["alarm"] == alarm
    assert f"alarm {alarm} in ALARM" in err and "bake:" in err
    # The aliases are back; the log tells it: the release undone by an automatic rollback.
    assert prod_versions(app) == {"AFunction": "1", "BFunction": "1"}
    log = log_of(app)
    rollback, release = log.releases(2)
    assert release.id == data["id"] and release.undone
    assert rollback.kind == "rollback" and rollback.entry["undoes"] == release.id
    automatic = rollback.entry.get("automatic")
    assert automatic is not None and automatic["by"] == "bake" and automatic["alarm"] == alarm
    assert automatic["reason"] == "test: 5xx at 12%" and automatic["time"]
    assert alarm in rollback.entry["reason"] and "5xx at 12%" in rollback.entry["reason"]
    text = app.lr("history", "--stack", app.stack, "--alias", "PROD")
    assert text.returncode == 0, text.stderr
    assert f"automatic rollback (bake): alarm {alarm} in ALARM" in text.stdout
    s = status(app)
    assert s["last_release"]["id"] == release.id
    assert s["bake"]["state"] == "rolled-back"


def test_no_alarm_the_release_stays_and_is_baked(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A", "B"))
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A", "B"))
    code, data, err = app.deploy_json("--bake", "20", *QUICK)
    assert code == 0, err
    assert data["bake"]["bake"]["outcome"] == "baked"
    assert "left; alarms:" in err  # time left and each alarm's state were shown
    assert prod_versions(app) == {"AFunction": "2", "BFunction": "2"}
    s = status(app)
    assert s["bake"]["state"] == "baked"
    # A bake already ended is reported, not repeated.
    again = app.lr("bake", "--stack", app.stack, "--alias", "PROD", "--minutes", "5", *QUICK)
    assert again.returncode == 0, again.stderr
    assert "already ended (baked)" in again.stderr


def test_sigterm_mid_bake_leaves_the_release_succeeded_and_unbaked(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A",))
    proc = app.popen(*app.deploy_args("--bake", "600", *QUICK))
    wait_until(lambda: bake_began(app), "the bake", 120, 0.1, still_running(proc))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "un-baked" in err and "interrupted" in err
    log = log_of(app)
    (release,) = log.releases(1)
    assert release.outcome == "succeeded" and not release.undone
    assert log.read_bake_end(release.id) is None and len(log.bake_starts(release.id)) == 1
    assert log.pending_ids() == []
    s = status(app)
    assert s["bake"]["state"] in ("unbaked", "baking")  # baking: until its planned end
    text = app.lr("status", "--stack", app.stack, "--alias", "PROD")
    assert "not baked" in text.stdout or "un-baked" in text.stdout
    # Baked in its own command afterwards (as a team's own job would).
    code_b = app.lr(
        "bake",
        "--stack",
        app.stack,
        "--alias",
        "PROD",
        "--minutes",
        "5",
        "--output",
        "json",
        "--release",
        release.id,
        *QUICK,
    )
    assert code_b.returncode == 0, code_b.stderr
    assert json.loads(code_b.stdout)["bake"]["outcome"] == "baked"
    assert len(log.bake_starts(release.id)) == 2
    assert status(app)["bake"]["state"] == "baked"
