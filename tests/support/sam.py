"""Running the real SAM CLI (`.venv/bin/sam`) as a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
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


def sam_build(app_dir: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`sam build` without a container; raises if it fails."""
    return subprocess.run(
        [sam_executable(), "build", "--template-file", "template.yaml"],
        cwd=app_dir,
        env=sam_env(env),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )


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
