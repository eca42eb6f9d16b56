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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambda_release import inflight, lock
from lambda_release.alias_move import ALREADY, FAILED, MOVED, move_back
from lambda_release.aws import error_code, parallel_map
from lambda_release.ci_metadata import ci_metadata
from lambda_release.codedeploy import active_deployment_ids
from lambda_release.errors import OperationError, UsageError
from lambda_release.output import format_table
from lambda_release.release import settle_pending
from lambda_release.releaselog import Release, ReleaseLog, iso, new_id, now
from lambda_release.rollback_plan import (
    DONE,
    MOVE,
    REFUSED,
    Live,
    Plan,
    Step,
    choose_release,
    known_versions,
    plan_release,
    rollback_key,
    versions_to_check,
)
from lambda_release.stable import Current, apply_stable, stable_versions
from lambda_release.stack import StackInfo
from lambda_release.stack_alias import StackAlias

ROLLBACK_KIND = "rollback"
ROLLBACK_LEASE_SECONDS = 300.0


@dataclass
class Request:
    """What the user asked for."""

    release_id: str | None = None
    functions: tuple[str, ...] = ()
    to_version: str | None = None
    reason: str = ""
    dry_run: bool = False
    wait_timeout: float = 3600.0
    poll: float = 2.0


@dataclass
class Outcome:
    """Exit code and the summary (JSON-ready) of one rollback run."""

    exit_code: int
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------


def read_live(engine: StackAlias, info: StackInfo) -> list[Live]:
    """Every function's alias and stable pointer: one list_aliases call per function."""
    by_name = {f.name: f.logical_id for f in info.functions}
    out: list[Live] = []
    for lf in engine.live(info):
        a = lf.alias
        out.append(
            Live(
                logical_id=by_name[lf.name],
                name=lf.name,
                function_arn=lf.function_arn,
                version=a.version if a else None,
                weights=dict(a.weights) if a else {},
                revision_id=a.revision_id if a else "",
                stable=lf.stable.version if lf.stable else None,
            )
        )
    return out


