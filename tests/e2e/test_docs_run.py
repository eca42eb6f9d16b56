"""Docs that run: every shell block of README.md and docs/*.md marked `sh sandbox` runs
verbatim against the local stand-in (tests/support/doc_blocks.py says how), and each
documented output line is what the command printed."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.doc_blocks import Block, printed, shell_blocks
from tests.support.processes import Spawn
from tests.support.sam_init import sam_init

RUNNABLE = [b for b in shell_blocks() if b.runs]
pytestmark = pytest.mark.xdist_group("docs")  # one stand-in: the blocks share its stacks


@pytest.fixture(scope="session")
def rendered_app(spawn: Spawn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sam init`'s hello-world app, rendered once by the real SAM CLI."""
    return sam_init(spawn, tmp_path_factory.mktemp("sam-init"), "my-sam-app")


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.where for b in RUNNABLE])
def test_documented_block_runs_as_written(
    block: Block,
    rendered_app: Path,
    sandbox_env: dict[str, str],
    spawn: Spawn,
    git: Callable[..., None],
    tmp_path: Path,
) -> None:
    app = tmp_path / "my-sam-app"
    shutil.copytree(rendered_app, app)
    git(app, "init", "-q", "-b", "docs")
    git(app, "add", ".")
    git(app, "commit", "-qm", "sam init")
    out_dir = tmp_path / "outputs"
    out_dir.mkdir()
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **sandbox_env,
        "PATH": os.pathsep.join([venv_bin, sandbox_env.get("PATH", "")]),
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_DISABLE_VERSION_CHECK": "1",
    }
    env.pop("BASH_ENV", None)
    env.pop("CIRCLECI", None)
    env.pop("CI", None)
    done = spawn.run(["bash", "-c", block.script(out_dir)], env=env, cwd=tmp_path)
    assert done.returncode == 0, f"{block.where}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    for n, cmd in enumerate(block.commands):
        if not cmd.expected:
            continue
        said = (out_dir / str(n)).read_text()
        for line in cmd.expected:
            assert printed(line, said), f"{block.where}: `{cmd.text}` printed {said!r}"
