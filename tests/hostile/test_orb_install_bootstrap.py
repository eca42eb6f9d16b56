"""Attacks on the install step's uv bootstrap: what a CI environment may set against it.

With the real python3 and pip: an environment that forbids installs outside a virtual
environment (PIP_REQUIRE_VIRTUALENV, common on developer machines and some images) or asks
pip for user installs (PIP_USER) must not stop the bootstrap. These reach PyPI for uv, as the
orb's install step does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.processes import OrbShell


def clean_path() -> str:
    """PATH without any uv, so that the bootstrap is what gets tested."""
    return os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()
    )


def bootstrap(
    orb_sh: OrbShell, tmp_path: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    home = tmp_path / "helper home's"  # a space and a quote: both must survive
    proc = orb_sh.function(
        "install_helper.sh", f'lr_uv "{home}"', {"PATH": clean_path(), **env}, tmp_path
    )
    return proc, home


def works(orb_sh: OrbShell, uv: str) -> bool:
    done = orb_sh.spawn.run([uv, "--version"])
    return done.returncode == 0 and done.stdout.startswith("uv ")


def test_a_pip_that_refuses_installs_outside_a_venv_falls_back_to_one(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    proc, home = bootstrap(orb_sh, tmp_path, PIP_REQUIRE_VIRTUALENV="1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{home}/tools/bin/uv"
    assert works(orb_sh, proc.stdout.strip())
    assert (
        f"lambda-release/install: pip could not install uv into {home}/tools; "
        "trying a virtual environment"
    ) in proc.stderr.splitlines()


def test_pip_user_installs_asked_by_the_environment_do_not_break_the_bootstrap(
    orb_sh: OrbShell,
    tmp_path: Path,
) -> None:
    proc, home = bootstrap(orb_sh, tmp_path, PIP_USER="1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{home}/tools/bin/uv"
    assert works(orb_sh, proc.stdout.strip())
    assert "lambda-release/install:" not in proc.stderr  # --target worked: no fallback
