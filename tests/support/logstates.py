"""States a release log passes through, made quickly for the log's cost (issue 30):
old entries written straight with the log's own keys, a failed release, one a killed job
left pending, settlements written out of order. Shared by tests/hostile/test_log_states.py
and bench/log_bench.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from lambda_release.log import lock
from lambda_release.log.ids import iso, new_id, now
from lambda_release.log.store import ReleaseLog
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from tests.rollback.stackkit import Kit


def old_entry(log: ReleaseLog, release_id: str, t: datetime) -> tuple[dict[str, Any], ...]:
    """An entry and its settlement as a release long ago that changed nothing."""
    entry = {
        "schema": "lambda-release/entry@1",
        "id": release_id,
        "kind": "release",
        "time": iso(t),
        "stack": log.stack,
        "alias": log.alias,
        "environment": "bench",
        "functions": [],
        "ci": {"source": "local"},
        "who": "bench",
        "sam_command": ["sam", "deploy"],
    }
    settlement = {
        "schema": "lambda-release/settlement@1",
        "id": release_id,
        "outcome": "no-change",
        "settled_at": iso(t),
        "settled_by": "deploy",
        "sam_exit_code": 0,
        "stack_status": "UPDATE_COMPLETE",
        "functions": [],
        "warnings": [],
    }
    return entry, settlement


def pad(log: ReleaseLog, s3: Any, count: int) -> None:
    """Write ``count`` settled entries older than every real one, with the log's own keys."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    if count:  # the log begins here, with the index (as a first deploy begins it)
        s3.put_object(Bucket=log.location.bucket, Key=log.origin_key, Body=b"{}")

    def one(i: int) -> None:
        t = start + timedelta(seconds=i)
        rid = new_id(t)
        entry, settlement = old_entry(log, rid, t)
        for key, body in [(log.entry_key(rid), entry), (log.settlement_key(rid), settlement)]:
            s3.put_object(Bucket=log.location.bucket, Key=key, Body=json.dumps(body).encode())

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(count)))


def pending(kit: Kit) -> str:
    """A release begun by a job killed before sam ran: its entry pending, its lease given
    up (as it lapses)."""
    log = kit.log()
    entry, lease, problems = begin(
        kit.engine(), log, environment="bench", mode="deploy", lock_ttl=60, lock_timeout=5
    )
    assert entry is not None and not problems, problems
    lock.release(log, lease.holder, lease)
    return str(entry["id"])


def failed(kit: Kit) -> None:
    """A release whose sam deploy failed before it changed anything."""
    engine, log = kit.engine(), kit.log()
    entry, lease, problems = begin(
        engine, log, environment="bench", mode="deploy", lock_ttl=60, lock_timeout=5
    )
    assert entry is not None and not problems, problems
    settle(engine, log, entry, sam_exit_code=1, settled_by="bench")
    lock.release(log, lease.holder, lease)


def out_of_order(kit: Kit) -> None:
    """A release left pending, then a newer one begun and settled by hand (its entry and
    settlement written straight, as a job that skipped the lease would): the next command
    settles the older one after the newer one's settlement."""
    pending(kit)
    log = kit.log()
    rid = new_id(now())
    entry, settlement = old_entry(log, rid, now())
    s3 = log.s3
    for key, body in [(log.entry_key(rid), entry), (log.settlement_key(rid), settlement)]:
        s3.put_object(Bucket=log.location.bucket, Key=key, Body=json.dumps(body).encode())


BEGIN = ["begin", "--environment", "bench"]
# (name, what brings the log to the state first, the command then measured), in order:
# each state follows the one before it on the same stack and log.
STATES: list[tuple[str, Callable[[Kit], object] | None, list[str]]] = [
    ("rollback", None, ["rollback"]),
    ("status after rollback", None, ["status"]),
    ("begin after rollback", None, BEGIN),
    ("record after rollback", None, ["record"]),
    ("begin after failure", failed, BEGIN),
    ("record after failure", None, ["record"]),
    ("begin, one pending", pending, BEGIN),
    ("record, one pending", None, ["record"]),
    ("begin, out of order", out_of_order, BEGIN),
    ("record, out of order", None, ["record"]),
]
