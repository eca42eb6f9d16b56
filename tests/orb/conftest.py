"""Fixtures for the orb's tests: the orb tooling on sys.path, the real orb, a copy to break."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORB_DIR = ROOT / "orb"
SDK_MODULES = ROOT / "build" / "sdk" / "node_modules"
GENERATOR = ORB_DIR / "examples" / "sdk" / "generate.js"
# The orb tooling is repository tooling, not part of the package: it lives in scripts/.
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from orbtools.images import ImageProfile  # noqa: E402
from orbtools.pack import pack  # noqa: E402

from tests.support.processes import OrbShell, Spawn  # noqa: E402
from tests.support.requires import require_path, require_tool  # noqa: E402


@pytest.fixture
def generate(spawn: Spawn) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs the generator with Node: ``generate(*args, **env)``."""
    require_tool("node", "the SDK example needs Node 20")
    require_path(SDK_MODULES / "@circleci", "the SDK example needs `make sdk-deps`")

    def run(*args: Path, **env: str) -> subprocess.CompletedProcess[str]:
        return spawn.run(
            ["node", GENERATOR, *args],
            env={"PATH": os.environ["PATH"], "NODE_PATH": str(SDK_MODULES), **env},
            timeout=60,
        )

    return run


# The oldest bash and python3 installable here (`make image-profile`): see orbtools.images.
OLDEST_PROFILE = ROOT / "build" / "image-profiles" / "oldest"


def profile_tools(name: str) -> Path | None:
    """The bin/ of image profile ``name`` (None: the host's tools); skips when not built."""
    if name == "host":
        return None
    if not (OLDEST_PROFILE / "versions").exists():
        # Built from Debian's packages (`make image-profile`), which a non-Debian machine
        # (CircleCI's cimg images are Ubuntu) cannot verify: the host's tools only, said so.
        pytest.skip("the oldest image profile is not built here: `make image-profile` (Debian)")
    return OLDEST_PROFILE / "bin"


@pytest.fixture(scope="session", params=["host", "oldest"])
def image_profile(request: pytest.FixtureRequest) -> str:
    """Each image profile a test runs under: the host's bash/python3, then the oldest."""
    return str(request.param)


@pytest.fixture
def job_profile(image_profile: str) -> ImageProfile:
    """The image profile the runner applies to a job's steps (its bash, its python3)."""
    tools = profile_tools(image_profile)
    return ImageProfile(image_profile, tools)


@pytest.fixture
def orb_sh(spawn: Spawn, image_profile: str) -> OrbShell:
    """The orb's scripts under each image profile's bash and python3."""
    return OrbShell(spawn, profile_tools(image_profile))


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
def helper_wheel(spawn: Spawn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this tree: what the orb's install step installs (helper_source).

    Built once per pytest-xdist worker (a few seconds), so the orb's e2e tests need not
    share a worker."""
    return build_helper_wheel(spawn, tmp_path_factory.mktemp("wheel"))


def build_helper_wheel(spawn: Spawn, out: Path) -> Path:
    """A wheel of this tree, built into ``out``."""
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    spawn.run([*pip, "--wheel-dir", out, ROOT], check=True)
    (wheel,) = out.glob("lambda_release-*.whl")
    return wheel
