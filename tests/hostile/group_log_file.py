"""A group file whose group's log is in a bucket of its own, made in the stand-in's S3: the
ground the group log's hostile tests plant objects on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lambda_release.sandbox.server import Sandbox
from tests.support.cliapp import unique


def setup(sandbox: Sandbox, tmp_path: Path) -> tuple[Any, str, str, Path]:
    """(S3 client, the log bucket, the group, the group file naming one target)."""
    bucket, group = unique("glog"), unique("grp")
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=bucket)
    body = {
        "version": 1,
        "group": group,
        "alias": "PROD",
        "log": {"bucket": bucket},
        "waves": [{"targets": [{"stack": "in-file", "region": "us-east-1", "s3_bucket": bucket}]}],
    }
    path = tmp_path / "g.yml"
    path.write_text(yaml.safe_dump(body))
    return s3, bucket, group, path
