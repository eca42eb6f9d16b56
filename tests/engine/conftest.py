"""Shared set-up for the release engine's end-to-end tests: built SAM apps, a stack each."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.support.cliapp import BIN, CliApp, deploy_args, unique
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import write_sam_app

FUNCTIONS = ("A", "B", "C")


class App(CliApp):
    """A built SAM app, its artifacts bucket and a stack name of its own."""

    def deploy_args(self, *extra: str) -> list[str]:
        return deploy_args(self.stack, self.bucket, *extra)

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


@pytest.fixture
def make_app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., App]:
    """Each call writes an app of (functions, deployment type) and gives it a fresh stack.

    `sam build` runs once per distinct app in the session (tests.support.sam keeps the build
    and copies it), so a test gets a copy no other test has touched: the build used to be
    handed to a module's first test, whose code changes reached every later copy."""

    def make(functions: Sequence[str] = FUNCTIONS, deployment: str = "AllAtOnce") -> App:
        env = sam_env(sandbox_env)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
        directory = tmp_path_factory.mktemp("app")
        write_sam_app(directory, functions=functions, code_version="1", deployment_type=deployment)
        sam_build(directory, env)
        bucket = unique("artifacts")
        sandbox.client("s3").create_bucket(Bucket=bucket)
        return App(directory, bucket, unique("stack"), env, sandbox)

    return make
