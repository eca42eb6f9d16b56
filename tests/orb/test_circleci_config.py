"""The project's own CircleCI pipeline is valid: schema, top-level keys, and every job compiled.

It runs on CircleCI, not here; these checks are what can be known offline.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from orbtools import yamlio
from orbtools.compiler import Compiler, Scope, workflow_invocations, workflow_runs
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


def run_commands(config: dict[str, Any], job: str, args: dict[str, Any]) -> list[str]:
    scope = Scope.of("config", config, {})
    compiled = Compiler(scope, EXAMPLE_PIPELINE).job(job, args)
    return [step.spec["command"] for step in compiled.steps if step.kind == "run"]


def test_make_test_runs_where_python_311_node_and_npm_are() -> None:
    """`make test` runs `npm ci` (build/sdk, build/parser): cimg/python's -node variant;
    envsubst, which the orb's substitution is tested against, is installed before it."""
    config = load("config.yml")
    job = config["jobs"]["python-tests"]
    assert [d["image"] for d in job["docker"]] == ["cimg/python:3.11-node"]
    commands = run_commands(config, "python-tests", {})
    assert commands[-1] == "make test"
    assert "apt-get install -y -qq gettext-base" in commands[0]
    assert run_commands(config, "python-tests", {"target": "test-latest"})[-1] == "make test-latest"


def test_check_tag_runs_after_installing_pyyaml_by_hash() -> None:
    config = load("test-deploy.yml")
    commands = run_commands(config, "publish-helper", {})
    install = commands.index(
        "python -m pip install --no-deps --require-hashes -r requirements/orbtools.txt"
    )
    check = next(i for i, c in enumerate(commands) if "orbtools check-tag" in c)
    assert install < check


def test_orbtools_requirements_pin_the_locked_pyyaml() -> None:
    text = (ROOT / "requirements" / "orbtools.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    locked = re.search(r'^name = "pyyaml"\nversion = "([^"]+)"', lock, re.MULTILINE)
    assert locked and pins == [("pyyaml", locked.group(1))]
    assert text.count("--hash=sha256:") > 0


SCHEDULED = {**EXAMPLE_PIPELINE, "trigger_source": "scheduled_pipeline", "schedule.id": "x"}


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        (EXAMPLE_PIPELINE, ["lint-pack"]),  # a push, a tag
        ({**EXAMPLE_PIPELINE, "trigger_source": "api"}, ["lint-pack"]),
        ({**SCHEDULED, "schedule.name": "test-latest"}, ["test-latest"]),
        ({**SCHEDULED, "schedule.name": "another-schedule"}, []),
    ],
)
def test_the_schedule_runs_test_latest_and_nothing_else(
    pipeline: dict[str, Any], expected: list[str]
) -> None:
    config = load("config.yml")
    workflows = config["workflows"]
    assert [n for n, w in workflows.items() if workflow_runs(w, pipeline, n)] == expected


def test_the_scheduled_workflow_runs_make_test_latest() -> None:
    config = load("config.yml")
    [(_w, ref, args)] = [
        i for i in workflow_invocations(config, EXAMPLE_PIPELINE) if i[0] == "test-latest"
    ]
    assert run_commands(config, ref, args)[-1] == "make test-latest"


def test_the_wheel_published_is_the_one_built_and_hashed() -> None:
    """Issue 27: the orb installs the helper by hash, so the wheel uploaded must be the one
    build-helper made (and the integration jobs installed), checked against the orb's pin."""
    config = load("test-deploy.yml")
    commands = run_commands(config, "publish-helper", {})
    assert any("check-tag" in c and "--wheel dist/lambda_release-" in c for c in commands)
    assert not any("python -m build" in c for c in commands)  # never a second build
    steps = config["jobs"]["publish-helper"]["steps"]
    assert {"attach_workspace": {"at": "."}} in steps
