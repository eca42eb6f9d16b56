"""Shared set-up for the release engine's end-to-end tests: one built SAM app per module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import alarm_logical_id, set_code_version, write_sam_app

BIN = Path(sys.executable).parent
FUNCTIONS = ("A", "B", "C")


@dataclass
class App:
    """A built SAM app, its artifacts bucket and a stack name of its own."""

    directory: Path
    bucket: str
    stack: str
    env: dict[str, str]
    sandbox: Sandbox

    def lr(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The console script, as a user runs it."""
        return subprocess.run(
            [str(BIN / "lambda-release"), *args],
            cwd=self.directory,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(BIN / "lambda-release"), *args],
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def deploy_args(self, *extra: str) -> list[str]:
        return [
            "deploy",
            "--stack",
            self.stack,
            "--alias",
            "PROD",
            "--s3-bucket",
            self.bucket,
            *extra,
        ]

    def deploy_json(self, *extra: str) -> tuple[int, dict[str, Any], str]:
        p = self.lr(*self.deploy_args("--output", "json", *extra))
        data = json.loads(p.stdout) if p.stdout.strip() else {}
        return p.returncode, data, p.stderr

    def change_code(self, version: str, functions: Sequence[str]) -> None:
        set_code_version(self.directory, version, functions)
        sam_build(self.directory, self.env)

    def function_names(self) -> dict[str, str]:
        cfn = self.sandbox.client("cloudformation")
        out: dict[str, str] = {}
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=self.stack):
            for r in page["StackResourceSummaries"]:
                if r["ResourceType"] == "AWS::Lambda::Function":
                    out[r["LogicalResourceId"]] = r["PhysicalResourceId"]
        return out

    def alarm_name(self, function: str) -> str:
        cfn = self.sandbox.client("cloudformation")
        r = cfn.describe_stack_resource(
            StackName=self.stack, LogicalResourceId=alarm_logical_id(function)
        )
        return str(r["StackResourceDetail"]["PhysicalResourceId"])

    def alias(self, logical_id: str, name: str) -> dict[str, Any] | None:
        lam = self.sandbox.client("lambda")
        try:
            got: dict[str, Any] = lam.get_alias(
                FunctionName=self.function_names()[logical_id], Name=name
            )
        except lam.exceptions.ResourceNotFoundException:
            return None
        return got


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def make_app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., App]:
    """Builds an app once per (functions, deployment type); each call gets a fresh stack."""
    built: dict[tuple[tuple[str, ...], str], Path] = {}

    def make(functions: Sequence[str] = FUNCTIONS, deployment: str = "AllAtOnce") -> App:
        env = sam_env(sandbox_env)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
        key = (tuple(functions), deployment)
        directory = tmp_path_factory.mktemp("app")
        if key not in built:
            write_sam_app(
                directory, functions=functions, code_version="1", deployment_type=deployment
            )
            sam_build(directory, env)
            built[key] = directory
        else:
            shutil.copytree(built[key], directory, dirs_exist_ok=True)
        bucket = unique("artifacts")
        sandbox.client("s3").create_bucket(Bucket=bucket)
        return App(directory, bucket, unique("stack"), env, sandbox)

    return make
