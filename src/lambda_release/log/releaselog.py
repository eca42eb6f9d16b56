"""The release log: append-only, one S3 object per fact, never overwritten.

Layout under ``s3://BUCKET/[PREFIX/]lambda-release/<stack>/<alias>/`` (see
docs/release-log.md for the JSON schemas)::

    newest/<flipped id>.json  the entry, written when the release begins (pending),
                              with every function's version before; named so that
                              a listing gives the newest first (index_name)
    newest/~origin.json       marks a log begun with this layout
    settled/<id>.json         its settlement: outcome and versions after
    undone/<id>.json          written by a rollback that undid release <id>
    lock.json                 the lease (see lock.py), with the log's head
    rollbacks/<key>.json      a logical rollback's claim (see rollback.py)
    releases/<id>.json        entries of logs begun before 1.0 (read, never written)

Every key is built here, and every object read is checked against its shape
(logschema.py): a malformed object is an error naming its key, never a traceback.

Every object except the lease is written with ``IfNoneMatch="*"``: two writers
can never overwrite each other, and "settle" or "undo" adds an object rather
than rewriting the entry. Ids start with the UTC time, so listing ``settled/``
gives them in order, and ``newest/`` (flipped) in reverse.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import error_code
from lambda_release.errors import OperationError, UsageError
from lambda_release.log.schema import (
    ENTRY_SCHEMA,
    SETTLEMENT_SCHEMA,
    UNDO_SCHEMA,
    Claim,
    Entry,
    Kind,
    Lease,
    LogHead,
    Outcome,
    Settlement,
    Undo,
    checked,
)

LOG_TAG = "lambda-release:log"
# Entries, named so a listing gives the newest first, and a marker (sorting after
# every name) in a log begun with this layout.
INDEX_FOLDER = "newest"
ORIGIN_NAME = "~origin.json"
INDEX_PAGE = 100
ROOT = "lambda-release"
__all__ = ["ENTRY_SCHEMA", "SETTLEMENT_SCHEMA", "UNDO_SCHEMA", "Kind", "Outcome"]

PENDING = Outcome.PENDING
SUCCEEDED = Outcome.SUCCEEDED
FAILED = Outcome.FAILED
PARTIAL = Outcome.PARTIAL
NO_CHANGE = Outcome.NO_CHANGE
OUTCOMES = (SUCCEEDED, FAILED, PARTIAL, NO_CHANGE)
# A release that moved at least one alias: the ones a rollback can undo.
MOVING_OUTCOMES = (SUCCEEDED, PARTIAL)

# S3 answers 412 when the condition fails and 409 when two conditional
# writes race; both mean "someone else wrote first".
CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")


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


@dataclass(frozen=True)
class LogLocation:
    """Where a log lives: a bucket and an optional key prefix."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, value: str) -> LogLocation:
        """``s3://bucket/prefix``, ``s3://bucket`` or a bare bucket name."""
        text = value.strip()
        if text.startswith("s3://"):
            text = text[len("s3://") :]
        elif "://" in text:
            raise UsageError(
                f"release log location {value!r} is not an S3 location: give a bucket "
                "name or s3://bucket/prefix"
            )
        bucket, _, prefix = text.partition("/")
        if not bucket or len(bucket) < 3:
            raise UsageError(
                f"release log location {value!r} names no bucket: give --log-bucket BUCKET "
                "or s3://bucket/prefix"
            )
        return cls(bucket, prefix.strip("/"))

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def base(self, stack: str, alias: str) -> str:
        head = f"{self.prefix}/" if self.prefix else ""
        return f"{head}{ROOT}/{stack}/{alias}/"


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


@dataclass(frozen=True)
class IndexPage:
    ids: list[str]
    origin: bool
    next_after: str | None


@dataclass(frozen=True)
class NewestWindow:
    page: IndexPage
    window: Window | None
    facts: bool


@dataclass(frozen=True)
class Window:
    """Ids newest first, with which of them are settled and undone."""

    ids: list[str]
    settled: set[str]
    undone: set[str]
    indexed: bool


