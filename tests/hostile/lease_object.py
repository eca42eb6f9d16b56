"""Helpers for the lease's hostile tests: the lease object as S3 holds it, and the log's
listings a holder made (what the head handed over spared it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambda_release.aws.trace import read_trace
from tests.rollback.stackkit import Kit


def lease_body(kit: Kit) -> dict[str, Any]:
    got = kit.sandbox.client("s3").get_object(Bucket=kit.bucket, Key=kit.log().lock_key)
    return dict(json.loads(got["Body"].read()))


def put_lease(kit: Kit, body: dict[str, Any] | str) -> None:
    """Overwrite the lease object (``body`` as JSON, or as the raw text given)."""
    data = body if isinstance(body, str) else json.dumps(body)
    kit.sandbox.client("s3").put_object(
        Bucket=kit.bucket, Key=kit.log().lock_key, Body=data.encode()
    )


def listings(trace: Path) -> list[str]:
    """The prefix of each ``ListObjectsV2`` in an AWS trace, in order."""
    return [
        c["params"]["Prefix"] for c in read_trace(str(trace)) if c["operation"] == "ListObjectsV2"
    ]
