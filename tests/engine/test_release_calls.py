"""Issue 18: what one release of a small stack costs in AWS calls, counted from the
helper's own trace (the console script, the real SAM CLI, the sandbox). Counts only:
time is measured by bench/engine_bench.py."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_release.aws.trace import read_trace
from tests.engine.conftest import App
from tests.support.cliapp import deploy_args
from tests.support.sam import sam_deploy

# 12, then 14 (issue 24: the head a lease hands over checked against the newest window,
# two listings), then 12 again (issue 30): the head is relied on once the listing of the
# newest entries confirms it (log.records.Head.confirmed_by: no settlements listed), and
# the stack is not described again after a sam deploy that exited 0 (its resources are
# those read before, its aliases are read). docs/architecture.md, "What one release costs".
MOST_CALLS = 12


def json_out(p: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(p.stdout)


def release_calls(app: App, trace: Path) -> Counter[str]:
    trace.unlink(missing_ok=True)
    # The canary display polls while sam runs; it is not the release's cost (and
    # AllAtOnce has nothing to show): quieten it.
    env = dict(app.env, LAMBDA_RELEASE_TRACE_AWS=str(trace), LAMBDA_RELEASE_POLL_INTERVAL="3600")
    code = app.lr(*app.deploy_args("--output", "json"), env=env)
    assert code.returncode == 0, code.stderr
    return Counter(f"{c['service']}.{c['operation']}" for c in read_trace(str(trace)))


def groups_read(app: App) -> int:
    """1 when an alarm fires in the stand-in's account before the release (another test's,
    on this worker): the pre-flight then reads the deployment groups' alarm names
    (BatchGetDeploymentGroups) to know whether it is one of the stack's; 0 otherwise."""
    firing = app.sandbox.client("cloudwatch").describe_alarms(StateValue="ALARM", MaxRecords=1)
    return 1 if firing["MetricAlarms"] or firing.get("CompositeAlarms") else 0