def existing_versions(
    engine: StackAlias, todo: Sequence[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    """Which (logical id, version) of ``todo`` exist: one GetFunctionConfiguration each."""
    lam = engine.client("lambda")

    def one(item: tuple[str, str, str]) -> tuple[str, str] | None:
        lid, name, version = item
        if not version.isdigit():
            return None  # never $LATEST, never an alias
        try:
            lam.get_function_configuration(FunctionName=name, Qualifier=version)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise OperationError(f"cannot check version {version} of {name}: {exc}") from exc
        return lid, version

    return {r for r in parallel_map(one, list(todo), engine.limiter) if r is not None}


def stack_info(engine: StackAlias) -> StackInfo:
    info = engine.info(refresh=True)
    if info is None:
        raise UsageError(
            f"stack {engine.stack} does not exist (in this account and region): check --stack "
            "/ LAMBDA_RELEASE_STACK and --region"
        )
    engine.require_alias_functions(info)
    return info


# -- the log ---------------------------------------------------------------------


# The key, in memory only, that says a claim is this run's own (see claim_and_lock).
FIRST_RUN = "_first_run"


def claim_body(
    undoes: str | None,
    functions: Sequence[str],
    reason: str,
    *,
    to_version: str | None = None,
    in_flight: bool = False,
) -> dict[str, Any]:
    """A fresh claim: a new rollback id, what it undoes, and who asks (CI metadata)."""
    ci = ci_metadata()
    body: dict[str, Any] = {
        "rollback_id": new_id(),
        "undoes": undoes,
        "functions": list(functions),
        "reason": reason,
        "who": ci.get("triggered_by", ""),
        "ci": ci,
        "time": iso(now()),
    }
    if to_version is not None:
        body["to_version"] = to_version
    if in_flight:
        body["in_flight"] = True
    return body


def claim(log: ReleaseLog, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """The claim of logical rollback ``key``: ours if first, else the one already there."""
    if log.put_new(log.claim_key(key), body):
        return body
    existing = log.read_claim(key)
    if existing is None:  # pragma: no cover - a failed IfNoneMatch means it exists
        raise OperationError(f"rollback claim {key} vanished; run the command again")
    return dict(existing)


def entry_rows(steps: Sequence[Step], live: dict[str, Live]) -> list[dict[str, Any]]:
    """Per function, the entry's record: what it ran before the rollback and after."""
    rows: list[dict[str, Any]] = []
    for s in steps:
        lf = live.get(s.logical_id)
        was_moved = s.result in (MOVED, ALREADY) and s.before is not None
        rows.append(
            {
                "logical_id": s.logical_id,
                "function_name": s.name,
                "function_arn": lf.function_arn if lf else "",
                "before": s.after if was_moved else s.current,
                "after": s.current,
                "moved": was_moved,
                "action": s.action,
                "result": s.result,
                "reason": s.reason,
            }
        )
    return rows


def write_record(
    log: ReleaseLog,
    rollback_id: str,
    claim_body: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    complete: bool,
    moved: bool = True,
) -> bool:
    """The rollback's entry and settlement, each written once. False: already there.

    ``moved``: False when the rollback moved no alias (outcome ``no-change``)."""
    entry = {
        "schema": "lambda-release/entry@1",
        "id": rollback_id,
        "kind": ROLLBACK_KIND,
        "time": claim_body.get("time", iso(now())),
        "stack": log.stack,
        "alias": log.alias,
        "undoes": claim_body.get("undoes"),
        "functions_selected": claim_body.get("functions", []),
        "to_version": claim_body.get("to_version"),
        "reason": claim_body.get("reason", ""),
        "who": claim_body.get("who", ""),
        "ci": claim_body.get("ci", {}),
        "functions": [
            {k: r[k] for k in ("logical_id", "function_name", "function_arn", "before")}
            for r in rows
        ],
    }
    log.index(rollback_id)  # first: an entry is never written without its index key
    fresh = log.put_new(log.entry_key(rollback_id), entry)
    log.write_settlement(
        rollback_id,
        {
            "outcome": ("succeeded" if complete else "partial") if moved else "no-change",
            "settled_at": iso(now()),
            "settled_by": "rollback",
            "functions": rows,
        },
    )
    return fresh


def update_stable(
    engine: StackAlias,
    rollback_id: str,
    steps: Sequence[Step],
    live: dict[str, Live],
    next_in_effect: Release | None,
) -> tuple[dict[str, str | None], list[str]]:
    """Point each ``<ALIAS>_STABLE`` at what undoing ``next_in_effect`` would give."""
    current = {
        s.logical_id: Current(
            logical_id=s.logical_id,
            name=s.name,
            function_arn=live[s.logical_id].function_arn,
            version=s.current,
            stable_now=live[s.logical_id].stable,
        )
        for s in steps
        if s.logical_id in live and s.current is not None
    }
    targets = stable_versions(next_in_effect, current)
    warnings = apply_stable(
        engine.client("lambda"), engine.alias, rollback_id, current, targets, limiter=engine.limiter
    )
    return targets, warnings


# -- the command's library entry points -------------------------------------------


def rollback(
    engine: StackAlias, log: ReleaseLog, req: Request, progress: Callable[[str], None]
) -> Outcome:
    """Undo one release: the most recent in effect, or ``req.release_id`` if it is that one."""
    info = stack_info(engine)
    if info.in_progress:
        return _in_flight(engine, log, info, req, progress)
    if req.release_id is not None and log.read_undo(req.release_id) is not None:
        note = f"release {req.release_id} is already undone"
        progress(note)
        return Outcome(0, {"rollback": None, "nothing_to_do": note})
    # The log (S3) and the aliases (Lambda) are read at the same time: the Lambda reads
    # are paced by the control-plane budget, and the log's reads, the claim and the lock
    # hide behind them.
    claimed: dict[str, Any] | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_live, engine, info)
        settled = _settle_pending(engine, log, progress, dry_run=req.dry_run)
        settled_any = bool(settled) and not req.dry_run
        releases = releases_to_decide(log.newest_first(), settled, req.release_id)
        choice = choose_release(releases, req.release_id)
        if choice.release is not None and req.dry_run:
            check_lock(log, req, choice.release.id)
        elif choice.release is not None:
            claimed = claim_and_lock(log, req, choice.release.id)
        live_list = reading.result()
    if choice.release is None:
        progress(choice.nothing_to_do)
        return Outcome(0, {"rollback": None, "nothing_to_do": choice.nothing_to_do})
    try:
        if settled_any:  # settling moved <ALIAS>_STABLE pointers: read them again
            live_list = read_live(engine, info)
        live = {lf.logical_id: lf for lf in live_list}
        plan, exist = make_plan(engine, choice.release, live_list, req.functions)
        if claimed is None:
            return Outcome(0, summary_data(plan, None, dry_run=True))
        rollback_id = str(claimed["rollback_id"])
        return _move_and_record(
            engine, log, releases, plan, live, exist, claimed, rollback_id, progress
        )
    finally:
        if claimed is not None:
            lock.release(log, str(claimed["rollback_id"]))


def claim_and_lock(log: ReleaseLog, req: Request, release_id: str) -> dict[str, Any]:
    """Claim the logical rollback (its entry id, once) and take the release lock."""
    ours = claim_body(release_id, sorted(set(req.functions)), req.reason)
    claimed = claim(log, rollback_key(release_id, req.functions), ours)
    take_lock(log, str(claimed["rollback_id"]), claimed)
    # In memory only: a first run (not the re-run of one stopped half-way).
    return dict(claimed, **{FIRST_RUN: claimed["rollback_id"] == ours["rollback_id"]})


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


def with_settled(releases: list[Release], settled: Sequence[Release]) -> list[Release]:
    """``releases`` with those just settled (or, in a dry run, as they would be)."""
    by_id = {r.id: r for r in settled}
    return [by_id.get(r.id, r) for r in releases]


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
    engine: StackAlias, release: Release, live_list: list[Live], functions: Sequence[str]
) -> tuple[Plan, set[tuple[str, str]]]:
    """The plan, after checking the before-versions no alias proves to exist."""
    exist = known_versions(release, live_list)
    todo = [t for t in versions_to_check(release, live_list) if (t[0], t[2]) not in exist]
    exist |= existing_versions(engine, todo)
    return plan_release(release, live_list, exist, functions), exist


def take_lock(log: ReleaseLog, rollback_id: str, claimed: dict[str, Any]) -> None:
    """The stack and alias's release lock, so that no deploy begins while aliases move.

    The holder is the rollback's id: a re-run or a concurrent run of the same rollback
    shares it; a deploy holding it (about to run ``sam``) makes the rollback wait for
    nothing and refuse, with the way out.
    """
    ci = claimed.get("ci") or {}
    lease, theirs = lock.try_acquire(
        log,
        rollback_id,
        mode="rollback",
        ttl=ROLLBACK_LEASE_SECONDS,
        who=str(claimed.get("who", "")),
        job_url=str(ci.get("job_url", "")),
    )
    if lease is None:
        raise OperationError(locked_message(log, theirs or {}))


def locked_message(log: ReleaseLog, theirs: dict[str, Any]) -> str:
    return (
        f"stack {log.stack} alias {log.alias} is locked by "
        f"{lock.holder_label(theirs)}: a deploy is starting; if it reaches the "
        "canary, run the rollback again to stop it; otherwise wait for it to end"
    )


def check_lock(log: ReleaseLog, req: Request, release_id: str) -> None:
    """A dry run's view of :func:`take_lock`: refuse as the real run would, take nothing."""
    held = lock.read_lease(log)
    if held is None or lock.is_free(held[0]):
        return
    existing = log.read_claim(rollback_key(release_id, req.functions))
    ours = existing is not None and existing["rollback_id"] == held[0].get("holder")
    if not ours:
        raise OperationError(locked_message(log, held[0]))


def _move_and_record(
    engine: StackAlias,
    log: ReleaseLog,
    releases: list[Release],
    plan: Plan,
    live: dict[str, Live],
    exist: set[tuple[str, str]],
    claimed: dict[str, Any],
    rollback_id: str,
    progress: Callable[[str], None],
) -> Outcome:
    release = plan.release
    progress(f"rollback {rollback_id} of release {release.id}: {_plan_line(plan)}")
    lam = engine.client("lambda")

    def one(step: Step) -> Step:
        lf = live[step.logical_id]
        exists = {v for (i, v) in exist if i == step.logical_id}
        return move_back(lam, step, engine.alias, lf.revision_id, exists, engine.limiter)

    # A first run that finds no alias routing to the release's versions moves nothing and
    # marks nothing undone (a re-run finishes what an earlier run moved).
    moves_nothing = bool(claimed.get(FIRST_RUN)) and not any(
        s.runs_release_version for s in plan.steps
    )
    moving = [s for s in plan.steps if s.action in (MOVE, DONE)]
    for s in parallel_map(one, moving):
        progress(f"  {s.logical_id}: {s.result} ({s.reason})")
    for s in plan.steps:
        if s.action == REFUSED and not s.result:
            s.result = REFUSED
    failed = [s for s in plan.steps if s.result == FAILED]
    refused = [s for s in plan.steps if s.result == REFUSED]
    if failed:
        data = summary_data(plan, rollback_id)
        data["recorded"] = False
        return Outcome(
            1,
            data,
            [
                f"{len(failed)} function(s) not moved back: nothing recorded yet; run the same "
                "command again to finish (moves already made are kept)"
            ],
        )
    undone = plan.release_fully_undone and not moves_nothing
    if moves_nothing:
        progress(
            f"no alias of release {release.id} routes to its versions: nothing moved back, "
            "and the release is not marked undone"
        )
    rows = entry_rows(plan.steps, live)
    next_in_effect = release if not undone else _next_in_effect(releases, release)
    # The entry (S3) and the stable pointers (Lambda) are written at the same time; the
    # undo mark comes last, only once both are done.
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(
            write_record,
            log,
            rollback_id,
            claimed,
            rows,
            complete=not refused,
            moved=not moves_nothing,
        )
        stable, warnings = update_stable(engine, rollback_id, plan.steps, live, next_in_effect)
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
    return Outcome(1 if refused else 0, data, notes)


def _next_in_effect(newest_first: Sequence[Release], undone: Release) -> Release | None:
    for r in newest_first:
        if r.id != undone.id and r.in_effect:
            return r
    return None


def _plan_line(plan: Plan) -> str:
    counts: dict[str, int] = {}
    for s in plan.steps:
        counts[s.action] = counts.get(s.action, 0) + 1
    return ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))


