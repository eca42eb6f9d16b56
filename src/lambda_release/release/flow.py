"""One release: pre-flight -> lock -> begin (pending) -> sam deploy -> settle -> stable.

The entry is written as ``pending`` before ``sam deploy`` starts, with every
function's version before; it is settled from what the aliases show afterwards,
not from ``sam``'s exit code. A release left pending by a killed job is settled
by the next ``record``, ``deploy`` or ``status`` (:func:`settle_pending`).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import botocore.exceptions

from lambda_release.aws import codedeploy
from lambda_release.aws.client import error_code, parallel_map
from lambda_release.aws.stack import (
    LiveFunction,
    StackInfo,
    function_arn_of,
    functions_updated_since,
    with_live,
)
from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.releaselog import (
    FAILED,
    NO_CHANGE,
    PARTIAL,
    SUCCEEDED,
    LogLocation,
    Release,
    ReleaseLog,
    iso,
    new_id,
    now,
    ordered_id,
)
from lambda_release.log.schema import Entry, EntryFunction
from lambda_release.release.preflight import Reads, preflight, read_checks
from lambda_release.release.settlement import (
    AliasNow,
    SettlementReads,
    StackNow,
    needs_update_events,
    settlement_for,
    started_at,
    superseded_settlement,
)
from lambda_release.release.stable import Current, apply_stable, stable_versions
from lambda_release.release.stack_alias import StackAlias


# -- begin ---------------------------------------------------------------------
def snapshot_functions(info: StackInfo | None, live: Sequence[LiveFunction]) -> list[EntryFunction]:
    out: list[EntryFunction] = []
    for f, lf in with_live(info, live):
        out.append(
            {
                "logical_id": f.logical_id,
                "function_name": f.name,
                "function_arn": lf.function_arn if lf else "",
                "before": lf.alias.version if lf and lf.alias else None,
                "stable_before": lf.stable.version if lf and lf.stable else None,
            }
        )
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
        "functions": snapshot_functions(info, live),
        "ci": ci,
        "who": ci.get("triggered_by", ""),
        "sam_command": list(command),
    }
    if allow_rolled_back_code:
        entry["allow_rolled_back_code"] = allow_rolled_back_code
    return entry


def take_lease(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    mode: str,
    lock_ttl: float,
    lock_timeout: float,
    progress: Callable[[str], None] | None,
) -> tuple[lock.Lease, Reads | None, str | None]:
    """The lease, the pre-flight's reads made beside its taking (None if they failed: the
    real read raises it again if it recurs), and the log's newest id; the holder's id
    (the release's) sorts after it, whatever our clock says."""
    ci = ci_metadata()
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(read_checks, engine, engine.info())
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
        reads = None if ahead.exception() is not None else ahead.result()
    try:
        # The lease given back by the last holder says which id is the newest (no listing).
        newest = log.learn_head().newest
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
) -> tuple[Entry | None, lock.Lease, list[str]]:
    """Lock, settle what a killed job left, check, and write the pending entry.

    Returns (entry, lease, pre-flight problems); with problems the entry is not
    written and the lease already given back.
    """
    lease, ahead, newest = take_lease(
        engine, log, mode=mode, lock_ttl=lock_ttl, lock_timeout=lock_timeout, progress=progress
    )
    holder = lease.holder
    try:
        settled, _ = settle_pending(engine, log, settled_by=mode, own_lock=True, progress=progress)
        # The stack read that found the log (and the reads made beside the lease) are
        # current when no holder of the lease came or went since: read again if one did.
        quiet = lease.quiet_since(engine.read_at())
        found = preflight(
            engine,
            log,
            dry_run=False,
            progress=progress or _quiet,
            allow_rolled_back_code=allow_rolled_back_code,
            refresh=not quiet,
            reads=ahead if quiet and not settled else None,
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


# -- settle --------------------------------------------------------------------
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
    started = started_at(entry)
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
) -> tuple[Release, dict[str, str | None], list[str]]:
    """Settle ``entry`` (once; a concurrent settler's result stands), then the stable pointers.

    ``lease_lost``: our lease lapsed and was taken over while sam ran, so a newer release
    may be in the log; the stable pointers then follow the log's newest release in effect,
    never this one alone.

    Returns (release, stable versions by logical id, warnings).
    """
    info, known = read_after_sam(engine, entry, functions_after)
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
    started = started_at(entry)
    if body["outcome"] in (FAILED, PARTIAL) and info is not None and started is not None:
        # Why: each failed deployment, naming the hook that failed it.
        body["failures"] = codedeploy.failures_since(engine.client("codedeploy"), info, started)
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
        stored = log.write_settlement(entry["id"], body)
        release = Release(entry, stored)
        stable, warnings = update_stable_pointers(engine, log, release, dry_run=not update_stable)
        return release, stable, list(stored.get("warnings", [])) + warnings
    # In effect: the stable pointers follow from this settlement alone (no log read), so
    # they move while it is written. Should another settler have written first (only if
    # our lease lapsed), theirs stands and the pointers are set again from it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(log.write_settlement, entry["id"], body)
        stable, warnings = update_stable_pointers(engine, log, ours, dry_run=not update_stable)
        stored = writing.result()
    release = Release(entry, stored)
    if dict(stored) != {**body, "schema": stored.get("schema"), "id": entry["id"]}:
        stable, warnings = update_stable_pointers(engine, log, release, dry_run=not update_stable)
    return release, stable, list(stored.get("warnings", [])) + warnings


