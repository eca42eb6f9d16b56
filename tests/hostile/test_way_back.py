"""Issue 24 item 4: a way back from every state the tool can leave.

Each state is made as the tool (or sam) leaves it; the command that leads back runs as
the console script. Each case checks the exit code, the one line of a refusal, and the
log and aliases where a command refuses.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.log import lock
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, log_objects, one_line
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit, template
from tests.support.aws_state import wait_for_stack
from tests.support.standin_clock import through_canaries

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    k = Kit.in_env(sandbox, monkeypatch, "wayback")
    k.release({"A": "1", "B": "1"})
    k.release({"A": "2"})
    return k


def names(kit: Kit) -> dict[str, str]:
    """Every function of the stack (with the alias or without), short name -> name."""
    cfn = kit.sandbox.client("cloudformation")
    resources = cfn.list_stack_resources(StackName=kit.stack)["StackResourceSummaries"]
    return {
        r["LogicalResourceId"].removesuffix("Function"): r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == "AWS::Lambda::Function"
    }


def versions(kit: Kit, alias: str = ALIAS) -> dict[str, str | None]:
    """Each function's alias version; None where it has no alias (versions(kit) lists only
    the functions that carry it)."""
    lam = kit.sandbox.client("lambda")
    out: dict[str, str | None] = {}
    for fn, name in sorted(names(kit).items()):
        try:
            out[fn] = str(lam.get_alias(FunctionName=name, Name=alias)["FunctionVersion"])
        except lam.exceptions.ResourceNotFoundException:
            out[fn] = None
    return out


def aliases(kit: Kit) -> tuple[dict[str, str], dict[str, str | None], dict[str, str | None]]:
    """The log's objects, every function's alias and stable pointer: what a refusal must
    leave alone (world() reads only the functions that carry the alias)."""
    return log_objects(kit), versions(kit), versions(kit, f"{ALIAS}_STABLE")


def without_alias(kit: Kit) -> str:
    """The kit's template with AutoPublishAlias (and so DeploymentPreference) dropped."""
    body = yaml.safe_load(template(kit.code, kit.bucket))
    for resource in body["Resources"].values():
        resource["Properties"].pop("AutoPublishAlias", None)
        resource["Properties"].pop("DeploymentPreference", None)
    return str(yaml.safe_dump(body))


def remove_alias(kit: Kit) -> str:
    """A release whose template takes the alias off every function, as `deploy
    --allow-alias-removal` makes it (begin, the stack update, settle): its id."""
    log = kit.log()
    entry, _lease, problems = begin(
        kit.engine(), log, environment="t", mode="deploy", lock_ttl=300, lock_timeout=5
    )
    assert not problems and entry is not None
    kit.submit(without_alias(kit))
    assert wait_for_stack(kit.sandbox.client("cloudformation"), kit.stack) == "UPDATE_COMPLETE"
    release, _, _ = settle(kit.engine(), log, entry, sam_exit_code=0, settled_by="test")
    lock.release(log, str(entry["id"]))
    assert (release.outcome, release.settlement.get("reason")) == ("failed", "alias-removed")
    assert versions(kit) == {"A": None, "B": None}
    return str(entry["id"])


def write_template(kit: Kit, where: Path) -> None:
    (where / "template.yaml").write_text(template(kit.code, kit.bucket))


# -- after a template took the alias off every function ---------------------------------


