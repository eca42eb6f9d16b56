"""With resolve_s3 the release log lives in SAM's managed bucket. In a region where no
`sam deploy --resolve-s3` ever ran, that bucket's stack does not exist: the first deploy
has `sam` make it before the log is written; a dry run changes nothing and says so."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions
import pytest

from lambda_release.sandbox.server import CREDENTIALS
from tests.engine.conftest import App

MANAGED = "aws-sam-cli-managed-default"


def _client(app: App, service: str, region: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=app.sandbox.endpoint_url,
        region_name=region,
        aws_access_key_id=CREDENTIALS.access_key_id,
        aws_secret_access_key=CREDENTIALS.secret_access_key,
        aws_session_token=CREDENTIALS.session_token,
    )


def _managed(app: App, region: str) -> str | None:
    cfn = _client(app, "cloudformation", region)
    try:
        stack = cfn.describe_stacks(StackName=MANAGED)["Stacks"][0]
    except botocore.exceptions.ClientError:
        return None
    return next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "SourceBucket")


def test_the_first_release_in_a_region_has_sam_make_its_managed_bucket(
    make_app: Callable[..., App],
) -> None:
    app = make_app(functions=("A",))
    # A region of this test's own: no other test made SAM's managed stack there.
    region = "ap-southeast-4"
    stack = f"managed-{uuid.uuid4().hex[:8]}"
    args = ["deploy", "--stack", stack, "--alias", "PROD", "--resolve-s3", "--region", region]
    env = {**app.env, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    if _managed(app, region) is not None:
        pytest.skip("SAM's managed stack already exists in the test region")

    dry = app.lr(*args, "--dry-run", env=env)
    assert dry.returncode == 2, dry.stderr
    assert "SAM's managed bucket (stack aws-sam-cli-managed-default) does not exist yet" in (
        dry.stderr
    )
    assert "Traceback" not in dry.stderr and _managed(app, region) is None  # nothing made

    first = app.lr(*args, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "creating SAM's managed bucket" in first.stderr
    bucket = _managed(app, region)
    assert bucket is not None
    s3 = _client(app, "s3", region)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert any(k.startswith(f"lambda-release/{stack}/PROD/") for k in keys), keys

    again = app.lr(*args, env=env)  # the bucket is there now: made once
    assert again.returncode == 0, again.stderr[-3000:]
    assert "creating SAM's managed bucket" not in again.stderr
