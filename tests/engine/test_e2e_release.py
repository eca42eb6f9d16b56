"""End to end: the console script, the real SAM CLI and the sandbox, three functions.

The issue's acceptance scenario, in order: v1 (no stable yet), v2 (stable 1),
no change, A only, a canary whose alarm fires, a deploy killed after sam
returned; then history and status.
"""

from __future__ import annotations

import json
import signal
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_release.log import lock
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App
from tests.support.samapp import set_code_version
from tests.support.standin_clock import sandbox_minute
from tests.support.waiting import wait_until

FNS = ("AFunction", "BFunction", "CFunction")


def by_function(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {f["logical_id"]: f.get(key) for f in data["functions"]}


def stable_aliases(app: App) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for fn in FNS:
        got = app.alias(fn, "PROD_STABLE")
        out[fn] = got["FunctionVersion"] if got else None
    return out


def weights(app: App, logical_id: str) -> dict[str, float]:
    routing = (app.alias(logical_id, "PROD") or {}).get("RoutingConfig") or {}
    return dict(routing.get("AdditionalVersionWeights") or {})


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    wait_until(predicate, what, timeout, interval=0.1)


def killing_sam(directory: Path) -> Path:
    """A `sam` that runs the real one, then SIGKILLs its caller: a job killed between
    `sam deploy` returning and the settle."""
    path = directory / "sam-then-kill"
    real = Path(sys.executable).parent / "sam"
    path.write_text(
        f"#!{sys.executable}\n"
        "import os, signal, subprocess, sys\n"
        f"code = subprocess.call([{str(real)!r}, *sys.argv[1:]])\n"
        "os.kill(os.getppid(), signal.SIGKILL)\n"
        "sys.exit(code)\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def log_of(app: App) -> ReleaseLog:
    return ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket), app.stack, "PROD")


