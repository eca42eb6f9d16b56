"""Caches a command's threads share: a log window listed while a write was under way is
not kept (it may miss what the write added); one listed with no write beside it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog


class _Pages:
    def paginate(self, **_: Any) -> Iterator[dict[str, Any]]:
        yield {"Contents": []}


class _S3:
    """Just enough S3 for the index: empty listings, and writes that always land."""

    def __init__(self) -> None:
        self.during_listing: Callable[[], None] | None = None

    def list_objects_v2(self, **_: Any) -> dict[str, Any]:
        if self.during_listing is not None:
            self.during_listing()  # another thread's write, while this listing is answered
        return {"Contents": [], "IsTruncated": False}

    def get_paginator(self, _name: str) -> _Pages:
        return _Pages()

    def put_object(self, **_: Any) -> dict[str, Any]:
        return {"ETag": '"etag"'}


def _log(s3: _S3) -> ReleaseLog:
    return ReleaseLog(s3, LogLocation("bucket"), "stack", "PROD")


def test_a_window_listed_with_no_write_beside_it_is_kept() -> None:
    log = _log(_S3())
    log.recent_ids()
    assert log._newest is not None


def test_a_window_listed_while_a_write_lands_is_not_kept() -> None:
    s3 = _S3()
    log = _log(s3)
    s3.during_listing = lambda: log.put_new(log.undo_key("r1"), {"by": "x"}) and None
    log.recent_ids()
    assert log._newest is None
