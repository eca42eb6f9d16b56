"""Running the real SAM CLI (`.venv/bin/sam`) as a subprocess, as a user would."""

from __future__ import annotations

import atexit
import functools
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path


def sam_executable() -> str:
    """The `sam` installed next to this interpreter (the project's .venv)."""
    candidate = Path(sys.executable).parent / "sam"
    if not candidate.exists():
        raise FileNotFoundError(f"no sam next to {sys.executable}: install the 'sam' extra")
    return str(candidate)


def sam_env(env: Mapping[str, str]) -> dict[str, str]:
    """SAM settings that keep it offline and quiet."""
    out = dict(env)
    out.setdefault("SAM_CLI_TELEMETRY", "0")
    out.setdefault("SAM_CLI_CONTEXT_SKIP_VERSION_CHECK", "1")
    out.setdefault("SAM_CLI_DISABLE_VERSION_CHECK", "1")
    return out


# What `sam build` made, by the app's content: one build per distinct app in a test session
# (per pytest-xdist worker), however many modules and tests build the same app.
_BUILDS: dict[str, tuple[Path, subprocess.CompletedProcess[str]]] = {}
BUILD_DIR = ".aws-sam"
_NOT_SOURCE = {BUILD_DIR, ".lambda-release"}


@functools.cache
def _kept_builds() -> Path:
    """A folder for this process's builds, made at the first build, removed when it exits."""
    root = Path(tempfile.mkdtemp(prefix="sam-builds-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def source_key(app_dir: Path) -> str:
    """A digest of every file `sam build` could read: the template, samconfig, the code."""
    digest = hashlib.sha256()
    for path in sorted(app_dir.rglob("*")):
        rel = path.relative_to(app_dir)
        if rel.parts[0] in _NOT_SOURCE or not path.is_file():
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sam_build(app_dir: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`sam build` without a container; raises if it fails.

    The real `sam build` runs once per distinct app content in a session; a later build of
    the same content gets a copy of that build's `.aws-sam` (sam writes paths relative to
    it, so a copy deploys as the original does). Tests that change the code or template
    change the key, and so get a real build.
    """
    key = source_key(app_dir)
    done = _BUILDS.get(key)
    if done is None:
        proc = subprocess.run(
            [sam_executable(), "build", "--template-file", "template.yaml"],
            cwd=app_dir,
            env=sam_env(env),
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        keep = _kept_builds() / key / BUILD_DIR
        shutil.copytree(app_dir / BUILD_DIR, keep, symlinks=True)
        _BUILDS[key] = (keep, proc)
        return proc
    keep, proc = done
    shutil.rmtree(app_dir / BUILD_DIR, ignore_errors=True)
    shutil.copytree(keep, app_dir / BUILD_DIR, symlinks=True)
    return proc


def sam_deploy(
    app_dir: Path,
    stack: str,
    alias: str,
    env: Mapping[str, str],
    bucket: str | None = None,
    extra: Sequence[str] = (),
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """`sam deploy` of the built app; returns the finished process (check returncode).

    Without `bucket`, `--resolve-s3` lets SAM create its managed bucket.
    """
    args = [
        sam_executable(),
        "deploy",
        "--stack-name",
        stack,
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--no-progressbar",
        "--parameter-overrides",
        f"AliasName={alias}",
    ]
    args += ["--s3-bucket", bucket] if bucket else ["--resolve-s3"]
    args += list(extra)
    return subprocess.run(
        args,
        cwd=app_dir,
        env=sam_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
