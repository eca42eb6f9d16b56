"""Issue 30: the log read for a drift stops as soon as the drift is explained, at an
earlier deploy's drift note, or at the release that put the stack's version there; never
the whole log. Pure: releases built in memory, the walk counted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lambda_release.log.records import Release
from lambda_release.release.drift_log import (
    drift_history,
    drift_notes,
    explanations,
    rolled_back_versions,
)

LIVE, HELD = "1", "2"  # F runs 1; the stack's Version resource holds 2 (rolled back)


def rel(rid: str, kind: str, rows: Sequence[dict[str, Any]], note: bool = False) -> Release:
    entry_rows: list[Any] = [
        {"logical_id": r["logical_id"], "before": r.get("before")} for r in rows
    ]
    if note:
        entry_rows = [
            {**r, "drift": {"live": LIVE, "held": HELD, "explained_by": "rb", "undone_by": "rb"}}
            for r in entry_rows
        ]
    return Release(
        {"id": rid, "kind": kind, "functions": entry_rows},
        {"outcome": "succeeded", "functions": list(rows)},
    )


def still(rid: str, note: bool = False) -> Release:
    """A release that moved nothing of F."""
    return rel(
        rid, "release", [{"logical_id": "F", "before": LIVE, "after": LIVE, "moved": False}], note
    )


ROLLBACK = rel(
    "rb", "rollback", [{"logical_id": "F", "before": HELD, "after": LIVE, "moved": True}]
)
RELEASE = rel("r0", "release", [{"logical_id": "F", "before": LIVE, "after": HELD, "moved": True}])


def counted(releases: list[Release], read: list[str]) -> Iterator[Release]:
    for r in releases:
        read.append(r.id)
        yield r


def walk(releases: list[Release]) -> tuple[list[str], list[Release]]:
    read: list[str] = []
    found = drift_history(counted(releases, read), {"F": (LIVE, HELD)})
    return read, found


def test_the_walk_stops_at_the_rollback_that_explains_the_drift() -> None:
    old = [still(f"old{i}") for i in range(1000)]
    read, found = walk([still("a"), ROLLBACK, RELEASE, *old])
    assert read == ["a", "rb"]
    assert explanations(found)[("F", LIVE)] == "rb"
    assert rolled_back_versions(found)[("F", HELD)] == "rb"


def test_a_deploys_drift_note_ends_the_walk_however_many_releases_came_since() -> None:
    since = [still(f"s{i}") for i in range(500)]
    read, found = walk([still("now", note=True), *since, ROLLBACK, RELEASE])
    assert read == ["now"]
    assert explanations(found)[("F", LIVE)] == "rb"
    assert rolled_back_versions(found)[("F", HELD)] == "rb"
    # ... and the deploy writes the same note again for the next one
    assert drift_notes(found, {"F": (LIVE, HELD)})["F"] == {
        "live": LIVE,
        "held": HELD,
        "explained_by": "rb",
        "undone_by": "rb",
    }


def test_a_hand_move_stops_at_the_release_that_moved_the_function() -> None:
    """Nothing explains it: no rollback older than the release the stack holds can."""
    older_rollback = rel(
        "rb-old", "rollback", [{"logical_id": "F", "before": "0", "after": LIVE, "moved": True}]
    )
    read, found = walk([still("a"), RELEASE, older_rollback, *[still(f"o{i}") for i in range(100)]])
    assert read == ["a", "r0"]
    assert ("F", LIVE) not in explanations(found)
    assert drift_notes(found, {"F": (LIVE, HELD)})["F"]["explained_by"] is None


def test_no_drift_reads_nothing() -> None:
    read: list[str] = []
    assert drift_history(counted([RELEASE], read), {}) == []
    assert read == []
