"""Reading one release: its entry, settlement and undo mark, each checked to be the
release its key names (a copy under another key would make that release appear twice,
or a rollback undo the wrong one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from lambda_release.errors import OperationError, UsageError
from lambda_release.log.ids import is_release_id
from lambda_release.log.records import Release
from lambda_release.log.schema import Entry, Settlement, Undo

T = TypeVar("T")


class ReleaseReads:
    """The reads of :class:`~lambda_release.log.store.ReleaseLog` that check identity.

    A mixin: the store provides the keys and the shape-checked object reads it uses."""

    stack: str
    alias: str

    def entry_key(self, release_id: str) -> str:
        raise NotImplementedError

    def legacy_entry_key(self, release_id: str) -> str:
        raise NotImplementedError

    def settlement_key(self, release_id: str) -> str:
        raise NotImplementedError

    def undo_key(self, release_id: str) -> str:
        raise NotImplementedError

    def uri(self, key: str) -> str:
        raise NotImplementedError

    def read(self, key: str, shape: type[T]) -> tuple[T, str] | None:
        raise NotImplementedError

    def identified(self, key: str, body: Mapping[str, Any], release_id: str, what: str) -> None:
        """An object names its release (``id``): it must be the release its key names. A copy
        under another key (an old entry under a new name) has the right shape and would
        make that release appear twice, or a rollback undo the wrong one."""
        said = body.get("id", release_id)  # optional in settlements and undo marks
        if said != release_id:
            shown = said if is_release_id(str(said)) else repr(said)  # one line, whatever it is
            raise OperationError(
                f"release log object {self.uri(key)} holds the {what} of release {shown}, not "
                f"of {release_id} that its key names: it was copied or edited by hand; move "
                "it out of the log's prefix, or restore it"
            )

    def read_entry(self, release_id: str, *, legacy: bool | None = None) -> Entry | None:
        """The entry of ``release_id``; ``legacy``: where it is (True: ``releases/``, a log
        begun before 1.0; None: not known, so its own key first, then the old one)."""
        keys = [self.entry_key(release_id), self.legacy_entry_key(release_id)]
        if legacy is not None:
            keys = keys[1:] if legacy else keys[:1]
        for key in keys:
            found = self.read(key, Entry)
            if found is not None:
                self.identified(key, found[0], release_id, "entry")
                return found[0]
        return None

    def read_settlement(self, release_id: str) -> Settlement | None:
        key = self.settlement_key(release_id)
        found = self.read(key, Settlement)
        if found is None:
            return None
        self.identified(key, found[0], release_id, "settlement")
        return found[0]

    def read_undo(self, release_id: str) -> Undo | None:
        key = self.undo_key(release_id)
        found = self.read(key, Undo)
        if found is None:
            return None
        self.identified(key, found[0], release_id, "undo mark")
        return found[0]

    def undo_of_entry(self, release_id: str) -> Undo | None:
        """The undo mark of ``release_id`` when a command acts on the mark alone (``rollback
        --release``): a mark whose release has no entry undid nothing."""
        undo = self.read_undo(release_id)
        if undo is not None and self.read_entry(release_id) is None:
            raise OperationError(
                f"release log object {self.uri(self.undo_key(release_id))} marks release "
                f"{release_id} undone, but it has no entry in the log: it was planted or its "
                "entry deleted; move it out of the log's prefix, or restore the entry"
            )
        return undo

    def load(self, release_id: str, *, settled: bool = True, undone: bool = True) -> Release:
        entry = self.read_entry(release_id)
        if entry is None:
            raise UsageError(
                f"release {release_id!r} is not in the log of stack {self.stack} alias "
                f"{self.alias}: see `lambda-release history`"
            )
        rel = Release(entry)
        if settled:
            rel.settlement = self.read_settlement(release_id)
        if undone:
            rel.undo = self.read_undo(release_id)
        return rel
