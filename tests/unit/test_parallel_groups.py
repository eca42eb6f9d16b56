"""The parallel run's grouping holds: tests that share a fixture run on one worker.

tests/conftest.py marks them with `xdist_group` and `make test` runs `--dist loadgroup`.
pytest 9.2 made pytest-xdist 3.8 ignore the marks without a word (pytest-dev/pytest-xdist#1386):
module stacks and the IAM story were then set up once per worker. This runs a small suite
with the installed pytest and pytest-xdist and checks the groups reach the workers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.support.processes import Spawn

SUITE = """\
import pytest

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("i", range(6))
def test_grouped(i):
    pass

@pytest.mark.parametrize("i", range(6))
def test_free(i):
    pass
"""


def test_tests_in_one_xdist_group_run_on_one_worker(spawn: Spawn, tmp_path: Path) -> None:
    (tmp_path / "test_groups.py").write_text(SUITE)
    argv = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"]
    done = spawn.run([*argv, "-p", "no:cacheprovider", "test_groups.py"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    workers = re.findall(r"\[(gw\d)\] .*PASSED .*test_grouped", done.stdout)
    assert len(workers) == 6, done.stdout
    assert len(set(workers)) == 1, f"the group was split over {sorted(set(workers))}"