# AWS refuses a request signed more than 15 minutes off its clock (SigV4), so no id made
# by a runner that could write the log is later than that past the time S3 stored it.
CLOCK_SKEW = timedelta(minutes=15)


@dataclass
class Head:
    """The log's newest id and the releases begun and not settled, known under the lease.

    The holder of the lease writes it into ``lock.json`` when it gives the lease back
    (lock.release); the next holder, having taken over that exact object (``IfMatch``),
    starts from it instead of listing the log. Entries are written only under the lease,
    so ``newest`` cannot be outdated; settlements may be written outside it (a rollback
    settles before it locks), so only an EMPTY ``pending`` is trusted as it is: anything
    else is listed again (``ReleaseLog.pending_ids``).
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

    def as_json(self) -> LogHead:
        return {"newest": self.newest, "pending": sorted(self.pending)}


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

    def functions(self) -> list[dict[str, Any]]:
        """Per function: the entry's before, merged with the settlement's after."""
        settled = self.settlement["functions"] if self.settlement else []
        after: dict[str, dict[str, Any]] = {f["logical_id"]: dict(f) for f in settled}
        out: list[dict[str, Any]] = []
        for f in self.entry["functions"]:
            merged: dict[str, Any] = dict(f)
            merged.update(after.get(f["logical_id"], {}))
            out.append(merged)
        # Functions the release created appear only in the settlement.
        known = {f["logical_id"] for f in out}
        out.extend(dict(f) for lid, f in after.items() if lid not in known)
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


class ReleaseLog:
    """The log of one stack and alias."""

    def __init__(self, s3: Any, location: LogLocation, stack: str, alias: str) -> None:
        self.s3 = s3
        self.location = location
        self.stack = stack
        self.alias = alias
        self.base = location.base(stack, alias)
        # Read once per command: the newest window of the index, until this log writes
        # anything (taking, renewing or giving back the lock included: what changed while
        # we waited for the lock is read again), and every append-only object read or
        # written (entries, settlements, undo marks never change once they exist).
        self._newest: NewestWindow | None = None
        self._objects: dict[str, tuple[dict[str, Any], str]] = {}
        # Known only while this command holds the lease (see Head): adopted from the
        # lease it took over, or learnt by listing under it; kept up to date by every write.
        self.head: Head | None = None
        # S3's Last-Modified of objects read (the lease's tells whether a stack read made
        # before the lease was taken is still current: lock.Lease.quiet_since).
        self.last_modified: dict[str, datetime] = {}

    # -- keys -------------------------------------------------------------
    def entry_key(self, release_id: str) -> str:
        """Where an entry is written: its newest-first name (one object per entry)."""
        return f"{self.base}{INDEX_FOLDER}/{index_name(release_id)}"

    def legacy_entry_key(self, release_id: str) -> str:
        """Where a log begun before 1.0 keeps its entries (read only)."""
        return f"{self.base}releases/{release_id}.json"

    def settlement_key(self, release_id: str) -> str:
        return f"{self.base}settled/{release_id}.json"

    def undo_key(self, release_id: str) -> str:
        return f"{self.base}undone/{release_id}.json"

    @property
    def lock_key(self) -> str:
        return f"{self.base}lock.json"

    @property
    def origin_key(self) -> str:
        return f"{self.base}{INDEX_FOLDER}/{ORIGIN_NAME}"

    def claim_key(self, key: str) -> str:
        return f"{self.base}rollbacks/{key}.json"

    def uri(self, key: str) -> str:
        return f"s3://{self.location.bucket}/{key}"

    # -- raw access -----------------------------------------------------------
    def fail(self, action: str, exc: botocore.exceptions.ClientError) -> OperationError:
        code = error_code(exc)
        if code == "NoSuchBucket":
            return OperationError(
                f"release log bucket {self.location.bucket!r} does not exist: create it, or "
                "give --log-bucket (or --s3-bucket) naming an existing bucket"
            )
        if code in ("AccessDenied", "403"):
            return OperationError(
                f"no access to the release log {self.location.uri} ({action}): the role needs "
                f"s3:GetObject, s3:PutObject and s3:ListBucket on {self.base}*"
            )
        return OperationError(f"release log {self.location.uri}: {action} failed: {exc}")

    def put_new(self, key: str, body: Mapping[str, Any]) -> bool:
        """Write ``key`` only if it does not exist. False: someone wrote it first."""
        return self.put_if(key, body, {"IfNoneMatch": "*"}) is not None

    def put_if(self, key: str, body: Mapping[str, Any], condition: dict[str, str]) -> str | None:
        """A conditional write (``IfNoneMatch``/``IfMatch``): the new ETag, or None when
        the condition failed (someone else wrote first, or the object is gone)."""
        data = json.dumps(body, indent=2, sort_keys=True).encode()
        self._newest = None
        try:
            resp = self._put_object(key, data, condition)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "ConditionalRequestConflict":
                if error_code(exc) in (*CONFLICT_CODES, "NoSuchKey"):
                    return None
                raise self.fail(f"writing {key}", exc) from exc
            # 409: a concurrent conditional write raced ours and NOTHING was applied (S3:
            # "you can retry the request"); only a second answer tells who won. botocore
            # does not retry it, so ask once more here.
            try:
                resp = self._put_object(key, data, condition)
            except botocore.exceptions.ClientError as again:
                if error_code(again) in (*CONFLICT_CODES, "NoSuchKey"):
                    return None
                raise self.fail(f"writing {key}", again) from again
        finally:
            self._newest = None
        etag = str(resp.get("ETag", ""))
        if self._append_only(key):
            self._objects[key] = (json.loads(data), etag)
        self._track(key)
        return etag

    def _track(self, key: str) -> None:
        """Keep the head true to a write that landed (or was found already there)."""
        if self.head is None:
            return
        folder, _, name = key[len(self.base) :].partition("/")
        if folder == INDEX_FOLDER:
            release_id = id_of_index_name(name)
            if release_id is not None:
                self.head.pending.add(release_id)
                self.head.newest = max(self.head.newest or "", release_id)
        elif folder == "settled" and name.endswith(".json"):
            self.head.pending.discard(name[: -len(".json")])

    def adopt_head(self, raw: LogHead | None, written_at: datetime | None = None) -> None:
        """Start from the head the last holder left in the lease we took over (under the
        lease from now on; ``written_at``: the lease's Last-Modified); settlements this
        command saw before it locked still count."""
        self.head = Head.parse(raw, written_at)
        if self.head is not None:
            settled = f"{self.base}settled/"
            for key in self._objects:
                if key.startswith(settled):
                    self.head.pending.discard(key[len(settled) : -len(".json")])

    def learn_head(self) -> Head:
        """The head, listed from the log when no lease handed one over (under the lease)."""
        if self.head is None:
            newest = self.newest_id()
            self.head = Head(newest, set(self.pending_ids()))
        return self.head

    def _append_only(self, key: str) -> bool:
        """Objects that never change once written: safe to read once per command."""
        folders = ("releases", "settled", "undone", INDEX_FOLDER)
        return key.startswith(tuple(f"{self.base}{f}/" for f in folders))

    def _put_object(self, key: str, data: bytes, condition: dict[str, str]) -> Any:
        return self.s3.put_object(
            Bucket=self.location.bucket,
            Key=key,
            Body=data,
            ContentType="application/json",
            **condition,
        )

    def get(self, key: str) -> tuple[dict[str, Any], str] | None:
        """The JSON object at ``key`` and its ETag, or None when there is none."""
        if key in self._objects:
            body, etag = self._objects[key]
            return copy.deepcopy(body), etag
        try:
            resp = self.s3.get_object(Bucket=self.location.bucket, Key=key)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise self.fail(f"reading {key}", exc) from exc
        try:
            body = json.loads(resp["Body"].read())
        except ValueError as exc:
            raise OperationError(
                f"release log object s3://{self.location.bucket}/{key} is not JSON: "
                "it was not written by lambda-release; move it out of the log's prefix"
            ) from exc
        if not isinstance(body, dict):
            raise OperationError(
                f"release log object {self.uri(key)} is not a JSON object: it was not written "
                "by lambda-release; move it out of the log's prefix"
            )
        etag = str(resp.get("ETag", ""))
        if isinstance(resp.get("LastModified"), datetime):
            self.last_modified[key] = resp["LastModified"]
        if self._append_only(key):
            self._objects[key] = (copy.deepcopy(body), etag)
        return body, etag

    def read(self, key: str, what: str) -> tuple[Any, str] | None:
        """``get``, then the object's shape checked (``what``: a logschema.SHAPES name)."""
        found = self.get(key)
        if found is None:
            return None
        return checked(found[0], what, self.uri(key)), found[1]

    def read_lease(self) -> tuple[Lease, str] | None:
        found = self.read(self.lock_key, "lease")
        return None if found is None else (found[0], found[1])

    def read_claim(self, key: str) -> Claim | None:
        found = self.read(self.claim_key(key), "rollback claim")
        return None if found is None else found[0]

    def read_undo(self, release_id: str) -> Undo | None:
        found = self.read(self.undo_key(release_id), "undo marker")
        return None if found is None else found[0]

    def list_ids(self, folder: str) -> list[str]:
        """Ids under ``folder`` (releases, settled, undone), oldest first, every page."""
        prefix = f"{self.base}{folder}/"
        ids: list[str] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.location.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    name = str(obj["Key"])[len(prefix) :]
                    if name.endswith(".json") and "/" not in name:
                        ids.append(name[: -len(".json")])
        except botocore.exceptions.ClientError as exc:
            raise self.fail(f"listing {prefix}", exc) from exc
        return sorted(ids)

    def entry_ids(self) -> list[str]:
        """Every entry's id, oldest first, in both layouts: listed whole (audits, tests)."""
        names = self.list_ids(INDEX_FOLDER)
        ids = {i for i in (id_of_index_name(f"{n}.json") for n in names) if i is not None}
        return sorted(ids | set(self.list_ids("releases")))

    # -- releases ---------------------------------------------------------
    def write_entry(self, entry: Mapping[str, Any], *, first_in_log: bool = False) -> None:
        """Write a new entry (under the lock): one object. ``first_in_log``: the log had
        no entry, so it begins with this layout (the origin marker, first), and readers
        never look for entries older than it."""
        body = {"schema": ENTRY_SCHEMA, **entry}
        if first_in_log:
            self.put_new(self.origin_key, {"origin": entry["id"]})
        if self.put_new(self.entry_key(entry["id"]), body):
            return
        # A retried write whose first attempt did land (the answer was lost) finds
        # its own entry: that is success, not a conflict.
        existing = self.get(self.entry_key(entry["id"]))
        same = existing is not None and json.dumps(existing[0], sort_keys=True) == json.dumps(
            body, sort_keys=True
        )
        if not same:
            raise OperationError(f"release {entry['id']} already exists in the log")
        self._track(self.entry_key(entry["id"]))

    def write_settlement(self, release_id: str, settlement: Mapping[str, Any]) -> Settlement:
        """Settle ``release_id`` once; if someone settled it first, theirs stands."""
        body = {"schema": SETTLEMENT_SCHEMA, "id": release_id, **settlement}
        if self.put_new(self.settlement_key(release_id), body):
            return checked(body, "settlement", self.uri(self.settlement_key(release_id)))  # type: ignore[no-any-return]
        existing = self.read(self.settlement_key(release_id), "settlement")
        if existing is None:  # pragma: no cover - a 412 means the object exists
            raise OperationError(f"settlement of {release_id} vanished")
        self._track(self.settlement_key(release_id))
        return existing[0]  # type: ignore[no-any-return]

    def write_undo(self, release_id: str, by: str, extra: dict[str, Any] | None = None) -> bool:
        """Mark ``release_id`` undone by entry ``by``. False: it was already marked."""
        body = {"schema": UNDO_SCHEMA, "id": release_id, "by": by, "time": iso(now())}
        body.update(extra or {})
        return self.put_new(self.undo_key(release_id), body)

    def read_entry(self, release_id: str, *, legacy: bool | None = None) -> Entry | None:
        """The entry of ``release_id``; ``legacy``: where it is (True: ``releases/``, a log
        begun before 1.0; None: not known, so its own key first, then the old one)."""
        keys = [self.entry_key(release_id), self.legacy_entry_key(release_id)]
        if legacy is not None:
            keys = keys[1:] if legacy else keys[:1]
        for key in keys:
            found = self.read(key, "entry")
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
        return None

    def load(self, release_id: str, *, settled: bool = True, undone: bool = True) -> Release:
        entry = self.read_entry(release_id)
        if entry is None:
            raise UsageError(
                f"release {release_id!r} is not in the log of stack {self.stack} alias "
                f"{self.alias}: see `lambda-release history`"
            )
        rel = Release(entry)
        if settled:
            s = self.read(self.settlement_key(release_id), "settlement")
            rel.settlement = s[0] if s else None
        if undone:
            rel.undo = self.read_undo(release_id)
        return rel

    # -- newest first ---------------------------------------------------------------
    def newest_id(self) -> str | None:
        """The newest id in the log (None: the log is empty). Read with the newest window,
        which the rest of the command then reuses; a log begun before 1.0 is listed whole.
        Under a lease that handed over the head, no listing at all."""
        if self.head is not None:
            return self.head.newest
        next(iter(self._windows()), None)  # reads (and keeps) the newest window
        cached = self._newest
        if cached is not None and cached.page.ids:
            return cached.page.ids[0]
        old = self.list_ids("releases")
        return old[-1] if old else None

    def _index_page(self, start_after: str | None, size: int = INDEX_PAGE) -> IndexPage:
        """One page of ``newest/``: ids newest first, and whether the origin was reached."""
        prefix = f"{self.base}{INDEX_FOLDER}/"
        args: dict[str, Any] = {"Bucket": self.location.bucket, "Prefix": prefix, "MaxKeys": size}
        if start_after is not None:
            args["StartAfter"] = start_after
        try:
            resp = self.s3.list_objects_v2(**args)
        except botocore.exceptions.ClientError as exc:
            raise self.fail(f"listing {prefix}", exc) from exc
        ids: list[str] = []
        origin = False
        last = None
        for obj in resp.get("Contents", []):
            key = str(obj["Key"])
            last = key
            name = key[len(prefix) :]
            if name == ORIGIN_NAME:
                origin = True
            elif "/" not in name:
                release_id = id_of_index_name(name)
                if release_id is not None:
                    ids.append(release_id)
        more = bool(resp.get("IsTruncated")) and not origin
        return IndexPage(ids, origin, last if more else None)

    def _ids_between(self, folder: str, low: str, high: str) -> set[str]:
        """Ids under ``folder`` from ``low`` to ``high`` (inclusive): a listing that starts
        at ``low`` and stops past ``high``, so its cost follows the window, not the log."""
        prefix = f"{self.base}{folder}/"
        found: set[str] = set()
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            pages = paginator.paginate(
                Bucket=self.location.bucket,
                Prefix=prefix,
                StartAfter=f"{prefix}{low}",  # "<low>" sorts just before "<low>.json"
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    name = str(obj["Key"])[len(prefix) :]
                    if not name.endswith(".json") or "/" in name:
                        continue
                    release_id = name[: -len(".json")]
                    if release_id > high:
                        return found
                    found.add(release_id)
        except botocore.exceptions.ClientError as exc:
            raise self.fail(f"listing {prefix}", exc) from exc
        return found

    def recent_ids(self) -> list[str]:
        """The ids of the log's newest window (the whole log without the index), oldest
        first, without their settlements and undo marks."""
        window = next(iter(self._windows(facts=False)), None)
        return sorted(window.ids) if window else []

    def _windows(self, *, facts: bool = True, before: str | None = None) -> Iterator[Window]:
        """The log newest first, one window at a time: a page of the index with the
        settlements and undo marks of its ids; then, for a log begun before the index
        existed, the entries older than the index (listed whole, as before)."""
        # ``before``: start with the releases older than that id (history's next page).
        start_after = None if before is None else self.entry_key(before)
        oldest = before
        newest = before is None  # the newest window: read once per command (cached)
        while True:
            cached = self._newest if newest else None
            if cached is not None and (cached.facts or not facts):
                page, window = cached.page, cached.window
            else:
                page, window = self._index_page(start_after), None
                if page.ids:
                    low, high = page.ids[-1], page.ids[0]
                    # Facts newer than the window's newest belong to it too (orphans), and
                    # so do those older than its oldest when it reaches the log's origin
                    # (an entry deleted by hand leaves its settlement behind).
                    top = "~" if start_after is None else high
                    low = "" if page.origin else low
                    window = Window(
                        page.ids,
                        self._ids_between("settled", low, top) if facts else set(),
                        self._ids_between("undone", low, top) if facts else set(),
                        indexed=True,
                    )
                if newest:
                    self._newest = NewestWindow(page, window, facts)
            newest = False
            if window is not None:
                yield window
            if page.ids:
                oldest = page.ids[-1]
            if page.origin:
                return
            if page.next_after is None:
                break
            start_after = page.next_after
        old = [i for i in self.list_ids("releases") if oldest is None or i < oldest]
        if old or (oldest is None and before is None):
            yield Window(
                list(reversed(old)),
                set(self.list_ids("settled")) if facts else set(),
                set(self.list_ids("undone")) if facts else set(),
                indexed=False,
            )

    def newest_first(self, before: str | None = None) -> Iterator[Release]:
        """Every release (older than ``before``), newest first, read lazily: per window of
        the index three listings, then one read per object that exists."""
        for window in self._windows(before=before):
            for rid in window.ids:
                entry = self.read_entry(rid, legacy=not window.indexed)
                if entry is None:  # deleted since it was listed
                    continue
                rel = Release(entry)
                if rid in window.settled:
                    s = self.read(self.settlement_key(rid), "settlement")
                    rel.settlement = s[0] if s else None
                if rid in window.undone:
                    rel.undo = self.read_undo(rid)
                yield rel

    def releases(self, limit: int | None = None, before: str | None = None) -> list[Release]:
        """At most ``limit`` releases older than ``before``, newest first (history's pages)."""
        out: list[Release] = []
        if limit is not None and limit <= 0:
            return out
        for rel in self.newest_first(before):
            out.append(rel)
            if limit is not None and len(out) >= limit:
                break
        return out

    def _first_window(self) -> Window | None:
        return next(iter(self._windows()), None)

    def orphans(self) -> list[str]:
        """Keys of ``settled/`` and ``undone/`` objects whose entry is missing: reported as a
        warning by history and status, never silently dropped. Checked among the newest
        window of the log (every release of a log without the index)."""
        window = self._first_window()
        if window is None:
            return []
        entries = set(window.ids)
        return [
            key(rid)
            for key, ids in ((self.settlement_key, window.settled), (self.undo_key, window.undone))
            for rid in sorted(ids)
            if rid not in entries
        ]

    def pending_ids(self) -> list[str]:
        """Releases begun and never settled, oldest first, among the newest window of the
        log: every command that takes the lock settles all older pending releases
        (superseded), so none hides further back. Under a lease whose head says none
        is pending, no listing at all (see Head)."""
        if self.head is not None and not self.head.pending:
            return []
        window = self._first_window()
        pending = [] if window is None else sorted(i for i in window.ids if i not in window.settled)
        if self.head is not None:
            self.head.pending = set(pending)
        return pending

    def latest_in_effect(self) -> Release | None:
        """The most recent release that moved an alias and was not undone."""
        for rel in self.newest_first():
            if rel.in_effect:
                return rel
        return None

    def last_settled(self) -> Release | None:
        for rel in self.newest_first():
            if rel.settlement is not None and rel.kind == Kind.RELEASE:
                return rel
        return None
