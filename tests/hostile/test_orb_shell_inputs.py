"""Issue 15 / issue 12 item 8: hostile values given to the orb's scripts.

Each case is a way the orb's inputs broke or could break: a variable whose value holds shell
syntax, quotes that never close, an empty or malformed release id, a record of the wrong
shape, a second approval job in the workflow, a here-string in a packed script. Each asserts
the exit code, the one-line message and that nothing ran that should not.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.orb.conftest import ORB_DIR  # also puts scripts/ (orbtools) on sys.path
from tests.support.processes import Cli, OrbShell

SCRIPTS = ORB_DIR / "scripts"
TARGET = {"LAMBDA_RELEASE_STACK": "app-prod", "LAMBDA_RELEASE_ALIAS": "PROD"}


def helper_that_logs(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    helper = bin_dir / "lambda-release"
    helper.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$@" >> "{tmp_path}/helper.log"\n')
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def script(
    orb_sh: OrbShell, name: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """The script as a step runs it, with a `lambda-release` on PATH that logs its arguments."""
    path = f"{helper_that_logs(tmp_path)}:{os.environ['PATH']}"
    return orb_sh.script(name, {"PATH": path, **env}, tmp_path)


def helper_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "helper.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_variable_holding_shell_syntax_is_substituted_as_text(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {
        **TARGET,
        "EVIL": "$(touch pwned)`touch pwned2`;touch pwned3",
        "LR_STR_S3_BUCKET": "${EVIL}",
        "LR_STR_PARAMETER_OVERRIDES": "Name=$EVIL",
    }
    proc = script(orb_sh, "deploy.sh", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "--s3-bucket=$(touch pwned)`touch pwned2`;touch pwned3" in helper_calls(tmp_path)
    assert not any((tmp_path / f).exists() for f in ("pwned", "pwned2", "pwned3"))


@pytest.mark.parametrize(
    ("variable", "value", "parameter"),
    [
        ("LR_STR_EXTRA_DEPLOY_ARGS", '--tags "a=b', "extra_deploy_args"),
        ("LR_STR_EXTRA_DEPLOY_ARGS", "--x 'unterminated", "extra_deploy_args"),
        ("LR_STR_EXTRA_DEPLOY_ARGS", "--x trailing\\", "extra_deploy_args"),
    ],
)
def test_unclosed_quotes_are_refused_never_joined(
    orb_sh: OrbShell, tmp_path: Path, variable: str, value: str, parameter: str
) -> None:
    proc = script(orb_sh, "deploy.sh", {**TARGET, variable: value}, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"lambda-release: {parameter} " in proc.stderr
    assert helper_calls(tmp_path) == []  # nothing released


def test_unclosed_quote_in_build_args_is_refused(orb_sh: OrbShell, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    proc = script(orb_sh, "build.sh", {"LR_STR_EXTRA_BUILD_ARGS": '--use-container "'}, tmp_path)
    assert proc.returncode == 2 and "extra_build_args" in proc.stderr
    assert helper_calls(tmp_path) == []


@pytest.mark.parametrize("record", ['{"id": ""}', "[]", '"r-1"', "{not json", '{"id": 7}'])
def test_no_usable_release_id_never_rolls_back_the_latest(
    orb_sh: OrbShell, tmp_path: Path, record: str
) -> None:
    """Run by a plain `bash` (no -e): the script's own strict mode must stop it."""
    (tmp_path / "release.json").write_text(record)
    env = {**TARGET, "LR_STR_DEPLOY_RECORD": "release.json"}
    proc = script(orb_sh, "rollback.sh", env, tmp_path)
    assert proc.returncode == 2
    assert "set the release parameter" in proc.stderr
    assert helper_calls(tmp_path) == []


def test_a_release_id_that_substitutes_to_nothing_is_refused(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {**TARGET, "LR_STR_RELEASE": "${NOT_SET_ANYWHERE}", "LR_STR_DEPLOY_RECORD": "none"}
    proc = script(orb_sh, "rollback.sh", env, tmp_path)
    assert proc.returncode == 2
    assert helper_calls(tmp_path) == []


def test_a_release_id_starting_with_dashes_stays_a_value(orb_sh: OrbShell, tmp_path: Path) -> None:
    proc = script(orb_sh, "rollback.sh", {**TARGET, "LR_STR_RELEASE": "--force"}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "--release=--force" in helper_calls(tmp_path)


def test_a_packed_here_string_is_not_a_parameter_expression() -> None:
    """The packer escapes << as \\<<; `\\<<< "$x" ... >>` once broke the compiler."""
    from orbtools.pack import pack  # noqa: PLC0415 - on sys.path once tests.orb.conftest ran
    from orbtools.params import expand, unescape  # noqa: PLC0415

    text = unescape(expand('read -r a \\<<< "$x"\necho >> "$f"', {}, {}, "here"))
    assert text == 'read -r a <<< "$x"\necho >> "$f"'
    assert pack(ORB_DIR)  # every script packs and compiles


def test_history_refuses_an_empty_pipeline_id(lr: Cli, tmp_path: Path) -> None:
    """An empty id must not mean "every pipeline": the rollback would pick any release."""
    proc = lr(
        "history",
        "--stack=app-prod",
        "--alias=PROD",
        "--pipeline-id=",
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_REGION": "eu-west-1"},
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "--pipeline-id is empty" in proc.stderr and proc.stderr.count("\n") == 1
