"""Releases a killed job left pending: settled by the next ``record``, ``deploy`` or
``status``; an older one, superseded by newer releases, as ``unknown``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lambda_release.aws.stack import (
    StackInfo,
)
from lambda_release.log import lock, schema
from lambda_release.log.ids import iso, now
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.log.timeline_schema import Timeline
from lambda_release.release.settle import read_settlement, settle
from lambda_release.release.settlement import (
    settlement_for,
    superseded_settlement,
)
from lambda_release.release.stack_alias import StackAlias


def settle_pending(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    settled_by: str,
    own_lock: bool = False,
    include_begun: bool = False,
    sam_exit_code: int | None = None,
    progress: Callable[[str], None] | None = None,
    dry_run: bool = False,
    timeline: Timeline | None = None,
    lease: schema.Lease | None = None,
) -> tuple[list[tuple[Release, dict[str, str | None]]], list[str]]:
    """Settle releases a killed job left pending: ((release, stable versions) for each
    settled, ids still in flight). ``dry_run``: decide the same, write nothing (each release
    carries the settlement it would get). A release whose lease is live is left alone: a
    deploy renews it while it runs, a ``begin`` lease is a ``record``'s still to come
    (``include_begun``: we are that record). ``timeline``: the canary as ``watch`` saw it,
    for the newest release's settlement; ``lease``: ours (with ``own_lock``), not read again.
    """
    settled: list[tuple[Release, dict[str, str | None]]] = []
    in_flight: list[str] = []
    # Every pending entry read (and checked) before anything is settled: one that cannot
    # be read refuses the command before it changes anything, as its dry run does.
    pending = [str(e["id"]) for e in log.pending_entries()]
    if not pending:
        return settled, in_flight
    if lease is None or not own_lock:
        held = lock.read_lease(log)
        lease = held[0] if held else None
    holder = None if lease is None else lease["holder"]
    every_id = log.recent_ids()  # every pending release is among them (pending_ids)
    for rid in pending:
        live_lease = lease is not None and holder == rid and not lock.is_free(lease)
        begun = lease is not None and lease.get("mode") == "begin"
        if live_lease and not own_lock and not (include_begun and begun):
            in_flight.append(rid)
            continue
        newer = [i for i in every_id if i > rid]
        if newer:
            # Only the newest release can be settled from the live aliases.
            settled.append((settle_superseded(log, rid, newer, settled_by, dry_run, progress), {}))
            if not dry_run and holder == rid:
                lock.release(log, rid)
            continue
        info = engine.info_current()  # after whatever the killed job's sam did
        if info is not None and info.in_progress:
            in_flight.append(rid)
            continue
        if dry_run:
            settled.append((would_settle(engine, log, rid, info, sam_exit_code, settled_by), {}))
            continue
        settled.append(
            settle_newest(engine, log, rid, info, sam_exit_code, settled_by, progress, timeline)
        )
        if live_lease or holder == rid:
            lock.release(log, rid)
    return settled, in_flight


def settle_newest(
    engine: StackAlias,
    log: ReleaseLog,
    release_id: str,
    info: StackInfo | None,
    sam_exit_code: int | None,
    settled_by: str,
    progress: Callable[[str], None] | None,
    timeline: Timeline | None = None,
) -> tuple[Release, dict[str, str | None]]:
    """Settle the newest pending release from the live aliases: the release and its
    stable versions. ``info``: the stack, just read (after whatever sam did)."""
    entry = log.load(release_id, settled=False, undone=False).entry
    if progress is not None:
        progress(f"settling release {release_id}, left pending by an earlier job")
    # The stack was just read, after whatever sam did: settle needs only its status.
    same = None if info is None else frozenset(f.logical_id for f in info.functions)
    release, stable, _ = settle(
        engine,
        log,
        entry,
        sam_exit_code=sam_exit_code,
        settled_by=settled_by,
        functions_after=same,
        timeline=timeline,
    )
    return release, stable


def settle_superseded(
    log: ReleaseLog,
    release_id: str,
    newer: Sequence[str],
    settled_by: str,
    dry_run: bool,
    progress: Callable[[str], None] | None,
) -> Release:
    """Settle an old pending release ``unknown`` (superseded by ``newer``)."""
    entry = log.load(release_id, settled=False, undone=False).entry
    body = superseded_settlement(entry, newer, settled_by=settled_by, settled_at=iso(now()))
    if dry_run:
        return Release(entry, body)
    if progress is not None:
        progress(f"settling release {release_id} as unknown: newer releases came after it")
    return Release(entry, log.write_settlement(release_id, body))


def would_settle(
    engine: StackAlias,
    log: ReleaseLog,
    release_id: str,
    info: StackInfo | None,
    sam_exit_code: int | None,
    settled_by: str,
) -> Release:
    """The release as settling it now would leave it (nothing written)."""
    release = log.load(release_id, settled=False)
    release.settlement = settlement_for(
        release.entry,
        read_settlement(engine, release.entry, info, sam_exit_code),
        alias=engine.alias,
        sam_exit_code=sam_exit_code,
        settled_by=settled_by,
        settled_at=iso(now()),
    )
    return release
