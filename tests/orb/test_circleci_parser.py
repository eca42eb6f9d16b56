"""CircleCI's own config parser and the project's validator agree: every config here is valid.

The parser is `@circleci/circleci-config-parser` from npm (CircleCI's, built on its config
SDK; tests/orb/parser/ holds its package.json and lock, `make parser-deps` installs it into
build/parser). tests/orb/parser/parse.js feeds it one config with the manifest of each orb the
config imports and prints what it parsed, or its error. The parser's three bugs that reject
valid configs (versions such as `@12.3`, inline orbs, a config without `jobs:`) are worked
around there, and only there.

What each orb's manifest holds:
- lambda-release: the packed orb's jobs, commands and executors, every parameter declared as
  the orb declares it (the parser checks each declaration);
- orb-tools, shellcheck, aws-cli: the names of the components of the versions the configs pin,
  without parameters. Their sources are not in this repository, and the parser never checks a
  job's arguments against a manifest (test_an_unknown_argument_...): a name it can check.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from orbtools import yamlio
from orbtools.compiler import workflow_invocations
from orbtools.validate import EXAMPLE_PIPELINE, config_problems, schema_problems

from tests.orb.conftest import ORB_DIR, ROOT

# Every test here runs node or yamllint: the `processes` fixture makes them e2e.
pytestmark = pytest.mark.usefixtures("processes")

PARSER_MODULES = ROOT / "build" / "parser" / "node_modules"
DRIVER = Path(__file__).parent / "parser" / "parse.js"
CIRCLECI = ROOT / ".circleci"
EXAMPLES = sorted((ORB_DIR / "examples").glob("*.yml"))

# Component names of the other orbs, at the versions the configs pin (no parameters: above).
OTHER_ORBS: dict[str, dict[str, list[str]]] = {
    "circleci/orb-tools@12": {
        "jobs": ["continue", "lint", "pack", "publish", "review"],
        "executors": ["default", "python"],
    },
    "circleci/shellcheck@3": {"jobs": ["check"], "commands": ["check", "install"]},
    "circleci/slack@6": {"commands": ["notify", "reaction"], "jobs": ["on-hold"]},
    "circleci/aws-cli@5": {
        "commands": ["install", "role_arn_setup", "setup"],
        "executors": ["default"],
    },
}


def manifest_of(orb: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The orb's manifest: each job's, command's and executor's parameter declarations (a copy)."""
    return copy.deepcopy(
        {
            kind: {n: (d or {}).get("parameters") or {} for n, d in (orb.get(kind) or {}).items()}
            for kind in ("jobs", "commands", "executors")
        }
    )


def manifests_for(config: dict[str, Any], packed_orb: dict[str, Any]) -> dict[str, Any]:
    """A manifest for each orb the config imports by reference (inline orbs carry their own)."""
    manifests: dict[str, Any] = {}
    for alias, ref in (config.get("orbs") or {}).items():
        if not isinstance(ref, str):
            continue
        name, _, version = ref.partition("@")
        if name.endswith("/lambda-release"):
            manifests[alias] = manifest_of(packed_orb)
            continue
        key = f"{name}@{version.split('.')[0]}"
        assert key in OTHER_ORBS, f"no manifest for the orb {ref}: add its components"
        manifests[alias] = {
            kind: {component: {} for component in names} for kind, names in OTHER_ORBS[key].items()
        }
    return manifests


