"""The SAM build images the orb's `image` parameter may name, and image profiles.

IMAGES: per runtime image, its base OS and the bash and python3 on its PATH, read from
aws/aws-sam-build-images' Dockerfiles (build-image-src/Dockerfile-<runtime>): the
`FROM public.ecr.aws/lambda/<runtime>` base gives the OS and so bash (Amazon Linux 2:
bash 4.2.46; Amazon Linux 2023: bash 5.2.15), and python3 is the runtime's own
(/var/lang/bin first on PATH) on python images, `amazon-linux-extras enable python3.8`
plus a /usr/bin/python3 link on the other AL2 images, and `dnf install python3` (3.9)
on the other AL2023 images. docs/orb.md prints the same table.

An image profile is a folder whose bin/ holds the bash and python3 a job's steps use:
the runner puts it first on PATH and runs each step with its bash, so the orb's scripts
run with an image's tools rather than only the host's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

AL2 = ("Amazon Linux 2", "4.2.46")
AL2023 = ("Amazon Linux 2023", "5.2.15")


@dataclass(frozen=True)
class Image:
    runtime: str
    os: str
    bash: str
    python3: str
    dockerfile: str


def _image(runtime: str, base: tuple[str, str], python3: str, dockerfile: str) -> Image:
    return Image(runtime, base[0], base[1], python3, f"build-image-src/Dockerfile-{dockerfile}")


IMAGES: tuple[Image, ...] = (
    _image("python3.8", AL2, "3.8", "python38"),
    _image("python3.9", AL2, "3.9", "python39"),
    _image("python3.10", AL2, "3.10", "python310"),
    _image("python3.11", AL2, "3.11", "python311"),
    _image("python3.12", AL2023, "3.12", "python312"),
    _image("nodejs16.x", AL2, "3.8", "nodejs16x"),
    _image("nodejs18.x", AL2, "3.8", "nodejs18x"),
    _image("nodejs20.x", AL2023, "3.9", "nodejs20x"),
    _image("java8.al2", AL2, "3.8", "java8_al2"),
    _image("java11", AL2, "3.8", "java11"),
    _image("java17", AL2, "3.8", "java17"),
    _image("java21", AL2023, "3.9", "java21"),
    _image("dotnet6", AL2, "3.8", "dotnet6"),
    _image("dotnet7", AL2, "3.8", "dotnet7"),
    _image("dotnet8", AL2023, "3.9", "dotnet8"),
    _image("ruby3.2", AL2, "3.8", "ruby32"),
    _image("provided.al2", AL2, "3.8", "provided_al2"),
    _image("provided.al2023", AL2023, "3.9", "provided_al2023"),
)

# The oldest of each across IMAGES: what the orb's scripts must run on.
OLDEST_BASH = "4.2"
OLDEST_PYTHON3 = "3.8"
# The helper's own floor (pyproject's requires-python): below it, install uses uv's Python.
HELPER_PYTHON = "3.11"


@dataclass(frozen=True)
class ImageProfile:
    """The tools a job's steps run with: ``bin_dir``'s bash and python3 first on PATH
    (None: the host's own)."""

    name: str
    bin_dir: Path | None = None

    @classmethod
    def from_dir(cls, folder: Path) -> ImageProfile:
        bin_dir = folder.resolve() / "bin"
        for tool in ("bash", "python3"):
            if not (bin_dir / tool).exists():
                raise FileNotFoundError(f"image profile {folder}: no bin/{tool}")
        return cls(folder.name, bin_dir)

    def bash(self) -> str:
        return str(self.bin_dir / "bash") if self.bin_dir else "/bin/bash"

    def environ(self, env: Mapping[str, str]) -> dict[str, str]:
        """``env`` with the profile's tools first on PATH."""
        if self.bin_dir is None:
            return dict(env)
        path = env.get("PATH", os.defpath)
        return {**env, "PATH": f"{self.bin_dir}{os.pathsep}{path}"}


HOST = ImageProfile("host")
