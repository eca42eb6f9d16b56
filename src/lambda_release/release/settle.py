"""Settle a release from what the aliases show after ``sam`` (never from its exit code),
then point the stable aliases at what settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import botocore.exceptions

from lambda_release.aws import codedeploy
from lambda_release.aws.client import Pool, error_code, parallel_map
from lambda_release.aws.stack import (
    UNREAD_STATUS,
    FunctionNow,
    StackInfo,
    function_arn_of,
    functions_updated_since,
)
from lambda_release.errors import OperationError
from lambda_release.log.ids import iso, now
from lambda_release.log.records import FAILED, PARTIAL, Release
from lambda_release.log.schema import Entry, Settlement
from lambda_release.log.store import ReleaseLog
from lambda_release.log.timeline_schema import Timeline
from lambda_release.release.settlement import (
    AliasNow,
    SettlementReads,
    StackNow,
    aws_started_at,
    needs_update_events,
    settlement_for,
)
from lambda_release.release.stable import apply_stable, stable_versions
from lambda_release.release.stack_alias import StackAlias


def read_aliases_now(engine: StackAlias, names: Sequence[str]) -> dict[str, AliasNow | None]:
    """Each function's alias as it stands: version, code SHA-256, ARN (one call each)."""
    lam = engine.client("lambda")

    def one(name: str) -> AliasNow | None:
        try:
            # GetFunction, not GetFunctionConfiguration: the same configuration, read on
            # GetFunction's own budget (aws.GET_FUNCTION_RATE), not the control plane's.
            c = lam.get_function(FunctionName=name, Qualifier=engine.alias)["Configuration"]
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise OperationError(f"cannot read {name}:{engine.alias}: {exc}") from exc
        return AliasNow(
            version=str(c.get("Version", "")),
            code_sha256=str(c.get("CodeSha256", "")),
            function_arn=function_arn_of(str(c.get("FunctionArn", ""))),
        )

    return dict(zip(names, parallel_map(one, list(names), engine.read_limiter), strict=True))


def read_settlement(
    engine: StackAlias,
    entry: Entry,
    info: StackInfo | None,
    sam_exit_code: int | None,
    known: dict[str, AliasNow | None] | None = None,
) -> SettlementReads:
    """What settling ``entry`` needs from AWS; the stack's events only when they matter.
    ``known``: aliases already read (after sam ended); only the others are read."""
    if info is None:
        return SettlementReads(StackNow("NONE", functions={}), {})
    functions = {f.logical_id: f.name for f in info.functions}
    stack = StackNow(
        info.status,
        info.failed,
        info.last_updated,
        functions,
        without_alias=frozenset(info.other_functions),
    )
    have = {n: a for n, a in (known or {}).items() if n in functions.values()}
    missing = [n for n in functions.values() if n not in have]
    reads = SettlementReads(stack, {**have, **read_aliases_now(engine, missing)})
    started = aws_started_at(entry)
    if started is not None and needs_update_events(entry, reads, sam_exit_code):
        cfn = engine.client("cloudformation")
        updated = functions_updated_since(cfn, engine.stack, started)
        reads = replace(reads, updated_since=frozenset(updated))
    return reads


def settle(
    engine: StackAlias,
    log: ReleaseLog,
    entry: Entry,
    *,
    sam_exit_code: int | None,
    settled_by: str,
    update_stable: bool = True,
    functions_after: frozenset[str] | None = None,
    lease_lost: bool = False,
    timeline: Timeline | None = None,
) -> tuple[Release, dict[str, str | None], list[str]]:
    """Settle ``entry`` (once; a concurrent settler's result stands), then the stable pointers.

    ``lease_lost``: our lease lapsed and was taken over while sam ran, so a newer release
    may be in the log; the stable pointers then follow the log's newest release in effect,
    never this one alone.

    ``timeline``: the canary as it was followed, kept in the settlement.

    Returns (release, stable versions by logical id, warnings).
    """
    trust_sam = sam_exit_code == 0 and not lease_lost  # nobody else can have run since
    body = settlement_after_sam(
        engine, entry, sam_exit_code, settled_by, functions_after, trust_sam=trust_sam
    )
    if timeline is not None:
        body["timeline"] = timeline
    ours = Release(entry, body)
    if lease_lost:
        stored = log.write_settlement(entry["id"], body)
        release = Release(entry, stored)
        newest = log.latest_in_effect()
        stable, warnings = (
            update_stable_pointers(engine, log, newest, dry_run=not update_stable)
            if newest is not None
            else ({}, [])
        )
        note = (
            "the lock was taken over while sam ran: stable versions follow the log's newest "
            f"release in effect ({newest.id if newest else 'none'})"
        )
        return release, stable, [*stored.get("warnings", []), note, *warnings]
    if not ours.in_effect:
        return settle_out_of_effect(engine, log, entry, body, update_stable=update_stable)
    # In effect: the stable pointers follow from this settlement alone (no log read), so
    # they move while it is written. Should another settler have written first (only if
    # our lease lapsed), theirs stands and the pointers are set again from it.
    with Pool(max_workers=1) as pool:
        writing = pool.submit(log.write_settlement, entry["id"], body)
        stable, warnings = update_stable_pointers(engine, log, ours, dry_run=not update_stable)
        stored = writing.result()
    release = Release(entry, stored)
    if dict(stored) != {**body, "schema": stored.get("schema"), "id": entry["id"]}:
        stable, warnings = update_stable_pointers(engine, log, release, dry_run=not update_stable)
    return release, stable, list(stored.get("warnings", [])) + warnings


