"""Hostile input to the group commands (release waves, issue 33) refused before AWS: a
malformed --group-release, a bake longer than any CI job, a template out of the group
file's folder, and files that are no group file at all. Exit 2, naming the value, never a
traceback, nothing asked of AWS (its endpoint here answers nothing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from lambda_release.group.model import problems
from tests.hostile.test_group_files import GOOD, run, write
from tests.support.processes import Cli


def with_target(**changes: object) -> str:
    target = {"stack": "orders-prod", "region": "us-east-1", **changes}
    return yaml.safe_dump({**GOOD, "waves": [{"targets": [target]}]})


@pytest.mark.parametrize(
    "gid",
    [
        "zz-zz",  # flipped into a key, it was an internal error (exit 3)
        "20261206T140000.000000Z-0a0b0c0g",
        "../../other-group/runs/x",  # was read from S3 as a key out of the group's folder
        "20261206T140000.000000Z-0a0b0c0d/../x",
        "x" * 100_000,
    ],
)
@pytest.mark.parametrize("action", ["status", "rollback"])
def test_a_malformed_group_release_id_is_bad_input(
    lr: Cli, tmp_path: Path, gid: str, action: str
) -> None:
    path = write(tmp_path, yaml.safe_dump(GOOD))
    code, err = run(lr, tmp_path, "group", action, str(path), "--group-release", gid)
    assert code == 2, err
    assert "is not a group release id" in err and "group history" in err, err
    assert "cannot reach AWS" not in err
    assert len(err) < 1000  # a huge id is cut short, not echoed whole


@pytest.mark.parametrize("bake", ["25h", "1441m", "86401s", "99999h"])
def test_a_bake_longer_than_a_day_is_bad_input(lr: Cli, tmp_path: Path, bake: str) -> None:
    body = {**GOOD, "waves": [{**GOOD["waves"][1], "bake": bake}]}
    path = write(tmp_path, yaml.safe_dump(body))
    code, err = run(lr, tmp_path, "group", "deploy", str(path), "--dry-run")
    assert code == 2, err
    assert f"waves[0].bake: '{bake}' is longer than a day" in err, err


def test_a_bake_of_a_day_is_good(lr: Cli, tmp_path: Path) -> None:
    body = {**GOOD, "waves": [{**GOOD["waves"][1], "bake": "24h"}]}
    path = write(tmp_path, yaml.safe_dump(body))
    p = lr("check", "--group", str(path), cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize(
    "template", ["../../etc/passwd", "/etc/passwd", "a/../../b.yaml", "..", "./../t.yaml"]
)
@pytest.mark.parametrize("command", [("group", "deploy"), ("check", "--group")])
def test_a_template_out_of_the_group_files_folder_is_bad_input(
    lr: Cli, tmp_path: Path, template: str, command: tuple[str, str]
) -> None:
    path = write(tmp_path, with_target(template=template))
    extra = ("--dry-run",) if command[0] == "group" else ()
    code, err = run(lr, tmp_path, *command, str(path), *extra)
    assert code == 2, err
    assert "waves[0].targets[0].template" in err, err
    assert "root:" not in err  # /etc/passwd never read


def test_a_template_in_a_subfolder_is_good(lr: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, with_target(template="services/a/template.yaml"))
    p = lr("check", "--group", str(path), cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr


def test_files_that_are_no_group_file(lr: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.yml"
    folder.mkdir()
    latin1 = tmp_path / "latin1.yml"
    latin1.write_bytes(b"version: 1\ngroup: caf\xe9\n")
    scalar = write(tmp_path, "just words\n")
    link = tmp_path / "link.yml"
    link.symlink_to(tmp_path / "nowhere" / "g.yml")
    cases = [
        (folder, "cannot be read"),
        (latin1, "cannot be read"),
        (scalar, "holds a str, not a mapping"),
        (link, "does not exist"),
    ]
    if os.geteuid() != 0:  # root reads a file whatever its mode
        secret = tmp_path / "unreadable.yml"
        secret.write_text(yaml.safe_dump(GOOD))
        secret.chmod(0)
        cases.append((secret, "cannot be read"))
    for path, says in cases:
        code, err = run(lr, tmp_path, "group", "deploy", str(path), "--dry-run")
        assert code == 2, (path, err)
        assert says in err and str(path) in err, (path, err)


def _wave(**changes: object) -> dict[str, object]:
    return {**GOOD, "waves": [{"targets": [{"stack": "a", "region": "us-east-1"}], **changes}]}


def _target(**target: object) -> dict[str, object]:
    return {**GOOD, "waves": [{"targets": [target]}]}


HELD = {
    "version 2": ({**GOOD, "version": 2}, "version: 2 is not 1"),
    'version "1"': ({**GOOD, "version": "1"}, "version: '1' is not 1"),
    "version true": ({**GOOD, "version": True}, "version: True is not 1"),
    "concurrency 0": (_wave(concurrency=0), "concurrency: 0 is not a whole number"),
    "concurrency -1": (_wave(concurrency=-1), "concurrency: -1 is not"),
    # YAML 1.1 reads 1e9 as a string (no dot): refused as not a whole number.
    "concurrency 1e9": (_wave(concurrency=yaml.safe_load("c: 1e9")["c"]), "'1e9' is not"),
    "concurrency 1.0e+9": (_wave(concurrency=yaml.safe_load("c: 1.0e+9")["c"]), "1000000000.0"),
    "concurrency true": (_wave(concurrency=True), "concurrency: True is not"),
    "concurrency nan": (_wave(concurrency=float("nan")), "concurrency: nan is not"),
    "concurrency 1.5": (_wave(concurrency=1.5), "concurrency: 1.5 is not"),
    "bake 10x": (_wave(bake="10x"), "bake: '10x' is not a duration"),
    "bake -1m": (_wave(bake="-1m"), "bake: '-1m' is not a duration"),
    'bake ""': (_wave(bake=""), "bake: '' is not a duration"),
    "bake 10": (_wave(bake=10), "bake: 10 is not a duration"),
    "stack and prefix": (
        _target(stack="a", stack_prefix="a", region="us-east-1"),
        "give exactly one of stack and stack_prefix",
    ),
    "neither": (_target(region="us-east-1"), "give exactly one of stack and stack_prefix"),
    "region with a space": (_target(stack="a", region="us-east-1 "), "'us-east-1 ' is not an AWS"),
    "region with a newline": (_target(stack="a", region="us-east-1\n"), "'us-east-1\\n' is not"),
    "huge group": ({**GOOD, "group": "g" * 100_000}, "group: 'ggg"),
}


@pytest.mark.parametrize("case", sorted(HELD))
def test_inputs_that_held(case: str) -> None:
    """Tried as a hostile user and refused already (each naming its path)."""
    data, says = HELD[case]
    found = problems(data)
    assert any(says in p for p in found), found
    assert all(len(p) < 400 for p in found)


@pytest.mark.parametrize(
    "value",
    [
        83749283105,  # a password written unquoted: YAML reads a number
        "s3cr3t-" + "k" * 5000,  # over CloudFormation's 4096
        "s3cr3t-before\0after",  # no argv carries a NUL: sam could never be given it
        ["s3cr3t-in-a-list"],
    ],
)
@pytest.mark.parametrize("command", [("group", "deploy"), ("check", "--group")])
def test_a_bad_override_value_is_refused_without_showing_it(
    lr: Cli, tmp_path: Path, value: object, command: tuple[str, str]
) -> None:
    """The value was quoted in the message (`83749283105 is not a string`; jsonschema's
    likewise): a NoEcho parameter's value in the CI log."""
    path = write(tmp_path, with_target(parameter_overrides={"DbPassword": value}))
    extra = ("--dry-run",) if command[0] == "group" else ()
    code, err = run(lr, tmp_path, *command, str(path), *extra)
    assert code == 2, err
    assert "parameter_overrides.DbPassword" in err and "not shown" in err, err
    assert "83749283105" not in err and "s3cr3t" not in err, err


