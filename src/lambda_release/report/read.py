"""The releases a report needs, read from the log: the release (the newest, or one by id),
the rollback that undid it, or, for a rollback, the release it undid."""

from __future__ import annotations

from typing import Any

from lambda_release.errors import OperationError, UsageError
from lambda_release.log.ids import is_release_id
from lambda_release.log.records import Release
from lambda_release.log.schema import Kind
from lambda_release.log.store import ReleaseLog
from lambda_release.report.facts import report_facts


def chosen(log: ReleaseLog, release_id: str | None) -> Release:
    """Release ``release_id`` (a release's or a rollback's id), else the newest entry."""
    if release_id is None:
        newest = log.releases(1)
        if not newest:
            raise OperationError(
                f"no releases recorded for {log.stack} alias {log.alias} in "
                f"{log.location.uri}: nothing to report"
            )
        return newest[0]
    if not is_release_id(release_id):
        raise UsageError(
            f"--release {release_id!r} is not a release id: give an id from "
            "`lambda-release history`, e.g. 20261126T221700.123456Z-1a2b3c4d"
        )
    return log.load(release_id)


def _other(log: ReleaseLog, release_id: object) -> Release | None:
    """A release the report mentions; None when it is not (or no longer) in the log."""
    if not isinstance(release_id, str) or not is_release_id(release_id):
        return None
    try:
        return log.load(release_id)
    except UsageError:
        return None


def release_report(log: ReleaseLog, release_id: str | None = None) -> dict[str, Any]:
    """The report's facts (report.facts) of one release, read from ``log``."""
    return _facts(log, chosen(log, release_id), {})


def _facts(log: ReleaseLog, release: Release, known: dict[str, Release]) -> dict[str, Any]:
    """``release``'s facts; the releases it names are taken from ``known`` when there."""

    def other(release_id: object) -> Release | None:
        return (
            known.get(release_id)
            if isinstance(release_id, str) and release_id in known
            else _other(log, release_id)
        )

    undone_by = other(release.undo.get("by")) if release.undo is not None else None
    undoes = other(release.entry.get("undoes")) if release.kind == Kind.ROLLBACK else None
    return report_facts(release, undone_by, undoes)


def newest_reports(log: ReleaseLog, limit: int) -> list[dict[str, Any]]:
    """The facts of the ``limit`` newest entries, newest first (one window of the log; a
    release or rollback outside it that one of them names is read on its own)."""
    releases = log.releases(limit)
    known = {r.id: r for r in releases}
    return [_facts(log, r, known) for r in releases]
