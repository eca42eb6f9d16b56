"""Issue 28 items 2-3: states a real team meets, reached through the real SAM CLI, and the
product's answer to each.

- a change set whose SAM transform fails: CloudFormation fails the change set with the
  transform's reason (the stand-in answered an HTML 500); `deploy` reports that reason,
- a first deploy that never executed its change set (`REVIEW_IN_PROGRESS`, no resources),
  here made by `sam deploy --confirm-changeset` answered "n", then deployed again: one stack,
- `UPDATE_ROLLBACK_COMPLETE` after an update that failed: the next deploy goes ahead.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit, code_key, function_code, template
from tests.support.aws_state import wait_for_stack
from tests.support.sam import sam_env

TRANSFORM_FAILED = (
    "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application"
)


@pytest.fixture
def fresh(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    kit = Kit.in_env(sandbox, monkeypatch, "states")
    kit.code.update({"A": "1"})
    s3 = sandbox.client("s3")
    s3.put_object(Bucket=kit.bucket, Key=code_key("A", "1"), Body=function_code("A", "1"))
    return kit


def stacks_named(kit: Kit) -> list[dict[str, Any]]:
    cfn = kit.sandbox.client("cloudformation")
    return [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == kit.stack]


def stack_status(kit: Kit) -> str:
    cfn = kit.sandbox.client("cloudformation")
    return str(cfn.describe_stacks(StackName=kit.stack)["Stacks"][0]["StackStatus"])


def broken_transform(kit: Kit) -> str:
    """The kit's template with a DeploymentPreference on a function without AutoPublishAlias:
    SAM's transform refuses it, which only CloudFormation runs (`sam deploy` checks the
    template's syntax, not this)."""
    body = yaml.safe_load(template(kit.code, kit.bucket))
    body["Resources"]["AFunction"]["Properties"].pop("AutoPublishAlias")
    return str(yaml.safe_dump(body))


def test_deploy_reports_the_reason_of_a_change_set_whose_transform_failed(
    fresh: Kit, tmp_path: Path
) -> None:
    (tmp_path / "template.yaml").write_text(broken_transform(fresh))
    p = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    out = p.stdout + p.stderr
    assert TRANSFORM_FAILED in out
    assert "requires AutoPublishAlias" in out
    assert "500" not in out.replace(fresh.stack, "")
    (entry,) = fresh.entries()
    assert entry.outcome == "failed"
    # CloudFormation made the stack for the change set and left it without resources.
    assert stack_status(fresh) == "REVIEW_IN_PROGRESS"
    # The template fixed, the next deploy creates that stack.
    (tmp_path / "template.yaml").write_text(template(fresh.code, fresh.bucket))
    again = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert [s["StackStatus"] for s in stacks_named(fresh)] == ["CREATE_COMPLETE"]
    assert [e.outcome for e in fresh.entries()] == ["failed", "succeeded"]


def sam_deploy_declined(kit: Kit, where: Path) -> subprocess.CompletedProcess[str]:
    """`sam deploy --confirm-changeset`, the prompt answered "n": the change set is made and
    never executed, as a person who aborts at the prompt leaves it."""
    (where / "template.yaml").write_text(template(kit.code, kit.bucket))
    command = [
        SAM,
        "deploy",
        "--stack-name",
        kit.stack,
        "--s3-bucket",
        kit.bucket,
        "--capabilities",
        "CAPABILITY_IAM",
        "CAPABILITY_AUTO_EXPAND",
        "--parameter-overrides",
        f"AliasName={ALIAS}",
        "--confirm-changeset",
        "--no-fail-on-empty-changeset",
    ]
    return subprocess.run(
        command,
        input="n\n",
        capture_output=True,
        text=True,
        cwd=where,
        env=sam_env(kit.env),
        timeout=180,
        check=False,
    )


def test_an_aborted_sam_deploy_then_a_deploy_makes_one_stack(fresh: Kit, tmp_path: Path) -> None:
    declined = sam_deploy_declined(fresh, tmp_path)
    assert "Deploy this changeset?" in declined.stdout, declined.stdout + declined.stderr
    assert stack_status(fresh) == "REVIEW_IN_PROGRESS"
    cfn = fresh.sandbox.client("cloudformation")
    assert cfn.list_stack_resources(StackName=fresh.stack)["StackResourceSummaries"] == []
    p = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    # One stack of that name, as on AWS (the stand-in made a second one, and sam waited on
    # the first forever).
    assert [s["StackStatus"] for s in stacks_named(fresh)] == ["CREATE_COMPLETE"]
    assert [e.outcome for e in fresh.entries()] == ["succeeded"]


def failing_update(kit: Kit) -> str:
    """The kit's template with a new version of A and a resource CloudFormation cannot
    create (a Lambda permission for a function that does not exist): the update fails
    and rolls back to UPDATE_ROLLBACK_COMPLETE."""
    kit.code["A"] = "2"
    s3 = kit.sandbox.client("s3")
    s3.put_object(Bucket=kit.bucket, Key=code_key("A", "2"), Body=function_code("A", "2"))
    body = yaml.safe_load(template(kit.code, kit.bucket))
    body["Resources"]["Broken"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": "no-such-function-anywhere",
            "Principal": "s3.amazonaws.com",
        },
    }
    return str(yaml.safe_dump(body))


def test_a_deploy_after_an_update_rolled_back_goes_ahead(fresh: Kit, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(template(fresh.code, fresh.bucket))
    first = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (tmp_path / "template.yaml").write_text(failing_update(fresh))
    failed = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    assert wait_for_stack(fresh.sandbox.client("cloudformation"), fresh.stack) == (
        "UPDATE_ROLLBACK_COMPLETE"
    )
    assert [e.outcome for e in fresh.entries()] == ["succeeded", "failed"]
    # The failed resource and why, in the stack's events as on AWS (the stand-in had no
    # CREATE_FAILED event), so sam's event table shows them to the person deploying.
    cfn = fresh.sandbox.client("cloudformation")
    events = cfn.describe_stack_events(StackName=fresh.stack)["StackEvents"]
    (create_failed,) = [
        e
        for e in events
        if e["LogicalResourceId"] == "Broken" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert create_failed["ResourceStatusReason"]
    rollback = [e for e in events if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"]
    assert rollback[0]["ResourceStatusReason"] == (
        "The following resource(s) failed to create: [Broken]. "
    )
    assert "CREATE_FAILED" in failed.stdout + failed.stderr
    # From UPDATE_ROLLBACK_COMPLETE the next deploy goes ahead.
    (tmp_path / "template.yaml").write_text(template(fresh.code, fresh.bucket))
    again = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert [e.outcome for e in fresh.entries()] == ["succeeded", "failed", "succeeded"]
    assert stack_status(fresh) == "UPDATE_COMPLETE"