def symlinked_out(tmp_path: Path) -> tuple[Path, Path]:
    """A folder holding the group file, and one beside it (out of it) holding a template."""
    inside, outside = tmp_path / "repo", tmp_path / "elsewhere"
    inside.mkdir()
    (outside / "sub").mkdir(parents=True)
    (outside / "template.yaml").write_text("Resources: {}\n")
    (outside / "sub" / "template.yaml").write_text("Resources: {}\n")
    return inside, outside


@pytest.mark.parametrize("how", ["the file", "a folder on its way"])
@pytest.mark.parametrize("command", [("group", "deploy"), ("check", "--group")])
def test_a_template_symlinked_out_of_the_folder_is_refused_as_escaping_it(
    lr: Cli, tmp_path: Path, how: str, command: tuple[str, str]
) -> None:
    inside, outside = symlinked_out(tmp_path)
    if how == "the file":
        (inside / "template.yaml").symlink_to(outside / "template.yaml")
        template = "template.yaml"
    else:
        (inside / "services").symlink_to(outside / "sub", target_is_directory=True)
        template = "services/template.yaml"
    path = write(inside, with_target(template=template))
    extra = ("--dry-run",) if command[0] == "group" else ()
    code, err = run(lr, inside, *command, str(path), *extra)
    assert code == 2, err
    assert f"waves[0].targets[0].template: '{template}' resolves to" in err, err
    assert str(outside.resolve()) in err and "outside the group file's folder" in err, err
    assert "cannot reach AWS" not in err  # refused before any look-up


def test_a_symlink_that_stays_inside_the_folder_is_good(lr: Cli, tmp_path: Path) -> None:
    inside, _ = symlinked_out(tmp_path)
    (inside / "real").mkdir()
    (inside / "real" / "template.yaml").write_text("Resources: {}\n")
    (inside / "template.yaml").symlink_to(inside / "real" / "template.yaml")
    path = write(inside, with_target(template="template.yaml"))
    p = lr("check", "--group", str(path), cwd=inside, timeout=120)
    assert p.returncode == 0, p.stderr
