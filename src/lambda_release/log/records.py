"""A release as read from the log (entry, settlement, undo) and the log's head."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from lambda_release.log.ids import id_time, is_release_id, iso
from lambda_release.log.schema import (
    Entry,
    FunctionRecord,
    Kind,
    LogHead,
    Outcome,
    Settlement,
    Undo,
)

PENDING = Outcome.PENDING
SUCCEEDED = Outcome.SUCCEEDED
FAILED = Outcome.FAILED
PARTIAL = Outcome.PARTIAL
NO_CHANGE = Outcome.NO_CHANGE

# A release that moved at least one alias: the ones a rollback can undo.
MOVING_OUTCOMES = (SUCCEEDED, PARTIAL)


# AWS refuses a request signed more than 15 minutes off its clock (SigV4), so no id made
# by a runner that could write the log is later than that past the time S3 stored it.
CLOCK_SKEW = timedelta(minutes=15)


@dataclass
class Head:
    """The log's newest id and the releases begun and not settled, known under the lease.

    The holder of the lease writes it into ``lock.json`` when it gives the lease back
    (lock.release), with ``listed_at``: when it listed the entries its knowledge rests on
    (S3's Date on that listing of ``newest/``). The next holder relies on it only once
    the listing of the newest entries, which it makes anyway, confirms it
    (:meth:`confirmed_by`): a head that names another newest entry, or an entry written
    after it was listed that it does not know of, is checked against the settlements as
    well (:meth:`checked`). ``lock.json`` is one object anyone with write access can
    replace, and a head saying ``pending: []`` while a release is pending would hide that
    release (see docs/release-log.md, "The head, handed over with the lease")."""

    newest: str | None
    pending: set[str]
    listed_at: datetime | None = None

    @classmethod
    def parse(cls, raw: LogHead | None, written_at: datetime | None = None) -> Head | None:
        """The head in a lease, or None when it is absent, names something not an id, or
        names an id later than the lease was written (``written_at``, S3's clock) could
        have been made: a runner's clock that far ahead could not sign its requests. A
        ``listed_at`` that is not a time, or later than the lease was written, is dropped
        (the head is then checked against the settlements)."""
        if raw is None:
            return None
        newest, pending = raw["newest"], raw["pending"]
        if newest is not None and not is_release_id(newest):
            return None
        made = None if newest is None else id_time(newest)
        if made is not None and written_at is not None and made > written_at + CLOCK_SKEW:
            return None
        if not all(is_release_id(p) for p in pending):
            return None
        listed_at = _aws_time(raw.get("listed_at"))
        if listed_at is not None and (written_at is None or listed_at > written_at + SECOND):
            listed_at = None
        return cls(newest, set(pending), listed_at)

    def confirmed_by(self, listed: Sequence[str], modified: Mapping[str, datetime]) -> bool:
        """Whether the newest entries as listed now (ids newest first, with S3's
        Last-Modified of each) confirm this head: the newest is the one it names, and every
        entry written since its holder listed (a second of margin: both clocks count whole
        seconds) is one it knows of (its newest, or one it holds pending). An entry it
        does not know of is a holder's that wrote after losing its lease, or the head is
        not the log's (restored, edited): its settlements are then listed."""
        if self.listed_at is None or self.newest is None or not listed:
            return False
        if listed[0] != self.newest:
            return False
        since = self.listed_at - SECOND
        known = {self.newest, *self.pending}
        for release_id in listed:
            when = modified.get(release_id)
            if (when is None or when >= since) and release_id not in known:
                return False
        return True

    @classmethod
    def checked(cls, handed: Head | None, listed: Head) -> Head:
        """The head to rely on, from the one a lease ``handed`` over and the ``listed`` one
        (entries and settlements listed), when the listing did not confirm it.

        Pending: the listing's, always; the listing is the log, the head only a summary of
        it (it can be stale legitimately: a rollback settles outside the lease). Newest: the
        later of the two, since a new id need only sort after both: a head naming an entry
        deleted by hand still orders the next id after it, and a head naming an older id
        than the listing's is simply outdated. Disagreeing is no error: nothing the user
        must do, and the head this holder hands on is true again."""
        if handed is None or handed.newest is None:
            return listed
        if listed.newest is None or handed.newest > listed.newest:
            return cls(handed.newest, set(listed.pending), listed.listed_at)
        return listed

    def as_json(self) -> LogHead:
        out: LogHead = {"newest": self.newest, "pending": sorted(self.pending)}
        if self.listed_at is not None:
            out["listed_at"] = iso(self.listed_at)
        return out


SECOND = timedelta(seconds=1)


def _aws_time(text: object) -> datetime | None:
    """A time the helper wrote (``iso``), else None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _record(*parts: Mapping[str, object]) -> FunctionRecord:
    """One function's record: ``parts`` (its entry's, then its settlement's) merged."""
    merged: dict[str, object] = {}
    for part in parts:
        merged.update(part)
    # Each part was checked as an EntryFunction or SettledFunction, whose keys it has.
    return cast(FunctionRecord, merged)


@dataclass
class Release:
    """One entry with the facts added to it later (settlement, undo)."""

    entry: Entry
    settlement: Settlement | None = None
    undo: Undo | None = None

    @property
    def id(self) -> str:
        return str(self.entry["id"])

    @property
    def kind(self) -> str:
        return str(self.entry.get("kind", Kind.RELEASE))

    @property
    def outcome(self) -> str:
        if self.settlement is None:
            return PENDING
        return str(self.settlement.get("outcome", PENDING))

    @property
    def undone(self) -> bool:
        return self.undo is not None

    @property
    def in_effect(self) -> bool:
        """Moved at least one alias and was not undone: what rollback pops."""
        return self.kind == Kind.RELEASE and self.outcome in MOVING_OUTCOMES and not self.undone

    def functions(self) -> list[FunctionRecord]:
        """Per function: the entry's before, merged with the settlement's after."""
        settled = self.settlement["functions"] if self.settlement else []
        after = {f["logical_id"]: f for f in settled}
        out = [_record(f, after.get(f["logical_id"], {})) for f in self.entry["functions"]]
        # Functions the release created appear only in the settlement.
        known = {f["logical_id"] for f in out}
        out.extend(_record(f) for lid, f in after.items() if lid not in known)
        return out

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.entry)
        data["outcome"] = self.outcome
        data["functions"] = self.functions()
        if self.settlement is not None:
            for key in (
                "settled_at",
                "settled_by",
                "sam_exit_code",
                "stack_status",
                "warnings",
                "failures",
                "reason",
                "superseded_by",
            ):
                if key in self.settlement:
                    data[key] = self.settlement[key]
        data["undone"] = self.undo is not None
        if self.undo is not None:
            data["undone_by"] = self.undo.get("by")
        return data


def in_effect_before(rel: Release) -> tuple[bool, str | None]:
    """(whether ``rel``'s settlement says, the release it names): the newest release older
    than ``rel`` in effect when it was settled (None: none).

    Sound because the settler (lambda-release.release.settle) holds the lease, or came
    after the begin that held it: every release older than ``rel`` began before ``rel``
    took the lease, and that begin settled each one still pending. A settlement is written
    once and never changes, so the releases between the one named and ``rel`` were, and
    stay, out of effect; an undo mark can only take the one named out of effect too, and
    the caller reads its mark. A name that is not an older release's id is not used."""
    settlement = rel.settlement
    if settlement is None or "in_effect_before" not in settlement:
        return False, None
    named = settlement.get("in_effect_before")
    if named is None:
        return True, None
    if not isinstance(named, str) or not is_release_id(named) or named >= rel.id:
        return False, None
    return True, named
