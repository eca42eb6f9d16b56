"""A release typed as a SAM user types it, through the console script against the stand-in,
and the results read back with --output text and table (issue 25 item 2)."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.engine.conftest import App


def test_a_release_typed_as_sam_users_type_it(make_app: Callable[..., App]) -> None:
    app = make_app(functions=("A",))
    p = app.lr(
        "deploy", "--stack-name", app.stack, "--alias", "PROD", "--s3-bucket", app.bucket,
        "-t", ".aws-sam/build/template.yaml",
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--tags", "team=payments", "cost-centre=42",
        "--no-confirm-changeset", "--parameter-overrides", "Unused=1", "Other=2",
        "--output", "text",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    # sam got SAM's own spellings back, each capability and tag a word of its own.
    assert "--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND" in p.stderr
    release, function = [line.split("\t") for line in p.stdout.splitlines()]
    assert release[0] == "RELEASE" and release[2:] == [app.stack, "PROD", "succeeded"]
    assert function[:4] == ["FUNCTION", "AFunction", "-", "1"] and function[5] == "yes"
    stack = app.sandbox.client("cloudformation").describe_stacks(StackName=app.stack)
    tags = {t["Key"]: t["Value"] for t in stack["Stacks"][0]["Tags"]}
    assert tags["team"] == "payments" and tags["cost-centre"] == "42"

    common = ("--stack-name", app.stack, "--alias", "PROD")
    status = app.lr("status", *common, "--output", "text")
    assert status.returncode == 0, status.stderr
    (row,) = [line.split("\t") for line in status.stdout.splitlines()]
    assert row[:4] == ["PROD", "AFunction", "1", "-"] and len(row) == 6

    history = app.lr("history", *common, "--output", "text")
    assert history.returncode == 0, history.stderr
    (row,) = [line.split("\t") for line in history.stdout.splitlines()]
    assert row[0] == release[1] and row[2:4] == ["release", "succeeded"] and len(row) == 9
    table = app.lr("history", *common)  # the default: aligned, with headers
    headers = ["id", "time", "kind", "outcome", "why", "moved", "commit", "who", "notes"]
    assert table.stdout.split()[:9] == headers
    assert json.loads(app.lr("history", *common, "--output", "json").stdout)[0]["id"] == row[0]


def test_sam_spellings_that_contradict_or_are_not_ours_change_nothing(
    make_app: Callable[..., App],
) -> None:
    app = make_app(functions=("A",))
    args = ["deploy", "--alias", "PROD", "--s3-bucket", app.bucket]
    env = {**app.env, "LAMBDA_RELEASE_STACK": app.stack}
    other = app.lr(*args, "--stack-name", "someone-elses", env=env)
    assert other.returncode == 2 and other.stdout == ""
    (line,) = other.stderr.splitlines()
    assert f"contradicts the target's stack '{app.stack}' (LAMBDA_RELEASE_STACK)" in line
    guided = app.lr(*args, "--guided", env=env)
    assert guided.returncode == 2
    (line,) = guided.stderr.splitlines()
    assert line.startswith("lambda-release deploy: error: --guided is not an option of deploy")
    stacks = app.sandbox.client("cloudformation").list_stacks()["StackSummaries"]
    assert app.stack not in {s["StackName"] for s in stacks}  # nothing ran
