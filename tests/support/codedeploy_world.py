"""A CodeDeploy and CloudWatch world of its own in the shared sandbox, with a call counter.

The pre-flight's reads are account-wide (every application's deployments in flight, every
alarm in ALARM), so a test that counts calls or expects "nothing in flight" needs an account
no other test writes to: each World assumes a role in a fresh account (the stand-in, like
AWS, keeps each account's resources apart). Deployments are created through the API (status
``Created``: they stay in flight).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from lambda_release.aws.client import Aws
from lambda_release.aws.stack import StackInfo
from lambda_release.release.stack_alias import StackAlias
from lambda_release.sandbox import Sandbox
from tests.support.alarms import put_alarm

ROLE = "arn:aws:iam::123456789012:role/codedeploy"
REVISION = {"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}}


@dataclass
class World:
    sandbox: Sandbox
    account: str = field(default_factory=lambda: str(uuid.uuid4().int)[:12].rjust(12, "1"))
    calls: Counter[str] = field(default_factory=Counter)
    credentials: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        got = self.sandbox.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{self.account}:role/test", RoleSessionName="world"
        )["Credentials"]
        self.credentials = {
            "AWS_ACCESS_KEY_ID": got["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": got["SecretAccessKey"],
            "AWS_SESSION_TOKEN": got["SessionToken"],
        }

    @property
    def region(self) -> str:
        return self.sandbox.region

    def _kwargs(self) -> dict[str, str]:
        return {
            "endpoint_url": self.sandbox.endpoint_url,
            "region_name": self.region,
            "aws_access_key_id": self.credentials["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": self.credentials["AWS_SECRET_ACCESS_KEY"],
            "aws_session_token": self.credentials["AWS_SESSION_TOKEN"],
        }

    def client(self, service: str) -> Any:
        """A client of this world's region whose calls are counted (by operation name)."""
        return self.count(boto3.client(service, **self._kwargs()))

    def count(self, client: Any) -> Any:
        def seen(model: Any, **_: Any) -> None:
            self.calls[str(model.name)] += 1

        client.meta.events.register("before-call", seen)
        return client

    def application(
        self, groups: dict[str, list[str]], *, alarms_enabled: bool = True, app: str = ""
    ) -> tuple[str, list[str]]:
        """A Lambda application with the given groups (name -> alarms it watches)."""
        cd = self.sandbox_client("codedeploy")
        app = app or f"app-{uuid.uuid4().hex[:8]}"
        cd.create_application(applicationName=app, computePlatform="Lambda")
        for name, alarms in groups.items():
            cd.create_deployment_group(
                applicationName=app,
                deploymentGroupName=name,
                serviceRoleArn=ROLE,
                alarmConfiguration={
                    "enabled": alarms_enabled,
                    "alarms": [{"name": a} for a in alarms],
                },
                deploymentStyle={
                    "deploymentType": "BLUE_GREEN",
                    "deploymentOption": "WITH_TRAFFIC_CONTROL",
                },
            )
        return app, list(groups)

    def deploy(self, app: str, group: str) -> str:
        """A deployment of ``group`` left in flight (status Created)."""
        cd = self.sandbox_client("codedeploy")
        return str(
            cd.create_deployment(applicationName=app, deploymentGroupName=group, revision=REVISION)[
                "deploymentId"
            ]
        )

    def end(self, deployment_id: str, status: str) -> None:
        """End a deployment with ``status`` (Failed, Stopped, Succeeded). AWS has no API to end
        a deployment no agent runs, so the stand-in's own record is set (it is in-process)."""
        from moto.codedeploy.models import codedeploy_backends  # noqa: PLC0415

        codedeploy_backends[self.account][self.region].deployments[deployment_id].status = status

    def alarm(self, name: str, state: str = "OK") -> str:
        cw = self.sandbox_client("cloudwatch")
        put_alarm(cw, name)
        if state != "OK":
            cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")
        return name

    def sandbox_client(self, service: str) -> Any:
        """A client for setting the world up (its calls are not counted)."""
        return boto3.client(service, **self._kwargs())

    def stack_alias(self, monkeypatch: pytest.MonkeyPatch) -> StackAlias:
        """The product's own handle on this region, with its clients counted."""
        for k, v in self.credentials.items():
            monkeypatch.setenv(k, v)
        sa = StackAlias(Aws(region=self.region, endpoint_url=self.sandbox.endpoint_url), "s", "P")
        for service in ("codedeploy", "cloudwatch", "cloudformation"):
            self.count(sa.client(service))
        return sa


def stack_info(
    app: str | None,
    groups: list[str],
    alarms: list[str] | None = None,
    status: str = "UPDATE_ROLLBACK_COMPLETE",
) -> StackInfo:
    """What read_stack finds for a stack with this application, groups and alarm resources
    (by default after an update that rolled back: deploy's pre-flight then asks CodeDeploy)."""
    return StackInfo(
        name="stack",
        status=status,
        application=app,
        deployment_groups=groups,
        alarms=alarms or [],
    )


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return World(sandbox)
