"""Reading the log newest first, one window of the ``newest/`` index at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.exceptions

from lambda_release.aws.client import answered_at
from lambda_release.errors import OperationError
from lambda_release.log.ids import id_of_index_name
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Head, Release, in_effect_before
from lambda_release.log.schema import (
    Entry,
    Settlement,
    Undo,
)

# Entries, named so a listing gives the newest first, and a marker (sorting after
# every name) in a log begun with this layout.
INDEX_FOLDER = "newest"
ORIGIN_NAME = "~origin.json"
INDEX_PAGE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class IndexPage:
    ids: list[str]
    origin: bool
    next_after: str | None
    # S3's Last-Modified of each entry listed, and the Date of the listing (Head.confirmed_by)
    modified: dict[str, datetime] = field(default_factory=dict)
    listed_at: datetime | None = None


@dataclass(frozen=True)
class NewestWindow:
    page: IndexPage
    window: Window | None
    settled: bool  # which facts the window holds (listed): settlements, undo marks
    undone: bool


@dataclass(frozen=True)
class Window:
    """Ids newest first, with which of them are settled and undone."""

    ids: list[str]
    settled: set[str]
    undone: set[str]
    indexed: bool


class LogIndex:
    """The reads of :class:`~lambda_release.log.store.ReleaseLog` that walk the index.

    A mixin: the store provides the S3 client, the keys and the object reads it uses."""

    s3: Any
    location: LogLocation
    base: str
    head: Head | None
    _newest: NewestWindow | None
    _lock: threading.RLock

    def fail(self, action: str, exc: botocore.exceptions.ClientError) -> OperationError:
        raise NotImplementedError

    def entry_key(self, release_id: str) -> str:
        raise NotImplementedError

    def settlement_key(self, release_id: str) -> str:
        raise NotImplementedError

    def undo_key(self, release_id: str) -> str:
        raise NotImplementedError

    def list_ids(self, folder: str) -> list[str]:
        raise NotImplementedError

    def _writes_seen(self) -> int:
        raise NotImplementedError

    def _keep_newest(self, seen: int, newest: NewestWindow) -> None:
        raise NotImplementedError

    def read_entry(self, release_id: str, *, legacy: bool | None = None) -> Entry | None:
        raise NotImplementedError

    def read_settlement(self, release_id: str) -> Settlement | None:
        raise NotImplementedError

    def read_undo(self, release_id: str) -> Undo | None:
        raise NotImplementedError

    if TYPE_CHECKING:  # log.head_keeping's (a stub here would shadow it)

        def learn_head(self, listed_before: IndexPage | None = None) -> Head: ...

    # -- newest first ---------------------------------------------------------------
    def newest_id(self) -> str | None:
        """The newest id in the log (None: the log is empty). Read with the newest window,
        which the rest of the command then reuses; a log begun before 1.0 is listed whole.
        Under the lease, the head (confirmed by the listing, or checked against it)."""
        if self.head is not None:
            return self.learn_head().newest
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
        modified: dict[str, datetime] = {}
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
                    if isinstance(obj.get("LastModified"), datetime):
                        modified[release_id] = obj["LastModified"]
        more = bool(resp.get("IsTruncated")) and not origin
        listed_at = answered_at(resp.get("ResponseMetadata") or {})
        return IndexPage(ids, origin, last if more else None, modified, listed_at)

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

    def _windows(
        self, *, facts: bool = True, undone: bool = True, before: str | None = None
    ) -> Iterator[Window]:
        """The log newest first, one window at a time: a page of the index with the
        settlements and (``undone``) undo marks of its ids; then, for a log begun before
        the index existed, the entries older than the index (listed whole, as before)."""
        # ``before``: start with the releases older than that id (history's next page).
        start_after = None if before is None else self.entry_key(before)
        oldest = before
        newest = before is None  # the newest window: read once per command (cached)
        undone = facts and undone
        while True:
            cached = self._newest if newest else None
            seen = self._writes_seen()
            if (
                cached is not None
                and (cached.settled or not facts)
                and (cached.undone or not undone)
            ):
                page, window = cached.page, cached.window
            else:
                # A newest window listed without some facts (the head's check lists no undo
                # marks): only the missing ones are listed now.
                page = cached.page if cached is not None else self._index_page(start_after)
                window = self._window(page, start_after, facts, undone, cached)
                if newest:
                    kept_settled = facts or (cached is not None and cached.settled)
                    kept_undone = undone or (cached is not None and cached.undone)
                    self._keep_newest(seen, NewestWindow(page, window, kept_settled, kept_undone))
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
                set(self.list_ids("undone")) if undone else set(),
                indexed=False,
            )

    def _window(
        self,
        page: IndexPage,
        start_after: str | None,
        facts: bool,
        undone: bool,
        cached: NewestWindow | None,
    ) -> Window | None:
        """The settlements and undo marks of ``page``'s ids (those ``cached`` holds kept)."""
        if not page.ids:
            return None
        low, high = page.ids[-1], page.ids[0]
        # Facts newer than the window's newest belong to it too (orphans), and so do those
        # older than its oldest when it reaches the log's origin (an entry deleted by hand
        # leaves its settlement behind).
        top = "~" if start_after is None else high
        low = "" if page.origin else low
        known = cached.window if cached is not None else None

        def listed(folder: str, wanted: bool, have: bool, ids: set[str]) -> set[str]:
            if have and known is not None:
                return ids
            return self._ids_between(folder, low, top) if wanted else set()

        return Window(
            page.ids,
            listed(
                "settled",
                facts,
                cached is not None and cached.settled,
                known.settled if known else set(),
            ),
            listed(
                "undone",
                undone,
                cached is not None and cached.undone,
                known.undone if known else set(),
            ),
            indexed=True,
        )

    def _listed(self, before: str | None) -> Iterator[tuple[Window, str]]:
        for window in self._windows(before=before):
            for rid in window.ids:
                yield window, rid

    def _read(self, window: Window, rid: str) -> Release | None:
        entry = self.read_entry(rid, legacy=not window.indexed)
        if entry is None:  # deleted since it was listed
            return None
        rel = Release(entry)
        if rid in window.settled:
            rel.settlement = self.read_settlement(rid)
        if rid in window.undone:
            rel.undo = self.read_undo(rid)
        return rel

    def newest_first(self, before: str | None = None) -> Iterator[Release]:
        """Every release (older than ``before``), newest first, read lazily: per window of
        the index three listings, then one read per object that exists."""
        for window, rid in self._listed(before):
            rel = self._read(window, rid)
            if rel is not None:
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

    def page(self, limit: int | None, before: str | None = None) -> tuple[list[Release], bool]:
        """:meth:`releases`, and whether older ones remain: an id listed after the last one
        read (never read itself; the next window listed only when the page ends one)."""
        out: list[Release] = []
        if limit is not None and limit <= 0:
            return out, False
        for window, rid in self._listed(before):
            if limit is not None and len(out) >= limit:
                return out, True
            rel = self._read(window, rid)
            if rel is not None:
                out.append(rel)
        return out, False

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
        (superseded), so none hides further back. Under the lease, the head (confirmed by
        the listing or checked against it once, then kept up to date by every write)."""
        if self.head is not None:
            return sorted(self.learn_head().pending)
        window = self._first_window()
        return [] if window is None else sorted(i for i in window.ids if i not in window.settled)

    def listed_head(self) -> Head:
        """The newest id and the pending releases as the newest window lists them: its
        entries and their settlements (two listings; undo marks say nothing of either)."""
        window = next(iter(self._windows(undone=False)), None)
        if window is None or not window.ids:
            return Head(None, set())
        return Head(window.ids[0], {i for i in window.ids if i not in window.settled})

    def pending_entries(self) -> list[Entry]:
        """The entries of the pending releases, oldest first, each read and checked (shape
        and identity). Whatever settles them reads them all before it writes anything,
        and every dry run reads the same: one that accepts, the real run accepts."""
        entries = (self.read_entry(rid) for rid in self.pending_ids())
        return [e for e in entries if e is not None]  # None: deleted since it was listed

    def latest_in_effect(self, before: str | None = None) -> Release | None:
        """The most recent release (older than ``before``) that moved an alias and was not
        undone."""
        return next((r for r in self.newest_first_in_effect(before) if r.in_effect), None)

    def newest_first_in_effect(self, before: str | None = None) -> Iterator[Release]:
        """:meth:`newest_first`, past the releases a settlement proves out of effect: one
        naming the release in effect before its own (``in_effect_before``) is followed by
        that release, read by its keys, and the walk goes on from there; the releases
        between (they moved nothing) are never read, however many came (issue 30; see
        :func:`in_effect_before`). ``None`` named: no older release is in effect."""
        while True:
            named: str | None = None
            jumped = False
            for rel in self.newest_first(before):
                yield rel
                if not rel.in_effect:
                    jumped, named = in_effect_before(rel)
                    if jumped:
                        break
            if not jumped:
                return  # the log's start
            while jumped:  # each release named, read by its keys
                if named is None:
                    return
                found, before = self.read_release(named), named
                if found is None:
                    break  # its entry deleted by hand since: walk on from there
                yield found
                jumped, named = (False, None) if found.in_effect else in_effect_before(found)
            # then on, older than ``before``

    def read_release(self, release_id: str) -> Release | None:
        """One release read by its keys (entry, settlement, undo mark); None: no entry."""
        entry = self.read_entry(release_id)
        if entry is None:
            return None
        return Release(entry, self.read_settlement(release_id), self.read_undo(release_id))
