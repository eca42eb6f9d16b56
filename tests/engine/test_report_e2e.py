"""`lambda-release report` through the console script against the stand-in: a release
stopped by its alarm mid-canary, and one rolled back (the rollback's approver recorded),
each as Markdown read back and as an HTML page opened in headless Chromium.

The deploy follows the canary (LAMBDA_RELEASE_POLL_INTERVAL=0.2) and keeps what it saw in the
settlement: the report's timeline is that record, not a reconstruction.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App
from tests.support.aws_state import AliasWatcher
from tests.support.chromium import open_page
from tests.support.report_pages import page_facts, parse_markdown
from tests.support.sam import sam_deploy
from tests.support.standin_clock import sandbox_minute, through_canaries
from tests.support.waiting import wait_until

# CloudWatch's reason is free text anyone who can set an alarm's state writes.
HOSTILE = 'errors <script>alert("x")</script> | **5xx** [l](https://evil.example/)'


def report(app: App, *args: str) -> Any:
    p = app.lr("report", "--stack", app.stack, "--alias", "PROD", *args)
    assert p.returncode == 0, p.stderr
    return p


def shares(app: App) -> dict[str, float]:
    got = app.alias("AFunction", "PROD") or {}
    return dict((got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})


def ended_early(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is not None:
        out, err = proc.communicate()
        raise AssertionError(
            f"the deploy ended ({proc.returncode}) before its canary: {out[-2000:]}\n{err[-4000:]}"
        )


def stopped_by_its_alarm(app: App, sandbox: Sandbox) -> dict[str, Any]:
    """Version 2's canary, stopped by A's alarm (HOSTILE reason) at its 10% step."""
    app.change_code("2", ("A",))
    cw = sandbox.client("cloudwatch")
    with sandbox_minute(sandbox, minute=60.0):  # a 5-hour canary: the alarm ends it
        proc = app.popen(*app.deploy_args("--output", "json"))
        wait_until(
            lambda: bool(shares(app)),
            "A's canary to start",
            120,
            interval=0.05,
            check=lambda: ended_early(proc),
        )
        time.sleep(1.0)  # the deploy's follower reads the 10% step a few times
        cw.set_alarm_state(AlarmName=app.alarm_name("A"), StateValue="ALARM", StateReason=HOSTILE)
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    cw.set_alarm_state(AlarmName=app.alarm_name("A"), StateValue="OK", StateReason="recovered")
    failed: dict[str, Any] = json.loads(out)
    assert failed["outcome"] == "failed"
    return failed


def through_its_canary(
    app: App, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Version 3, its canary step seen by the deploy's follower, then the clock jumped."""
    app.change_code("3", ("A",))
    watcher = AliasWatcher(sandbox.client("lambda"), app.function_names()["AFunction"], "PROD")
    first: list[float] = []

    def seen_a_while() -> bool:  # the deploy polls every 0.2 s: a second is several reads
        if not first and any(w for _v, w in watcher.seen):
            first.append(time.monotonic())
        return bool(first) and time.monotonic() - first[0] > 1.0

    try:
        code, done, err = through_canaries(sandbox, monkeypatch, app.deploy_json, seen_a_while)
    finally:
        watcher.stop()
    assert code == 0, err
    assert done["outcome"] == "succeeded"
    return done