def read_after_sam(
    engine: StackAlias, entry: Entry, functions_after: frozenset[str] | None
) -> tuple[StackInfo | None, dict[str, AliasNow | None]]:
    """The stack once sam has run, and the aliases of the functions the release began with,
    read beside it (only functions new to the stack are read after it). The resources are
    listed again unless ``functions_after`` (the template's) are those read before."""
    before = engine.info()
    same = before is not None and functions_after == frozenset(
        f.logical_id for f in before.functions
    )
    names = [f["function_name"] for f in entry.get("functions", []) if f.get("function_name")]
    engine.client("lambda")  # made here, not on the worker thread
    with ThreadPoolExecutor(max_workers=1) as pool:
        early = pool.submit(read_aliases_now, engine, names)
        info = engine.info_after(same)
        known = early.result()
    if same and info is not None and any(known.get(f.name) is None for f in info.functions):
        info = engine.info(refresh=True)  # a function replaced, or its alias gone: list it
    return info, known


def update_stable_pointers(
    engine: StackAlias, log: ReleaseLog, latest: Release, *, dry_run: bool = False
) -> tuple[dict[str, str | None], list[str]]:
    """Recompute every function's stable version from the log and move ``<A>_STABLE``."""
    stable_now = {
        f["logical_id"]: f.get("stable_before") for f in latest.entry.get("functions", [])
    }
    current: dict[str, Current] = {}
    for f in latest.functions():
        if f.get("removed") or not f.get("function_name"):
            continue
        lid = f["logical_id"]
        current[lid] = Current(
            logical_id=lid,
            name=f["function_name"],
            function_arn=f.get("function_arn", ""),
            version=f.get("after"),
            stable_now=None if f.get("replaced") or f.get("created") else stable_now.get(lid),
        )
    in_effect = latest if latest.in_effect else log.latest_in_effect()
    targets = stable_versions(in_effect, current)
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
) -> tuple[list[tuple[Release, dict[str, str | None]]], list[str]]:
    """Settle releases a killed job left pending.

    Returns ((release, stable versions) for each settled, ids still in flight).
    ``dry_run``: decide the same, write nothing; each release carries the settlement it
    would get (and no stable versions), so a dry run plans from the same story.

    A release whose lease is still live is left alone: a deploy renews its lease
    while it runs, and a ``begin`` lease belongs to a ``record`` still to come
    (``include_begun``: we are that record).
    """
    settled: list[tuple[Release, dict[str, str | None]]] = []
    in_flight: list[str] = []
    pending = log.pending_ids()
    if not pending:
        return settled, in_flight
    held = lock.read_lease(log)
    lease = held[0] if held else {}
    every_id = log.recent_ids()  # every pending release is among them (pending_ids)
    for rid in pending:
        live_lease = lease.get("holder") == rid and not lock.is_free(lease)
        if live_lease and not own_lock and not (include_begun and lease.get("mode") == "begin"):
            in_flight.append(rid)
            continue
        newer = [i for i in every_id if i > rid]
        if newer:
            # Only the newest release can be settled from the live aliases.
            settled.append((settle_superseded(log, rid, newer, settled_by, dry_run, progress), {}))
            if not dry_run and lease.get("holder") == rid:
                lock.release(log, rid)
            continue
        info = engine.info(refresh=True)
        if info is not None and info.in_progress:
            in_flight.append(rid)
            continue
        if dry_run:
            settled.append((would_settle(engine, log, rid, info, sam_exit_code, settled_by), {}))
            continue
        entry = log.load(rid, settled=False, undone=False).entry
        if progress is not None:
            progress(f"settling release {rid}, left pending by an earlier job")
        # The stack was just read, after whatever sam did: settle needs only its status.
        same = None if info is None else frozenset(f.logical_id for f in info.functions)
        release, stable, _ = settle(
            engine,
            log,
            entry,
            sam_exit_code=sam_exit_code,
            settled_by=settled_by,
            functions_after=same,
        )
        settled.append((release, stable))
        if live_lease or lease.get("holder") == rid:
            lock.release(log, rid)
    return settled, in_flight


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