def test_a_one_function_release_makes_few_calls(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    app = make_app(functions=("A",))
    first = release_calls(app, tmp_path / "first.jsonl")  # creates the stack and the log
    time.sleep(1.1)  # the lease was given back over a second before the next stack read
    app.change_code("2", ("A",))
    groups = groups_read(app)
    calls = release_calls(app, tmp_path / "second.jsonl")
    assert calls["codedeploy.BatchGetDeploymentGroups"] == groups, calls
    assert sum(calls.values()) <= MOST_CALLS + groups, calls
    # Each read once: the stack before (reused under the lease, not described again after
    # sam succeeded); the log's newest entries listed once (they confirm the head the lease
    # handed over: no settlements listed); one write per fact.
    assert calls["cloudformation.DescribeStacks"] == 1, calls
    assert calls["cloudformation.ListStackResources"] == 1, calls
    assert calls["s3.ListObjectsV2"] == 1, calls
    assert calls["s3.GetObject"] == 1, calls  # the lease
    assert calls["s3.PutObject"] == 4, calls  # lease taken, entry, settlement, lease given back
    assert first["s3.ListObjectsV2"] >= 1  # a new log: nothing handed over, listed once


# Issue 30: a one-function release with a canary deployment preference and an alarm (as
# every production function should have), each AWS operation counted. Each fact is read
# once: the stack before (described and listed beside each other, kept under the lease),
# not again after sam exited 0; the aliases before, the alias after; alarms in ALARM, once
# for the account; no ListDeployments beside a stack that completed cleanly (its
# deployments all succeeded); the lease, and the newest entries listed beside it (they
# confirm the head it handed over); one write per fact.
CANARY_RELEASE = {
    "cloudformation.DescribeStacks": 1,
    "cloudformation.ListStackResources": 1,
    "cloudwatch.DescribeAlarms": 1,
    "lambda.ListAliases": 1,
    "lambda.GetFunction": 1,
    "lambda.CreateAlias": 1,  # <ALIAS>_STABLE, first set by this (the second) release
    "s3.GetObject": 1,
    "s3.ListObjectsV2": 1,
    "s3.PutObject": 4,  # lease taken, entry, settlement, lease given back
}


def test_a_canary_release_of_one_function_reads_each_fact_once(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    app = make_app(functions=("A",), deployment="Canary10Percent5Minutes")
    release_calls(app, tmp_path / "first.jsonl")
    time.sleep(1.1)  # the lease was given back over a second before the next stack read
    app.change_code("canary", ("A",))
    groups = groups_read(app)
    calls = release_calls(app, tmp_path / "second.jsonl")
    expected = dict(CANARY_RELEASE)
    if groups:
        expected["codedeploy.BatchGetDeploymentGroups"] = 1
    assert dict(calls) == expected, calls
    assert sum(calls.values()) == 12 + groups


def test_a_release_that_adds_a_function_lists_the_stack_again(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    app = make_app(functions=("A",))
    release_calls(app, tmp_path / "first.jsonl")
    # As above: the stack read before the lease is kept only when the last lease was given
    # back over a second before it; a quick machine re-read it (a third listing) at times.
    time.sleep(1.1)
    grown = make_app(functions=("A", "B"))  # the same stack, a template with one more function
    grown.stack, grown.bucket = app.stack, app.bucket
    calls = release_calls(grown, tmp_path / "grown.jsonl")
    assert calls["cloudformation.ListStackResources"] == 2, calls
    log = grown.lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert log.returncode == 0, log.stderr
    assert '"BFunction"' in log.stdout


def test_record_after_begin_lists_the_stack_once(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """`record` (after `begin` and the user's own `sam deploy`) reads the stack whole once to
    find the log (its tag), and settles from that read: one ListStackResources. Settling
    listed it a third time (issue 18), then a second (issue 30: the stack is described
    again before settling, and listed again only if CloudFormation changed it since)."""
    app = make_app(functions=("A",))
    release_calls(app, tmp_path / "first.jsonl")
    app.change_code("record", ("A",))  # a code version no other test of the module uses
    target = ["--stack", app.stack, "--alias", "PROD"]
    begun = app.lr("begin", *target, "--s3-bucket", app.bucket)
    assert begun.returncode == 0, begun.stderr
    tag = f"lambda-release:log=s3://{app.bucket}"
    done = sam_deploy(
        app.directory, app.stack, "PROD", app.env, bucket=app.bucket, extra=["--tags", tag]
    )
    assert done.returncode == 0, done.stderr
    trace = tmp_path / "record.jsonl"
    env = dict(app.env, LAMBDA_RELEASE_TRACE_AWS=str(trace))
    recorded = app.lr("record", *target, "--output", "json", env=env)
    assert recorded.returncode == 0, recorded.stderr
    (settled,) = json_out(recorded)["settled"]
    assert settled["outcome"] == "succeeded"
    calls = Counter(f"{c['service']}.{c['operation']}" for c in read_trace(str(trace)))
    assert calls["cloudformation.ListStackResources"] == 1, calls


def test_a_release_whose_artifacts_bucket_moved_keeps_its_log(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """The lease and the newest entries are read ahead where the log most likely is (the
    artifacts bucket); the stack's tag names where it is. A release whose --s3-bucket is no
    longer the log's reads the log where the tag says, and records the release there."""
    app = make_app(functions=("A",))
    release_calls(app, tmp_path / "first.jsonl")
    moved = f"{app.bucket}-moved"
    app.sandbox.client("s3").create_bucket(Bucket=moved)
    app.change_code("moved", ("A",))
    trace = tmp_path / "moved.jsonl"
    env = dict(app.env, LAMBDA_RELEASE_TRACE_AWS=str(trace), LAMBDA_RELEASE_POLL_INTERVAL="3600")
    done = app.lr(*deploy_args(app.stack, moved, "--output", "json"), env=env)
    assert done.returncode == 0, done.stderr
    assert json_out(done)["outcome"] == "succeeded"
    writes = [c["params"] for c in read_trace(str(trace)) if c["operation"] == "PutObject"]
    log_writes = [w["Bucket"] for w in writes if "/lambda-release/" in f"/{w['Key']}"]
    assert log_writes and set(log_writes) == {app.bucket}, writes
    log = app.lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert log.returncode == 0, log.stderr
    assert [r["outcome"] for r in json.loads(log.stdout)] == ["succeeded", "succeeded"]
