"""A built SAM app on the sandbox, driven through the console script as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lambda_release.sandbox.server import Sandbox
from tests.support.sam import sam_build
from tests.support.samapp import alarm_logical_id, set_code_version

BIN = Path(sys.executable).parent


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

    def command(self, *args: str) -> list[str]:
        return [str(BIN / "lambda-release"), *args]

    def lr(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The console script, as a user runs it."""
        return subprocess.run(
            self.command(*args),
            cwd=self.directory,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def change_code(self, version: str, functions: Sequence[str]) -> None:
        set_code_version(self.directory, version, functions)
        sam_build(self.directory, self.env)

    def alarm_name(self, function: str) -> str:
        cfn = self.sandbox.client("cloudformation")
        r = cfn.describe_stack_resource(
            StackName=self.stack, LogicalResourceId=alarm_logical_id(function)
        )
        return str(r["StackResourceDetail"]["PhysicalResourceId"])