def test_deploy_restoring_the_alias_after_its_removal(kit: Kit, tmp_path: Path) -> None:
    """The measured case: `deploy --allow-alias-removal` (real sam) took the alias off
    every function; the deploy of the template that publishes it again works."""
    (tmp_path / "template.yaml").write_text(without_alias(kit))
    removal = kit_lr(kit, "deploy", "--sam-path", SAM, "--allow-alias-removal", cwd=tmp_path)
    assert removal.returncode == 1, removal.stderr  # settled failed, reason alias-removed
    assert kit.entries()[-1].settlement.get("reason") == "alias-removed"
    assert versions(kit) == {"A": None, "B": None}
    write_template(kit, tmp_path)
    dry = kit_lr(kit, "deploy", "--sam-path", SAM, "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    p = kit_lr(kit, "deploy", "--sam-path", SAM, "--output", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    # Each function carries the alias again (on a version published anew: the stand-in
    # publishes on every Version resource; Lambda would return the unchanged 2 and 1).
    assert None not in versions(kit).values()
    newest = kit.entries()[-1]
    assert newest.outcome == "succeeded"
    assert {f["logical_id"]: f.get("created") for f in newest.functions()} == {
        "AFunction": True,
        "BFunction": True,
    }


def test_rollback_to_version_after_the_alias_was_removed(kit: Kit, tmp_path: Path) -> None:
    """The alias comes back through CloudFormation, so the deploy that restores
    AutoPublishAlias afterwards updates it instead of failing to create it."""
    remove_alias(kit)
    before = aliases(kit)
    dry = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert aliases(kit) == before
    p = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "1")
    assert p.returncode == 0, p.stderr
    assert versions(kit) == {"A": "1", "B": None}
    (rb,) = kit.rollback_entries()
    assert rb.outcome == "succeeded"
    assert [(f["logical_id"], f["before"], f["after"]) for f in rb.functions()] == [
        ("AFunction", None, "1")
    ]
    again = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "1")
    assert again.returncode == 0, again.stderr  # already there, as the log records
    assert len(kit.rollback_entries()) == 1
    # The restoring deploy: CloudFormation updates the alias it now has (1 -> 2).
    write_template(kit, tmp_path)
    d = kit_lr(kit, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert d.returncode == 0, d.stderr
    after = versions(kit)
    assert after["A"] not in (None, "1") and after["B"] is not None
    assert kit.entries()[-1].outcome == "succeeded"


def test_rollback_to_a_missing_version_after_the_alias_was_removed(kit: Kit) -> None:
    remove_alias(kit)
    before = aliases(kit)
    p = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "9")
    assert p.returncode == 2
    dry = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "9", "--dry-run")
    assert dry.returncode == 2 and one_line(dry.stderr) == one_line(p.stderr)
    name = names(kit)["A"]
    assert one_line(p.stderr) == (
        f"lambda-release rollback: error: version 9 of {name} does not exist: see `aws "
        f"lambda list-versions-by-function --function-name {name}`"
    )
    assert aliases(kit) == before


def test_rollback_to_version_refuses_an_alias_made_by_hand(kit: Kit) -> None:
    """An alias outside the stack would make the restoring deploy fail: refused, named."""
    remove_alias(kit)
    name = names(kit)["A"]
    kit.sandbox.client("lambda").create_alias(FunctionName=name, Name=ALIAS, FunctionVersion="1")
    before = aliases(kit)
    p = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "2")
    assert p.returncode == 1
    line = one_line(p.stderr)
    assert f"AFunction carries alias {ALIAS} (version 1) but stack {kit.stack}" in line
    assert f"aws lambda delete-alias --function-name {name} --name {ALIAS}" in line
    dry = kit_lr(kit, "rollback", "--function", "AFunction", "--to-version", "2", "--dry-run")
    assert dry.returncode == 1 and one_line(dry.stderr) == line
    assert aliases(kit) == before


def test_status_after_the_alias_was_removed(kit: Kit) -> None:
    remove_alias(kit)
    before = aliases(kit)
    text = kit_lr(kit, "status")
    assert text.returncode == 0, text.stderr
    assert "AFunction, BFunction lack alias PROD" in text.stdout
    p = kit_lr(kit, "status", "--output", "json")
    assert p.returncode == 0, p.stderr
    (prod,) = json.loads(p.stdout)["aliases"]
    assert [(f["logical_id"], f["has_alias"], f["version"]) for f in prod["functions"]] == [
        ("AFunction", False, None),
        ("BFunction", False, None),
    ]
    assert prod["without_alias"] == ["AFunction", "BFunction"]
    # Without --alias: the alias is found in the log, the stack no longer shows it.
    bare = kit_lr(kit, "status", "--stack", kit.stack, "--log-bucket", kit.bucket, target=False)
    assert bare.returncode == 0, bare.stderr
    assert "alias PROD (stable pointer PROD_STABLE)" in bare.stdout
    assert aliases(kit) == before


def test_status_of_an_alias_nobody_released_is_still_bad_input(kit: Kit) -> None:
    p = kit_lr(kit, "status", "--alias", "PRDO")
    assert p.returncode == 2
    assert "no function of stack" in one_line(p.stderr) and "'PRDO'" in p.stderr


