"""Issue 18: the head a lease hands over, attacked.

The lease given back says which id is the newest and which releases are pending, so the
next holder lists nothing. Each case: a lease that lapsed, a head that names a pending
release someone settled since, a head that names no id, a head of the wrong shape, a
holder that came and went between the stack read and the lease; what the log says
afterwards must agree with the aliases.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lambda_release.aws.trace import read_trace
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.ids import id_time, new_id
from lambda_release.release.begin import begin
from lambda_release.sandbox import Sandbox
from tests.hostile.lease_object import lease_body, listings, put_lease
from tests.rollback.stackkit import Kit
from tests.support.logstates import old_entry


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    k = Kit.in_env(sandbox, monkeypatch, "head")
    k.release({"A": "1", "B": "1"})
    yield k


def head_of(kit: Kit) -> dict[str, Any]:
    """The head the lease holds, without when it was listed (checked apart)."""
    head = dict(lease_body(kit)["head"])
    # When its holder listed the entries: S3's time (the Date of that listing), as written.
    datetime.strptime(head.pop("listed_at"), "%Y-%m-%dT%H:%M:%S.%fZ")
    return head


def test_a_lease_given_back_hands_over_the_head(kit: Kit, trace: Path) -> None:
    first = kit.entries()[-1].id
    assert head_of(kit) == {"newest": first, "pending": []}
    trace.unlink(missing_ok=True)
    second = kit.release({"A": "2"})
    # The head is relied on once the newest entries, listed anyway, confirm it (issue 30):
    # it names the newest, and no entry it does not know of came after its holder listed.
    # Neither settlements nor undo marks are listed.
    base = kit.log().base
    assert listings(trace) == [f"{base}newest/"]
    assert head_of(kit) == {"newest": second, "pending": []}
    assert second > first
    assert [r.outcome for r in kit.entries()] == ["succeeded", "succeeded"]
    assert kit.versions() == {"A": "2", "B": "1"}


def test_a_lapsed_lease_hands_over_nothing(kit: Kit, trace: Path) -> None:
    log = kit.log()
    dead = lock.acquire(log, "killed-job", mode="deploy", ttl=0.5, timeout=0)
    assert dead is not None  # its holder dies here: the lease lapses, no head written
    time.sleep(0.6)
    trace.unlink(missing_ok=True)
    rid = kit.release({"B": "2"})
    # The log was listed, settlements too: a lapsed lease says nothing of it.
    assert f"{kit.log().base}settled/" in listings(trace)
    assert head_of(kit) == {"newest": rid, "pending": []}
    assert kit.versions() == {"A": "1", "B": "2"}


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_head_naming_a_release_settled_since_is_not_settled_twice(
    kit: Kit, trace: Path, confirmed: bool
) -> None:
    # The last holder saw release X pending; a rollback (which settles before it locks)
    # settled it since. X is not settled twice: whether the head is checked against the
    # settlements (no listed_at: an older helper's) or relied on (confirmed by the newest
    # entries: X is the newest, and the head knows it), the settlement found stands.
    x = kit.entries()[-1]
    settled_before = x.settlement
    body = lease_body(kit)
    head = {"newest": x.id, "pending": [x.id]}
    if confirmed:
        head["listed_at"] = body["head"]["listed_at"]
    put_lease(kit, {**body, "head": head})
    trace.unlink(missing_ok=True)
    kit.release({"A": "3"})
    settled_listed = f"{kit.log().base}settled/" in listings(trace)
    assert settled_listed is not confirmed
    again = next(r for r in kit.entries() if r.id == x.id)
    assert again.settlement == settled_before
    assert kit.versions() == {"A": "2", "B": "1"}
    assert kit.versions("PROD_STABLE") == {"A": "1", "B": "1"}  # as after any release


def test_a_head_naming_no_id_is_ignored(kit: Kit, trace: Path) -> None:
    first = kit.entries()[-1].id
    put_lease(
        kit, {**lease_body(kit), "head": {"newest": "99999999T999999.999999Z-zz", "pending": []}}
    )
    trace.unlink(missing_ok=True)
    rid = kit.release({"A": "4"})
    assert listings(trace)  # not trusted: listed
    assert rid > first
    assert [r.id for r in kit.entries()] == [first, rid]


def test_a_head_of_the_wrong_shape_is_refused_naming_the_lease(kit: Kit) -> None:
    put_lease(kit, {**lease_body(kit), "head": {"newest": 5, "pending": "x"}})
    before = kit.entries()
    with pytest.raises(OperationError, match=r"lock\.json is not a valid lease: head\.newest"):
        begin(kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=60, lock_timeout=0)
    assert [r.id for r in kit.entries()] == [r.id for r in before]


def test_a_holder_between_the_stack_read_and_the_lease_makes_it_read_again(
    kit: Kit, trace: Path
) -> None:
    engine, log = kit.engine(), kit.log()
    engine.info()  # the read a deploy makes before it takes the lease
    time.sleep(1.1)
    theirs = lock.acquire(kit.log(), "someone", mode="deploy", ttl=60, timeout=0)
    threading.Timer(1.5, lambda: lock.release(theirs.log, "someone", theirs)).start()
    trace.unlink(missing_ok=True)
    entry, lease, problems = begin(
        engine, log, environment="t", mode="deploy", lock_ttl=60, lock_timeout=20
    )
    try:
        assert not problems and entry is not None
        ops = [c["operation"] for c in read_trace(str(trace))]
        assert ops.count("DescribeStacks") == 1  # read again under the lease: it may have changed
        # ... and listed again only if CloudFormation changed it: that holder did not (issue 30)
        assert "ListStackResources" not in ops
    finally:
        lock.release(log, lease.holder, lease)


def test_a_quiet_lease_keeps_the_read_made_before_it(kit: Kit, trace: Path) -> None:
    engine, log = kit.engine(), kit.log()
    time.sleep(1.1)  # the last release gave the lease back over a second ago
    engine.info()
    trace.unlink(missing_ok=True)
    entry, lease, problems = begin(
        engine, log, environment="t", mode="deploy", lock_ttl=60, lock_timeout=0
    )
    try:
        assert not problems and entry is not None
        ops = [c["operation"] for c in read_trace(str(trace))]
        assert "DescribeStacks" not in ops and "ListStackResources" not in ops
        assert [f["before"] for f in entry["functions"]] == ["1", "1"]
    finally:
        lock.release(log, lease.holder, lease)


def test_an_entry_a_stalled_holder_wrote_after_the_head_was_listed_is_settled(
    kit: Kit, trace: Path
) -> None:
    """A holder whose lease lapsed while it was paused writes its entry late: its id is
    older than the newest (it took the lease first), and the head handed over says nothing
    is pending. The entry was written after that head's holder listed the log, so the
    next release does not rely on the head: it lists the settlements, finds the entry
    pending and settles it (issue 30)."""
    log = kit.log()
    newest = kit.entries()[-1].id
    stalled = new_id(id_time(newest) - timedelta(seconds=1))
    entry, _ = old_entry(log, stalled, id_time(stalled))
    kit.sandbox.client("s3").put_object(
        Bucket=kit.bucket, Key=log.entry_key(stalled), Body=json.dumps(entry).encode()
    )
    assert head_of(kit) == {"newest": newest, "pending": []}  # the head knows nothing of it
    trace.unlink(missing_ok=True)
    rid = kit.release({"A": "5"})
    assert f"{log.base}settled/" in listings(trace)
    late = next(r for r in kit.entries() if r.id == stalled)
    assert late.outcome == "unknown" and late.settlement is not None  # superseded, settled
    assert head_of(kit) == {"newest": rid, "pending": []}
    assert kit.versions() == {"A": "2", "B": "1"}  # the new code published as version 2


def test_an_old_lease_restored_is_not_relied_on(kit: Kit, trace: Path) -> None:
    """A lease object restored from an earlier version (S3 versioning, a backup): its head
    names an older newest entry, so the listing does not confirm it, and the settlements
    are listed."""
    first = kit.entries()[-1].id
    then = lease_body(kit)
    second = kit.release({"A": "6"})
    put_lease(kit, then)
    trace.unlink(missing_ok=True)
    third = kit.release({"B": "6"})
    assert f"{kit.log().base}settled/" in listings(trace)
    assert [r.id for r in kit.entries()] == [first, second, third]
    assert [r.outcome for r in kit.entries()] == ["succeeded"] * 3
    assert head_of(kit) == {"newest": third, "pending": []}
