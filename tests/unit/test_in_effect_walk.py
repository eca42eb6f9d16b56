"""Issue 30: the walk to the release in effect stops where a settlement names the one in
effect before it (``in_effect_before``), however many releases that moved nothing came
since; it reads on where the name is absent, not an older id, or names a release undone
since. An in-memory S3 (the log's own keys, S3's listing order), counting reads."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions

from lambda_release.log.ids import new_id
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Release, in_effect_before
from lambda_release.log.store import ReleaseLog
from tests.support.logstates import old_entry


class MemoryS3:
    """ListObjectsV2 (Prefix, StartAfter, MaxKeys), GetObject, PutObject: S3's order."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.gets = 0

    def list_objects_v2(self, **kw: Any) -> dict[str, Any]:
        keys = sorted(
            k
            for k in self.objects
            if k.startswith(kw.get("Prefix", "")) and k > kw.get("StartAfter", "")
        )
        page = keys[: kw.get("MaxKeys", 1000)]
        return {
            "Contents": [{"Key": k} for k in page],
            "IsTruncated": len(keys) > len(page),
            "NextContinuationToken": page[-1] if page else "",
        }

    def get_paginator(self, _name: str) -> MemoryS3:
        return self

    def paginate(self, **kw: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.list_objects_v2(**kw)
            yield page
            if not page["IsTruncated"]:
                return
            kw = dict(kw, StartAfter=page["NextContinuationToken"])

    def get_object(self, **kw: Any) -> dict[str, Any]:
        self.gets += 1
        if kw["Key"] not in self.objects:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "NoSuchKey", "Message": "no"}}, "GetObject"
            )
        return {"Body": io.BytesIO(self.objects[kw["Key"]]), "ETag": '"e"'}

    def put_object(self, **kw: Any) -> dict[str, Any]:
        self.objects[kw["Key"]] = kw["Body"]
        return {"ETag": '"e"'}


ROW = {
    "logical_id": "F",
    "function_name": "f",
    "function_arn": "arn:aws:lambda:r:1:function:f",
    "before": "1",
}


def write(log: ReleaseLog, s3: MemoryS3, t: datetime, *, moved: bool, named: Any = "absent") -> str:
    """A release at ``t``: it moved F (in effect) or moved nothing; ``named``: what its
    settlement says of the release in effect before it ("absent": nothing)."""
    rid = new_id(t)
    entry, settlement = old_entry(log, rid, t, [ROW])
    if moved:
        settlement["outcome"] = "succeeded"
        settlement["functions"][0].update(after="2", moved=True)
    if named != "absent":
        settlement["in_effect_before"] = named
    for key, body in [(log.entry_key(rid), entry), (log.settlement_key(rid), settlement)]:
        s3.objects[key] = json.dumps(body).encode()
    return rid


def a_log(no_change: int, named: Any) -> tuple[ReleaseLog, MemoryS3, str]:
    """A release in effect, then ``no_change`` releases that moved nothing, each naming
    ``named`` (``"it"``: the release in effect) as the release in effect before it."""
    s3 = MemoryS3()
    log = ReleaseLog(s3, LogLocation("bucket"), "stack", "PROD")
    s3.objects[log.origin_key] = b"{}"
    t = datetime(2026, 1, 1, tzinfo=UTC)
    it = write(log, s3, t, moved=True)
    for i in range(no_change):
        write(
            log, s3, t + timedelta(seconds=i + 1), moved=False, named=it if named == "it" else named
        )
    return log, s3, it


def reads_to_the_release_in_effect(no_change: int, named: Any = "it") -> int:
    log, s3, it = a_log(no_change, named)
    found = log.latest_in_effect()
    assert found is not None and found.id == it
    return s3.gets


def test_the_walk_stops_at_the_release_a_settlement_names() -> None:
    # The newest no-change release (entry, settlement), then the one it names (entry,
    # settlement, undo mark): as many reads behind 3 releases that moved nothing as behind 300.
    assert reads_to_the_release_in_effect(3) == reads_to_the_release_in_effect(300) == 5


def test_without_the_name_the_walk_reads_every_release_between() -> None:
    # Settlements written before issue 30: two reads per release that moved nothing.
    assert reads_to_the_release_in_effect(30, named="absent") == 2 * 30 + 2


def test_a_release_undone_since_it_was_named_is_walked_past() -> None:
    log, s3, it = a_log(3, "it")
    older = new_id(datetime(2025, 1, 1, tzinfo=UTC))  # before the one named
    entry, settlement = old_entry(log, older, datetime(2025, 1, 1, tzinfo=UTC), [ROW])
    settlement["outcome"] = "succeeded"
    settlement["functions"][0].update(after="2", moved=True)
    for key, body in [(log.entry_key(older), entry), (log.settlement_key(older), settlement)]:
        s3.objects[key] = json.dumps(body).encode()
    undo = {"schema": "lambda-release/undo@1", "id": it, "by": "x", "time": "t"}
    s3.objects[log.undo_key(it)] = json.dumps(undo).encode()
    found = log.latest_in_effect()
    assert found is not None and found.id == older


def test_none_named_means_none_in_effect_before() -> None:
    log, s3, _ = a_log(5, None)
    assert log.latest_in_effect() is None
    assert s3.gets == 2  # the newest release only


def settled(named: Any, rid: str = "20260101T000001.000000Z-00000001") -> Release:
    return Release(
        {"id": rid, "kind": "release", "functions": []},  # type: ignore[typeddict-item]
        {"outcome": "no-change", "functions": [], "in_effect_before": named},
    )


def test_a_name_that_is_not_an_older_id_is_not_used() -> None:
    older = "20250101T000000.000000Z-0000000a"
    assert in_effect_before(settled(older)) == (True, older)
    assert in_effect_before(settled(None)) == (True, None)
    assert in_effect_before(settled("not an id")) == (False, None)
    assert in_effect_before(settled("20270101T000000.000000Z-0000000a")) == (False, None)
    assert in_effect_before(Release(settled(None).entry)) == (False, None)  # not settled
