"""The claim of a logical rollback (its entry id, written once) and the release lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.ids import iso, new_id, now, ordered_id
from lambda_release.log.schema import Automatic, Claim, Lease
from lambda_release.log.store import ReleaseLog
from lambda_release.rollback.plan import (
    rollback_key,
)
from lambda_release.rollback.request import ROLLBACK_LEASE_SECONDS, Request


def claim_body(
    undoes: str | None,
    functions: Sequence[str],
    reason: str,
    *,
    after: str | None,
    to_version: str | None = None,
    in_flight: bool = False,
    automatic: Automatic | None = None,
) -> Claim:
    """A fresh claim: a new rollback id, what it undoes, and who asks (CI metadata).

    The id sorts after ``after`` (the newest entry read), whatever the local clock says:
    a rollback's entry never sorts before the release it undoes.
    """
    try:
        rollback_id = ordered_id(new_id(), after)
    except OperationError:
        # An entry planted at the end of time: a deploy refuses, naming it; a rollback is
        # the way out of an emergency and still runs, on the local clock.
        rollback_id = new_id()
    ci = ci_metadata()
    body: Claim = {
        "rollback_id": rollback_id,
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
    if automatic is not None:
        body["automatic"] = automatic
    return body


def claim(log: ReleaseLog, key: str, body: Claim) -> Claim:
    """The claim of logical rollback ``key``: ours if first, else the one already there."""
    if log.put_new(log.claim_key(key), body):
        return body
    existing = log.read_claim(key)
    if existing is None:  # pragma: no cover - a failed IfNoneMatch means it exists
        raise OperationError(f"rollback claim {key} vanished; run the command again")
    return existing.copy()


def claim_move(log: ReleaseLog, logical_id: str, target: str, reason: str) -> tuple[Claim, str]:
    """Claim an explicit move (``--to-version``) and take the lock: the claim and the
    rollback's id. Named by the function, the version and the newest entry in the log, so
    that a re-run after a failure reuses the same entry id and writes it once."""
    newest = log.newest_id()
    claimed = claim(
        log,
        f"move-{newest or 'empty'}-{logical_id}-{target}",
        claim_body(None, [logical_id], reason, after=newest, to_version=target),
    )
    rollback_id = str(claimed["rollback_id"])
    take_lock(log, rollback_id, claimed)
    return claimed, rollback_id


@dataclass(frozen=True)
class Claimed:
    """A claim as the log holds it, and what only this run knows about it."""

    claim: Claim
    # This run wrote the claim: a first run, not the re-run of one stopped half-way.
    first_run: bool

    @property
    def rollback_id(self) -> str:
        return self.claim["rollback_id"]


def claim_and_lock(log: ReleaseLog, req: Request, release_id: str, newest: str | None) -> Claimed:
    """Claim the logical rollback (its entry id, once, after ``newest``) and take the lock."""
    ours = claim_body(
        release_id,
        sorted(set(req.functions)),
        req.reason,
        after=newest,
        automatic=req.automatic,
    )
    claimed = claim(log, rollback_key(release_id, req.functions), ours)
    take_lock(log, claimed["rollback_id"], claimed)
    return Claimed(claimed, first_run=claimed["rollback_id"] == ours["rollback_id"])


def take_lock(log: ReleaseLog, rollback_id: str, claimed: Claim) -> None:
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
        assert theirs is not None  # try_acquire: no lease of ours, so theirs
        raise OperationError(locked_message(log, theirs))


def locked_message(log: ReleaseLog, theirs: Lease) -> str:
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
