"""One yamllint configuration: the repository's .yamllint, for orb-tools' lint job and for us.

orb-tools' lint job (circleci/orb-tools@12.3, src/scripts/lint.sh) runs a bare
`yamllint "$ORB_VAL_SOURCE_DIR"`, i.e. `yamllint orb`, from the checkout's root: yamllint
then reads .yamllint (or .yamllint.yaml, .yamllint.yml) from the working directory.
`make orb-check` passes the same file with -c.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from orbtools.__main__ import YAMLLINT_FILE, lint

from tests.orb.conftest import ORB_DIR, ROOT

# Every test here runs node or yamllint: the `processes` fixture makes them e2e.
pytestmark = pytest.mark.usefixtures("processes")

YAMLLINT = str(Path(sys.executable).parent / "yamllint")


def test_a_bare_yamllint_orb_passes_from_the_root(tmp_path: Path) -> None:
    # HOME elsewhere: no user-global configuration can stand in for the repository's file.
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.run(
        [YAMLLINT, "orb"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " error " not in proc.stdout


def test_without_the_file_the_bare_run_fails_as_it_would_on_circleci(tmp_path: Path) -> None:
    """yamllint's defaults (80 columns): why the repository needs its .yamllint."""
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.run(
        [YAMLLINT, "-d", "default", "orb"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "(line-length)" in proc.stdout


def test_orbtools_lints_with_the_root_file(orb_copy: Path) -> None:
    config = ROOT / YAMLLINT_FILE
    assert lint(ORB_DIR, [ROOT / ".circleci"], config) == []
    (orb_copy / "jobs" / "deploy.yml").write_text(
        "description: a\ndescription: b\n", encoding="utf-8"
    )
    problems = lint(orb_copy, [], config)
    assert len(problems) == 1 and "key-duplicates" in problems[0]


def test_orbtools_refuses_to_lint_without_the_file(tmp_path: Path) -> None:
    problems = lint(ORB_DIR, [], tmp_path / YAMLLINT_FILE)
    assert len(problems) == 1 and "bare `yamllint orb`" in problems[0]
