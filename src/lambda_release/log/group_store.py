"""A group's log: its releases across stacks and regions (release waves, issue 33).

Layout under ``s3://BUCKET/[PREFIX/]lambda-release/groups/<group>/``, every object written
once (``IfNoneMatch="*"``, through :class:`ReleaseLog`'s conditional writes)::

    runs/<flipped id>.json                    the group release begun: alias, members
    members/<id>/<wave>.<region>.<stack>.json a member's release as it settled
    ended/<id>.json                           how ``group deploy`` ended
    rolled-back/<id>.json                     every member undone (the last write of a
                                              group rollback)

A member's own log stays where ``deploy`` keeps it; its entry names the group
(``group: {name, id, wave}``). What a member's alias shows is read from its own log, never
from here: this log names the releases, theirs say whether each is still in effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import botocore.exceptions

from lambda_release.errors import OperationError, UsageError
from lambda_release.log.group_schema import (
    GROUP_END_SCHEMA,
    GROUP_MEMBER_SCHEMA,
    GROUP_RELEASE_SCHEMA,
    GROUP_ROLLBACK_SCHEMA,
    GroupEnd,
    GroupMember,
    GroupRelease,
    GroupRollback,
)
from lambda_release.log.ids import id_of_index_name, index_name
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.names import validate_alias, validate_stack_name

T = TypeVar("T")
GROUPS = "groups"


class GroupLog:
    """The log of one group, in one bucket (the group's log region's S3 client)."""

    def __init__(self, s3: Any, location: LogLocation, group: str) -> None:
        self.location = location
        self.group = group
        # The same conditional writes and checked reads as a release log: its base is this
        # group's folder, and its folders (newest/, settled/, ...) are never used here.
        self.io = ReleaseLog(s3, location, GROUPS, group)
        self.base = self.io.base

    @property
    def uri(self) -> str:
        return f"s3://{self.location.bucket}/{self.base}"

    def release_key(self, group_id: str) -> str:
        return f"{self.base}runs/{index_name(group_id)}"

    def member_key(self, group_id: str, wave: int, region: str, stack: str) -> str:
        return f"{self.base}members/{group_id}/{wave:02d}.{region}.{stack}.json"

    def end_key(self, group_id: str) -> str:
        return f"{self.base}ended/{group_id}.json"

    def rollback_key(self, group_id: str) -> str:
        return f"{self.base}rolled-back/{group_id}.json"

    # -- writes (each once) -------------------------------------------------
    def write_release(self, body: GroupRelease) -> None:
        self._put(self.release_key(body["id"]), GROUP_RELEASE_SCHEMA, body)

    def write_member(self, body: GroupMember) -> None:
        key = self.member_key(body["id"], body["wave"], body["region"], body["stack"])
        self._put(key, GROUP_MEMBER_SCHEMA, body)

    def write_end(self, body: GroupEnd) -> GroupEnd:
        """The end, once; if one was written first (a re-run), that one stands."""
        self._put(self.end_key(body["id"]), GROUP_END_SCHEMA, body)
        return self.end(body["id"]) or body

    def write_rollback(self, body: GroupRollback) -> None:
        self._put(self.rollback_key(body["id"]), GROUP_ROLLBACK_SCHEMA, body)

    def _put(self, key: str, schema: str, body: Mapping[str, Any]) -> None:
        # False: written before (a re-run, or the same answer retried): the first stands.
        self.io.put_new(key, {"schema": schema, **body})

    # -- reads ----------------------------------------------------------------
    def release(self, group_id: str) -> GroupRelease | None:
        key = self.release_key(group_id)
        found = self._read(key, GroupRelease)
        if found is None:
            return None
        # Its shape alone lets any string through: a stack or alias no deploy could have
        # made (100 KB, '../x') would be echoed in every line shown and sent to AWS.
        try:
            validate_alias(found["alias"])
            for i, m in enumerate(found["members"]):
                validate_stack_name(m["stack"], what=f"members[{i}].stack")
        except UsageError as exc:
            raise OperationError(
                f"release log object {self.io.uri(key)} is not a valid group release: "
                f"{exc}; it was not written by lambda-release (or was edited): move it "
                "out of the log's prefix, or restore it"
            ) from None
        return found

    def end(self, group_id: str) -> GroupEnd | None:
        return self._read(self.end_key(group_id), GroupEnd)

    def rolled_back(self, group_id: str) -> GroupRollback | None:
        return self._read(self.rollback_key(group_id), GroupRollback)

    def members(self, group_id: str) -> list[GroupMember]:
        """Every member recorded for ``group_id``, in wave order."""
        out = []
        for key in self._keys(f"{self.base}members/{group_id}/"):
            found = self._read(key, GroupMember)
            if found is not None:
                out.append(found)
        return out

    def ids(self, limit: int | None = None) -> list[str]:
        """Group release ids, newest first (the flipped names list in that order)."""
        out: list[str] = []
        for key in self._keys(f"{self.base}runs/", limit):
            found = id_of_index_name(key.rsplit("/", 1)[-1])
            if found is not None:
                out.append(found)
        return out

    def _read(self, key: str, shape: type[T]) -> T | None:
        found = self.io.read(key, shape)
        return None if found is None else found[0]

    def _keys(self, prefix: str, limit: int | None = None) -> list[str]:
        keys: list[str] = []
        paginator = self.io.s3.get_paginator("list_objects_v2")
        pages = {"PageSize": limit} if limit else {}
        try:
            for page in paginator.paginate(
                Bucket=self.location.bucket, Prefix=prefix, PaginationConfig=pages
            ):
                keys += [str(o["Key"]) for o in page.get("Contents", [])]
                if limit and len(keys) >= limit:
                    return keys[:limit]
        except botocore.exceptions.ClientError as exc:
            raise self.io.fail(f"listing {prefix}", exc) from exc
        return keys
