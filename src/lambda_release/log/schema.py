"""The release log's contract as types: every object's shape, checked when it is read.

The JSON written is unchanged (StrEnum members serialise as their values) and the
shapes are lenient where older entries differ: only what the helper relies on is
required. A log object of the wrong shape is an error naming its key (exit 1),
never a traceback. docs/release-log.md shows the same shapes; a test keeps the two
in step.
"""

# No ``from __future__ import annotations`` here: TypedDict needs its Required[...] markers
# evaluated to know which keys are required.
import math
import types
from collections.abc import Callable
from enum import StrEnum
from typing import (
    Any,
    NotRequired,
    Required,
    TypedDict,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)

from lambda_release.errors import OperationError
from lambda_release.log.group_schema import (
    GroupEnd,
    GroupMember,
    GroupRef,
    GroupRelease,
    GroupRollback,
)
from lambda_release.log.timeline_schema import Timeline

# @2 (issue 33): the optional ``group`` (a member of a group release); @1 reads as before.
ENTRY_SCHEMA = "lambda-release/entry@2"
# @2 (issue 32): the optional ``timeline``; @1 objects (without it) read as before.
SETTLEMENT_SCHEMA = "lambda-release/settlement@2"
UNDO_SCHEMA = "lambda-release/undo@1"
BAKE_START_SCHEMA = "lambda-release/bake-start@1"
BAKE_END_SCHEMA = "lambda-release/bake-end@1"


class Outcome(StrEnum):
    """How a release ended (``pending``: not settled yet)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIAL = "partial"
    NO_CHANGE = "no-change"
    # An old pending release settled after newer ones: what it moved cannot be told apart
    # from what they moved (reason ``superseded``).
    UNKNOWN = "unknown"


class Kind(StrEnum):
    """What an entry records."""

    RELEASE = "release"
    ROLLBACK = "rollback"


class DriftNote(TypedDict, total=False):
    """A function whose alias ran another version than the stack's Version resource when
    the release began, and the rollbacks its pre-flight found for it: the next pre-flight
    that finds the same drift stops reading the log here (release/drift_log.py)."""

    live: Required[str]
    held: Required[str]
    explained_by: str | None  # the rollback that put the alias on ``live``
    undone_by: str | None  # the rollback that moved it off ``held``


class EntryFunction(TypedDict, total=False):
    """A function as a release found it when it began."""

    logical_id: Required[str]
    function_name: str
    function_arn: str
    before: str | None
    stable_before: str | None
    drift: DriftNote


class Automatic(TypedDict, total=False):
    """Why a rollback was made by the helper itself: the alarm a bake saw in ALARM."""

    by: Required[str]  # "bake"
    alarm: Required[str]
    state: str  # ALARM, or INSUFFICIENT_DATA / MISSING under --bake-missing-data fail
    reason: str  # CloudWatch's StateReason
    time: str  # when the alarm entered that state (CloudWatch's StateUpdatedTimestamp)
    seen_at: str  # when the bake saw it


class Entry(TypedDict, total=False):
    """``newest/<flipped id>.json``: written when a release (or rollback) begins."""

    schema: str
    id: Required[str]
    kind: str
    time: str
    stack: str
    alias: str
    environment: str
    functions: Required[list[EntryFunction]]
    ci: dict[str, Any]
    who: str
    sam_command: list[str]
    # deploy --allow-rolled-back-code REASON: why code a rollback undid was released again
    allow_rolled_back_code: str
    # The stack as the release began, AWS's clock: its LastUpdatedTime (None: no stack, or
    # one never executed) and CloudFormation's Date on that read (release/settlement.py).
    stack_last_updated: str | None
    stack_read_at: str
    # a rollback's entry
    undoes: str | None
    functions_selected: list[str]
    to_version: str | None
    reason: str
    # a rollback the helper made by itself (a bake's alarm), not a person: what tripped it
    automatic: Automatic
    # deploy --ignore-window REASON: why it was released outside its deploy windows
    ignore_window: str
    # a member of a group release (`group deploy`): the group, its release and the wave
    group: GroupRef


class SettledFunction(TypedDict, total=False):
    """A function as the settlement found it."""

    logical_id: Required[str]
    function_name: str
    function_arn: str
    before: str | None
    after: str | None
    code_sha256: str | None
    moved: bool
    created: bool
    replaced: bool
    removed: bool
    # a rollback's settlement
    action: str
    result: str
    reason: str


class FunctionRecord(TypedDict, total=False):
    """What a release holds for one function: the entry's fields, with the settlement's
    merged over them (log.records.Release.functions). Not an object in the log."""

    logical_id: Required[str]
    function_name: str
    function_arn: str
    before: str | None
    stable_before: str | None
    drift: DriftNote
    after: str | None
    code_sha256: str | None
    moved: bool
    created: bool
    replaced: bool
    removed: bool
    action: str
    result: str
    reason: str


class Settlement(TypedDict, total=False):
    """``settled/<id>.json``: how the release ended, from what the aliases showed."""

    schema: str
    id: str
    outcome: Required[str]
    settled_at: str
    settled_by: str
    sam_exit_code: int | None
    stack_status: str
    functions: Required[list[SettledFunction]]
    warnings: list[str]
    failures: list[str]  # failed or partial: why each deployment failed (the hook named)
    # why the outcome is what it is, when the versions alone do not say
    # (``alias-removed``; ``superseded`` for an ``unknown`` outcome)
    reason: str
    superseded_by: list[str]
    timeline: Timeline  # the canary's observed steps and alarm changes (schema @2)
    # A release that moved nothing: the newest older release in effect as it settled
    # (None: none), so that walks stop there (log.records.in_effect_before, issue 30).
    in_effect_before: str | None


class Undo(TypedDict, total=False):
    """``undone/<id>.json``: written once by the rollback that undid release ``id``."""

    schema: str
    id: str
    by: Required[str]
    time: str
    rollback_key: str
    in_flight: bool


class Claim(TypedDict, total=False):
    """``rollbacks/<key>.json``: one logical rollback's id, claimed once."""

    rollback_id: Required[str]
    undoes: str | None
    functions: list[str]
    to_version: str | None
    reason: str
    who: str
    ci: dict[str, Any]
    time: str
    in_flight: bool
    automatic: Automatic


