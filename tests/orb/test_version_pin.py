"""The orb installs its own release of the helper: the pin in the orb equals the package's."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from orbtools import yamlio
from orbtools.release import ReleaseError, bump, check_tag, current_versions, pin_problems
from orbtools.review import ORB_MAJOR

from lambda_release import __version__
from tests.orb.conftest import ORB_DIR, ROOT


def test_the_orb_pins_the_package_version_literally() -> None:
    script = (ORB_DIR / "scripts" / "install_helper.sh").read_text(encoding="utf-8")
    pinned = re.search(r'^LR_HELPER_VERSION="([^"]+)"$', script, re.M)
    assert pinned is not None, "install_helper.sh lost its literal version pin"
    assert pinned.group(1) == __version__, (
        f"orb pins lambda-release {pinned.group(1)} but the package is {__version__}: "
        "bump both with `PYTHONPATH=scripts python -m orbtools release X.Y.Z`"
    )


def test_every_place_agrees() -> None:
    assert set(current_versions(ROOT).values()) == {__version__}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in (
        "pyproject.toml",
        "src/lambda_release/__init__.py",
        "orb/scripts/install_helper.sh",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)
    return tmp_path


def test_release_bumps_package_and_orb_together(tree: Path) -> None:
    new = f"{ORB_MAJOR}.4.2"
    changed = bump(tree, new)
    assert sorted(changed) == sorted(
        ["pyproject.toml", "src/lambda_release/__init__.py", "orb/scripts/install_helper.sh"]
    )
    assert set(current_versions(tree).values()) == {new}
    assert bump(tree, new) == []  # idempotent


@pytest.mark.parametrize("bad", ["1.2", "v1.2.3", f"{ORB_MAJOR + 1}.0.0"])
def test_release_refuses_bad_versions_and_an_unplanned_major(tree: Path, bad: str) -> None:
    with pytest.raises(ReleaseError):
        bump(tree, bad)
    assert set(current_versions(tree).values()) == {__version__}


def test_the_first_release_is_the_major_the_examples_pin() -> None:
    assert __version__.split(".")[0] == str(ORB_MAJOR)
    assert pin_problems(ROOT) == []


def test_a_package_behind_the_pinned_major_is_a_check_problem(tree: Path) -> None:
    bump(tree, "0.9.0")
    assert any("pin @" in problem for problem in pin_problems(tree))


def test_the_pipeline_runs_rc011_with_the_orb_name() -> None:
    config = yamlio.load((ROOT / ".circleci" / "config.yml").read_text(encoding="utf-8"))
    jobs = config["workflows"]["lint-pack"]["jobs"]
    review_job = next(j["orb-tools/review"] for j in jobs if "orb-tools/review" in j)
    assert review_job["orb_name"] == "lambda-release"


def test_a_tag_is_refused_until_the_orb_carries_the_helper_wheels_hash(tree: Path) -> None:
    """Issue 27: the published orb installs the helper by hash; a tag without it is refused."""
    script = tree / "orb" / "scripts" / "install_helper.sh"
    text = script.read_text()
    assert any("carries no sha256" in p for p in check_tag(tree, f"v{__version__}"))
    script.write_text(text.replace('LR_HELPER_SHA256=""', f'LR_HELPER_SHA256="{"0" * 64}"'))
    assert check_tag(tree, f"v{__version__}") == []


def test_a_tag_is_refused_when_the_wheel_is_not_the_one_the_orb_pins(
    tree: Path, tmp_path: Path
) -> None:
    wheel = tmp_path / "lambda_release-1.0.0-py3-none-any.whl"
    wheel.write_bytes(b"the built wheel")
    script = tree / "orb" / "scripts" / "install_helper.sh"
    script.write_text(
        script.read_text().replace('LR_HELPER_SHA256=""', f'LR_HELPER_SHA256="{"0" * 64}"')
    )
    assert any("would refuse" in p for p in check_tag(tree, f"v{__version__}", wheel))
    sha = hashlib.sha256(b"the built wheel").hexdigest()
    script.write_text(script.read_text().replace("0" * 64, sha))
    assert check_tag(tree, f"v{__version__}", wheel) == []
