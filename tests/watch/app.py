"""A built SAM app on the session sandbox, driven through the console script as a user would."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lambda_release.sandbox.server import Sandbox
from tests.support.cliapp import BIN, CliApp, unique
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import write_sam_app


class App(CliApp):
    def target(self) -> list[str]:
        return ["--stack", self.stack, "--alias", "PROD", "--s3-bucket", self.bucket]

    def deploy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.lr("deploy", *self.target(), *extra)

    def resources(self) -> dict[str, str]:
        cfn = self.sandbox.client("cloudformation")
        out: dict[str, str] = {}
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=self.stack):
            for r in page["StackResourceSummaries"]:
                out[r["LogicalResourceId"]] = r["PhysicalResourceId"]
        return out

    def function_name(self, function: str) -> str:
        return self.resources()[f"{function}Function"]

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


def json_out(p: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(p.stdout)
