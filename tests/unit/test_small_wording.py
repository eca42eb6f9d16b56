"""Issue 25's smaller items: what rollback, watch, deploy, iam-policy and the demo say."""

from __future__ import annotations

import io
from typing import Any

import pytest

from lambda_release.commands._record_file import HEADERS, summary, text_rows
from lambda_release.commands.iam_policy import blocks, one_per_resource
from lambda_release.commands.watch import outcome_rows
from lambda_release.demo.chapters import _deployments, _these_functions
from lambda_release.iam.policy import explain
from lambda_release.iam.roles import ROLES
from lambda_release.iam.scope import Scope
from lambda_release.log.location import LogLocation
from lambda_release.observe.progress import DeploymentView, LineRenderer, describe
from lambda_release.rollback.summary import summary_head, summary_text
from lambda_release.template import sam


def test_an_explicit_move_says_to_which_version_never_of_release_none() -> None:
    moved = {"rollback": "R9", "to_version": "3", "functions": []}
    assert summary_head(moved) == "rollback R9 to version 3"
    already = {"rollback": None, "to_version": "3", "functions": []}
    assert summary_head(already) == "rollback to version 3: nothing to do, no entry written"
    plan = {"dry_run": True, "to_version": "3", "functions": []}
    assert summary_head(plan) == "plan: rollback to version 3"
    for data in (moved, already, plan):
        assert "None" not in summary_text(data) and "(dry run)" not in summary_text(data)


def view(status: str, **kw: Any) -> DeploymentView:
    return DeploymentView("AFunction", "shop-A", "d-1", status, **kw)


def test_watch_says_states_as_words() -> None:
    rollback = view("InProgress", rollback_of="d-0", target_version="1")
    assert describe(rollback).endswith(", in progress")
    assert "inprogress" not in describe(view("Queued", target_version="2"))
    rows = outcome_rows([view("InProgress", share=0.1, target_version="2", current_version="1")])
    assert rows == [("AFunction", "in progress", "10%", "2", "1", "-")]


def test_watch_ends_on_a_table_not_the_progress_lines_again() -> None:
    from lambda_release.output import format_table  # noqa: PLC0415

    done = view("Failed", share=0.0, target_version="2", current_version="1", rolled_back=True)
    done.alarms = {"errors": "ALARM"}
    table = format_table(("function", "outcome"), [r[:2] for r in outcome_rows([done])])
    assert describe(done) not in table and "failed" in table


def test_deploys_heartbeat_says_traffic_and_time_left_as_watch_does() -> None:
    renderer = LineRenderer(io.StringIO(), heartbeat=None)
    running = view("InProgress", share=0.1, target_version="2", current_version="1")
    running.step_ends_in = 125.0
    renderer.update([running])
    assert renderer.views == [running]
    line = describe(running)
    assert "10% on version 2" in line and "next step in 2m 05s" in line
    assert sam.still_running(12.5).startswith("sam still running (12 s)")


def test_deploys_table_names_every_column() -> None:
    data = {
        "id": "R1",
        "stack": "s",
        "alias": "PROD",
        "outcome": "succeeded",
        "functions": [{"logical_id": "A", "before": "1", "after": "2", "moved": True}],
    }
    assert HEADERS == ("function", "before", "after", "stable", "moved")
    assert summary(data).splitlines()[1].split() == list(HEADERS)
    assert text_rows(data) == [
        ("RELEASE", "R1", "s", "PROD", "succeeded"),
        ("FUNCTION", "A", "1", "2", "-", "yes"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_iam_policy_table_is_readable_in_a_terminal(role: str) -> None:
    scope = Scope(
        account="123456789012",
        region="eu-west-1",
        stack="my-lambda-prod",
        alias="PROD",
        log=LogLocation.parse("s3://my-artifacts/logs"),
    )
    rows = explain(role, scope)
    lines = blocks(rows).splitlines()
    longest_arn = max(len(arn) for _, arns, _ in rows for arn in arns.split())
    assert max(len(line) for line in lines) <= max(80, longest_arn + 7)  # was 300
    for action, arns, _ in rows:
        assert action in lines and all(any(a in line for line in lines) for a in arns.split())
    tsv = one_per_resource(rows)
    assert all(len(r) == 3 and " " not in r[1] for r in tsv)
    assert len(tsv) == sum(len(arns.split()) for _, arns, _ in rows)


def test_the_demo_counts_the_functions_it_changed() -> None:
    assert _these_functions(["HelloWorldFunction"]) == "its function HelloWorldFunction"
    assert _these_functions(["A", "B"]) == "both functions"
    assert _these_functions(["A", "B", "C"]) == "all 3 functions"
    assert _deployments(1) == "its deployment" and _deployments(2) == "both deployments"
