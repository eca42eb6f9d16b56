"""SIGTERM while a command starts (issue 33 leftovers): loading `group deploy`'s modules
takes about half a second, and a CI job cancelled then was killed by the signal without a
word (exit -15). The handler is now installed before the command's modules load: nothing
has begun, so one line says so and the exit code is 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from tests.hostile.test_group_files import GOOD, NO_AWS

# The console script's own entry point (lambda_release.cli:run), with the loading of the
# command's module made to receive the SIGTERM a cancelled job sends: the signal lands in
# start-up every time, not only when a race is won.
SIGTERM_WHILE_LOADING = """
import os, signal
from lambda_release import cli, commands
real = commands.load
def load(name):
    os.kill(os.getpid(), signal.SIGTERM)
    return real(name)
commands.load = load
cli.run()
"""


def test_a_sigterm_while_the_command_loads_is_one_line_and_exit_1(
    processes: None, tmp_path: Path
) -> None:
    path = tmp_path / "lambda-release.group.yml"
    path.write_text(yaml.safe_dump(GOOD))
    env = {**os.environ, **NO_AWS, "HOME": str(tmp_path)}
    p = subprocess.run(
        [sys.executable, "-c", SIGTERM_WHILE_LOADING, "group", "deploy", str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert p.returncode != -signal.SIGTERM, "killed by the signal, without a word"
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stderr == "lambda-release group: interrupted while starting: nothing was done\n"
    assert p.stdout == ""
    assert not (tmp_path / ".aws-sam").exists()
