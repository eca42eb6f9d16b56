"""The console script on a kit's stack (tests/support/processes.Cli), as a user runs it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.rollback.stackkit import Kit
from tests.support.processes import Cli


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


def kit_cli(
    kit: Kit, endpoint: str | None = None, extra_env: Mapping[str, str] | None = None
) -> Cli:
    """The console script against the kit's sandbox (or ``endpoint``, a proxy in front)."""
    return Cli(env=cli_env(kit, endpoint, extra_env))


def kit_lr(
    kit: Kit,
    command: str,
    *rest: str,
    target: bool = True,
    endpoint: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """``lambda-release COMMAND`` with the kit's stack, alias and log (unless ``target`` is
    False), then ``rest``."""
    return kit_cli(kit, endpoint, extra_env)(
        command, *(kit.cli_args() if target else []), *rest, cwd=cwd, timeout=timeout
    )


def run_rollback(
    kit: Kit,
    *args: str,
    endpoint: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    return kit_lr(kit, "rollback", *args, endpoint=endpoint, extra_env=extra_env, timeout=timeout)


def start_rollback(
    kit: Kit, *args: str, endpoint: str | None = None, extra_env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    return kit_cli(kit, endpoint, extra_env).popen("rollback", *kit.cli_args(), *args)


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
