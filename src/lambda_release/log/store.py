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
    bakes/<id>/<attempt>.json a bake of release <id> began (one per attempt)
    baked/<id>.json           how the bake of release <id> ended (written once)
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
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import botocore.exceptions

from lambda_release.aws.client import error_code
from lambda_release.errors import OperationError
from lambda_release.log.head_keeping import HeadKeeping
from lambda_release.log.ids import id_of_index_name, index_name, iso, now
from lambda_release.log.index import (
    INDEX_FOLDER,
    ORIGIN_NAME,
    IndexPage,
    NewestWindow,
)
from lambda_release.log.location import LOG_TAG, LogLocation
from lambda_release.log.records import Head
from lambda_release.log.release_reads import ReleaseReads
from lambda_release.log.schema import (
    BAKE_END_SCHEMA,
    BAKE_START_SCHEMA,
    ENTRY_SCHEMA,
    SETTLEMENT_SCHEMA,
    UNDO_SCHEMA,
    BakeEnd,
    BakeStart,
    Claim,
    Kind,
    Lease,
    Outcome,
    Settlement,
    checked,
)

T = TypeVar("T")

__all__ = ["ENTRY_SCHEMA", "LOG_TAG", "SETTLEMENT_SCHEMA", "UNDO_SCHEMA", "Kind", "Outcome"]

# S3 answers 412 when the condition fails and 409 when two conditional
# writes race; both mean "someone else wrote first".
CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")


class ReleaseLog(ReleaseReads, HeadKeeping):
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
        # The head was checked against the listing (learn_head): only then is it relied on.
        self.head_listed = False
        # S3's Last-Modified of objects read (the lease's tells whether a stack read made
        # before the lease was taken is still current: lock.HeldLease.quiet_since).
        self.last_modified: dict[str, datetime] = {}
        # The threads of one command share this log (a write on a worker while the main
        # thread reads): the caches above change only under this lock, and a window listed
        # while a write was under way is not kept (_writes counts writes begun and ended).
        self._lock = threading.RLock()
        self._writes = 0
        # What read_ahead read, for the lease's taking (each used once).
        self._lease_ahead: tuple[tuple[dict[str, Any], str] | None] | None = None
        self._listing_ahead: IndexPage | None = None

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

    def bake_start_key(self, release_id: str, attempt: str) -> str:
        return f"{self.base}bakes/{release_id}/{attempt}.json"

    def bake_end_key(self, release_id: str) -> str:
        return f"{self.base}baked/{release_id}.json"

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
        self._forget_newest()
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
            self._forget_newest()
        etag = str(resp.get("ETag", ""))
        with self._lock:
            if self._append_only(key):
                self._objects[key] = (json.loads(data), etag)
            self._track(key)
        return etag

    def _forget_newest(self) -> None:
        with self._lock:
            self._newest = None
            self._writes += 1

    def _writes_seen(self) -> int:
        with self._lock:
            return self._writes

    def _keep_newest(self, seen: int, newest: NewestWindow) -> None:
        """Keep the newest window, listed when ``seen`` writes had begun or ended: unless
        one has since, it may miss what that write added."""
        with self._lock:
            if self._writes == seen:
                self._newest = newest

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
        with self._lock:
            kept = self._objects.get(key)
        if kept is not None:
            return copy.deepcopy(kept[0]), kept[1]
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
        with self._lock:
            if isinstance(resp.get("LastModified"), datetime):
                self.last_modified[key] = resp["LastModified"]
            if self._append_only(key):
                self._objects[key] = (copy.deepcopy(body), etag)
        return body, etag

    def read(self, key: str, shape: type[T]) -> tuple[T, str] | None:
        """``get``, then the object's ``shape`` (a log.schema TypedDict) checked."""
        return self._shaped(key, self.get(key), shape)

    def _shaped(
        self, key: str, found: tuple[dict[str, Any], str] | None, shape: type[T]
    ) -> tuple[T, str] | None:
        """What ``get`` answered for ``key``, its ``shape`` checked."""
        if found is None:
            return None
        return checked(found[0], shape, self.uri(key)), found[1]

    def read_lease(self) -> tuple[Lease, str] | None:
        """The lease and its ETag (None: there is none); the first time, as read_ahead
        read it, if it did."""
        with self._lock:
            ahead, self._lease_ahead = self._lease_ahead, None
        if ahead is None:
            return self.read(self.lock_key, Lease)
        return self._shaped(self.lock_key, ahead[0], Lease)

    def read_claim(self, key: str) -> Claim | None:
        found = self.read(self.claim_key(key), Claim)
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
            return checked(body, Settlement, self.uri(self.settlement_key(release_id)))
        existing = self.read_settlement(release_id)
        if existing is None:  # pragma: no cover - a 412 means the object exists
            raise OperationError(f"settlement of {release_id} vanished")
        self._track(self.settlement_key(release_id))
        return existing

    def write_undo(self, release_id: str, by: str, extra: dict[str, Any] | None = None) -> bool:
        """Mark ``release_id`` undone by entry ``by``. False: it was already marked."""
        body = {"schema": UNDO_SCHEMA, "id": release_id, "by": by, "time": iso(now())}
        body.update(extra or {})
        return self.put_new(self.undo_key(release_id), body)

    # -- bakes ----------------------------------------------------------------
    def write_bake_start(self, start: Mapping[str, Any]) -> None:
        """A bake attempt began (its own object: two attempts never overwrite each other)."""
        body = {"schema": BAKE_START_SCHEMA, **start}
        self.put_new(self.bake_start_key(str(start["id"]), str(start["attempt"])), body)

    def write_bake_end(self, end: Mapping[str, Any]) -> BakeEnd:
        """End the bake of a release once; if another attempt ended it first, theirs stands."""
        body = {"schema": BAKE_END_SCHEMA, **end}
        key = self.bake_end_key(str(end["id"]))
        if self.put_new(key, body):
            return checked(body, BakeEnd, self.uri(key))
        existing = self.read_bake_end(str(end["id"]))
        if existing is None:  # pragma: no cover - a 412 means the object exists
            raise OperationError(f"the bake end of {end['id']} vanished")
        return existing

    def read_bake_end(self, release_id: str) -> BakeEnd | None:
        key = self.bake_end_key(release_id)
        found = self.read(key, BakeEnd)
        if found is None:
            return None
        self.identified(key, found[0], release_id, "bake end")
        return found[0]

    def bake_starts(self, release_id: str) -> list[BakeStart]:
        """Every bake attempt of ``release_id``, oldest first (one listing, one read each)."""
        prefix = f"{self.base}bakes/{release_id}/"
        try:
            pages = self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.location.bucket, Prefix=prefix
            )
            keys = sorted(str(o["Key"]) for p in pages for o in p.get("Contents", []))
        except botocore.exceptions.ClientError as exc:
            raise self.fail(f"listing {prefix}", exc) from exc
        out: list[BakeStart] = []
        for key in keys:
            found = self.read(key, BakeStart)
            if found is not None:
                self.identified(key, found[0], release_id, "bake start")
                out.append(found[0])
        return sorted(out, key=lambda b: b["began"])
