"""Issue 27 item 4: an orb parameter's value is a value, never an option or a second argument.

The scripts used to hand their arguments over one per line (`mapfile`), so a value holding a
line break (`region: "eu-west-1\\n--dry-run"`) became two helper arguments, the second an
option. Now every script builds its argument array directly; a value that is one argument
and holds a line break is refused with exit 2 naming the parameter, and a list's line breaks
only separate items, each joined to its option with "=". The table is every parameter that
reaches a script, read from the orb's commands, so a new parameter is covered or fails here.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from tests.orb.conftest import ORB_DIR
from tests.support.processes import OrbShell

INJECTED = "--dry-run"
VALUE = f"v1\n{INJECTED}"
# Parameters that are not a helper argument: the approval job's name is compared with the
# API's answer, the token parameter names a variable, booleans and enums are CircleCI's own
# values, and MODE is the install step's own switch.
NOT_ARGUMENTS = {"LR_STR_APPROVAL_JOB", "LR_ENV_TOKEN_NAME", "LR_STR_MODE"}
# Lists and SAM's syntax: a line break separates items (each then "--opt=item") or is a space.
LISTS = {
    "LR_STR_CAPABILITIES",
    "LR_STR_IMAGE_REPOSITORIES",
    "LR_STR_SECRET_PARAMETERS",
    "LR_STR_PRODUCTION_BRANCH",
    "LR_STR_PARAMETER_OVERRIDES",
    "LR_STR_ALLOW_ROLLED_BACK_CODE",
    "LR_STR_REASON",
}
# Split by the shell's rules: a word holding a line break is refused (exit 2), and a line
# break between words separates two --sam-arg=WORD.
SPLIT = {"LR_STR_EXTRA_BUILD_ARGS", "LR_STR_EXTRA_DEPLOY_ARGS"}


def reaching_scripts() -> list[tuple[str, str, str]]:
    """(script, variable, parameter) for each string parameter a command's run step passes."""
    found: set[tuple[str, str, str]] = set()
    for command in sorted((ORB_DIR / "commands").glob("*.yml")):
        for step in yaml.safe_load(command.read_text())["steps"]:
            runs = [step] + [s for w in [step.get("when")] if w for s in w.get("steps", [])]
            for item in runs:
                run = item.get("run") if isinstance(item, dict) else None
                if not run:
                    continue
                script = re.fullmatch(r"<<include\(scripts/(.+)\)>>", run["command"])
                assert script, command
                for var, value in (run.get("environment") or {}).items():
                    param = re.fullmatch(r"<< parameters\.(\w+) >>", str(value))
                    if (
                        var.startswith(("LR_STR_", "LR_ENV_"))
                        and param
                        and var not in NOT_ARGUMENTS
                    ):
                        found.add((script.group(1), var, param.group(1)))
    return sorted(found)


CASES = reaching_scripts()


def helper_that_logs(tmp_path: Path) -> Path:
    """A lambda-release (and uv) that write each argument NUL-terminated: nothing re-split."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("lambda-release", "uv"):
        tool = bin_dir / name
        tool.write_text(f'#!/usr/bin/env bash\nprintf "%s\\0" "$@" >> "{tmp_path}/{name}.args"\n')
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_the_table_covers_every_script_and_the_parameters_named_in_the_issue() -> None:
    names = {param for _script, _var, param in CASES}
    assert {"s3_bucket", "profile_name", "region", "record_file", "template"} <= names
    assert {script for script, _var, _param in CASES} >= {
        "deploy.sh",
        "build.sh",
        "check_template.sh",
        "target.sh",
        "rollback.sh",
        "ensure_record.sh",
        "install_helper.sh",
    }


@pytest.mark.parametrize(("script", "var", "param"), CASES, ids=[f"{s}:{p}" for s, _v, p in CASES])
def test_a_line_break_never_makes_an_option(
    orb_sh: OrbShell, tmp_path: Path, script: str, var: str, param: str
) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    env = {
        "PATH": f"{helper_that_logs(tmp_path)}:{os.environ['PATH']}",
        "LAMBDA_RELEASE_STACK": "app-prod",
        "LAMBDA_RELEASE_ALIAS": "PROD",
        "CIRCLE_BRANCH": "main",
        "LR_STR_RELEASE": "r-1",
        "LR_STR_HELPER_HOME": str(tmp_path / "home"),
        var: VALUE,
    }
    proc = orb_sh.script(script, env, tmp_path)
    args = [arg for log in tmp_path.glob("*.args") for arg in log.read_text().split("\0")[:-1]]
    assert INJECTED not in args, args
    if var in LISTS or (var in SPLIT and proc.returncode == 0):
        # Each item or word is one "--option=..." argument; the line break made no option.
        assert not any(a.startswith("-") and "=" not in a and a in VALUE for a in args), args
        return
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert param in proc.stderr, proc.stderr
    assert "--dry-run" not in proc.stderr  # the value itself is never echoed
