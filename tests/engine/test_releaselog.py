"""The release log and its lock against the sandbox's S3, over HTTP."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from lambda_release.errors import OperationError, UsageError
from lambda_release.log import lock
from lambda_release.log.ids import new_id
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox


@pytest.fixture
def log(sandbox: Sandbox) -> ReleaseLog:
    s3 = sandbox.client("s3")
    bucket = f"log-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    return ReleaseLog(s3, LogLocation(bucket, "team/x"), "my-stack", "PROD")


def entry(rid: str | None = None) -> dict[str, Any]:
    return {"id": rid or new_id(), "kind": "release", "functions": [], "time": "t"}


def test_location_parsing() -> None:
    assert LogLocation.parse("s3://b-1/p/q/") == LogLocation("b-1", "p/q")
    assert LogLocation.parse("bucket") == LogLocation("bucket", "")
    assert LogLocation("b-1", "p").base("s", "PROD") == "p/lambda-release/s/PROD/"
    with pytest.raises(UsageError):
        LogLocation.parse("https://x/y")
    with pytest.raises(UsageError):
        LogLocation.parse("s3://")


def test_entries_are_never_overwritten(log: ReleaseLog) -> None:
    e = entry()
    log.write_entry(e)
    log.write_entry(dict(e))  # a retry of a write that landed: its own entry, no error
    with pytest.raises(OperationError, match="already exists"):
        log.write_entry(dict(e, kind="tampered"))
    assert log.load(e["id"]).kind == "release"


def test_settlement_is_written_once_and_first_wins(log: ReleaseLog) -> None:
    e = entry()
    log.write_entry(e)
    assert log.pending_ids() == [e["id"]]
    first = log.write_settlement(e["id"], {"outcome": "succeeded", "functions": []})
    second = log.write_settlement(e["id"], {"outcome": "failed", "functions": []})
    assert first["outcome"] == second["outcome"] == "succeeded"
    assert log.pending_ids() == []
    assert log.load(e["id"]).outcome == "succeeded"


def test_undo_marker_is_append_only(log: ReleaseLog) -> None:
    e = entry()
    log.write_entry(e)
    assert log.write_undo(e["id"], by="rb-1")
    assert not log.write_undo(e["id"], by="rb-2")
    assert log.load(e["id"]).undo == {**log.load(e["id"]).undo, "by": "rb-1"}  # type: ignore[dict-item]


def test_newest_first_and_limit(log: ReleaseLog) -> None:
    ids = [new_id() for _ in range(5)]
    for rid in ids:
        log.write_entry(entry(rid))
    assert [r.id for r in log.releases()] == sorted(ids, reverse=True)
    assert [r.id for r in log.releases(2)] == sorted(ids, reverse=True)[:2]


def test_concurrent_writers_lose_nothing(log: ReleaseLog) -> None:
    ids = [new_id() for _ in range(40)]
    threads = [threading.Thread(target=log.write_entry, args=(entry(rid),)) for rid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.entry_ids() == sorted(ids)


def test_lock_excludes_and_is_given_back(log: ReleaseLog) -> None:
    lease, _ = lock.try_acquire(log, "one", mode="deploy", ttl=60)
    assert lease is not None
    other, theirs = lock.try_acquire(log, "two", mode="deploy", ttl=60)
    assert other is None and theirs is not None and theirs["holder"] == "one"
    with pytest.raises(OperationError, match="locked by release one"):
        lock.acquire(log, "two", mode="deploy", ttl=60, timeout=0)
    assert not lock.release(log, "two")  # not theirs to give back
    assert lock.release(log, "one")
    again, _ = lock.try_acquire(log, "two", mode="deploy", ttl=60)
    assert again is not None


def test_expired_lease_is_taken_over_and_renewal_then_fails(log: ReleaseLog) -> None:
    lease, _ = lock.try_acquire(log, "old", mode="deploy", ttl=0.2)
    assert lease is not None
    time.sleep(0.3)
    new, _ = lock.try_acquire(log, "new", mode="deploy", ttl=60)
    assert new is not None
    assert not lock.renew(lease, 60)  # the old holder learns it lost the lease
    assert lock.renew(new, 60)


def test_waiting_for_the_lock_prints_progress(log: ReleaseLog) -> None:
    # "first" holds the lease until "second" has said it waits, then gives it back: a 0.6 s
    # lease could lapse before a loaded machine made second's first attempt (no wait, no line).
    first, _ = lock.try_acquire(log, "first", mode="deploy", ttl=60)
    assert first is not None
    lines: list[str] = []

    def progress(line: str) -> None:
        lines.append(line)
        lock.release(log, "first")

    lease = lock.acquire(
        log, "second", mode="deploy", ttl=60, timeout=60, progress=progress, poll=0.2
    )
    assert lease.holder == "second"
    assert lines and "waiting for the lock held by release first" in lines[0]


def test_racing_takers_one_wins(log: ReleaseLog) -> None:
    lock.try_acquire(log, "stale", mode="deploy", ttl=0.1)
    time.sleep(0.2)
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def take(name: str) -> None:
        barrier.wait()
        lease, _ = lock.try_acquire(log, name, mode="deploy", ttl=60)
        if lease is not None:
            winners.append(name)

    threads = [threading.Thread(target=take, args=(f"t{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    held = lock.read_lease(log)
    assert held is not None and held[0]["holder"] == winners[0]
