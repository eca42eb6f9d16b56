"""The cfn-lint command lines the documentation gives lint the template, run as written."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from lambda_release.commands.check import DESCRIPTION
from tests.check.helpers import BIN, REPO, SEED
from tests.support.processes import Spawn

SOURCES = {
    "docs/rules.md": (REPO / "docs" / "rules.md").read_text(encoding="utf-8"),
    "check --help": DESCRIPTION,
    "rules/__init__.py": (REPO / "src/lambda_release/check/rules/__init__.py").read_text(
        encoding="utf-8"
    ),
}


def _documented() -> list[tuple[str, str]]:
    lines = []
    for where, text in SOURCES.items():
        for m in re.finditer(
            r"^\s*(cfn-lint (?:--append-rules|template\.yaml)[^\n]*)$", text, re.M
        ):
            lines.append((where, m.group(1).strip()))
    return lines


COMMANDS = _documented()


def test_every_source_documents_a_command() -> None:
    assert {where for where, _ in COMMANDS} == set(SOURCES)


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_documented_cfnlint_command_lints_the_template(
    spawn: Spawn, tmp_path: Path, where: str, command: str
) -> None:
    shutil.copy(SEED / "template-canary.yaml", tmp_path / "template.yaml")
    (tmp_path / "src").symlink_to(REPO / "src")  # 'src/...' and 'path/to/src/...' as written
    (tmp_path / "path" / "to").mkdir(parents=True)
    (tmp_path / "path" / "to" / "src").symlink_to(REPO / "src")
    argv = shlex.split(command)
    proc = spawn.run([BIN / argv[0], *argv[1:]], cwd=tmp_path, timeout=300)
    # cfn-lint's default format: the finding, then where it is.
    assert "E9005 Function MyFunc shifts traffic" in proc.stdout, (
        f"{where}: {command!r} linted nothing: {proc.stdout}{proc.stderr}"
    )
    assert "template.yaml:11:7" in proc.stdout
