"""A release as read from the log (entry, settlement, undo) and the log's head."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from lambda_release.log.ids import id_time, is_release_id
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
    (lock.release). The next holder does not rely on it as it is: ``lock.json`` is one
    object anyone with write access can replace, and a head saying ``pending: []`` while a
    release is pending would hide that release for good (each holder hands the claim on).
    So the head is checked against the newest window's listing before it is relied on
    (``ReleaseLog.learn_head``, :meth:`checked`), then kept up to date by every write.
    """

    newest: str | None
    pending: set[str]

    @classmethod
    def parse(cls, raw: LogHead | None, written_at: datetime | None = None) -> Head | None:
        """The head in a lease, or None when it is absent, names something not an id, or
        names an id later than the lease was written (``written_at``, S3's clock) could
        have been made: a runner's clock that far ahead could not sign its requests."""
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
        return cls(newest, set(pending))

    @classmethod
    def checked(cls, handed: Head | None, listed: Head) -> Head:
        """The head to rely on, from the one a lease ``handed`` over and the ``listed`` one.

        Pending: the listing's, always; the listing is the log, the head only a summary of
        it (it can be stale legitimately: a rollback settles outside the lease). Newest: the
        later of the two, since a new id need only sort after both: a head naming an entry
        deleted by hand still orders the next id after it, and a head naming an older id
        than the listing's is simply outdated. Disagreeing is no error: nothing the user
        must do, and the head this holder hands on is true again."""
        if handed is None or handed.newest is None:
            return listed
        if listed.newest is None or handed.newest > listed.newest:
            return cls(handed.newest, set(listed.pending))
        return listed

    def as_json(self) -> LogHead:
        return {"newest": self.newest, "pending": sorted(self.pending)}


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