def test_reports_of_a_release_stopped_by_an_alarm_and_of_one_rolled_back(
    make_app: Callable[..., App],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app = make_app(functions=("A",), deployment="Canary10Percent5Minutes")
    code, _first, err = app.deploy_json()
    assert code == 0, err[-3000:]
    app.env["LAMBDA_RELEASE_POLL_INTERVAL"] = "0.2"  # the canary deploys' reads of it
    alarm = app.alarm_name("A")
    failed = stopped_by_its_alarm(app, sandbox)
    good = through_its_canary(app, sandbox, monkeypatch)
    rb = app.lr(
        "rollback",
        "--stack",
        app.stack,
        "--alias",
        "PROD",
        "--reason",
        "orders broke (approved by carol)",
    )
    assert rb.returncode == 0, rb.stderr

    # The stopped release, as Markdown: its row, its outcome, the alarm and its reason.
    md = parse_markdown(report(app, "--release", failed["id"]).stdout)
    assert md.outcome == "failed"
    assert md.functions["AFunction"] == {
        "function": "AFunction",
        "before": "1",
        "after": "1",
        "stable before": "-",
        "stable after": "-",
        "moved": "no",
    }
    assert md.why[0].startswith(f"alarm {alarm} went into ALARM at ")
    assert md.why[0].endswith(": " + HOSTILE)
    assert any("10% (InProgress" in line for line in md.canary), md.canary
    assert md.undone == "**Undone**: no"

    # ... and as a page in Chromium: the same facts, the chart's steps, no request made.
    page = tmp_path / "failed.html"
    report(app, "--release", failed["id"], "--output", "html", "--output-file", str(page))
    opened = open_page(page, "report-stopped-by-alarm.png")
    assert opened.requests == []
    shown = page_facts(opened.dom)
    assert shown.scripts == 0 and shown.urls == []
    assert shown.outcome == "failed"
    assert shown.rows["AFunction"][:3] == ["AFunction", "1", "1"]
    assert any(HOSTILE in w and alarm in w for w in shown.why)
    steps = [float(p["data-share"]) for p in shown.points]
    assert steps[0] == 0.1 and steps[-1] == 0.0, steps  # 10%, then stopped: back to none
    states = [r["data-state"] for r in shown.lanes if r["data-alarm"] == alarm]
    assert states[0] != "ALARM" and states[-1] == "ALARM", states  # it fired mid-canary
    assert opened.screenshot.stat().st_size > 10_000

    # The release rolled back: moved 1 -> 3, undone by the rollback carol approved.
    facts = json.loads(report(app, "--release", good["id"], "--output", "json").stdout)
    assert facts["undone"]["approver"] == "carol"
    (observed,) = [d for d in facts["timeline"]["deployments"] if not d.get("rollback_of")]
    assert observed["status"] == "Succeeded" and observed["target_version"] == "3"
    assert next(s["share"] for s in observed["steps"]) == 0.1
    assert [s["share"] for s in observed["steps"]][-1] == 1.0
    md = parse_markdown(report(app, "--release", good["id"]).stdout)
    assert (md.outcome, md.functions["AFunction"]["after"]) == ("succeeded", "3")
    assert md.functions["AFunction"]["stable after"] == "1"
    assert facts["undone"]["by"] in md.undone and "approved by carol" in md.undone

    page = tmp_path / "rolled-back.html"
    report(app, "--release", good["id"], "--output", "html", "--output-file", str(page))
    opened = open_page(page, "report-rolled-back.png")
    assert opened.requests == []
    shown = page_facts(opened.dom)
    assert shown.outcome == "succeeded" and shown.rows["AFunction"][:3] == ["AFunction", "1", "3"]
    assert [float(p["data-share"]) for p in shown.points][:: len(shown.points) - 1] == [0.1, 1.0]
    assert f"Undone by rollback {facts['undone']['by']}" in opened.dom

    # The three newest entries on one page, an index linking each report.
    page = tmp_path / "releases.html"
    report(app, "--limit", "3", "--output", "html", "--output-file", str(page))
    shown = page_facts(open_page(page, "report-newest-three.png").dom)
    ids = [facts["undone"]["by"], good["id"], failed["id"]]
    assert shown.sections == [f"r-{i}" for i in ids] and shown.anchors == shown.sections
    assert shown.urls == [] and shown.scripts == 0
    refused = app.lr("report", "--stack", app.stack, "--alias", "PROD", "--limit", "2",
                     "--release", good["id"])  # fmt: skip
    assert refused.returncode == 2 and "not both" in refused.stderr

    # The newest entry is the rollback: what it undid, who asked and who approved.
    latest = parse_markdown(report(app).stdout)
    assert latest.title.startswith("Rollback ") and good["id"] in latest.undone
    assert any("orders broke (approved by carol)" in w for w in latest.why)
    assert latest.functions["AFunction"]["after"] == "1"


def test_report_refuses_what_is_not_a_release(make_app: Callable[..., App]) -> None:
    app = make_app(functions=("A",))
    nothing = app.lr("report", "--stack", app.stack, "--alias", "PROD", "--s3-bucket", app.bucket)
    assert nothing.returncode == 1 and "nothing to report" in nothing.stderr
    assert "Traceback" not in nothing.stderr
    code, _first, err = app.deploy_json()
    assert code == 0, err
    bad = app.lr("report", "--stack", app.stack, "--alias", "PROD", "--release", "latest")
    assert bad.returncode == 2 and "'latest' is not a release id" in bad.stderr
    absent = app.lr(
        "report",
        "--stack",
        app.stack,
        "--alias",
        "PROD",
        "--release",
        "20261126T221700.123456Z-1a2b3c4d",
    )
    assert absent.returncode == 2 and "not in the log" in absent.stderr


def test_record_keeps_the_timeline_watch_saw(make_app: Callable[..., App], tmp_path: Path) -> None:
    """begin, your own sam deploy, `watch --output json` saved, `record --timeline-file`:
    the settlement holds watch's timeline, and the report draws it."""
    app = make_app(functions=("A",))
    target = ["--stack", app.stack, "--alias", "PROD", "--s3-bucket", app.bucket]
    begun = app.lr("begin", *target, "--output", "json")
    assert begun.returncode == 0, begun.stderr
    release_id = json.loads(begun.stdout)["id"]
    done = sam_deploy(app.directory, app.stack, "PROD", app.env, bucket=app.bucket)
    assert done.returncode == 0, done.stderr
    saved = tmp_path / "watch.json"
    step = {"at": "2026-12-01T10:00:00.000Z", "share": 1.0, "status": "Succeeded"}
    seen = {"observed_by": "watch", "started": step["at"], "ended": step["at"],
            "deployments": [{"deployment_id": "d-1", "logical_id": "AFunction",
                             "status": "Succeeded", "steps": [step]}],
            "alarms": []}  # fmt: skip
    saved.write_text(json.dumps({"deployments": [], "succeeded": True, "timeline": seen}))
    # A file that is not watch's output is refused before anything is settled.
    junk = tmp_path / "junk.json"
    junk.write_text("[1]")
    refused = app.lr("record", *target, "--timeline-file", str(junk))
    assert refused.returncode == 2 and str(junk) in refused.stderr
    assert "Traceback" not in refused.stderr
    recorded = app.lr("record", *target, "--timeline-file", str(saved), "--output", "json")
    assert recorded.returncode == 0, recorded.stderr
    facts = json.loads(report(app, "--s3-bucket", app.bucket, "--output", "json").stdout)
    assert facts["id"] == release_id and facts["outcome"] == "succeeded"
    assert facts["timeline"] == seen
    md = parse_markdown(report(app, "--s3-bucket", app.bucket).stdout)
    assert md.functions["AFunction"]["after"] == "1"
    assert md.canary[0].startswith("AFunction: deployment d-1, Succeeded: 100% (Succeeded")
