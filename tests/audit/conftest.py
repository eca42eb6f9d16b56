"""A plain moto server on a free 127.0.0.1 port, and a small world of callers in it."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_env(moto_endpoint: str) -> dict[str, str]:
    """Environment for subprocesses and boto3: the moto server, dummy credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_RELEASE_"))}
    env.update(
        {
            "AWS_ENDPOINT_URL": moto_endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    return env


class Clients:
    """boto3 clients that talk to the moto server over HTTP."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def __call__(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="session")
def clients(moto_endpoint: str) -> Clients:
    return Clients(moto_endpoint)


def zipped_handler() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def create_function(clients: Clients, name: str) -> str:
    """A function with version 1 behind alias PROD; returns its unqualified ARN."""
    iam = clients("iam")
    try:
        role = iam.get_role(RoleName="audit-test")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="audit-test", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = clients("lambda")
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped_handler()},
    )["FunctionArn"]
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="PROD", FunctionVersion=version)
    return str(arn)
