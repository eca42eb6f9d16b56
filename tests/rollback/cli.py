"""Running `lambda-release rollback` as a user would: the console script, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.rollback.stackkit import Kit


def console_script() -> str:
    return str(Path(sys.executable).parent / "lambda-release")


def cli_env(
    kit: Kit, endpoint: str | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    env.update(kit.sandbox.env)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(dict(extra or {}))
    return env


def rollback_args(kit: Kit, *args: str) -> list[str]:
    return [console_script(), "rollback", *kit.cli_args(), *args]


def run_rollback(
    kit: Kit,
    *args: str,
    endpoint: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        rollback_args(kit, *args),
        env=cli_env(kit, endpoint, extra_env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_rollback(
    kit: Kit, *args: str, endpoint: str | None = None, extra_env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        rollback_args(kit, *args),
        env=cli_env(kit, endpoint, extra_env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def describe(p: subprocess.CompletedProcess[str]) -> str:
    return f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"


def versions_sent(bodies: Sequence[dict[str, object] | None]) -> set[str]:
    """Every FunctionVersion (and weighted version) an UpdateAlias request asked for."""
    out: set[str] = set()
    for b in bodies:
        if not b:
            continue
        if "FunctionVersion" in b:
            out.add(str(b["FunctionVersion"]))
        routing = b.get("RoutingConfig") or {}
        if isinstance(routing, dict):
            out |= {str(v) for v in (routing.get("AdditionalVersionWeights") or {})}
    return out
