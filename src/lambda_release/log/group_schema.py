"""The group log's shapes (release waves, issue 33), and what a member's entry says of
its group. Part of the log's contract (log/schema.py registers them); docs/release-log.md
shows each shape.
"""

# No ``from __future__ import annotations`` here: TypedDict needs its Required[...] markers
# evaluated to know which keys are required.
from typing import Any, Required, TypedDict

GROUP_RELEASE_SCHEMA = "lambda-release/group-release@1"
GROUP_MEMBER_SCHEMA = "lambda-release/group-member@1"
GROUP_END_SCHEMA = "lambda-release/group-end@1"
GROUP_ROLLBACK_SCHEMA = "lambda-release/group-rollback@1"


class GroupRef(TypedDict):
    """In a member's own entry (``entry@2``): the group release it is part of."""

    name: str
    id: str
    wave: int


class PlannedMember(TypedDict, total=False):
    """A target of a group release: where its own log is is worked out as ``deploy`` does."""

    wave: Required[int]
    stack: Required[str]
    region: Required[str]


class GroupRelease(TypedDict, total=False):
    """``runs/<flipped id>.json``: written before the first wave begins."""

    schema: str
    id: Required[str]
    group: Required[str]
    alias: Required[str]
    time: str
    on_failure: str
    file: str
    members: Required[list[PlannedMember]]
    ci: dict[str, Any]
    who: str


class GroupMember(TypedDict, total=False):
    """``members/<id>/<wave>.<region>.<stack>.json``: a member's release as it settled
    (``release`` None: refused before its entry was written)."""

    schema: str
    id: Required[str]
    wave: Required[int]
    stack: Required[str]
    region: Required[str]
    release: Required[str | None]
    outcome: Required[str]
    log: str
    problems: list[str]
    bake: str


class GroupEnd(TypedDict, total=False):
    """``ended/<id>.json``: how ``group deploy`` ended (written once)."""

    schema: str
    id: Required[str]
    outcome: Required[str]  # succeeded | stopped | rolled back
    stopped_at_wave: int | None
    time: str
    reason: str


class GroupRollback(TypedDict, total=False):
    """``rolled-back/<id>.json``: every member of group release <id> undone (written once,
    last, by ``group rollback`` or a failed ``group deploy``)."""

    schema: str
    id: Required[str]
    time: str
    by: str
    reason: str