# -- the whole release -----------------------------------------------------------
@dataclass
class DeployPlan:
    """Everything ``deploy`` needs besides the engine: built by the command from settings."""

    environment: str
    sam_command: list[str]
    sam_env: dict[str, str]
    log_location: LogLocation
    lock_ttl: float = lock.DEPLOY_LEASE_SECONDS
    lock_timeout: float = 0.0
    heartbeat: float = 60.0
    dry_run: bool = False
    allow_rolled_back_code: str = ""
    # The functions the template publishes the alias on (None: it cannot say): when they
    # are the ones read before, the stack's resources are not listed again after sam.
    functions_after: frozenset[str] | None = None


@dataclass
class DeployResult:
    """A release settled (``release``), refused (``problems``), or a dry run's plan."""

    exit_code: int
    release: Release | None = None
    stable: dict[str, str | None] = field(default_factory=dict)
    log: ReleaseLog | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: dict[str, Any] | None = None


class LeaseKeeper:
    """Renews a deploy's lease while ``sam`` runs, at a third of its life, so one missed
    renewal never lets it lapse; says so once if someone took it over."""

    def __init__(self, lease: lock.Lease, ttl: float, progress: Callable[[str], None]) -> None:
        self.lease, self.ttl, self.progress = lease, ttl, progress
        self.last_renew = time.monotonic()
        self.lost = False

    def on_heartbeat(self, _elapsed: float) -> None:
        if self.lost or time.monotonic() - self.last_renew < self.ttl / 3:
            return
        try:
            if not lock.renew(self.lease, self.ttl):
                self.lost = True
                self.progress("warning: the lock was taken over while sam ran")
        except OperationError as exc:
            self.progress(f"warning: could not renew the lock: {exc}")
        self.last_renew = time.monotonic()


def deploy_dry_run(
    engine: StackAlias, log: ReleaseLog, plan: DeployPlan, progress: Callable[[str], None]
) -> DeployResult:
    """The real run's pre-flight and lock check, writing nothing: what deploy would do."""
    found = preflight(
        engine,
        log,
        dry_run=True,
        progress=progress,
        allow_rolled_back_code=plan.allow_rolled_back_code,
    )
    entry = new_entry(
        engine,
        found.info,
        found.live,
        environment=plan.environment,
        command=plan.sam_command,
        allow_rolled_back_code=plan.allow_rolled_back_code,
    )
    return DeployResult(
        1 if found.problems else 0,
        dry_run={
            "dry_run": True,
            "entry": {**entry, "outcome": "dry-run"},
            "pending": found.pending,
            "problems": found.problems,
        },
        problems=found.problems,
    )


def deploy(
    engine: StackAlias,
    plan: DeployPlan,
    *,
    run_sam: Callable[..., int],
    progress: Callable[[str], None],
) -> DeployResult:
    """Run one release end to end. ``run_sam(cmd, env=, heartbeat=, on_heartbeat=)``."""
    log = engine.log(plan.log_location)
    if plan.dry_run:
        return deploy_dry_run(engine, log, plan, progress)
    entry, lease, problems = begin(
        engine,
        log,
        environment=plan.environment,
        mode="deploy",
        lock_ttl=plan.lock_ttl,
        lock_timeout=plan.lock_timeout,
        command=plan.sam_command,
        progress=progress,
        allow_rolled_back_code=plan.allow_rolled_back_code,
    )
    if problems or entry is None:
        return DeployResult(1, problems=problems)
    progress(f"release {entry['id']} begun (pending) in {log.location.uri}")
    keeper = LeaseKeeper(lease, plan.lock_ttl, progress)
    try:
        progress("running: " + " ".join(_shell_quote(plan.sam_command)))
        code = run_sam(
            plan.sam_command,
            env=plan.sam_env,
            heartbeat=plan.heartbeat,
            on_heartbeat=keeper.on_heartbeat,
        )
        progress(f"sam deploy exited with {code}; settling from what the aliases show")
        release, stable, warnings = settle(
            engine,
            log,
            entry,
            sam_exit_code=code,
            settled_by="deploy",
            functions_after=plan.functions_after,
            lease_lost=keeper.lost or not lock.still_ours(lease, plan.lock_ttl),
        )
    finally:
        lock.release(log, entry["id"], lease)
    ok = release.outcome in (SUCCEEDED, NO_CHANGE)
    return DeployResult(0 if ok else 1, release, stable, log, [], warnings)


def _shell_quote(cmd: Sequence[str]) -> list[str]:
    return [shlex.quote(c) for c in cmd]


def _quiet(_message: str) -> None:
    pass