class BakeStart(TypedDict, total=False):
    """``bakes/<id>/<attempt>.json``: a bake of release ``id`` began (one per attempt)."""

    schema: str
    id: Required[str]
    attempt: Required[str]
    began: Required[str]
    minutes: Required[float]
    until: Required[str]
    alarms: list[str]
    missing_data: str  # ok or fail
    who: str
    ci: dict[str, Any]


class BakeEnd(TypedDict, total=False):
    """``baked/<id>.json``: how the bake of release ``id`` ended, written once by the first
    attempt to end it (a bake killed or timed out writes none: the release stays un-baked)."""

    schema: str
    id: Required[str]
    attempt: str
    outcome: Required[str]  # baked, rolled-back, or alarm (the rollback did not finish)
    ended: str
    minutes: float
    automatic: Automatic
    rollback_id: str | None
    note: str


class LogHead(TypedDict):
    """The log's newest id and its releases still pending, as the last holder of the lease
    left them (written when the lease is given back; see log.records.Head)."""

    newest: str | None
    pending: list[str]
    listed_at: NotRequired[str]  # when its holder listed the entries (log.records.Head)


class Lease(TypedDict, total=False):
    """``lock.json``: the lease of the stack and alias (see lock.py)."""

    holder: Required[str]
    mode: str
    who: str
    job_url: str
    host: str
    acquired: str
    expires: str
    expires_epoch: Required[float]
    released: bool
    released_at: str
    head: LogHead


SHAPES: dict[str, type] = {
    "entry": Entry,
    "settlement": Settlement,
    "undo marker": Undo,
    "rollback claim": Claim,
    "lease": Lease,
    "bake start": BakeStart,
    "bake end": BakeEnd,
    "group release": GroupRelease,
    "group member": GroupMember,
    "group end": GroupEnd,
    "group rollback": GroupRollback,
}
# What an error calls an object of each shape.
NAMES: dict[type, str] = {shape: name for name, shape in SHAPES.items()}

T = TypeVar("T")


def problem_with(value: Any, shape: Any, where: str = "") -> str | None:
    """What is wrong with ``value`` as ``shape`` (a TypedDict or a type hint); None: fine."""
    return _checker(shape)(value, shape, where)


Checker = Callable[[Any, Any, str], str | None]


def _checker(shape: Any) -> Checker:
    origin = get_origin(shape)
    if shape is Any or shape is type(None):
        return _scalar_problem
    if origin in (Union, types.UnionType):
        return _union_problem
    if isinstance(shape, type) and hasattr(shape, "__required_keys__"):
        return _typed_dict_problem
    if origin is list:
        return _list_problem
    if origin is dict:
        return _dict_problem
    return _scalar_problem


def _union_problem(value: Any, shape: Any, where: str) -> str | None:
    if any(problem_with(value, option, where) is None for option in get_args(shape)):
        return None
    return f"{where or 'value'} is {_kind(value)}, not {_names(shape)}"


def _list_problem(value: Any, shape: Any, where: str) -> str | None:
    if not isinstance(value, list):
        return f"{where or 'value'} is {_kind(value)}, not a list"
    (item,) = get_args(shape)
    problems = (problem_with(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    return next((p for p in problems if p is not None), None)


def _dict_problem(value: Any, _shape: Any, where: str) -> str | None:
    return (
        None if isinstance(value, dict) else f"{where or 'value'} is {_kind(value)}, not an object"
    )


def _typed_dict_problem(value: Any, shape: type, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where or 'the object'} is {_kind(value)}, not an object"
    hints = get_type_hints(shape)
    for key in sorted(shape.__required_keys__):  # type: ignore[attr-defined]
        if key not in value:
            return f"{where + '.' if where else ''}{key} is missing"
    for key, hint in hints.items():
        if key in value and (found := problem_with(value[key], hint, _path(where, key))):
            return found
    return None


def _scalar_problem(value: Any, shape: Any, where: str) -> str | None:
    ok = {
        Any: True,
        type(None): value is None,
        str: isinstance(value, str),
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value),
    }.get(shape, True)
    return None if ok else f"{where or 'value'} is {_kind(value)}, not {_names(shape)}"


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), f"the {type(value).__name__} {value!r}"
    )


def _names(shape: Any) -> str:
    options = get_args(shape) if get_origin(shape) in (Union, types.UnionType) else (shape,)
    names = {str: "a string", int: "a whole number", float: "a number", bool: "a boolean"}
    return " or ".join(
        "null" if o is type(None) else names.get(o, getattr(o, "__name__", str(o))) for o in options
    )


def checked(value: Any, shape: type[T], uri: str) -> T:
    """``value``, as the ``shape`` it has (a value of SHAPES); else the error naming
    ``uri``."""
    found = problem_with(value, shape)
    if found is None:
        return cast(T, value)  # just checked
    what = NAMES[shape]
    way_out = (
        "if no release is running, delete it (the next release writes a new one)"
        if what == "lease"
        else "it was not written by lambda-release (or was edited): move it out of the "
        "log's prefix, or restore it"
    )
    raise OperationError(f"release log object {uri} is not a valid {what}: {found}; {way_out}")
