"""S3's 409 ConditionalRequestConflict on the release log's conditional writes: the racing
write applied NOTHING, so it is not "someone wrote first". Before this was handled, a
single 409 made `write_undo` report the release already undone (with no marker written)
and `write_entry` fail with "already exists"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from lambda_release.log.ids import new_id
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.faultproxy import CONFLICT, Fault, FaultProxy


@pytest.fixture
def proxied_log(sandbox: Sandbox) -> Iterator[tuple[ReleaseLog, FaultProxy, Any]]:
    bucket = f"c409-{new_id()[-8:]}"
    direct = sandbox.client("s3")
    direct.create_bucket(Bucket=bucket)
    with FaultProxy(sandbox.endpoint_url) as proxy:
        s3 = boto3.client(
            "s3",
            endpoint_url=proxy.url,
            region_name=sandbox.region,
            aws_access_key_id=sandbox.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=sandbox.env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=sandbox.env["AWS_SESSION_TOKEN"],
        )
        yield ReleaseLog(s3, LogLocation(bucket), "stack-409", "PROD"), proxy, direct


def _exists(direct: Any, log: ReleaseLog, key: str) -> bool:
    listed = direct.list_objects_v2(Bucket=log.location.bucket, Prefix=key)
    return any(o["Key"] == key for o in listed.get("Contents", []))


@pytest.mark.parametrize(
    ("write", "key"),
    [
        (lambda log, rid: log.write_undo(rid, "rollback-1"), lambda log, rid: log.undo_key(rid)),
        (
            lambda log, rid: log.put_new(log.claim_key(rid), {"rollback_id": rid}),
            lambda log, rid: log.claim_key(rid),
        ),
    ],
)
def test_a_409_on_a_new_object_still_writes_it(
    proxied_log: tuple[ReleaseLog, FaultProxy, Any],
    write: Callable[[ReleaseLog, str], bool],
    key: Callable[[ReleaseLog, str], str],
) -> None:
    log, proxy, direct = proxied_log
    rid = new_id()
    proxy.inject(Fault("PutObject", CONFLICT, service="s3"))
    assert write(log, rid) is True
    assert _exists(direct, log, key(log, rid))
    assert [c.status for c in proxy.calls if c.operation == "PutObject"] == [409, 200]


def test_a_409_then_a_412_is_a_lost_race(proxied_log: tuple[ReleaseLog, FaultProxy, Any]) -> None:
    log, proxy, direct = proxied_log
    rid = new_id()
    assert log.write_undo(rid, "first") is True  # the other writer won
    proxy.inject(Fault("PutObject", CONFLICT, service="s3"))
    assert log.write_undo(rid, "second") is False
    marker = log.get(log.undo_key(rid))
    assert marker is not None and marker[0]["by"] == "first"
    assert _exists(direct, log, log.undo_key(rid))
