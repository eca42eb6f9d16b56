"""Release ids: made from the UTC time, ordered, and named in ``newest/`` so a listing
gives the newest first (every character flipped).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from lambda_release.errors import OperationError


def now() -> datetime:
    return datetime.now(UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id(t: datetime | None = None) -> str:
    """A release id that sorts by time: ``20261126T221700.123456Z-1a2b3c4d``."""
    stamp = (t or now()).astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{secrets.token_hex(4)}"


def id_time(release_id: str) -> datetime | None:
    """The time at the start of a release id (None: not an id of ours)."""
    try:
        return datetime.strptime(release_id[:23], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


_ID_SHAPE = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}")


def is_release_id(text: str) -> bool:
    """``text`` has the shape of a release id (``new_id``)."""
    return _ID_SHAPE.fullmatch(text) is not None and id_time(text) is not None


def ordered_id(candidate: str, newest: str | None) -> str:
    """``candidate`` if it sorts after ``newest``, else an id one microsecond after it:
    ids stay in the order releases held the lock whatever the local clock says."""
    if newest is None or candidate > newest:
        return candidate
    t = id_time(newest)
    if t is None:  # pragma: no cover - every id in the log is one of ours
        raise OperationError(f"release id {newest!r} in the log is not a release id")
    try:
        return new_id(t + timedelta(microseconds=1))
    except OverflowError:  # an entry planted at the end of time: no id sorts after it
        raise OperationError(
            f"release id {newest!r} in the log is at the end of time, so no release can "
            "come after it: move that entry out of the log's newest/ prefix"
        ) from None


def _flip(release_id: str) -> str:
    """Each digit d of the time becomes 9-d and each hex digit h of the random tail f-h.
    Both halves of an id have a fixed length and alphabet, so flipping every character
    reverses the order; flipping twice gives the id back."""
    stamp, dash, tail = release_id.partition("-")
    flipped_stamp = "".join(str(9 - int(c)) if c.isdigit() else c for c in stamp)
    flipped_tail = "".join(format(15 - int(c, 16), "x") for c in tail)
    return flipped_stamp + dash + flipped_tail


def index_name(release_id: str) -> str:
    """The name of ``release_id`` in ``newest/``: names list ascending, ids newest first."""
    return f"{_flip(release_id)}.json"


def id_of_index_name(name: str) -> str | None:
    """The id an index name stands for (None: not an index name of ours)."""
    if not name.endswith(".json"):
        return None
    stem = name[: -len(".json")]
    if _ID_SHAPE.fullmatch(stem) is None:  # a flipped id has an id's shape
        return None
    release_id = _flip(stem)
    return release_id if is_release_id(release_id) else None
