"""Issue 24 item 3, the pure parts: an object is the release its key names, and the head a
lease hands over is only a summary of the listing (the sandbox cases are
tests/hostile/test_log_identity.py)."""

from __future__ import annotations

import pytest

from lambda_release.errors import OperationError
from lambda_release.log.ids import id_of_index_name, index_name
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Head
from lambda_release.log.store import ReleaseLog

OLD = "20261126T221700.123456Z-1a2b3c4d"
NEW = "20261127T080000.000000Z-00ff00ff"


def a_log() -> ReleaseLog:
    return ReleaseLog(None, LogLocation("bucket"), "stack", "PROD")


def test_an_object_of_its_own_release_passes() -> None:
    log = a_log()
    log.identified(log.entry_key(NEW), {"id": NEW}, NEW, "entry")
    log.identified(log.settlement_key(NEW), {}, NEW, "settlement")  # id is optional there


@pytest.mark.parametrize("what", ["entry", "settlement", "undo mark"])
def test_an_object_of_another_release_is_named_by_its_key(what: str) -> None:
    log = a_log()
    key = log.entry_key(NEW)
    assert id_of_index_name(key.rsplit("/", 1)[1]) == NEW == id_of_index_name(index_name(NEW))
    with pytest.raises(OperationError) as err:
        log.identified(key, {"id": OLD}, NEW, what)
    message = str(err.value)
    assert f"s3://bucket/{key} holds the {what} of release {OLD}, not of {NEW}" in message
    assert "\n" not in message


def test_an_id_that_is_no_id_is_shown_on_one_line() -> None:
    log = a_log()
    with pytest.raises(OperationError) as err:
        log.identified(log.entry_key(NEW), {"id": "x\ny"}, NEW, "entry")
    assert "holds the entry of release 'x\\ny', not of" in str(err.value)


def test_the_listing_decides_what_is_pending() -> None:
    listed = Head(NEW, {NEW})
    assert Head.checked(Head(NEW, set()), listed) == Head(NEW, {NEW})  # the lie of issue 24
    assert Head.checked(Head(OLD, set()), listed) == Head(NEW, {NEW})  # an outdated head
    assert Head.checked(Head(NEW, {OLD}), Head(NEW, set())) == Head(NEW, set())  # settled since
    assert Head.checked(None, listed) == listed


def test_the_later_newest_orders_the_next_id() -> None:
    """A head naming an entry deleted by hand still orders the next id after it."""
    assert Head.checked(Head(NEW, set()), Head(OLD, {OLD})) == Head(NEW, {OLD})
    assert Head.checked(Head(NEW, set()), Head(None, set())) == Head(NEW, set())
