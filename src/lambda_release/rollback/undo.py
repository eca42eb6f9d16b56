"""Rollback: undo the most recent release in effect, every function to its own version.

The order makes every step safe to repeat after any failure:

1. settle releases a killed job left pending; a release still in flight (a
   canary running) is stopped instead, and nothing else moves;
2. choose the release (the most recent in effect, or ``--release ID`` if it is
   that one) and plan each function (see rollback_plan);
3. claim the logical rollback: ``rollbacks/<key>.json`` written once
   (``IfNoneMatch``) names its entry id, so a re-run or a concurrent run of the
   same rollback uses the same id;
4. move the aliases, concurrently within Lambda's control-plane budget, each
   guarded by its RevisionId and verified from Lambda's answer;
5. only when no move failed: write the entry (once, same id) and its
   settlement, point every ``<ALIAS>_STABLE`` at its new stable version, and
   last mark the release undone. A run that stops anywhere is finished by the
   same command run again: moves already made are found done, and nothing is
   written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from lambda_release.aws import stuck_rollback
from lambda_release.aws.client import Pool, parallel_map
from lambda_release.aws.stack import FunctionNow
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.release.recover import settle_pending
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.alias_moves import FAILED, move_back
from lambda_release.rollback.claim import Claimed, check_lock, claim_and_lock
from lambda_release.rollback.in_flight import stop_release, wait_for_rollback_deployments
from lambda_release.rollback.plan import (
    DONE,
    MOVE,
    REFUSED,
    Plan,
    Step,
    choose_release,
    known_versions,
    plan_release,
    versions_to_check,
)
from lambda_release.rollback.record import (
    entry_rows,
    existing_versions,
    functions_now,
    next_in_effect,
    stack_info,
    update_stable,
    write_record,
)
from lambda_release.rollback.request import Request, RollbackResult
from lambda_release.rollback.summary import summary_data


def rollback(
    engine: StackAlias, log: ReleaseLog, req: Request, progress: Callable[[str], None]
) -> RollbackResult:
    """Undo one release: the most recent in effect, or ``req.release_id`` if it is that one."""
    info = stack_info(engine, log)
    if info.status == stuck_rollback.STUCK:
        raise OperationError(
            stuck_rollback.stuck_message(engine.client("cloudformation"), info.name)
        )
    if info.in_progress:
        return stop_release(engine, log, info, req, progress)
    if not req.dry_run and wait_for_rollback_deployments(
        engine.client("cloudformation"),
        engine.client("codedeploy"),
        info,
        progress=progress,
        timeout=req.wait_timeout,
        poll=req.poll,
    ):
        info = stack_info(engine, log)  # CodeDeploy moved aliases back meanwhile
    if req.release_id is not None and log.undo_of_entry(req.release_id) is not None:
        note = f"release {req.release_id} is already undone"
        progress(note)
        return RollbackResult(0, {"rollback": None, "nothing_to_do": note})
    # The log (S3) and the aliases (Lambda) are read at the same time: the Lambda reads
    # are paced by the control-plane budget, and the log's reads, the claim and the lock
    # hide behind them.
    claimed: Claimed | None = None
    with Pool(max_workers=1) as pool:
        reading = pool.submit(functions_now, engine, info)
        settled = _settle_pending(engine, log, progress, dry_run=req.dry_run)
        settled_any = bool(settled) and not req.dry_run
        # Undoing the newest release in effect: the releases a settlement proves out of
        # effect are passed over (issue 30); a release asked for by id is looked for in all.
        walk = log.newest_first() if req.release_id else log.newest_first_in_effect()
        releases = releases_to_decide(walk, settled, req.release_id)
        choice = choose_release(releases, req.release_id)
        if choice.release is not None and req.dry_run:
            check_lock(log, req, choice.release.id)
        elif choice.release is not None:
            newest = max([r.id for r in releases], default=None)
            claimed = claim_and_lock(log, req, choice.release.id, newest)
        live_list = reading.result()
    if choice.release is None:
        progress(choice.nothing_to_do)
        return RollbackResult(0, {"rollback": None, "nothing_to_do": choice.nothing_to_do})
    try:
        if settled_any:  # settling moved <ALIAS>_STABLE pointers: read them again
            live_list = functions_now(engine, info)
        live = {lf.logical_id: lf for lf in live_list}
        plan, exist = make_plan(engine, choice.release, live_list, req.functions)
        if claimed is None:
            return RollbackResult(0, summary_data(plan, None, dry_run=True))
        rollback_id = claimed.rollback_id
        return _move_and_record(
            engine, log, releases, plan, live, exist, claimed, rollback_id, progress
        )
    finally:
        if claimed is not None:
            lock.release(log, claimed.rollback_id)


def releases_to_decide(
    newest_first: Iterable[Release], settled: Sequence[Release], requested: str | None
) -> list[Release]:
    """The newest part of the log a rollback decides from (with those just settled): up to
    the release to undo and the next one in effect after it (what ``<ALIAS>_STABLE``
    returns to), so its cost does not grow with the log's length."""
    by_id = {r.id: r for r in settled}
    out: list[Release] = []
    in_effect_after_target = 0
    target_seen = False
    for read in newest_first:
        rel = by_id.get(read.id, read)
        out.append(rel)
        if requested is not None and rel.id == requested:
            target_seen = True
        elif rel.in_effect and (requested is None or target_seen):
            in_effect_after_target += 1
        if requested is None and in_effect_after_target >= 2:
            break
        if target_seen and in_effect_after_target >= 1:
            break
    return out


