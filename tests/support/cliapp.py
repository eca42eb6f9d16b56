"""A built SAM app on the sandbox, driven through the console script as a user runs it."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.sandbox.server import Sandbox
from tests.support.processes import BIN, Cli
from tests.support.sam import sam_build
from tests.support.samapp import alarm_logical_id, set_code_version

__all__ = ["BIN", "CliApp", "unique"]  # BIN: the app factories put it on PATH


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class CliApp:
    """An app directory, its artifacts bucket and a stack name of its own."""

    directory: Path
    bucket: str
    stack: str
    env: dict[str, str]
    sandbox: Sandbox

    @property
    def cli(self) -> Cli:
        """The console script in the app's directory, with the app's environment."""
        return Cli(env=self.env, cwd=self.directory)

    def lr(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The console script, as a user runs it."""
        return self.cli(*args, env=env)

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        """Started, not waited for (stdout and stderr piped unless given)."""
        return self.cli.popen(*args, **kwargs)

    def change_code(self, version: str, functions: Sequence[str]) -> None:
        set_code_version(self.directory, version, functions)
        sam_build(self.directory, self.env)

    def alarm_name(self, function: str) -> str:
        cfn = self.sandbox.client("cloudformation")
        r = cfn.describe_stack_resource(
            StackName=self.stack, LogicalResourceId=alarm_logical_id(function)
        )
        return str(r["StackResourceDetail"]["PhysicalResourceId"])


def deploy_args(stack: str, bucket: str, *extra: str, alias: str = "PROD") -> list[str]:
    """`lambda-release deploy` of a stack to `alias`, its artifacts in `bucket`."""
    return ["deploy", "--stack", stack, "--alias", alias, "--s3-bucket", bucket, *extra]
