"""Who, what and where a release came from: CircleCI's variables, else git.

Only identifying facts are kept (commit, branch, pipeline, job URL, user);
never tokens or other variables, since the log is readable by anyone who can
read the bucket.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

from lambda_release.errors import UsageError


def in_ci(environ: Mapping[str, str]) -> bool:
    """Whether this runs in CI: there the branch is CI's to say (a tag build has none),
    never guessed from whatever the checkout holds."""
    return bool(environ.get("CI") or environ.get("CIRCLECI")) or any(
        k.startswith("CIRCLE_") for k in environ
    )


def local_branch(run: Callable[..., Any] = subprocess.run) -> str:
    """The branch checked out here (``git rev-parse --abbrev-ref HEAD``), for ``target``
    run by hand; no git, no repository or a detached HEAD is bad input, in one line."""
    give = "give --branch NAME (or --environment prod|staging)"
    try:
        out = run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"no branch: git could not be run ({exc}); {give}") from None
    branch = str(out.stdout or "").strip()
    if out.returncode != 0 or not branch:
        why = str(out.stderr or "").strip().splitlines()[:1] or ["no branch named"]
        raise UsageError(f"no branch: git rev-parse says {why[0]!r}; {give}")
    if branch == "HEAD":
        raise UsageError(f"no branch: the checkout is on a detached HEAD; {give}")
    return branch


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def ci_metadata(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """commit, branch, tag, pipeline_id, pipeline_number, workflow_id, job, job_url, triggered_by,
    source."""
    env = os.environ if environ is None else environ
    if env.get("CIRCLECI") == "true" or "CIRCLE_SHA1" in env:
        return {
            "source": "circleci",
            "commit": env.get("CIRCLE_SHA1", ""),
            "branch": env.get("CIRCLE_BRANCH", ""),
            "tag": env.get("CIRCLE_TAG", ""),
            # pipeline.number is a pipeline value, not a built-in variable: the orb
            # exports it as CIRCLE_PIPELINE_NUMBER.
            "pipeline_number": env.get("CIRCLE_PIPELINE_NUMBER", env.get("CIRCLE_BUILD_NUM", "")),
            # Built in since 2024: the rollback job finds its pipeline's release by it.
            "pipeline_id": env.get("CIRCLE_PIPELINE_ID", ""),
            "workflow_id": env.get("CIRCLE_WORKFLOW_ID", ""),
            "job": env.get("CIRCLE_JOB", ""),
            "job_url": env.get("CIRCLE_BUILD_URL", ""),
            "triggered_by": env.get("CIRCLE_USERNAME", ""),
            "repository": "/".join(
                p
                for p in (env.get("CIRCLE_PROJECT_USERNAME"), env.get("CIRCLE_PROJECT_REPONAME"))
                if p
            ),
        }
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = ""
    return {
        "source": "local",
        "commit": _git("rev-parse", "HEAD"),
        "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "tag": "",
        "pipeline_number": "",
        "pipeline_id": "",
        "workflow_id": "",
        "job": "",
        "job_url": "",
        "triggered_by": user,
        "repository": "",
    }
