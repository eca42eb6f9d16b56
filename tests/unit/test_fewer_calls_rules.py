"""Issue 18, the pure rules behind a release's few calls: the head a lease hands over,
when a stack read made before the lease still holds, and which functions a template
publishes the alias on (so the stack need not be listed again after sam)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambda_release.aws.client import answered_at
from lambda_release.errors import OperationError
from lambda_release.log.ids import iso, new_id
from lambda_release.log.index import IndexPage
from lambda_release.log.location import LogLocation
from lambda_release.log.lock import HeldLease
from lambda_release.log.records import Head
from lambda_release.log.schema import Lease, checked
from lambda_release.log.store import ReleaseLog
from lambda_release.release import alias_guard

T = datetime(2026, 11, 29, 21, 0, 0, tzinfo=UTC)


def lease(replaced: datetime | None) -> HeldLease:
    log = ReleaseLog(None, LogLocation("bucket"), "stack", "PROD")
    return HeldLease(log, "holder", "deploy", {}, '"etag"', replaced)


def test_a_lease_that_never_existed_keeps_any_read() -> None:
    assert lease(None).quiet_since(None)
    assert lease(None).quiet_since(T)


@pytest.mark.parametrize(
    ("replaced", "read_at", "quiet"),
    [
        (T - timedelta(seconds=5), T, True),
        (T - timedelta(seconds=1), T, True),  # a whole second before: safe
        (T, T, False),  # the same second: it may have changed after the read
        (T + timedelta(seconds=3), T, False),  # given back after the read
        (T - timedelta(seconds=5), None, False),  # no Date header: read again
    ],
)
def test_a_read_holds_only_if_the_lease_did_not_change_since(
    replaced: datetime, read_at: datetime | None, quiet: bool
) -> None:
    assert lease(replaced).quiet_since(read_at) is quiet


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Sun, 29 Nov 2026 21:00:00 GMT", T),
        ("Sun, 29 Nov 2026 21:00:00 -0000", T),  # no zone: AWS's clock is UTC
        ("yesterday", None),
        ("", None),
    ],
)
def test_the_date_of_an_answer(header: str, expected: datetime | None) -> None:
    assert answered_at({"HTTPHeaders": {"date": header}}) == expected
    assert answered_at({}) is None


def test_a_head_is_read_only_when_it_names_ids() -> None:
    rid = new_id(T)
    head = Head.parse({"newest": rid, "pending": [rid]})
    assert head is not None and head.newest == rid and head.pending == {rid}
    assert head.as_json() == {"newest": rid, "pending": [rid]}
    assert Head.parse({"newest": None, "pending": []}) == Head(None, set())
    assert Head.parse(None) is None
    assert Head.parse({"newest": "../../etc", "pending": []}) is None
    assert Head.parse({"newest": rid, "pending": ["nope"]}) is None


def test_a_head_follows_what_the_command_writes() -> None:
    log = ReleaseLog(None, LogLocation("bucket", "p"), "stack", "PROD")
    old, new = new_id(T), new_id(T + timedelta(seconds=1))
    log.adopt_head({"newest": old, "pending": []})
    log._track(log.entry_key(new))
    assert log.head == Head(new, {new})
    log._track(log.entry_key(old))  # an older id never becomes the newest
    assert log.head is not None and log.head.newest == new
    log._track(log.settlement_key(new))
    assert log.head == Head(new, {old})
    log._track(log.undo_key(old))  # undo marks leave the head alone
    assert log.head == Head(new, {old})


def test_a_handed_head_is_relied_on_only_once_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: a head saying nothing is pending hid a pending release for good; the
    listing decides, once per holder (then every write keeps the head up to date)."""
    log = ReleaseLog(None, LogLocation("bucket"), "stack", "PROD")
    hidden = new_id(T)
    log.adopt_head({"newest": hidden, "pending": []})
    listings: list[Head] = []

    def listed() -> Head:
        listings.append(Head(hidden, {hidden}))
        return listings[-1]

    monkeypatch.setattr(log, "listed_head", listed)
    monkeypatch.setattr(log, "newest_page", lambda listed=None: IndexPage([hidden], False, None))
    assert log.pending_ids() == [hidden]
    assert log.newest_id() == hidden
    assert len(listings) == 1


def sam(resources: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "Transform": "AWS::Serverless-2016-10-31",
        "Parameters": {"AliasName": {"Type": "String", "Default": "STAGING"}},
        "Resources": resources,
        **top,
    }


