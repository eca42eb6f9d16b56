"""The validator: the real orb and examples pass; each mistake the schema misses is caught."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from orbtools.validate import config_problems, orb_problems, schema_problems, validate


def test_the_orb_and_every_example_are_valid_with_the_schema(
    processes: None, packed_orb: dict[str, Any]
) -> None:
    assert validate(packed_orb, schema=True) == []


def test_the_schema_catches_what_it_covers(processes: None, packed_orb: dict[str, Any]) -> None:
    broken = copy.deepcopy(packed_orb)
    broken["commands"]["install"]["steps"][1]["run"]["when"] = "sometimes"
    problems = schema_problems({"orb": broken})
    assert problems and "sometimes" in problems[0]


def user_config(job_args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "version": 2.1,
        "orbs": {
            "lambda-release": "lambda-release/lambda-release@1",
            "aws-cli": "circleci/aws-cli@5",
        },
        "workflows": {"w": {"jobs": [{"lambda-release/deploy": job_args}]}},
        **extra,
    }


def problems_of(packed_orb: dict[str, Any], config: dict[str, Any]) -> str:
    return "\n".join(config_problems(config, packed_orb, "config"))


def test_a_good_config_has_no_problem(packed_orb: dict[str, Any]) -> None:
    config = user_config({"stack_prefix": "app", "auth": [{"aws-cli/setup": {"role_arn": "x"}}]})
    assert problems_of(packed_orb, config) == ""


@pytest.mark.parametrize(
    ("config_change", "expected"),
    [
        (lambda c: c.update(jobz={}), "unknown top-level key 'jobz'"),
        (lambda c: c["workflows"]["w"]["jobs"].append("build-it"), "job 'build-it' is not defined"),
        (
            lambda c: c["workflows"]["w"]["jobs"].append({"lambda-release/deplyo": {}}),
            "job 'lambda-release/deplyo' is not defined",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                stack_prefx="a"
            ),
            "unexpected argument(s) stack_prefx",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                resolve_s3="yes"
            ),
            "argument 'resolve_s3': expected boolean",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                target_environment="production"
            ),
            "'production' is not one of",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                requires=["nothing"]
            ),
            "requires unknown job 'nothing'",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                requires=[{"nothing": ["success", "failed"]}]
            ),
            "requires unknown job 'nothing'",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                requires=[{"lambda-release/deploy": ["success", "broken"]}]
            ),
            "unknown status 'broken'",
        ),
        (
            lambda c: c["workflows"]["w"]["jobs"][0]["lambda-release/deploy"].update(
                executor="lambda-release/windows"
            ),
            "executor 'lambda-release/windows' is not defined",
        ),
        (
            lambda c: c["workflows"]["w"].update(
                when={"equal": ["scheduled_pipeline", "<< pipeline.trigger_sorce >>"]}
            ),
            "workflow w when: unknown pipeline value << pipeline.trigger_sorce >>",
        ),
    ],
)
def test_mistakes_in_a_config_are_found(
    packed_orb: dict[str, Any], config_change: Any, expected: str
) -> None:
    config = user_config({"stack_prefix": "app"})
    config_change(config)
    assert expected in problems_of(packed_orb, config)


def test_the_status_form_of_requires_is_understood(packed_orb: dict[str, Any]) -> None:
    """`requires: [{job: [success, failed]}]` (a rollback after a failed deploy) used to crash
    the validator (unhashable dict) and call the job unknown."""
    config = user_config({"stack_prefix": "app"})
    jobs = config["workflows"]["w"]["jobs"]
    jobs.append(
        {
            "hold": {
                "type": "approval",
                "requires": [{"lambda-release/deploy": ["success", "failed"]}],
            }
        }
    )
    jobs.append(
        {"after": {"type": "approval", "requires": [{"hold": "terminal"}, "lambda-release/deploy"]}}
    )
    assert problems_of(packed_orb, config) == ""


def test_a_missing_required_parameter_is_found(packed_orb: dict[str, Any]) -> None:
    orb = copy.deepcopy(packed_orb)
    del orb["jobs"]["deploy"]["parameters"]["stack_prefix"]["default"]
    assert "missing required argument 'stack_prefix'" in problems_of(orb, user_config({}))
    assert problems_of(orb, user_config({"stack_prefix": "app"})) == ""


def _set(path: list[Any], value: Any) -> Any:
    def change(orb: dict[str, Any]) -> None:
        target = orb
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(["descripton"], "typo"), "unknown top-level key 'descripton'"),
        (
            lambda orb: orb["jobs"]["deploy"]["steps"].append({"sam-deploy": {}}),
            "command 'sam-deploy' is not defined",
        ),
        (
            _set(["commands", "check", "steps", 0, "run", "name"], "<< parameters.templat >>"),
            "<< parameters.templat >> refers to an undeclared parameter",
        ),
        (
            _set(["executors", "default", "parameters", "tag", "type"], "text"),
            "parameter 'tag' has type 'text'",
        ),
        (
            _set(["commands", "build", "parameters", "template", "default"], 3),
            "parameter 'template' default: expected string",
        ),
        (
            _set(["jobs", "rollback", "parameters", "target_environment", "default"], "qa"),
            "parameter 'target_environment' default: 'qa' is not one of",
        ),
        (
            _set(["jobs", "deploy", "executor"], "gpu"),
            "executor 'gpu' is not defined",
        ),
    ],
)
def test_undefined_things_inside_the_orb_are_found(
    packed_orb: dict[str, Any], change: Any, expected: str
) -> None:
    orb = copy.deepcopy(packed_orb)
    change(orb)
    assert expected in "\n".join(orb_problems(orb))
