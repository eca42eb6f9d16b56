"""A built SAM app on the session sandbox, driven through the console script as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.sandbox.server import Sandbox
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import alarm_logical_id, set_code_version, write_sam_app

BIN = Path(sys.executable).parent


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class App:
    directory: Path
    bucket: str
    stack: str
    env: dict[str, str]
    sandbox: Sandbox

    def command(self, *args: str) -> list[str]:
        return [str(BIN / "lambda-release"), *args]

    def lr(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
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

    def target(self) -> list[str]:
        return ["--stack", self.stack, "--alias", "PROD", "--s3-bucket", self.bucket]

    def deploy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.lr("deploy", *self.target(), *extra)

    def change_code(self, version: str, functions: Sequence[str]) -> None:
        set_code_version(self.directory, version, functions)
        sam_build(self.directory, self.env)

    def resources(self) -> dict[str, str]:
        cfn = self.sandbox.client("cloudformation")
        out: dict[str, str] = {}
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=self.stack):
            for r in page["StackResourceSummaries"]:
                out[r["LogicalResourceId"]] = r["PhysicalResourceId"]
        return out

    def function_name(self, function: str) -> str:
        return self.resources()[f"{function}Function"]

    def alarm_name(self, function: str) -> str:
        return self.resources()[alarm_logical_id(function)]

    def weights(self, function: str) -> dict[str, float]:
        lam = self.sandbox.client("lambda")
        got = lam.get_alias(FunctionName=self.function_name(function), Name="PROD")
        return dict((got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})


def make_app(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    directory: Path,
    functions: Sequence[str] = ("A", "B"),
    deployment: str = "Canary10Percent5Minutes",
) -> App:
    """Write and build an app; a fresh stack name and artifacts bucket."""
    env = sam_env(sandbox_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for name in list(env):
        if name.startswith("LAMBDA_RELEASE_"):
            env.pop(name)
    write_sam_app(directory, functions=functions, code_version="1", deployment_type=deployment)
    sam_build(directory, env)
    bucket = unique("artifacts")
    sandbox.client("s3").create_bucket(Bucket=bucket)
    return App(directory, bucket, unique("stack"), env, sandbox)


@contextmanager
def sandbox_minute(sandbox: Sandbox, minute: float) -> Iterator[None]:
    """A slower (or faster) CodeDeploy clock for the duration."""
    before = sandbox.minute
    sandbox.minute = minute
    try:
        yield
    finally:
        sandbox.minute = before


def json_out(p: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(p.stdout)