# -- a stack whose first change set was never executed ------------------------------


def review_in_progress(kit: Kit) -> None:
    """What a first `sam deploy` leaves when it stops before executing its change set."""
    kit.code.update({"A": "1"})
    s3 = kit.sandbox.client("s3")
    from tests.rollback.stackkit import code_key, function_code  # noqa: PLC0415

    s3.put_object(Bucket=kit.bucket, Key=code_key("A", "1"), Body=function_code("A", "1"))
    cfn = kit.sandbox.client("cloudformation")
    cfn.create_change_set(
        StackName=kit.stack,
        ChangeSetName="never-executed",
        ChangeSetType="CREATE",
        TemplateBody=template(kit.code, kit.bucket),
        Parameters=[{"ParameterKey": "AliasName", "ParameterValue": ALIAS}],
        Capabilities=CAPABILITIES,
    )
    for _ in range(50):
        if cfn.describe_stacks(StackName=kit.stack)["Stacks"][0]["StackStatus"]:
            break
        time.sleep(0.1)
    assert cfn.describe_stacks(StackName=kit.stack)["Stacks"][0]["StackStatus"] == (
        "REVIEW_IN_PROGRESS"
    )


@pytest.fixture
def fresh(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    return Kit.in_env(sandbox, monkeypatch, "review")


def test_deploy_on_a_stack_left_in_review_in_progress(fresh: Kit, tmp_path: Path) -> None:
    """sam treats the stack as absent and creates it: so does the pre-flight."""
    review_in_progress(fresh)
    write_template(fresh, tmp_path)
    dry = kit_lr(fresh, "deploy", "--sam-path", SAM, "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    p = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert versions(fresh) == {"A": "1"}
    assert [r.outcome for r in fresh.entries()] == ["succeeded"]


def test_status_of_a_stack_left_in_review_in_progress(fresh: Kit) -> None:
    review_in_progress(fresh)
    p = kit_lr(fresh, "status", "--output", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["stack"]["status"] == "REVIEW_IN_PROGRESS" and data["blockers"] == []
    assert "The next deploy creates it (sam deploy treats it as absent)" in data["stack"]["note"]
    assert f"aws cloudformation delete-stack --stack-name {fresh.stack}" in data["stack"]["note"]


# -- what would hold up the next deploy, shown by status ----------------------------


def test_status_shows_an_alarm_in_alarm_as_a_blocker(kit: Kit) -> None:
    body = yaml.safe_load(template(kit.code, kit.bucket))
    body["Resources"]["ErrorsAlarm"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "MetricName": "Errors",
            "Namespace": "AWS/Lambda",
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    }
    kit.submit(yaml.safe_dump(body))
    cfn = kit.sandbox.client("cloudformation")
    assert wait_for_stack(cfn, kit.stack) == "UPDATE_COMPLETE"
    alarm = cfn.describe_stack_resource(StackName=kit.stack, LogicalResourceId="ErrorsAlarm")
    name = alarm["StackResourceDetail"]["PhysicalResourceId"]
    kit.sandbox.client("cloudwatch").set_alarm_state(
        AlarmName=name, StateValue="ALARM", StateReason="test"
    )
    before = aliases(kit)
    p = kit_lr(kit, "status", "--output", "json")
    assert p.returncode == 0, p.stderr
    (blocker,) = json.loads(p.stdout)["blockers"]
    assert blocker.startswith(f"alarm already in ALARM: {name}: CodeDeploy would stop")
    text = kit_lr(kit, "status")
    assert f"the next deploy would be refused: {blocker}" in text.stdout
    # The deploy's pre-flight refuses in the same words.
    dry = kit_lr(kit, "deploy", "--sam-path", SAM, "--dry-run", cwd=None)
    assert blocker in dry.stderr or dry.returncode == 2
    assert aliases(kit) == before


def test_status_shows_a_pending_release_and_a_held_lock(kit: Kit) -> None:
    log = kit.log()
    entry, _lease, problems = begin(
        kit.engine(), log, environment="t", mode="deploy", lock_ttl=300, lock_timeout=5
    )
    assert not problems and entry is not None
    before = aliases(kit)
    p = kit_lr(kit, "status", "--output", "json")
    assert p.returncode == 0, p.stderr
    (prod,) = json.loads(p.stdout)["aliases"]
    assert prod["pending"] == [entry["id"]]
    assert any(f"release {entry['id']} is pending" in n for n in prod["before_next_deploy"])
    assert len(prod["blockers"]) == 1 and "lock" in prod["blockers"][0]
    text = kit_lr(kit, "status")
    assert f"the next deploy would be refused: {prod['blockers'][0]}" in text.stdout
    assert aliases(kit) == before
    lock.release(log, str(entry["id"]))


def test_status_explains_drift_the_next_deploy_realigns(kit: Kit) -> None:
    rb = kit_lr(kit, "rollback")
    assert rb.returncode == 0, rb.stderr
    p = kit_lr(kit, "status", "--output", "json")
    assert p.returncode == 0, p.stderr
    (prod,) = json.loads(p.stdout)["aliases"]
    (drift,) = prod["drift"]
    assert (drift["function"], drift["recorded"], drift["live"]) == ("AFunction", "2", "1")
    assert drift["explained_by"] == kit.rollback_entries()[-1].id
    assert drift["realigned_by_deploy"] and prod["blockers"] == []
    text = kit_lr(kit, "status")
    assert "the next deploy realigns this" in text.stdout


def test_rollback_after_the_alias_was_removed_names_the_way_back(kit: Kit) -> None:
    """The release in effect moved A 1 -> 2; A has no alias now: refused, by name, with
    the command that adds it back; nothing written, nothing moved."""
    remove_alias(kit)
    before = aliases(kit)
    p = kit_lr(kit, "rollback", "--output", "json")
    assert p.returncode == 1, p.stderr
    (a,) = [f for f in json.loads(p.stdout)["functions"] if f["logical_id"] == "AFunction"]
    assert a["action"] == "refused"
    assert "`lambda-release rollback --function AFunction --to-version 1`" in a["reason"]
    assert "Traceback" not in p.stderr
    assert aliases(kit)[1:] == before[1:]
    # What undo records for a rollback that moved nothing: an entry that moved nothing,
    # and no release marked undone.
    (rb,) = kit.rollback_entries()
    assert rb.outcome == "no-change" and not any(r.undone for r in kit.entries())


def test_a_release_left_pending_over_review_in_progress_is_settled_by_the_next_deploy(
    fresh: Kit, tmp_path: Path
) -> None:
    """A first deploy killed after sam made its change set: the release stays pending over
    a REVIEW_IN_PROGRESS stack. It is settled (nothing moved, sam's exit unknown:
    no-change), then the stack is created."""
    log = fresh.log()
    entry, _lease, problems = begin(
        fresh.engine(), log, environment="t", mode="deploy", lock_ttl=300, lock_timeout=5
    )
    assert not problems and entry is not None
    review_in_progress(fresh)
    lock.release(log, str(entry["id"]))  # the job died; its lease given back (or lapsed)
    write_template(fresh, tmp_path)
    p = kit_lr(fresh, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert [r.outcome for r in fresh.entries()] == ["no-change", "succeeded"]
    assert versions(fresh) == {"A": "1"}


def test_status_shows_a_deployment_in_flight_as_a_blocker(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """status runs while a canary holds the release (the stand-in's clock then jumps)."""
    cd = kit.sandbox.client("codedeploy")
    shown: list[dict[str, Any]] = []

    def seen() -> bool:
        running = cd.list_deployments(includeOnlyStatuses=["InProgress"])["deployments"]
        if not running:
            return False
        p = kit_lr(kit, "status", "--output", "json")
        assert p.returncode == 0, p.stderr
        shown.append(json.loads(p.stdout))
        return True

    through_canaries(
        kit.sandbox, monkeypatch, lambda: kit.release({"A": "3"}, "Canary10Percent5Minutes"), seen
    )
    (data,) = shown
    deployments = data["aliases"][0]["deployments_in_flight"]
    assert deployments, data
    blockers = data["blockers"]
    assert any(b.startswith(f"stack {kit.stack} is UPDATE_IN_PROGRESS: wait") for b in blockers)
    assert any(
        b.startswith(f"CodeDeploy deployment in flight: {deployments[0]['deployment_id']}")
        for b in blockers
    )
