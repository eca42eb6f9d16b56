"""The log's head under the lease: adopted from the lease taken over, confirmed or learnt
by listing, kept true to every write, handed on when the lease is given back (lock.py);
and the reads a release makes of its log before it holds the lease (read_ahead)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from lambda_release.aws.client import Pool
from lambda_release.log.ids import id_of_index_name
from lambda_release.log.index import INDEX_FOLDER, IndexPage, LogIndex, NewestWindow
from lambda_release.log.records import Head
from lambda_release.log.schema import LogHead


class HeadKeeping(LogIndex):
    """Part of :class:`~lambda_release.log.store.ReleaseLog` (which provides the rest)."""

    head_listed: bool
    _objects: dict[str, tuple[dict[str, Any], str]]
    _lease_ahead: tuple[tuple[dict[str, Any], str] | None] | None
    _listing_ahead: IndexPage | None

    if TYPE_CHECKING:  # the store's (stubs here would shadow them)

        @property
        def lock_key(self) -> str: ...

        def get(self, key: str) -> tuple[dict[str, Any], str] | None: ...

    def _track(self, key: str) -> None:
        """Keep the head true to a write that landed (or was found already there)."""
        with self._lock:
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
        """Keep the head the last holder left in the lease we took over (under the lease
        from now on; ``written_at``: the lease's Last-Modified), to be checked against the
        listing before anything relies on it (learn_head); settlements this command saw
        before it locked still count."""
        with self._lock:
            self.head, self.head_listed = Head.parse(raw, written_at), False
            if self.head is not None:
                settled = f"{self.base}settled/"
                for key in self._objects:
                    if key.startswith(settled):
                        self.head.pending.discard(key[len(settled) : -len(".json")])

    def learn_head(self, listed_before: IndexPage | None = None) -> Head:
        """The head under the lease, learnt once: the one the lease handed over when the
        listing of the newest entries confirms it (one listing, Head.confirmed_by), else
        compared with the newest window's entries and settlements (Head.checked). Either
        way it carries the Date of this command's listing of the entries, handed on.

        ``listed_before``: the newest entries listed while the lease was being taken. When
        they confirm the head handed over, no entry was written between that listing and
        our taking: our conditional write found the lease as it was given back, and only a
        holder writes entries (one that wrote after losing its lease shows up as an entry
        written after a head's ``listed_at``, to us or to the next holder). Otherwise the
        entries are listed again now, under the lease."""
        if self.head is None or not self.head_listed:
            handed = self.head

            def confirms(page: IndexPage | None) -> bool:
                return (
                    handed is not None
                    and page is not None
                    and handed.confirmed_by(page.ids, page.modified)
                )

            ahead = confirms(listed_before)
            page = self.newest_page(listed_before if ahead else None)
            if handed is not None and (ahead or confirms(page)):
                head = Head(handed.newest, set(handed.pending))
            else:
                head = Head.checked(handed, self.listed_head())
            head.listed_at = page.listed_at
            self.head, self.head_listed = head, True
        return self.head

    def newest_page(self, listed: IndexPage | None = None) -> IndexPage:
        """The first page of ``newest/`` (the newest entries), listed once per command and
        kept as the newest window (its settlements and undo marks listed only if asked).
        ``listed``: that page as listed a moment ago, kept instead (the caller vouches no
        write it must see came since: see ReleaseLog.learn_head)."""
        with self._lock:
            cached = self._newest
        if cached is not None and listed is None:
            return cached.page
        seen = self._writes_seen()
        page = listed if listed is not None else self._index_page(None)
        window = self._window(page, None, facts=False, undone=False, cached=None)
        newest = NewestWindow(page, window, settled=False, undone=False)
        if listed is not None:
            with self._lock:
                self._newest = newest
        else:
            self._keep_newest(seen, newest)
        return page

    def list_newest_page(self) -> IndexPage:
        """The first page of ``newest/`` listed now, kept nowhere (the lease's taking lists it
        beside its own calls: ReleaseLog.learn_head decides whether it can be relied on)."""
        return self._index_page(None)

    def read_ahead(self) -> None:
        """Read the lease and list the newest entries now, side by side, for the lease's
        taking to use (read_lease, take_listing): a release's first log calls then go out
        beside the stack read. A failed read is kept as none: the real one says why."""
        with Pool(max_workers=1) as pool:
            listing = pool.submit(self.list_newest_page)
            try:
                lease = (self.get(self.lock_key),)
            except Exception:  # the real read raises it again, where it says why
                lease = None
            page = None if listing.exception() is not None else listing.result()
        with self._lock:
            self._lease_ahead, self._listing_ahead = lease, page

    def take_listing(self) -> IndexPage | None:
        """The newest entries read_ahead listed (once), or None."""
        with self._lock:
            page, self._listing_ahead = self._listing_ahead, None
        return page
