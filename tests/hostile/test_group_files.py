"""Hostile group files (release waves, issue 33), through the console script: each is bad
input (exit 2), one line per problem naming its path and the file, never a traceback,
and nothing is looked up in AWS before the file is good."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.processes import Cli

GOOD = {
    "version": 1,
    "group": "orders",
    "alias": "PROD",
    "waves": [
        {"targets": [{"stack": "orders-prod", "region": "us-east-1"}]},
        {"bake": "10m", "targets": [{"stack_prefix": "orders", "region": "eu-west-1"}]},
    ],
}
# An endpoint nobody listens on: a command that reached AWS would fail otherwise (exit 1).
NO_AWS = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "y",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lambda-release.group.yml"
    path.write_text(text)
    return path


def run(lr: Cli, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**NO_AWS, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    p = lr(*args, cwd=tmp_path, env=env, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p.returncode, p.stderr


CASES = {
    "unknown key": (
        yaml.safe_dump({**GOOD, "colour": "red"}),
        "colour: unknown key",
    ),
    "a target twice": (
        yaml.safe_dump(
            {
                **GOOD,
                "waves": [
                    *GOOD["waves"],
                    {"targets": [{"stack": "orders-prod", "region": "us-east-1"}]},
                ],
            }
        ),
        "already waves[0].targets[0]",
    ),
    "prefix and stack meeting": (
        yaml.safe_dump(
            {
                **GOOD,
                "waves": [
                    *GOOD["waves"],
                    {"targets": [{"stack": "orders-prod", "region": "eu-west-1"}]},
                ],
            }
        ),
        "already waves[1].targets[0]",
    ),
    "empty file": ("", "not a mapping"),
    "a list": ("- 1\n- 2\n", "not a mapping"),
    "not YAML": ("version: 1\ngroup: [\n", "is not YAML"),
    "huge value": (
        yaml.safe_dump({**GOOD, "group": "g" * 1_000_000}),
        "group: 'ggggg",
    ),
    "huge override": (
        yaml.safe_dump(
            {
                **GOOD,
                "waves": [
                    {
                        "targets": [
                            {
                                "stack": "a",
                                "region": "us-east-1",
                                "parameter_overrides": {"A": "x" * 100_000},
                            }
                        ]
                    }
                ],
            }
        ),
        "waves[0].targets[0].parameter_overrides.A",
    ),
    "empty values": (
        yaml.safe_dump(
            {"version": 1, "group": "", "waves": [{"targets": [{"stack": "", "region": ""}]}]}
        ),
        "waves[0].targets[0].region",
    ),
    "control characters": (
        yaml.safe_dump({**GOOD, "group": "a\x1b[1Ab"}),
        "\\x1b",
    ),
    "a YAML bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nversion: 1\n",
        "unknown key",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_group_deploy_refuses_a_bad_file_naming_it(lr: Cli, tmp_path: Path, case: str) -> None:
    text, words = CASES[case]
    path = write(tmp_path, text)
    code, err = run(lr, tmp_path, "group", "deploy", str(path), "--dry-run")
    assert code == 2, err
    assert words in err, err
    assert str(path) in err
    assert len(err) < 20_000  # a huge value is shown cut short, not echoed whole


@pytest.mark.parametrize("case", ["unknown key", "empty values", "huge override"])
def test_check_group_names_each_problem_with_its_path(lr: Cli, tmp_path: Path, case: str) -> None:
    path = write(tmp_path, CASES[case][0])
    code, err = run(lr, tmp_path, "check", "--group", str(path))
    assert code == 2, err
    assert err.count("lambda-release check: ") >= 1


def test_check_group_passes_a_good_file(lr: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, yaml.safe_dump(GOOD))
    p = lr("check", "--group", str(path), cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "2 wave(s), 2 target(s): valid" in p.stdout


def test_a_missing_file_is_bad_input(lr: Cli, tmp_path: Path) -> None:
    code, err = run(lr, tmp_path, "group", "status")
    assert code == 2
    assert "lambda-release.group.yml" in err and "does not exist" in err
    code, err = run(lr, tmp_path, "group", "undo", "x.yml")
    assert code == 2 and "invalid choice" in err


def test_a_bad_alias_is_bad_input_before_anything_runs(lr: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, yaml.safe_dump(GOOD))
    code, err = run(lr, tmp_path, "group", "deploy", str(path), "--alias", "12345")
    assert code == 2 and "all digits" in err, err