def fn(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function", "Properties": props}


REF = {"Ref": "AliasName"}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (sam({"A": fn(AutoPublishAlias=REF), "B": fn()}), {"A"}),
        (sam({"A": fn(), "B": fn()}, Globals={"Function": {"AutoPublishAlias": REF}}), {"A", "B"}),
        (sam({"A": fn(AutoPublishAlias="live")}), set()),
        (sam({"A": fn(AutoPublishAlias=REF), "T": {"Type": "AWS::SQS::Queue"}}), {"A"}),
        (sam({"A": fn(AutoPublishAlias={"Fn::Sub": "${AliasName}"})}), None),
        (sam({"A": {**fn(AutoPublishAlias=REF), "Condition": "IsProd"}}), None),
        (sam({"A": fn(AutoPublishAlias=REF), "N": {"Type": "AWS::Serverless::Application"}}), None),
        (sam({"A": fn(AutoPublishAlias=REF), "S": {"Type": "AWS::CloudFormation::Stack"}}), None),
        (sam({"A": fn(AutoPublishAlias=REF), "L": {"Type": "AWS::Lambda::Alias"}}), None),
        (sam({"A": fn(AutoPublishAlias=REF)}, Transform=["AWS::Serverless-2016-10-31", "M"]), None),
        (sam({"A": "not a resource"}), None),
    ],
)
def test_the_functions_a_template_publishes_the_alias_on(
    template: dict[str, Any], expected: set[str] | None
) -> None:
    found = alias_guard.functions_publishing(template, "PROD", {"AliasName": "PROD"})
    assert found == (None if expected is None else frozenset(expected))


# Issue 30: a head handed over with when its holder listed the entries is relied on once the
# newest entries, listed anyway, confirm it: no settlements listed.
LISTED = T + timedelta(minutes=1)


def handed(newest: str, pending: set[str], listed_at: datetime | None = LISTED) -> Head:
    return Head(newest, pending, listed_at)


def test_a_head_is_confirmed_by_the_newest_entries_it_knows() -> None:
    old, ours = new_id(T), new_id(LISTED + timedelta(seconds=5))
    head = handed(ours, set())
    # Its own entry written after it listed; an older one before: confirmed.
    written = {ours: LISTED + timedelta(seconds=5), old: T}
    assert head.confirmed_by([ours, old], written)


def test_a_head_naming_another_newest_is_not_confirmed() -> None:
    old, newer = new_id(T), new_id(LISTED + timedelta(seconds=9))
    head = handed(old, set())
    assert not head.confirmed_by([newer, old], {newer: LISTED, old: T})
    assert not head.confirmed_by([], {})  # the entries are gone: listed whole


def test_an_entry_it_does_not_know_written_after_it_listed_is_not_confirmed() -> None:
    """A holder that wrote after its lease lapsed (its id older than the head's newest)."""
    stalled, ours = new_id(T), new_id(LISTED + timedelta(seconds=5))
    head = handed(ours, set())
    late = {ours: LISTED + timedelta(seconds=5), stalled: LISTED + timedelta(seconds=2)}
    assert not head.confirmed_by([ours, stalled], late)
    # Within the second before it listed: as good as after (both clocks count whole seconds).
    just_before = {**late, stalled: LISTED - timedelta(seconds=0.5)}
    assert not head.confirmed_by([ours, stalled], just_before)
    # Known to it as pending: confirmed, and the release is settled by the next holder.
    assert handed(ours, {stalled}).confirmed_by([ours, stalled], late)
    # No time listed for it: not confirmed.
    assert not head.confirmed_by([ours, stalled], {ours: LISTED})


def test_a_head_without_when_it_was_listed_is_never_confirmed() -> None:
    ours = new_id(T)
    assert not handed(ours, set(), None).confirmed_by([ours], {ours: T})


def test_when_a_head_was_listed_is_read_only_if_it_could_be_true() -> None:
    rid = new_id(T)
    raw: Any = {"newest": rid, "pending": [], "listed_at": iso(LISTED)}
    head = Head.parse(raw, LISTED + timedelta(seconds=3))
    assert head is not None and head.listed_at == LISTED
    assert head.as_json() == raw
    # Later than the lease was written (a clock or a hand that got it wrong): dropped.
    later = Head.parse(raw, LISTED - timedelta(seconds=5))
    assert later is not None and later.listed_at is None
    assert Head.parse({**raw, "listed_at": "yesterday"}, LISTED) == Head(rid, set())
    assert Head.parse(raw, None) == Head(rid, set())  # the lease's time unknown


@pytest.mark.parametrize("listed_at", [float("nan"), 5, None, ["2026"], {"t": 1}])
def test_a_listed_at_of_the_wrong_type_refuses_the_lease_naming_it(listed_at: Any) -> None:
    """A head's `listed_at` that is not a string makes `lock.json` the wrong shape: refused
    naming it (exit 1), as a head of the wrong shape always was; a string that is not a
    time is only dropped (test_when_a_head_was_listed_is_read_only_if_it_could_be_true)."""
    lease = {
        "holder": "x",
        "expires_epoch": 1.0,
        "head": {"newest": None, "pending": [], "listed_at": listed_at},
    }
    with pytest.raises(OperationError, match=r"lock\.json is not a valid lease: head\.listed_at"):
        checked(lease, Lease, "s3://b/lambda-release/s/PROD/lock.json")
