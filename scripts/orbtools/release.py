"""Bump the package and the orb's pinned helper together, so the orb installs its own release.

    PYTHONPATH=scripts python -m orbtools release 1.2.0

Writes the version into ``pyproject.toml``, ``src/lambda_release/__init__.py``
and ``orb/scripts/install_helper.sh`` (the literal pin the published orb
carries: orb-tools packs that file, so nothing depends on our packer). Then
tag ``v1.2.0``: the project's pipeline publishes the package and the orb from
the same tag. A new major version must first change ``review.ORB_MAJOR`` (the
major the examples pin), on purpose.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from orbtools.review import ORB_MAJOR

VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# (file, pattern whose group 2 is the version)
PLACES = (
    ("pyproject.toml", re.compile(r'^(version = ")([^"]+)(")', re.M)),
    ("src/lambda_release/__init__.py", re.compile(r'^(__version__ = ")([^"]+)(")', re.M)),
    ("orb/scripts/install_helper.sh", re.compile(r'^(LR_HELPER_VERSION=")([^"]+)(")', re.M)),
)


class ReleaseError(Exception):
    pass


def current_versions(root: Path) -> dict[str, str]:
    """The version written in each place (they must all agree)."""
    found = {}
    for rel, pattern in PLACES:
        match = pattern.search((root / rel).read_text(encoding="utf-8"))
        if match is None:
            raise ReleaseError(f"{rel}: no version line matching {pattern.pattern!r}")
        found[rel] = match.group(2)
    return found


def bump(root: Path, version: str) -> list[str]:
    """Write ``version`` everywhere; returns the files changed."""
    if not VERSION.match(version):
        raise ReleaseError(f"{version!r} is not X.Y.Z")
    major = int(version.split(".", maxsplit=1)[0])
    if major >= 1 and major != ORB_MAJOR:
        raise ReleaseError(
            f"version {version} is major {major} but the orb's examples pin @{ORB_MAJOR}: "
            "change review.ORB_MAJOR and the examples first"
        )
    changed = []
    for rel, pattern in PLACES:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        new, count = pattern.subn(lambda m: m.group(1) + version + m.group(3), text, count=1)
        if count != 1:
            raise ReleaseError(f"{rel}: no version line to bump")
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(rel)
    return changed


def pin_problems(root: Path) -> list[str]:
    """Why ``lambda-release@<ORB_MAJOR>`` in the examples would not resolve to this release."""
    versions = current_versions(root)
    problems = [
        f"{rel} says {found}, pyproject.toml says {versions['pyproject.toml']}"
        for rel, found in versions.items()
        if found != versions["pyproject.toml"]
    ]
    major = versions["pyproject.toml"].split(".", maxsplit=1)[0]
    if major != str(ORB_MAJOR):
        problems.append(
            f"the package is {versions['pyproject.toml']} but the examples pin @{ORB_MAJOR}: "
            f"run `orbtools release {ORB_MAJOR}.0.0` (or change review.ORB_MAJOR on purpose)"
        )
    return problems


def check_tag(root: Path, tag: str, wheel: Path | None = None) -> list[str]:
    """Problems with publishing ``tag`` (vX.Y.Z) from this tree: every pin must equal X.Y.Z."""
    version = tag.removeprefix("v")
    if not tag.startswith("v") or not VERSION.match(version):
        return [f"tag {tag!r} is not vX.Y.Z"]
    problems = [
        f"{rel} says {found}, the tag says {version}: run `orbtools release {version}` first"
        for rel, found in current_versions(root).items()
        if found != version
    ]
    # The published orb installs the helper by this hash: without it, its default install
    # is refused (issue 27). The wheel hashed must be the very file uploaded.
    script = (root / "orb" / "scripts" / "install_helper.sh").read_text(encoding="utf-8")
    pinned = re.search(r'^LR_HELPER_SHA256="([0-9a-f]*)"', script, re.M)
    if pinned is None or not pinned.group(1):
        problems.append(
            "orb/scripts/install_helper.sh carries no sha256 of the helper's wheel: run "
            "`orbtools lock --helper-wheel dist/lambda_release-X.Y.Z-py3-none-any.whl` on "
            "the wheel that is uploaded, then pack the orb"
        )
    elif wheel is not None:
        # hatchling builds reproducibly: the pipeline's wheel must be the one hashed.
        built = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if built != pinned.group(1):
            problems.append(
                f"{wheel.name} has sha256 {built}, the orb pins {pinned.group(1)}: the orb "
                "would refuse the wheel being published"
            )
    return problems
