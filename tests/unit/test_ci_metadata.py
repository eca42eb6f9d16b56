"""What a release records about the CircleCI pipeline that made it (the rollback job's key)."""

from __future__ import annotations

import pytest

from lambda_release import ci_metadata as ci_metadata_module
from lambda_release.ci_metadata import ci_metadata


def test_the_pipeline_id_is_recorded_from_circleci() -> None:
    env = {"CIRCLECI": "true", "CIRCLE_PIPELINE_ID": "5034460f-c7c4-4c43-9457-de07e2029e7b"}
    assert ci_metadata(env)["pipeline_id"] == "5034460f-c7c4-4c43-9457-de07e2029e7b"
    assert ci_metadata({"CIRCLECI": "true"})["pipeline_id"] == ""


def test_a_local_run_has_no_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    # The commit and branch come from git; what is asserted here needs no git process.
    monkeypatch.setattr(ci_metadata_module, "_git", lambda *args: "")
    assert ci_metadata({})["pipeline_id"] == ""