def settle_out_of_effect(
    engine: StackAlias, log: ReleaseLog, entry: Entry, body: Settlement, *, update_stable: bool
) -> tuple[Release, dict[str, str | None], list[str]]:
    """Settle a release that moved nothing (or failed). The release in effect is found
    before the settlement is written, and the newest one older than this release is kept
    in it (``in_effect_before``): the next walk stops there (issue 30)."""
    in_effect = log.latest_in_effect()
    older = in_effect
    if in_effect is not None and in_effect.id > entry["id"]:
        older = log.latest_in_effect(before=entry["id"])
    body["in_effect_before"] = older.id if older is not None else None
    stored = log.write_settlement(entry["id"], body)
    release = Release(entry, stored)
    stable, warnings = update_stable_pointers(
        engine, log, release, dry_run=not update_stable, in_effect=(in_effect,)
    )
    return release, stable, list(stored.get("warnings", [])) + warnings


def settlement_after_sam(
    engine: StackAlias,
    entry: Entry,
    sam_exit_code: int | None,
    settled_by: str,
    functions_after: frozenset[str] | None,
    *,
    trust_sam: bool = False,
) -> Settlement:
    """The settlement ``entry`` gets from what the aliases show now (not yet written);
    a stack still updating refuses, since the release is still in flight. ``trust_sam``:
    sam exited 0 under our lease (see :func:`read_after_sam`)."""
    info, known = read_after_sam(engine, entry, functions_after, sam_ok=trust_sam)
    if info is not None and info.in_progress:
        raise OperationError(
            f"stack {engine.stack} is {info.status}: release {entry['id']} is still in "
            "flight; once the stack has finished, `lambda-release record` settles it"
        )
    body = settlement_for(
        entry,
        read_settlement(engine, entry, info, sam_exit_code, known),
        alias=engine.alias,
        sam_exit_code=sam_exit_code,
        settled_by=settled_by,
        settled_at=iso(now()),
    )
    started = aws_started_at(entry)
    if body["outcome"] in (FAILED, PARTIAL) and info is not None and started is not None:
        # Why: each failed deployment, naming the hook that failed it.
        body["failures"] = codedeploy.failures_since(engine.client("codedeploy"), info, started)
    return body


def read_after_sam(
    engine: StackAlias,
    entry: Entry,
    functions_after: frozenset[str] | None,
    *,
    sam_ok: bool = False,
) -> tuple[StackInfo | None, dict[str, AliasNow | None]]:
    """The stack once sam has run, and the aliases of the functions the release began with,
    read beside it (only functions new to the stack are read after it). The resources are
    listed again unless ``functions_after`` (the template's) are those read before.

    ``sam_ok``: sam deploy exited 0 under our lease, so the stack operation it ran has
    ended well (sam waits for the stack, CodeDeploy's traffic shift included; a change set
    left unexecuted by a pass-through ``--no-execute-changeset`` changed nothing), and no
    other release ran meanwhile. With the same functions, the stack is then not described
    again: its resources are those read before, its status is not known (the settlement
    records none), and only the aliases are read (one read of each fact, issue 30)."""
    before = engine.info()
    same = before is not None and functions_after == frozenset(
        f.logical_id for f in before.functions
    )
    names = [f["function_name"] for f in entry.get("functions", []) if f.get("function_name")]
    if sam_ok and same and before is not None:
        known = read_aliases_now(engine, names)
        if all(known.get(f.name) is not None for f in before.functions):
            return replace(before, status=UNREAD_STATUS, read_at=None), known
        # A function replaced, or its alias gone: the stack is read whole after all.
        return engine.info(refresh=True), known
    engine.client("lambda")  # made here, not on the worker thread
    with Pool(max_workers=1) as pool:
        early = pool.submit(read_aliases_now, engine, names)
        info = engine.info_after(same)
        known = early.result()
    if same and info is not None and any(known.get(f.name) is None for f in info.functions):
        info = engine.info(refresh=True)  # a function replaced, or its alias gone: list it
    return info, known


def update_stable_pointers(
    engine: StackAlias,
    log: ReleaseLog,
    latest: Release,
    *,
    dry_run: bool = False,
    in_effect: tuple[Release | None] | None = None,
) -> tuple[dict[str, str | None], list[str]]:
    """Recompute every function's stable version from the log and move ``<A>_STABLE``.
    ``in_effect``: (the log's newest release in effect,) when ``latest`` is not and it
    was just read (otherwise it is read here)."""
    stable_now = {
        f["logical_id"]: f.get("stable_before") for f in latest.entry.get("functions", [])
    }
    current: dict[str, FunctionNow] = {}
    for f in latest.functions():
        if f.get("removed") or not f.get("function_name"):
            continue
        lid = f["logical_id"]
        current[lid] = FunctionNow(
            logical_id=lid,
            name=f["function_name"],
            function_arn=f.get("function_arn", ""),
            version=f.get("after"),
            stable=None if f.get("replaced") or f.get("created") else stable_now.get(lid),
        )
    if latest.in_effect:
        newest: Release | None = latest
    elif in_effect is not None:
        (newest,) = in_effect
    else:
        newest = log.latest_in_effect()
    targets = stable_versions(newest, current)
    warnings = apply_stable(
        engine.client("lambda"),
        engine.alias,
        latest.id,
        current,
        targets,
        limiter=engine.limiter,
        dry_run=dry_run,
    )
    return targets, warnings
