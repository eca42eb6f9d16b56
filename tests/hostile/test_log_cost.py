"""Issue 18: the release log's cost does not grow with its length, and old logs still read.

Call counts (not timing) at a short and a long log, against the sandbox's S3 over HTTP;
a log written in the layout before the index (no ``newest/``) read in full.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from lambda_release.aws.trace import install, read_trace
from lambda_release.log import lock
from lambda_release.log.ids import id_of_index_name, index_name, new_id
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.faultproxy import FaultProxy
from lambda_release.sandbox.server import CREDENTIALS, Sandbox
from tests.support.processes import Cli

START = datetime(2021, 3, 4, tzinfo=UTC)


def make_log(sandbox: Sandbox, trace: Path | None = None) -> ReleaseLog:
    s3 = sandbox.client("s3")
    bucket = f"log18-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    if trace is not None:
        install(s3, str(trace))
    return ReleaseLog(s3, LogLocation(bucket, "p"), "stack18", "PROD")


def entry(rid: str, functions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": rid, "kind": "release", "functions": functions or [], "time": "t"}


def moved(rid: str) -> dict[str, Any]:
    fn = [{"logical_id": "F", "function_name": "f", "before": "1", "after": "2", "moved": True}]
    return {"id": rid, "outcome": "succeeded", "functions": fn}


def fill(log: ReleaseLog, count: int, *, indexed: bool, outcome: str = "no-change") -> list[str]:
    """``count`` settled entries, oldest first; ``indexed`` False: the layout before the
    index (entry and settlement objects only), as an older helper wrote them."""
    ids = [new_id(START + timedelta(seconds=i)) for i in range(count)]
    bucket = log.location.bucket

    def put(key: str, body: dict[str, Any]) -> None:
        log.s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())

    def one(rid: str) -> None:
        if indexed:
            put(log.entry_key(rid), {"schema": "lambda-release/entry@1", **entry(rid)})
        else:
            put(log.legacy_entry_key(rid), entry(rid))
        put(log.settlement_key(rid), {"id": rid, "outcome": outcome, "functions": []})

    if indexed:
        put(log.origin_key, {})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, ids))
    return ids


def s3_calls(trace: Path, action: Callable[[], object]) -> int:
    trace.unlink(missing_ok=True)
    action()
    return sum(1 for c in read_trace(str(trace)) if c["service"] == "s3")


def test_index_names_list_newest_first() -> None:
    ids = [new_id(START + timedelta(microseconds=(i * 7919**3) % 10**12)) for i in range(500)] + [
        new_id(START),
        new_id(START),
    ]  # same instant: the random tail decides
    assert [id_of_index_name(n) for n in sorted(index_name(i) for i in ids)] == sorted(
        ids, reverse=True
    )
    assert id_of_index_name("~origin.json") is None
    assert id_of_index_name("not-an-id.json") is None


def test_a_log_written_before_the_index_reads_whole(sandbox: Sandbox) -> None:
    log = make_log(sandbox)
    ids = fill(log, 130, indexed=False)
    orphan = new_id(START - timedelta(days=1))
    log.s3.put_object(
        Bucket=log.location.bucket,
        Key=log.settlement_key(orphan),
        Body=json.dumps({"id": orphan, "outcome": "failed", "functions": []}).encode(),
    )
    pending = new_id(START + timedelta(days=1))
    log.s3.put_object(
        Bucket=log.location.bucket,
        Key=log.legacy_entry_key(pending),
        Body=json.dumps(entry(pending)).encode(),
    )
    assert [r.id for r in log.newest_first()] == [pending, *reversed(ids)]
    assert log.newest_id() == pending
    assert log.pending_ids() == [pending]
    assert log.orphans() == [log.settlement_key(orphan)]
    assert log.latest_in_effect() is None


def test_new_entries_on_an_old_log_read_in_order(sandbox: Sandbox) -> None:
    log = make_log(sandbox)
    old = fill(log, 5, indexed=False)
    log.s3.put_object(
        Bucket=log.location.bucket,
        Key=log.settlement_key(old[1]) + ".tmp",  # not ours: ignored by every read
        Body=b"{}",
    )
    undo_target = old[-1]
    newest = log.newest_id()
    assert newest == old[-1]
    fresh = new_id(START + timedelta(days=2))
    log.write_entry(entry(fresh), first_in_log=newest is None)
    assert [r.id for r in log.newest_first()] == [fresh, *reversed(old)]
    assert log.releases(3)[0].id == fresh
    assert log.newest_id() == fresh
    assert log.pending_ids() == [fresh]
    log.write_settlement(fresh, moved(fresh))
    assert log.write_undo(fresh, by="rb-1")
    assert log.pending_ids() == []
    assert log.latest_in_effect() is None  # the only mover is undone; old ones moved nothing
    assert [r.undone for r in log.releases(2)] == [True, False]
    assert undo_target in [r.id for r in log.releases()]


def test_an_entry_is_one_object_and_lists_newest_first(sandbox: Sandbox, tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    log = make_log(sandbox, trace)
    first = new_id(START)
    log.write_entry(entry(first), first_in_log=True)  # the origin marker, then the entry
    second = new_id(START + timedelta(seconds=1))
    puts = [c for c in read_trace(str(trace)) if c["operation"] == "PutObject"]
    assert len(puts) == 2
    trace.unlink()
    log.write_entry(entry(second))
    (put,) = [c for c in read_trace(str(trace)) if c["operation"] == "PutObject"]
    assert put["params"]["Key"] == log.entry_key(second)
    assert [r.id for r in log.newest_first()] == [second, first]
    assert log.entry_ids() == [first, second]
    assert log.orphans() == []


@pytest.mark.parametrize("outcome", ["no-change", "succeeded"])
def test_reads_cost_the_same_at_25_and_at_150_entries(
    sandbox: Sandbox, tmp_path: Path, outcome: str
) -> None:
    counts: dict[int, Counter[str]] = {}
    for size in (25, 150):  # both longer than the 20 entries history shows
        trace = tmp_path / f"trace-{size}.jsonl"
        log = make_log(sandbox, trace)
        fill(log, size - 1, indexed=True, outcome=outcome)
        top = new_id(START + timedelta(days=3))
        log.write_entry(entry(top))
        log.write_settlement(top, moved(top))
        got: Counter[str] = Counter()
        got["newest_id"] = s3_calls(trace, log.newest_id)
        got["history 20"] = s3_calls(trace, lambda log=log: log.releases(20))  # type: ignore[misc]
        got["pending"] = s3_calls(trace, log.pending_ids)
        got["orphans"] = s3_calls(trace, log.orphans)
        got["in effect"] = s3_calls(trace, log.latest_in_effect)
        counts[size] = got
        assert log.latest_in_effect() is not None
        assert len(log.releases(20)) == min(20, size)
    for what, small in counts[25].items():
        assert abs(counts[150][what] - small) <= 2, (what, counts)


def test_history_pages_with_before(lr: Cli, sandbox: Sandbox) -> None:
    log = make_log(sandbox)
    old = fill(log, 7, indexed=False)  # the layout before the index, under newer entries
    newest = log.newest_id()
    new = []
    for i in range(8):
        rid = new_id(START + timedelta(days=5, seconds=i))
        log.write_entry(entry(rid), first_in_log=newest is None)
        new.append(rid)
    every = [*reversed(new), *reversed(old)]
    env = dict(os.environ, **sandbox.env)
    args = ["--stack", log.stack, "--alias", log.alias, "--log-bucket", log.location.uri]
    shown: list[str] = []
    before: list[str] = []
    while True:
        p = lr("history", *args, "--limit", "5", "--output", "json", *before, env=env, timeout=120)
        assert p.returncode == 0, p.stderr
        page = [r["id"] for r in json.loads(p.stdout)]
        if not page:
            break
        shown += page
        before = ["--before", page[-1]]
    assert shown == every


@pytest.mark.parametrize("bad", ["yesterday", "20261126T221700.123456Z-1a2b3c4", ""])
def test_history_before_a_non_id_is_bad_input(lr: Cli, sandbox: Sandbox, bad: str) -> None:
    env = dict(os.environ, **sandbox.env)
    p = lr(
        "history",
        *("--stack", "s18", "--alias", "PROD", "--log-bucket", "b18x", "--before", bad),
        env=env,
        timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert "--before" in p.stderr.strip().splitlines()[-1]


def test_the_lease_costs_two_calls_to_take_and_one_to_give_back(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    trace = tmp_path / "lock.jsonl"
    log = make_log(sandbox, trace)
    first = lock.acquire(log, "a", mode="deploy", ttl=60, timeout=0)
    assert lock.release(log, "a", first)
    take = s3_calls(trace, lambda: lock.acquire(log, "b", mode="deploy", ttl=60, timeout=0))
    held = lock.read_lease(log)
    assert held is not None and held[0]["holder"] == "b"
    lease = lock.HeldLease(log, "b", "deploy", held[0], held[1])
    assert lock.renew(lease, 60)
    give_back = s3_calls(trace, lambda: lock.release(log, "b", lease))
    assert (take, give_back) == (2, 1)
    held = lock.read_lease(log)
    assert held is not None and held[0]["released"] is True
    # A stale lease (someone took it over since) is not given back on their behalf.
    other = lock.acquire(log, "c", mode="deploy", ttl=60, timeout=0)
    assert not lock.release(log, "b", lease)
    assert lock.release(log, "c", other)


def test_the_proxy_paces_get_function_in_its_own_bucket(sandbox: Sandbox) -> None:
    """Lambda's quotas: GetFunction 100/s apart from the control plane's 15/s."""
    with FaultProxy(
        sandbox.endpoint_url, lambda_rate=1, get_function_rate=100, rate_mode="throttle"
    ) as proxy:
        lam = boto3.client(
            "lambda",
            endpoint_url=proxy.url,
            region_name=sandbox.region,
            config=botocore.config.Config(retries={"total_max_attempts": 1}),
            aws_access_key_id=CREDENTIALS.access_key_id,
            aws_secret_access_key=CREDENTIALS.secret_access_key,
            aws_session_token=CREDENTIALS.session_token,
        )
        for _ in range(5):
            with pytest.raises(botocore.exceptions.ClientError):
                lam.get_function(FunctionName="absent18")  # 404 from upstream: admitted
        for _ in range(3):
            with pytest.raises(botocore.exceptions.ClientError):
                lam.list_aliases(FunctionName="absent18")
    statuses = [(c.operation, c.status) for c in proxy.calls]
    assert [s for op, s in statuses if op == "GetFunction"] == [404] * 5
    assert 429 in [s for op, s in statuses if op == "ListAliases"]
