"""The group jobs (issue 33 item 4) as CircleCI would compile them: their steps, in order,
the record and the report kept after a failure, and what reaches the scripts."""

from __future__ import annotations

from typing import Any

from tests.orb.test_orb_shape import compiled, names


def test_group_deploy_job_order_and_record_kept_after_failure(packed_orb: dict[str, Any]) -> None:
    job = compiled(packed_orb, "group_deploy", alias="PROD", dry_run=True, pipeline_number=7)
    assert names(job) == [
        "checkout",
        "Work out the helper's cache key",
        "Restore the helper's environment",
        "Install the lambda-release helper",
        "Release the group wave by wave",
        "Keep the release record, even of a failed release",
        "Store the release record",
        "persist_to_workspace",
        "Write the group report, even of a failed group release",
        "Store the group report",
        "Save the helper's environment",
    ]
    steps = {str(s.spec.get("name", s.kind)): s for s in job.steps}
    kept_after_failure = (
        "Keep the release record, even of a failed release",
        "Store the release record",
        "Write the group report, even of a failed group release",
        "Store the group report",
    )
    for kept in kept_after_failure:
        assert steps[kept].when == "always", kept
    release = steps["Release the group wave by wave"].spec
    assert release["environment"] == {
        "LR_STR_GROUP_FILE": "lambda-release.group.yml",
        "LR_STR_ALIAS": "PROD",
        "LR_STR_PROFILE_NAME": "",
        "LR_BOOL_DRY_RUN": True,
        "LR_INT_PIPELINE_NUMBER": 7,
        "LR_STR_RECORD_FILE": "lambda-release/group.json",
    }
    assert release["no_output_timeout"] == "30m"
    install = steps["Install the lambda-release helper"].spec
    assert install["environment"]["LR_BOOL_WITH_CHECK"] is False  # no template check here
    assert steps["persist_to_workspace"].spec["paths"] == ["lambda-release/group.json"]


def test_group_rollback_job_checks_out_then_attaches_and_looks_up_its_approver(
    packed_orb: dict[str, Any],
) -> None:
    job = compiled(packed_orb, "group_rollback", circleci_token="MY_TOKEN")
    order = names(job)
    # The group file is in the repository: a clone needs an empty folder, so the workspace
    # (the group record) comes second.
    assert order[:2] == ["checkout", "attach_workspace"]
    assert order.index("Look up who approved the rollback") < order.index(
        "Roll back this pipeline's group release"
    )
    assert "persist_to_workspace" not in order
    steps = {str(s.spec.get("name", s.kind)): s.spec for s in job.steps}
    assert steps["Look up who approved the rollback"]["environment"] == {
        "LR_ENV_TOKEN_NAME": "MY_TOKEN",
        "LR_STR_APPROVAL_JOB": "hold-group-rollback",
    }
    undo = steps["Roll back this pipeline's group release"]["environment"]
    assert undo["LR_STR_DEPLOY_RECORD"] == "lambda-release/group.json"
    assert undo["LR_STR_RECORD_FILE"] == "lambda-release/group-rollback.json"
