"""Fixtures for the orb's tests: the orb tooling on sys.path, the real orb, a copy to break."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORB_DIR = ROOT / "orb"
# The orb tooling is repository tooling, not part of the package: it lives in scripts/.
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from orbtools.pack import pack  # noqa: E402


@pytest.fixture(scope="session")
def packed_orb() -> dict[str, Any]:
    return pack(ORB_DIR)


@pytest.fixture
def orb_copy(tmp_path: Path) -> Path:
    """A copy of the real orb that a test may break."""
    dest = tmp_path / "orb"
    shutil.copytree(ORB_DIR, dest)
    return dest


@pytest.fixture(scope="session")
def helper_wheel(processes: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this tree: what the orb's install step installs (helper_source).

    Built once per pytest-xdist worker (a few seconds), so the orb's e2e tests need not
    share a worker."""
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    subprocess.run([*pip, "--wheel-dir", str(out), str(ROOT)], check=True)
    (wheel,) = out.glob("lambda_release-*.whl")
    return wheel