def test_release_scenario(make_app: Callable[..., App], sandbox: Sandbox) -> None:
    app = make_app(deployment="Canary10Percent5Minutes")
    ids: list[str] = []

    # 1. v1: every function created; nothing earlier, so no stable version yet.
    code, r1, err = app.deploy_json()
    assert code == 0, err
    assert r1["outcome"] == "succeeded"
    assert by_function(r1, "before") == dict.fromkeys(FNS)
    assert by_function(r1, "after") == dict.fromkeys(FNS, "1")
    assert by_function(r1, "stable") == dict.fromkeys(FNS)
    assert stable_aliases(app) == dict.fromkeys(FNS)
    assert all(f["code_sha256"] for f in r1["functions"])
    ids.append(r1["id"])
    record_file = json.loads((app.directory / ".lambda-release" / "release.json").read_text())
    assert record_file["id"] == r1["id"]

    # 2. v2 of all three: stable 1 for all, and the pointer exists, naming the release.
    app.change_code("2", ("A", "B", "C"))
    code, r2, err = app.deploy_json()
    assert code == 0, err
    assert (r2["outcome"], by_function(r2, "after")) == ("succeeded", dict.fromkeys(FNS, "2"))
    assert by_function(r2, "stable") == dict.fromkeys(FNS, "1")
    assert stable_aliases(app) == dict.fromkeys(FNS, "1")
    pointer = app.alias("AFunction", "PROD_STABLE")
    assert pointer is not None and r2["id"] in pointer["Description"]
    ids.append(r2["id"])

    # 3. No code change: no-change, stable unchanged.
    code, r3, err = app.deploy_json()
    assert code == 0, err
    assert r3["outcome"] == "no-change"
    assert not any(f["moved"] for f in r3["functions"])
    assert stable_aliases(app) == dict.fromkeys(FNS, "1")
    ids.append(r3["id"])

    # 4. A only: A's stable is 2; B's and C's equal their current 2.
    app.change_code("3", ("A",))
    code, r4, err = app.deploy_json()
    assert code == 0, err
    assert by_function(r4, "after") == {"AFunction": "3", "BFunction": "2", "CFunction": "2"}
    assert by_function(r4, "moved") == {"AFunction": True, "BFunction": False, "CFunction": False}
    assert stable_aliases(app) == dict.fromkeys(FNS, "2")
    ids.append(r4["id"])

    # 5. B's canary alarm fires while 10% is on the new version: failed, stable unchanged.
    app.change_code("4", ("B",))
    alarm = app.alarm_name("B")
    cw = sandbox.client("cloudwatch")
    with sandbox_minute(sandbox, minute=60.0):  # a 5-hour "canary": we stop it, not the clock
        proc = app.popen(*app.deploy_args("--output", "json"))
        wait_for(lambda: bool(weights(app, "BFunction")), "B's canary to start")
        # Pre-flight sees the release in flight: stack mid-update, deployment, lock.
        peek = app.lr(*app.deploy_args("--dry-run"))
        assert peek.returncode == 1
        assert "CodeDeploy deployment in flight" in peek.stdout
        assert "UPDATE_IN_PROGRESS" in peek.stdout and "locked by release" in peek.stdout
        s = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
        (b,) = [f for f in s["aliases"][0]["functions"] if f["logical_id"] == "BFunction"]
        assert b["weights"] and s["aliases"][0]["deployments_in_flight"]
        assert s["aliases"][0]["pending"]  # in flight, not settled by status
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test: errors")
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    r5 = json.loads(out)
    assert r5["outcome"] == "failed"
    assert r5["sam_exit_code"] != 0
    assert by_function(r5, "after") == {"AFunction": "3", "BFunction": "2", "CFunction": "2"}
    assert stable_aliases(app) == dict.fromkeys(FNS, "2")
    assert weights(app, "BFunction") == {}
    ids.append(r5["id"])

    # Pre-flight: with the alarm still in ALARM, the next deploy is refused (nothing logged).
    refused = app.lr(*app.deploy_args())
    assert refused.returncode == 1
    assert alarm in refused.stderr and "ALARM" in refused.stderr
    cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="test: recovered")

    # 6. C changes; the job is killed right after sam deploy returns. Its shortest lease (30 s)
    # lapses; the next deploy settles it from the aliases, then releases its own.
    set_code_version(app.directory, "2", ("B",))  # B back to the code version 2 runs
    app.change_code("5", ("C",))
    killer = killing_sam(app.directory)
    killed = app.lr(*app.deploy_args("--sam-path", str(killer), "--lock-ttl", "30"))
    assert killed.returncode == -signal.SIGKILL
    log = log_of(app)
    pending = log.pending_ids()
    assert len(pending) == 1
    wait_for(lambda: lock.is_free((lock.read_lease(log) or ({}, ""))[0]), "the lease to lapse")
    code, r7, err = app.deploy_json()
    assert code == 0, err
    assert f"settling release {pending[0]}" in err
    settled = log.load(pending[0])
    assert settled.outcome == "succeeded"
    assert settled.settlement is not None and settled.settlement["settled_by"] == "deploy"
    assert {f["logical_id"]: f["after"] for f in settled.functions()}["CFunction"] == "3"
    assert r7["outcome"] == "no-change"
    # The killed release moved only C (2 -> 3): C's stable is 2, A's and B's their current.
    assert stable_aliases(app) == {"AFunction": "3", "BFunction": "2", "CFunction": "2"}
    ids += [pending[0], r7["id"]]

    # history: every entry, newest first, nothing pending.
    h = app.lr(
        "history",
        "--stack",
        app.stack,
        "--alias",
        "PROD",
        "--s3-bucket",
        app.bucket,
        "--output",
        "json",
    )
    assert h.returncode == 0, h.stderr
    history = json.loads(h.stdout)
    assert [e["id"] for e in history] == list(reversed(ids))
    assert [e["outcome"] for e in history] == [
        "no-change",
        "succeeded",
        "failed",
        "succeeded",
        "no-change",
        "succeeded",
        "succeeded",
    ]
    text = app.lr("history", "--stack", app.stack, "--alias", "PROD", "--limit", "2")
    assert text.returncode == 0 and text.stdout.count("release ") == 2  # the log found by tag

    # status: versions, stable versions, no drift; the log found from the stack's tag.
    s = app.lr("status", "--stack", app.stack, "--output", "json")
    assert s.returncode == 0, s.stderr
    status = json.loads(s.stdout)
    assert status["schema"] == "lambda-release/status@1"
    (prod,) = status["aliases"]
    assert prod["alias"] == "PROD" and prod["drift"] == [] and prod["pending"] == []
    assert {f["logical_id"]: f["version"] for f in prod["functions"]} == {
        "AFunction": "3",
        "BFunction": "2",
        "CFunction": "3",
    }
    assert {f["logical_id"]: f["stable"] for f in prod["functions"]} == stable_aliases(app)
    assert prod["last_release"]["id"] == r7["id"]
    t = app.lr("status", "--stack", app.stack, "--alias", "PROD")
    assert "no drift" in t.stdout and "AFunction" in t.stdout


