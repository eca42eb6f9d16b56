"""The project's own CircleCI pipeline is valid: schema, top-level keys, and every job compiled.

It runs on CircleCI, not here; these checks are what can be known offline.
"""

from __future__ import annotations

from typing import Any

import pytest
from orbtools import yamlio
from orbtools.compiler import Compiler, Scope, workflow_invocations
from orbtools.validate import EXAMPLE_PIPELINE, config_problems, schema_problems

from tests.orb.conftest import ROOT

CIRCLECI = ROOT / ".circleci"


def load(name: str) -> dict[str, Any]:
    data = yamlio.load((CIRCLECI / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", ["config.yml", "test-deploy.yml"])
def test_pipeline_files_match_the_schema(processes: None, name: str) -> None:
    assert schema_problems({name: load(name)}) == []


def test_setup_workflow_continues_after_every_check() -> None:
    config = load("config.yml")
    assert config["setup"] is True
    assert config_problems(config, {}, "config.yml") == []
    jobs = config["workflows"]["lint-pack"]["jobs"]
    continue_job = next(j["orb-tools/continue"] for j in jobs if "orb-tools/continue" in j)
    others = {next(iter(j)) if isinstance(j, dict) else j for j in jobs} - {"orb-tools/continue"}
    assert set(continue_job["requires"]) == others


def test_test_deploy_runs_the_inlined_orb(packed_orb: dict[str, Any]) -> None:
    config = load("test-deploy.yml")
    assert config["orbs"]["lambda-release"] == {}  # orb-tools/continue injects the packed orb
    scope = Scope.of("config", config, {"lambda-release": packed_orb})
    compiled = [
        Compiler(scope, EXAMPLE_PIPELINE).job(ref, args)
        for _w, ref, args in workflow_invocations(config, EXAMPLE_PIPELINE)
        if ref.startswith("lambda-release/")
    ]
    assert [job.name for job in compiled] == [
        "integration-deploy-staging",
        "integration-rollback-staging",
    ]


def test_publishing_happens_only_on_version_tags() -> None:
    config = load("test-deploy.yml")
    for entry in config["workflows"]["test-deploy"]["jobs"]:
        ref, args = next(iter(entry.items()))
        if ref in ("publish-helper", "orb-tools/publish", "orb-tools/pack"):
            assert args["filters"]["branches"] == {"ignore": "/.*/"}
            assert args["filters"]["tags"]["only"].startswith("/^v")
