"""States a release log passes through, made quickly for the log's cost (issue 30):
old entries written straight with the log's own keys, a failed release, one a killed job
left pending, settlements written out of order. Shared by tests/hostile/test_log_states.py
and bench/log_bench.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from lambda_release.log import lock
from lambda_release.log.ids import id_time, iso, new_id, now
from lambda_release.log.store import ReleaseLog
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from tests.rollback.stackkit import Kit


def old_entry(
    log: ReleaseLog, release_id: str, t: datetime, functions: Sequence[Mapping[str, Any]] = ()
) -> tuple[dict[str, Any], ...]:
    """An entry and its settlement as a release that changed nothing; ``functions``: the
    entry's rows (as another release's entry has them), each settled unmoved."""
    entry = {
        "schema": "lambda-release/entry@1",
        "id": release_id,
        "kind": "release",
        "time": iso(t),
        "stack": log.stack,
        "alias": log.alias,
        "environment": "bench",
        "functions": [dict(f) for f in functions],
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
        "functions": [
            {
                "logical_id": f["logical_id"],
                "function_name": f["function_name"],
                "function_arn": f["function_arn"],
                "before": f["before"],
                "after": f["before"],
                "moved": False,
            }
            for f in functions
        ],
        "warnings": [],
    }
    return entry, settlement


def pad(
    log: ReleaseLog,
    s3: Any,
    count: int,
    start: datetime = datetime(2020, 1, 1, tzinfo=UTC),
    in_effect_before: str | bool | None = None,
    functions: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write ``count`` settled entries (no-change, a second apart from ``start``: by default
    older than every real one) with the log's own keys. ``in_effect_before``: what each
    settlement names as the release in effect before it, as release.settle writes it (by
    default none: nothing older is in effect; False: the field left out, as settlements
    written before issue 30 leave it)."""
    if count and start.year == 2020:  # the log begins here, with the index (a first deploy)
        s3.put_object(Bucket=log.location.bucket, Key=log.origin_key, Body=b"{}")

    def one(i: int) -> None:
        t = start + timedelta(seconds=i)
        rid = new_id(t)
        entry, settlement = old_entry(log, rid, t, functions)
        if in_effect_before is not False:
            settlement["in_effect_before"] = in_effect_before
        for key, body in [(log.entry_key(rid), entry), (log.settlement_key(rid), settlement)]:
            s3.put_object(Bucket=log.location.bucket, Key=key, Body=json.dumps(body).encode())

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(count)))


def no_change_on_top(kit: Kit, size: int) -> None:
    """As many releases that moved nothing as the log's size, newer than every release so
    far, each settled as release.settle settles one: naming the release in effect before it
    (the releases a deploy whose code did not change leaves, one after another)."""
    log = kit.log()
    newest = log.newest_id()
    in_effect = log.latest_in_effect()
    assert newest is not None and in_effect is not None
    # Each as the newest release the product wrote has it (its rows, a drift note included).
    model = next(r for r in log.releases(5) if r.entry["functions"])
    start = max(now(), id_time(newest) or now()) + timedelta(seconds=1)
    pad(log, log.s3, size, start, in_effect.id, model.entry["functions"])


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


def _only(setup: Callable[[Kit], object]) -> Callable[[Kit, int], object]:
    return lambda kit, _size: setup(kit)


BEGIN = ["begin", "--environment", "bench"]
# (name, what brings the log to the state first (given the log's size), the command then
# measured), in order: each state follows the one before it on the same stack and log.
STATES: list[tuple[str, Callable[[Kit, int], object] | None, list[str]]] = [
    ("rollback", None, ["rollback"]),
    ("status after rollback", None, ["status"]),
    ("begin after rollback", None, BEGIN),
    ("record after rollback", None, ["record"]),
    ("begin after failure", _only(failed), BEGIN),
    ("record after failure", None, ["record"]),
    ("begin, one pending", _only(pending), BEGIN),
    ("record, one pending", None, ["record"]),
    ("begin, out of order", _only(out_of_order), BEGIN),
    ("record, out of order", None, ["record"]),
    # As many releases that moved nothing as the log holds, newer than the one in effect:
    # settling one more walks back to it (the stable pointers), and so do the rollbacks.
    ("begin after no-change", no_change_on_top, BEGIN),
    ("record after no-change", None, ["record"]),
    ("rollback --to-version", None, ["rollback", "--function", "F0Function", "--to-version", "2"]),
    ("--to-version again", None, ["rollback", "--function", "F0Function", "--to-version", "2"]),
    ("rollback --dry-run, no-change", None, ["rollback", "--dry-run"]),
]