def test_drift_is_refused_before_sam_runs(make_app: Callable[..., App], sandbox: Sandbox) -> None:
    app = make_app()
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    # Someone moves A's alias by hand: CloudFormation still records version 2.
    lam = sandbox.client("lambda")
    lam.update_alias(
        FunctionName=app.function_names()["AFunction"], Name="PROD", FunctionVersion="1"
    )
    s = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
    (drift,) = s["aliases"][0]["drift"]
    assert (drift["function"], drift["recorded"], drift["live"]) == ("AFunction", "2", "1")
    # Nothing explains it: status names it as what refuses the next deploy, in its words.
    assert not drift["realigned_by_deploy"]
    assert drift["message"] in s["aliases"][0]["blockers"]
    p = app.lr(*app.deploy_args())
    assert p.returncode == 1
    assert "drift on AFunction" in p.stderr and "rollback" in p.stderr
    assert "running:" not in p.stderr  # sam never ran
    assert log_of(app).pending_ids() == []
    assert lock.is_free((lock.read_lease(log_of(app)) or ({}, ""))[0])


def test_deploy_after_a_rollback_realigns_and_succeeds(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    """The pre-flight hands drift a rollback explains to drift.py, which realigns it."""
    app = make_app(functions=("A",))
    assert app.deploy_json()[0] == 0
    app.change_code("2", ("A",))
    code, r2, err = app.deploy_json()
    assert code == 0, err
    rb = app.lr("rollback", "--stack", app.stack, "--alias", "PROD")  # log found by tag
    assert rb.returncode == 0, rb.stderr
    assert (app.alias("AFunction", "PROD") or {})["FunctionVersion"] == "1"
    s = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
    (drift,) = s["aliases"][0]["drift"]
    assert (drift["function"], drift["recorded"], drift["live"]) == ("AFunction", "2", "1")
    assert drift["realigned_by_deploy"] and "the next deploy realigns this" in drift["message"]
    assert s["aliases"][0]["blockers"] == []
    app.change_code("3", ("A",))
    code, r3, err = app.deploy_json()
    assert code == 0, err
    assert r3["outcome"] == "succeeded"
    assert by_function(r3, "before") == {"AFunction": "1"}
    assert by_function(r3, "after") == {"AFunction": "3"}
    assert by_function(r3, "stable") == {"AFunction": "1"}  # never the rolled-back 2
    history = json.loads(
        app.lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json").stdout
    )
    assert [h["id"] for h in history if h.get("undone")] == [r2["id"]]
    s = json.loads(app.lr("status", "--stack", app.stack, "--output", "json").stdout)
    assert s["aliases"][0]["drift"] == []


def test_cancelled_mid_canary_then_record_settles(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    """SIGTERM (CircleCI cancelling the job) while the canary runs: the lock is given
    back at once, the release stays pending, and `record` settles it once the stack ends."""
    app = make_app(functions=("A",), deployment="Canary10Percent5Minutes")
    assert app.deploy_json()[0] == 0
    app.change_code("2", ("A",))
    with sandbox_minute(sandbox, minute=60.0):
        proc = app.popen(*app.deploy_args())
        wait_for(lambda: bool(weights(app, "AFunction")), "A's canary to start")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1 and "interrupted" in err
        log = log_of(app)
        held = lock.read_lease(log)
        assert held is not None and lock.is_free(held[0])
        assert len(log.pending_ids()) == 1
        # Still in flight: record leaves it alone and says so.
        early = app.lr("record", "--stack", app.stack, "--alias", "PROD")
        assert early.returncode == 1 and "still in flight" in early.stdout
        sandbox.client("cloudwatch").set_alarm_state(
            AlarmName=app.alarm_name("A"), StateValue="ALARM", StateReason="test"
        )
        cfn = sandbox.client("cloudformation")
        wait_for(
            lambda: (
                not cfn.describe_stacks(StackName=app.stack)["Stacks"][0]["StackStatus"].endswith(
                    "IN_PROGRESS"
                )
            ),
            "the stack to roll back",
        )
    sandbox.client("cloudwatch").set_alarm_state(
        AlarmName=app.alarm_name("A"), StateValue="OK", StateReason="test"
    )
    r = app.lr("record", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert r.returncode == 1, r.stderr  # settled, and the release failed
    (settled,) = json.loads(r.stdout)["settled"]
    assert settled["outcome"] == "failed" and settled["settled_by"] == "record"
    assert log_of(app).pending_ids() == []
