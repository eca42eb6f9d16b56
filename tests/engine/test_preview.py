"""Issue 31 item 2: `deploy --dry-run` previews what the release will change, and the real
deploy then does exactly that. Through the console script, the real SAM CLI, the stand-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App


def change_sets(sandbox: Sandbox, stack: str) -> list[dict[str, Any]]:
    cfn = sandbox.client("cloudformation")
    return [
        s
        for s in cfn.list_change_sets(StackName=stack)["Summaries"]
        # an executed one is the real deploy's: the stand-in marks it EXECUTE_COMPLETE a
        # moment after the stack's status (EXECUTE_IN_PROGRESS meanwhile, seen under load)
        if not str(s.get("ExecutionStatus", "")).startswith("EXECUTE_")
    ]


def test_the_preview_of_a_change_to_one_of_two_functions_is_what_the_deploy_does(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A", "B"), deployment="Canary10Percent5Minutes")
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A",))
    stack_before = sandbox.client("cloudformation").describe_stacks(StackName=app.stack)
    p = app.lr(*app.deploy_args("--dry-run", "--output", "json"))
    assert p.returncode == 0, p.stderr
    preview = json.loads(p.stdout)["preview"]
    by_fn = {f["logical_id"]: f for f in preview["functions"]}
    assert by_fn["AFunction"]["publishes_new_version"] is True
    assert by_fn["AFunction"]["code"] == "changed" and by_fn["AFunction"]["now"]["version"] == "1"
    assert by_fn["BFunction"]["publishes_new_version"] is False
    assert by_fn["BFunction"]["code"] == "same"
    traffic = by_fn["AFunction"]["traffic"]
    assert traffic["deployment_type"] == "Canary10Percent5Minutes"
    assert traffic["steps"] == [{"minute": 0.0, "traffic": 0.1}, {"minute": 5.0, "traffic": 1.0}]
    assert traffic["alarms"] == [app.alarm_name("A")]
    assert preview["change_set"] == "created, described and deleted; never executed"
    added = [c for c in preview["stack_changes"] if c["action"] == "Add"]
    assert [c["resource_type"] for c in added] == ["AWS::Lambda::Version"]
    assert added[0]["logical_id"].startswith("AFunctionVersion")
    # Nothing changed: no change set left, the stack as it was, the aliases where they were.
    assert change_sets(sandbox, app.stack) == []
    stack_after = sandbox.client("cloudformation").describe_stacks(StackName=app.stack)
    assert stack_after["Stacks"][0]["StackStatus"] == stack_before["Stacks"][0]["StackStatus"]
    assert app.alias("AFunction", "PROD")["FunctionVersion"] == "1"  # type: ignore[index]
    text = app.lr(*app.deploy_args("--dry-run", "--bake", "5"))
    assert "current state (before the release):" in text.stdout
    assert "now: AFunction: PROD -> 1" in text.stdout
    assert "AFunction: publishes a new version, then moves PROD from 1" in text.stdout
    assert "BFunction: publishes nothing: PROD stays on 1" in text.stdout
    assert "traffic: Canary10Percent5Minutes: 10% at once, 100% after 5 min" in text.stdout
    assert "then: bake 5 min watching the stack's alarms" in text.stdout
    # The real deploy: A moves to a new version, B does not; as the preview said.
    code, release, err = app.deploy_json()
    assert code == 0, err
    moved = {f["logical_id"]: f["moved"] for f in release["functions"]}
    assert moved == {lid: bool(f["publishes_new_version"]) for lid, f in by_fn.items()}


def test_the_preview_of_a_first_release_leaves_no_stack_behind(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A",))
    p = app.lr(*app.deploy_args("--dry-run", "--output", "json"))
    assert p.returncode == 0, p.stderr
    preview = json.loads(p.stdout)["preview"]
    (a,) = preview["functions"]
    assert a["code"] == "new" and a["publishes_new_version"] is True
    assert {c["resource_type"] for c in preview["stack_changes"]} >= {
        "AWS::Lambda::Function",
        "AWS::Lambda::Alias",
    }
    cfn = sandbox.client("cloudformation")
    live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == app.stack]
    assert all(s["StackStatus"] == "DELETE_COMPLETE" for s in live), live
