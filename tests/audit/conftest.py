"""The audit tests' world: the project's sandbox (one per worker) and a function in it."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_release.sandbox import Sandbox
from tests.support.functions import python_function
from tests.support.processes import Cli, clean_env

REGION = "us-east-1"


class Clients:
    """boto3 clients of the sandbox, by service name."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, service: str) -> Any:
        return self.sandbox.client(service)


@pytest.fixture(scope="session")
def clients(sandbox: Sandbox) -> Clients:
    return Clients(sandbox)


@pytest.fixture(scope="session")
def audit_lr(lr: Cli, sandbox: Sandbox) -> Cli:
    """The console script against the sandbox, with none of the caller's AWS_* settings."""
    return lr.with_defaults(env=clean_env(sandbox.env, drop_aws=True))


def create_function(clients: Clients, name: str) -> str:
    """A function with version 1 behind alias PROD; returns its unqualified ARN."""
    lam = clients("lambda")
    arn = python_function(lam, clients("iam"), name, "def handler(event, context):\n    return 1\n")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="PROD", FunctionVersion=version)
    return str(arn)