# -- a release still in flight -------------------------------------------------------


def _in_flight(
    engine: StackAlias,
    log: ReleaseLog,
    info: StackInfo,
    req: Request,
    progress: Callable[[str], None],
) -> Outcome:
    pending = [rid for rid in log.pending_ids()]
    releases = [log.load(rid) for rid in pending]
    candidates = [r for r in releases if r.kind == "release"]
    if not candidates:
        raise OperationError(
            f"stack {info.name} is {info.status} but the release log has no release in flight: "
            "it was not deployed by lambda-release; let it finish (or stop it in the console), "
            "then run the rollback again"
        )
    release = candidates[-1]
    if req.functions:
        raise UsageError(
            f"release {release.id} is in flight (stack {info.status}): it is stopped as a "
            "whole, by CodeDeploy's own rollback; run the rollback without --function"
        )
    if req.release_id is not None and req.release_id != release.id:
        raise OperationError(
            f"release {release.id} is in flight (stack {info.status}), newer than "
            f"{req.release_id}: roll it back first (`lambda-release rollback --release "
            f"{release.id}`)"
        )
    if req.dry_run:
        deployments = active_deployment_ids(engine.client("codedeploy"), info)
        return Outcome(
            0,
            {
                "dry_run": True,
                "in_flight": True,
                "release": release.id,
                "stack_status": info.status,
                "would_stop": [{"id": d, "group": g} for d, g in deployments],
                "would_cancel_update": not deployments,
            },
        )
    claimed = claim(log, release.id, claim_body(release.id, [], req.reason, in_flight=True))
    rollback_id = str(claimed["rollback_id"])
    progress(f"release {release.id} is in flight (stack {info.status}): stopping it")
    state = inflight.stop_in_flight(
        engine.client("cloudformation"),
        engine.client("codedeploy"),
        info,
        progress=progress,
        timeout=req.wait_timeout,
        poll=req.poll,
    )
    info = stack_info(engine)
    live_list = read_live(engine, info)
    live = {lf.logical_id: lf for lf in live_list}
    steps: list[Step] = []
    for f in release.entry.get("functions", []):
        lid = str(f["logical_id"])
        lf = live.get(lid)
        step = Step(lid, str(f.get("function_name", "")), DONE, f.get("before"), None)
        if lf is not None:
            step.current, step.weights = lf.version, dict(lf.weights)
        ok = lf is not None and lf.version == step.before and not lf.weights
        step.result = ALREADY if ok else FAILED
        step.reason = (
            "on its before-version"
            if ok
            else (
                f"routes to {step.current} {step.weights or ''}, not its before-version "
                f"{step.before}"
            )
        )
        steps.append(step)
    wrong = [s for s in steps if s.result == FAILED]
    data: dict[str, Any] = {
        "rollback": rollback_id,
        "release": release.id,
        "in_flight": state.as_json(),
        "functions": [s.as_json() for s in steps],
    }
    if wrong:
        data["recorded"] = False
        return Outcome(
            1,
            data,
            [
                f"after stopping the release, {', '.join(s.logical_id for s in wrong)} "
                "not on the before-version: check with `lambda-release status`; run the "
                "rollback again once the stack has settled"
            ],
        )
    rows = [
        {
            "logical_id": s.logical_id,
            "function_name": s.name,
            "function_arn": live[s.logical_id].function_arn if s.logical_id in live else "",
            "before": s.current,
            "after": s.current,
            "moved": False,
            "action": "stopped",
            "result": s.result,
            "reason": s.reason,
        }
        for s in steps
    ]
    write_record(log, rollback_id, claimed, rows, complete=True)
    log.write_undo(release.id, rollback_id, {"in_flight": True})
    data["recorded"] = True
    data["release_undone"] = True
    return Outcome(0, data)