def parse(config: dict[str, Any], manifests: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("node") is None or not (PARSER_MODULES / "@circleci").is_dir():
        pytest.fail("CircleCI's config parser needs node and `make parser-deps` (build/parser)")
    proc = subprocess.run(
        ["node", str(DRIVER)],
        input=json.dumps({"config": config, "manifests": manifests}),
        env={"PATH": os.environ["PATH"], "NODE_PATH": str(PARSER_MODULES)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert isinstance(result, dict)
    return result


def load(path: Path) -> dict[str, Any]:
    data = yamlio.load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def pipeline_config(name: str, packed_orb: dict[str, Any]) -> dict[str, Any]:
    """A file of .circleci/ as CircleCI parses it: test-deploy.yml with the packed orb injected
    into its empty inline `lambda-release: {}`, as orb-tools/continue does."""
    config = load(CIRCLECI / name)
    if config["orbs"].get("lambda-release") == {}:
        config["orbs"]["lambda-release"] = copy.deepcopy(packed_orb)
    return config


def example_config(path: Path) -> dict[str, Any]:
    usage = load(path)["usage"]
    assert isinstance(usage, dict)
    return usage


def jobs_seen_by_the_validator(config: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (workflow, ref)
        for workflow, ref, args in workflow_invocations(config, EXAMPLE_PIPELINE)
        if args.get("type") != "approval"
    }


def jobs_seen_by_the_parser(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (workflow, entry["job"])
        for workflow, entries in result["workflows"].items()
        for entry in entries
        if entry["job"] is not None  # an approval
    }


def both_accept(config: dict[str, Any], packed_orb: dict[str, Any], where: str) -> None:
    assert config_problems(config, packed_orb, where) == []
    result = parse(config, manifests_for(config, packed_orb))
    assert result["ok"], result.get("error")
    # Every orb imported (none dropped) and every workflow job parsed, as the validator sees them.
    assert sorted(result["orbs"]) == sorted(config.get("orbs") or {})
    assert jobs_seen_by_the_parser(result) == jobs_seen_by_the_validator(config)


def test_the_files_under_test_are_all_there(packed_orb: dict[str, Any]) -> None:
    assert sorted(p.name for p in CIRCLECI.glob("*.yml")) == ["config.yml", "test-deploy.yml"]
    assert sorted(p.stem for p in EXAMPLES) == sorted(packed_orb["examples"])


@pytest.mark.parametrize("name", ["config.yml", "test-deploy.yml"])
def test_both_accept_the_projects_pipeline(name: str, packed_orb: dict[str, Any]) -> None:
    config = pipeline_config(name, packed_orb)
    assert schema_problems({name: load(CIRCLECI / name)}) == []
    both_accept(config, packed_orb, name)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_both_accept_every_example_of_the_orb(path: Path, packed_orb: dict[str, Any]) -> None:
    config = example_config(path)
    assert schema_problems({path.stem: config}) == []
    both_accept(config, packed_orb, f"example {path.stem}")


def test_the_parser_reads_the_orbs_parameter_declarations(packed_orb: dict[str, Any]) -> None:
    config = example_config(ORB_DIR / "examples" / "canary_with_alarms.yml")
    manifests = manifests_for(config, packed_orb)
    assert parse(config, manifests)["ok"]
    manifests["lambda-release"]["jobs"]["deploy"]["stack_prefix"]["type"] = "strng"
    result = parse(config, manifests)
    assert not result["ok"] and "Could not find valid parameter list" in result["error"]


@pytest.mark.parametrize(
    ("name", "change", "expected", "validator_expected"),
    [
        (
            "config.yml",
            lambda c: c["workflows"]["lint-pack"]["jobs"].append("build-it"),
            "Job build-it not found in config",
            "job 'build-it' is not defined",
        ),
        (
            "config.yml",
            lambda c: c["jobs"]["python-tests"]["steps"].append({"run": {"comand": "make"}}),
            "job:python-tests/steps/run\nFailed to validate",
            "run step without a command",
        ),
        (
            "test-deploy.yml",
            lambda c: c["workflows"]["test-deploy"]["jobs"].append({"lambda-release/deplyo": {}}),
            "Job lambda-release/deplyo not found in config",
            "job 'lambda-release/deplyo' is not defined",
        ),
        # Other orbs' components: the validator has no manifest of them, the parser has.
        (
            "config.yml",
            lambda c: c["workflows"]["lint-pack"]["jobs"].append({"orb-tools/lnt": {}}),
            "Job orb-tools/lnt not found in config",
            None,
        ),
        (
            "config.yml",
            lambda c: c["jobs"]["python-tests"]["steps"].append({"shellcheck/instal": {}}),
            "Custom Command shellcheck/instal not found",
            None,
        ),
    ],
    ids=["unknown-job", "bad-run-step", "inline-orb-job", "other-orb-job", "other-orb-command"],
)
def test_the_parser_rejects_a_broken_pipeline(
    name: str,
    change: Any,
    expected: str,
    validator_expected: str | None,
    packed_orb: dict[str, Any],
) -> None:
    config = pipeline_config(name, packed_orb)
    change(config)
    result = parse(config, manifests_for(config, packed_orb))
    assert not result["ok"] and expected in result["error"]
    problems = config_problems(config, packed_orb, name)
    if validator_expected is None:
        assert problems == []
    else:
        assert any(validator_expected in p for p in problems), problems


def test_the_parser_rejects_an_unknown_job_of_the_orb(packed_orb: dict[str, Any]) -> None:
    config = example_config(ORB_DIR / "examples" / "rollback_behind_approval.yml")
    jobs = config["workflows"]["release"]["jobs"]
    jobs[-1] = {"lambda-release/rolback": next(iter(jobs[-1].values()))}
    result = parse(config, manifests_for(config, packed_orb))
    assert not result["ok"] and "Job lambda-release/rolback not found in config" in result["error"]
    assert any(
        "'lambda-release/rolback' is not defined" in p
        for p in config_problems(config, packed_orb, "example")
    )


def test_an_unknown_argument_is_caught_by_the_validator_not_the_parser(
    packed_orb: dict[str, Any],
) -> None:
    """The parser checks that an orb's job exists, not the arguments it is given."""
    config = example_config(ORB_DIR / "examples" / "canary_with_alarms.yml")
    config["workflows"]["release"]["jobs"][0]["lambda-release/deploy"]["stack_prefx"] = "x"
    assert parse(config, manifests_for(config, packed_orb))["ok"]
    problems = config_problems(config, packed_orb, "example")
    assert any("unexpected argument(s) stack_prefx" in p for p in problems)


def test_an_orb_the_parser_would_drop_is_an_error_not_a_pass(packed_orb: dict[str, Any]) -> None:
    """A reference the parser cannot read is reported: never a config silently half-parsed."""
    config = example_config(ORB_DIR / "examples" / "canary_with_alarms.yml")
    manifests = manifests_for(config, packed_orb)
    config["orbs"]["aws-cli"] = "circleci/aws-cli@volatile"  # CircleCI's, not the parser's
    result = parse(config, manifests)
    assert not result["ok"] and "dropped the orb import(s) aws-cli" in result["error"]
