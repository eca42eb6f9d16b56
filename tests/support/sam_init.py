"""`sam init`'s hello-world app, rendered by the real SAM CLI from the vendored template."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.processes import Spawn
from tests.support.sam import sam_executable

FIXTURE = Path(__file__).parent.parent / "fixtures" / "sam_init" / "python3.11" / "hello"


def sam_init(spawn: Spawn, where: Path, name: str) -> Path:
    """The app `sam init --name NAME` makes, samconfig.toml included (SAM writes it)."""
    template = where / "template-copy"
    shutil.copytree(FIXTURE, template)
    argv = [sam_executable(), "init", "--location", str(template), "--name", name]
    done = spawn.run(
        [*argv, "--no-input", "--output-dir", str(where)],
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
        cwd=where,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return where / name