def _settle_pending(
    engine: StackAlias, log: ReleaseLog, progress: Callable[[str], None], *, dry_run: bool
) -> list[Release]:
    """Settle what a killed job left pending; refuse while a deploy is still running."""
    settled, waiting = settle_pending(
        engine, log, settled_by="rollback", progress=progress, dry_run=dry_run
    )
    # A release stopped in flight by an earlier rollback is undone already; its own
    # job settles it. Any other live one is still being deployed.
    waiting = [rid for rid in waiting if log.read_undo(rid) is None]
    if waiting:
        raise OperationError(
            f"release {', '.join(waiting)} of stack {engine.stack} is still being deployed "
            "(its lock is live) but the stack is not updating: wait for that job to finish "
            "(a release begun with `begin` ends with `lambda-release record`), then run "
            "the rollback again"
        )
    return [release for release, _ in settled]


def make_plan(
    engine: StackAlias, release: Release, live_list: list[FunctionNow], functions: Sequence[str]
) -> tuple[Plan, set[tuple[str, str]]]:
    """The plan, after checking the before-versions no alias proves to exist."""
    exist = known_versions(release, live_list)
    todo = [t for t in versions_to_check(release, live_list) if (t[0], t[2]) not in exist]
    exist |= existing_versions(engine, todo)
    return plan_release(release, live_list, exist, functions), exist


def _move_and_record(
    engine: StackAlias,
    log: ReleaseLog,
    releases: list[Release],
    plan: Plan,
    live: dict[str, FunctionNow],
    exist: set[tuple[str, str]],
    claimed: Claimed,
    rollback_id: str,
    progress: Callable[[str], None],
) -> RollbackResult:
    release = plan.release
    progress(f"rollback {rollback_id} of release {release.id}: {_plan_line(plan)}")
    # A first run that finds no alias routing to the release's versions moves nothing and
    # marks nothing undone (a re-run finishes what an earlier run moved).
    moves_nothing = claimed.first_run and not any(s.runs_release_version for s in plan.steps)
    move_aliases(engine, plan, live, exist, progress)
    failed = [s for s in plan.steps if s.result == FAILED]
    refused = [s for s in plan.steps if s.result == REFUSED]
    if failed:
        return _not_recorded(plan, rollback_id, len(failed))
    undone = plan.release_fully_undone and not moves_nothing
    if moves_nothing:
        progress(
            f"no alias of release {release.id} routes to its versions: nothing moved back, "
            "and the release is not marked undone"
        )
    rows = entry_rows(plan.steps, live)
    after_undo = release if not undone else next_in_effect(releases, release)
    # The entry (S3) and the stable pointers (Lambda) are written at the same time; the
    # undo mark comes last, only once both are done.
    with Pool(max_workers=1) as pool:
        writing = pool.submit(
            write_record,
            log,
            rollback_id,
            claimed.claim,
            rows,
            complete=not refused,
            moved=not moves_nothing,
        )
        stable, warnings = update_stable(engine, rollback_id, plan.steps, live, after_undo)
        fresh = writing.result()
    progress(
        f"rollback entry {rollback_id} "
        + ("written" if fresh else "already in the log (a re-run or a concurrent run)")
    )
    if undone:
        log.write_undo(release.id, rollback_id, {"rollback_key": plan.rollback_key})
    data = summary_data(plan, rollback_id, stable=stable)
    data.update(recorded=True, release_undone=undone, warnings=warnings)
    notes = list(warnings)
    if refused:
        notes.append(
            f"refused for {', '.join(s.logical_id for s in refused)}: see the reasons above"
        )
    return RollbackResult(1 if refused else 0, data, notes)


def _not_recorded(plan: Plan, rollback_id: str, failed: int) -> RollbackResult:
    """A move failed: nothing is recorded, so the same command run again finishes it."""
    data = summary_data(plan, rollback_id)
    data["recorded"] = False
    return RollbackResult(
        1,
        data,
        [
            f"{failed} function(s) not moved back: nothing recorded yet; run the same "
            "command again to finish (moves already made are kept)"
        ],
    )


def move_aliases(
    engine: StackAlias,
    plan: Plan,
    live: dict[str, FunctionNow],
    exist: set[tuple[str, str]],
    progress: Callable[[str], None],
) -> None:
    """Move each planned alias back (concurrently, paced); each step gets its result."""
    lam = engine.client("lambda")

    def one(step: Step) -> Step:
        lf = live[step.logical_id]
        exists = {v for (i, v) in exist if i == step.logical_id}
        return move_back(lam, step, engine.alias, lf.revision_id, exists, engine.limiter)

    moving = [s for s in plan.steps if s.action in (MOVE, DONE)]
    for s in parallel_map(one, moving):
        progress(f"  {s.logical_id}: {s.result} ({s.reason})")
    for s in plan.steps:
        if s.action == REFUSED and not s.result:
            s.result = REFUSED


def _plan_line(plan: Plan) -> str:
    counts: dict[str, int] = {}
    for s in plan.steps:
        counts[s.action] = counts.get(s.action, 0) + 1
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
