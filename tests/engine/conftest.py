"""Shared set-up for the release engine's end-to-end tests: one built SAM app per module."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.support.cliapp import BIN, CliApp, unique
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import write_sam_app

FUNCTIONS = ("A", "B", "C")


class App(CliApp):
    """A built SAM app, its artifacts bucket and a stack name of its own."""

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

    def function_names(self) -> dict[str, str]:
        cfn = self.sandbox.client("cloudformation")
        out: dict[str, str] = {}
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=self.stack):
            for r in page["StackResourceSummaries"]:
                if r["ResourceType"] == "AWS::Lambda::Function":
                    out[r["LogicalResourceId"]] = r["PhysicalResourceId"]
        return out

    def alias(self, logical_id: str, name: str) -> dict[str, Any] | None:
        lam = self.sandbox.client("lambda")
        try:
            got: dict[str, Any] = lam.get_alias(
                FunctionName=self.function_names()[logical_id], Name=name
            )
        except lam.exceptions.ResourceNotFoundException:
            return None
        return got


@pytest.fixture(scope="module")
def make_app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., App]:
    """Builds an app once per (functions, deployment type); each call gets a fresh stack and
    a fresh copy of the built app. The build itself is never handed out: the first test used
    to get it, and its code changes, samconfig.toml and record file reached every later copy."""
    built: dict[tuple[tuple[str, ...], str], Path] = {}

    def make(functions: Sequence[str] = FUNCTIONS, deployment: str = "AllAtOnce") -> App:
        env = sam_env(sandbox_env)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
        key = (tuple(functions), deployment)
        if key not in built:
            pristine = tmp_path_factory.mktemp("built-app")
            write_sam_app(
                pristine, functions=functions, code_version="1", deployment_type=deployment
            )
            sam_build(pristine, env)
            built[key] = pristine
        directory = tmp_path_factory.mktemp("app")
        shutil.copytree(built[key], directory, dirs_exist_ok=True)
        bucket = unique("artifacts")
        sandbox.client("s3").create_bucket(Bucket=bucket)
        return App(directory, bucket, unique("stack"), env, sandbox)

    return make