# -- summary ------------------------------------------------------------------------


def summary_data(
    plan: Plan,
    rollback_id: str | None,
    *,
    dry_run: bool = False,
    stable: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    functions = []
    for s in plan.steps:
        row = s.as_json()
        row["target"] = s.target if s.action in (MOVE, DONE) else s.current
        if stable is not None:
            row["stable"] = stable.get(s.logical_id)
        functions.append(row)
    return {
        "rollback": rollback_id,
        "release": plan.release.id,
        "dry_run": dry_run,
        "functions_selected": list(plan.functions_filter),
        "functions": functions,
    }


def summary_text(data: dict[str, Any]) -> str:
    if data.get("nothing_to_do"):
        return str(data["nothing_to_do"])
    head = (
        f"{'plan: ' if data.get('dry_run') else ''}rollback "
        f"{data.get('rollback') or '(dry run)'} of release {data.get('release')}"
    )
    if isinstance(data.get("in_flight"), dict):
        head += f" (stopped in flight; stack {data['in_flight'].get('final_stack_status')})"
    rows = [
        (
            f["logical_id"],
            f.get("after") or "-",
            f.get("before") or "-",
            f.get("current") or "-",
            f.get("result") or f.get("action"),
            f.get("reason", ""),
        )
        for f in data.get("functions", [])
    ]
    table = format_table(("function", "release", "before", "now", "state", "why"), rows)
    return head + "\n" + table


def validate(req: Request) -> None:
    if req.to_version is not None:
        if len(req.functions) != 1:
            raise UsageError("--to-version moves one function: give exactly one --function NAME")
        if not req.to_version.isdigit():
            raise UsageError(
                f"--to-version {req.to_version!r} is not a published version number: aliases "
                "must never route to $LATEST; give a number such as 7"
            )
        if req.release_id is not None:
            raise UsageError("--to-version and --release cannot be combined")
