"""Begin a release: take the lease, snapshot every function's version, write the entry
``pending`` before ``sam deploy`` starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from lambda_release.aws.client import Pool
from lambda_release.aws.stack import (
    LiveFunction,
    StackInfo,
    with_live,
)
from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.ids import iso, new_id, now, ordered_id
from lambda_release.log.schema import DriftNote, Entry, EntryFunction
from lambda_release.log.store import ReleaseLog
from lambda_release.release.inputs import ReleaseInputs, check_inputs
from lambda_release.release.preflight import Preflight, Reads, preflight, read_checks
from lambda_release.release.recover import settle_pending
from lambda_release.release.stack_alias import StackAlias


def snapshot_functions(
    info: StackInfo | None,
    live: Sequence[LiveFunction],
    drift: Mapping[str, DriftNote] | None = None,
) -> list[EntryFunction]:
    out: list[EntryFunction] = []
    for f, lf in with_live(info, live):
        row: EntryFunction = {
            "logical_id": f.logical_id,
            "function_name": f.name,
            "function_arn": lf.function_arn if lf else "",
            "before": lf.alias.version if lf and lf.alias else None,
            "stable_before": lf.stable.version if lf and lf.stable else None,
        }
        if drift and f.logical_id in drift:
            row["drift"] = drift[f.logical_id]
        out.append(row)
    return out


def new_entry(
    engine: StackAlias,
    info: StackInfo | None,
    live: Sequence[LiveFunction],
    *,
    environment: str,
    kind: str = "release",
    command: Sequence[str] = (),
    release_id: str | None = None,
    allow_rolled_back_code: str = "",
    drift: Mapping[str, DriftNote] | None = None,
    ignore_window: str = "",
) -> Entry:
    t = now()
    ci = ci_metadata()
    entry: Entry = {
        "id": release_id or new_id(t),
        "kind": kind,
        "time": iso(t),
        "stack": engine.stack,
        "alias": engine.alias,
        "environment": environment,
        "functions": snapshot_functions(info, live, drift),
        "ci": ci,
        "who": ci.get("triggered_by", ""),
        "sam_command": list(command),
    }
    if allow_rolled_back_code:
        entry["allow_rolled_back_code"] = allow_rolled_back_code
    if ignore_window:
        entry["ignore_window"] = ignore_window
    if engine.group is not None:
        entry["group"] = engine.group
    last_updated, read_at = stack_clock(info)
    entry["stack_last_updated"] = last_updated
    if read_at is not None:
        entry["stack_read_at"] = read_at
    return entry


def stack_clock(info: StackInfo | None) -> tuple[str | None, str | None]:
    """The stack as the release began, in AWS's clock (settling compares AWS's times with
    AWS's times, never with this machine's): its LastUpdatedTime (None: no stack yet, or one
    never executed) and when CloudFormation answered the read (None: not known)."""
    before = info.last_updated if info is not None and not info.never_executed else None
    read_at = info.read_at if info is not None else None
    return (
        iso(before) if before is not None else None,
        iso(read_at) if read_at is not None else None,
    )


def take_lease(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    mode: str,
    lock_ttl: float,
    lock_timeout: float,
    progress: Callable[[str], None] | None,
) -> tuple[lock.HeldLease, Reads | None, str | None]:
    """The lease, the pre-flight's reads made beside its taking (None if they failed: the
    real read raises it again if it recurs), and the log's newest id; the holder's id
    (the release's) sorts after it, whatever our clock says."""
    ci = ci_metadata()
    with Pool(max_workers=2) as pool:
        # The stack read (begun ahead, or made here) and the checks on it go out beside the
        # taking of the lease: neither waits for the other. So does the listing of the
        # log's newest entries: relied on only if it confirms the head the lease hands over.
        ahead = pool.submit(lambda: read_checks(engine, engine.info()))
        listed_ahead = log.take_listing()
        listing = pool.submit(lambda: listed_ahead or log.list_newest_page())
        lease = lock.acquire(
            log,
            new_id,  # a fresh id per attempt: ids then sort in the order releases held it
            mode=mode,
            ttl=lock_ttl,
            timeout=lock_timeout,
            who=ci.get("triggered_by", ""),
            job_url=ci.get("job_url", ""),
            progress=progress,
        )
        try:
            # The newest id and the pending releases: the head the lease handed over, once
            # the listing confirms it (log.records.Head.confirmed_by).
            listed = None if listing.exception() is not None else listing.result()
            newest = log.learn_head(listed).newest
        except BaseException:
            lock.release(log, lease.holder)
            raise
        reads = None if ahead.exception() is not None else ahead.result()
    try:
        later = ordered_id(lease.holder, newest)
        if later != lease.holder and not lock.rekey(lease, later):
            raise OperationError(
                f"the lock of {engine.stack} alias {engine.alias} was taken over while "
                "this release began: run it again"
            )
    except BaseException:
        lock.release(log, lease.holder)
        raise
    return lease, reads, newest


def preflight_under_lease(
    engine: StackAlias,
    log: ReleaseLog,
    lease: lock.HeldLease,
    ahead: Reads | None,
    *,
    mode: str,
    progress: Callable[[str], None] | None,
    allow: str,
) -> Preflight:
    """Settle what a killed job left, then the pre-flight, holding the lease."""
    settled, _ = settle_pending(
        engine, log, settled_by=mode, own_lock=True, progress=progress, lease=lease.body
    )
    # The stack read that found the log (and the reads made beside the lease) are
    # current when no holder of the lease came or went since: read again if one did.
    quiet = lease.quiet_since(engine.read_at())
    return preflight(
        engine,
        log,
        dry_run=False,
        progress=progress or _quiet,
        allow_rolled_back_code=allow,
        refresh=not quiet,
        reads=ahead if quiet and not settled else None,
    )


def begin(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    environment: str,
    mode: str,
    lock_ttl: float,
    lock_timeout: float,
    command: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    allow_rolled_back_code: str = "",
    inputs: ReleaseInputs | None = None,
    ignore_window: str = "",
) -> tuple[Entry | None, lock.HeldLease, list[str]]:
    """Check the inputs, lock, settle what a killed job left, check, write the pending entry.

    Returns (entry, lease, pre-flight problems); with problems the entry is not
    written and the lease already given back. ``inputs``: what the release ships (the
    template, its overrides and secrets), refused here as ``deploy`` refuses them.
    """
    if inputs is not None:
        ignore_window = check_inputs(engine, inputs) or ignore_window
    lease, ahead, newest = take_lease(
        engine, log, mode=mode, lock_ttl=lock_ttl, lock_timeout=lock_timeout, progress=progress
    )
    holder = lease.holder
    try:
        found = preflight_under_lease(
            engine, log, lease, ahead, mode=mode, progress=progress, allow=allow_rolled_back_code
        )
        if found.problems:
            lock.release(log, holder)
            return None, lease, found.problems
        entry = new_entry(
            engine,
            found.info,
            found.live,
            environment=environment,
            command=command,
            release_id=holder,
            allow_rolled_back_code=allow_rolled_back_code,
            drift=found.drift,
            ignore_window=ignore_window,
        )
        if not lock.still_ours(lease, lock_ttl):
            raise OperationError(
                f"the lock of {engine.stack} alias {engine.alias} lapsed and was taken over "
                "while this release began (its pre-flight outlasted --lock-ttl): run it again"
            )
        log.write_entry(entry, first_in_log=newest is None)
    except BaseException:
        lock.release(log, holder)
        raise
    return entry, lease, []


def begin_dry_run(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    environment: str,
    progress: Callable[[str], None],
    inputs: ReleaseInputs | None = None,
) -> tuple[Entry, list[str]]:
    """What :func:`begin` would write and refuse, writing nothing."""
    if inputs is not None:
        check_inputs(engine, inputs)
    found = preflight(engine, log, dry_run=True, progress=progress)
    return new_entry(engine, found.info, found.live, environment=environment), found.problems


def _quiet(_message: str) -> None:
    pass
