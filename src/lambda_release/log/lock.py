"""One release at a time per stack and alias: a lease object in the release log.

``lock.json`` is taken with a conditional write: ``IfNoneMatch="*"`` when it
does not exist, ``IfMatch=<ETag>`` when it exists but is released or expired.
Two takers racing for the same ETag cannot both win, so a stale lease is taken
over safely. A deploy renews its lease while ``sam`` runs (a short lease that
a killed job lets lapse); ``begin`` takes a long one that ``record`` gives back.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lambda_release.errors import OperationError
from lambda_release.log import schema
from lambda_release.log.ids import iso, now
from lambda_release.log.store import ReleaseLog

DEPLOY_LEASE_SECONDS = 300.0
BEGIN_LEASE_SECONDS = 3 * 3600.0
# Takes of a lease held under our own name, lost to a run sharing that name (the same
# logical rollback run twice at once), tried again before giving up.
SAME_HOLDER_TRIES = 3


@dataclass
class HeldLease:
    """A lease we hold (or held): enough to renew and give it back conditionally. ``body``
    is the object in the log; what only this command knows is beside it."""

    log: ReleaseLog
    holder: str
    mode: str
    body: schema.Lease
    etag: str
    # S3's Last-Modified of the lease object we replaced; None when we created it.
    replaced_modified: datetime | None = None
    # When we last wrote it (monotonic): it is surely ours for ``ttl`` seconds after.
    written: float = field(default_factory=time.monotonic)

    def quiet_since(self, read_at: datetime | None) -> bool:
        """True when no lease was taken or given back since ``read_at`` (AWS's clock, as a
        response's Date header gives it): nothing that holds the lease can have changed
        the stack since, so a read made then is as good as one made now. Both clocks
        count whole seconds, hence the second of margin."""
        if self.replaced_modified is None:
            return True  # the lease never existed before: nobody ever held it
        if read_at is None:
            return False
        return self.replaced_modified + timedelta(seconds=1) <= read_at


def holder_label(body: schema.Lease) -> str:
    who = body.get("who") or "someone"
    where = body.get("job_url") or body.get("host", "")
    since = body.get("acquired", "?")
    return f"release {body.get('holder')} by {who} since {since}" + (f" ({where})" if where else "")


def locked_message(log: ReleaseLog, theirs: schema.Lease) -> str:
    """Why the lock cannot be taken now, and the ways out (the real run and dry runs say it)."""
    return (
        f"stack {log.stack} alias {log.alias} is locked by {holder_label(theirs)} "
        f"until {theirs.get('expires', '?')}: wait for it to finish (or pass "
        "--lock-timeout SECONDS to wait here); if that job was killed, its lease lapses "
        "by itself, and a release begun with `begin` is ended by `lambda-release record`"
    )


def is_free(body: schema.Lease, at: float | None = None) -> bool:
    return bool(body.get("released")) or float(body.get("expires_epoch", 0)) <= (at or time.time())


def read_lease(log: ReleaseLog) -> tuple[schema.Lease, str] | None:
    found = log.read_lease()
    return None if found is None else (found[0].copy(), found[1])


def _body(holder: str, mode: str, ttl: float, who: str, job_url: str) -> schema.Lease:
    t = now()
    return {
        "holder": holder,
        "mode": mode,
        "who": who,
        "job_url": job_url,
        "host": f"{socket.gethostname()}:{os.getpid()}",
        "acquired": iso(t),
        "expires": iso(datetime.fromtimestamp(t.timestamp() + ttl, UTC)),
        "expires_epoch": t.timestamp() + ttl,
        "released": False,
    }


def _put(log: ReleaseLog, body: schema.Lease, condition: dict[str, str]) -> str | None:
    """Conditional write of the lease; its new ETag, or None when the condition failed."""
    return log.put_if(log.lock_key, body, condition)


def try_acquire(
    log: ReleaseLog, holder: str, *, mode: str, ttl: float, who: str = "", job_url: str = ""
) -> tuple[HeldLease | None, schema.Lease | None]:
    """One attempt: (our lease, None) or (None, the lease someone else holds)."""
    body = _body(holder, mode, ttl, who, job_url)
    # Read first: after the first release the lease object exists, so a blind create
    # would fail and cost a read and a second write anyway (two calls, not three).
    current = read_lease(log)
    if current is None:
        etag = _put(log, body, {"IfNoneMatch": "*"})
        if etag is not None:
            return HeldLease(log, holder, mode, body, etag), None
        current = read_lease(log)  # created meanwhile by someone else
    if current is None:  # deleted meanwhile: try again next round
        return None, {"holder": "?", "acquired": "?", "expires_epoch": 0.0}
    for _ in range(SAME_HOLDER_TRIES):
        theirs, their_etag = current
        modified = log.last_modified.get(log.lock_key)
        if theirs.get("holder") != holder and not is_free(theirs):
            return None, theirs
        # Ours already (a re-run) or lapsed: take it over only if nobody else did first.
        etag = _put(log, body, {"IfMatch": their_etag})
        if etag is not None:
            # Given back cleanly: its holder's head, checked against the listing before
            # it is relied on (records.Head.checked). Lapsed: the log is listed.
            log.adopt_head(theirs.get("head") if theirs.get("released") else None, modified)
            return HeldLease(log, holder, mode, body, etag, modified), None
        again = read_lease(log)
        if again is None or again[0].get("holder") != holder:
            return None, (again[0] if again else theirs)
        # Taken first under our own name: a concurrent run of the same logical rollback
        # (both share its id) won the race. Shared by design: take it over from that run.
        current = again
    return None, current[0]


def acquire(
    log: ReleaseLog,
    holder: str | Callable[[], str],
    *,
    mode: str,
    ttl: float,
    timeout: float,
    who: str = "",
    job_url: str = "",
    progress: Callable[[str], None] | None = None,
    poll: float = 5.0,
    on_held: Callable[[schema.Lease], None] | None = None,
) -> HeldLease:
    """Take the lease, waiting up to ``timeout`` seconds (a progress line each poll).

    ``holder`` may be a factory called at each attempt: a release id made when
    the lock is won sorts after every release that held the lock before it.
    """
    deadline = time.monotonic() + timeout
    while True:
        name = holder() if callable(holder) else holder
        lease, theirs = try_acquire(log, name, mode=mode, ttl=ttl, who=who, job_url=job_url)
        if lease is not None:
            return lease
        assert theirs is not None
        if on_held is not None:
            on_held(theirs)
        left = deadline - time.monotonic()
        if left <= 0:
            raise OperationError(locked_message(log, theirs))
        if progress is not None:
            progress(
                f"waiting for the lock held by {holder_label(theirs)} "
                f"({int(left)} s left of --lock-timeout)"
            )
        time.sleep(min(poll, max(left, 0.05)))


def renew(lease: HeldLease, ttl: float) -> bool:
    """Extend our lease; False if someone took it over (we must not keep writing)."""
    body = lease.body.copy()
    fresh = _body(lease.holder, lease.mode, ttl, body.get("who", ""), body.get("job_url", ""))
    body["expires"], body["expires_epoch"] = fresh["expires"], fresh["expires_epoch"]
    etag = _put(lease.log, body, {"IfMatch": lease.etag})
    if etag is None:
        return False
    lease.body, lease.etag, lease.written = body, etag, time.monotonic()
    return True


def still_ours(lease: HeldLease, ttl: float) -> bool:
    """Before a write only the holder may make (an entry): True when the lease cannot have
    lapsed since we wrote it (no call), else when renewing it succeeds. A holder stalled
    past its lease (a slow pre-flight, a paused runner) must not write: the next holder
    listed the log without its entry and hands over a head saying nothing is pending."""
    if time.monotonic() - lease.written < ttl / 2:
        return True
    return renew(lease, ttl)


def rekey(lease: HeldLease, holder: str) -> bool:
    """Hand our lease to a new holder name (a later release id); False if we lost it."""
    body = lease.body.copy()
    body["holder"] = holder
    etag = _put(lease.log, body, {"IfMatch": lease.etag})
    if etag is None:
        return False
    lease.body, lease.etag, lease.holder = body, etag, holder
    lease.written = time.monotonic()
    return True


def release(log: ReleaseLog, holder: str, lease: HeldLease | None = None) -> bool:
    """Give back the lease if ``holder`` still holds it. False: it was not ours (any more).

    ``lease``: ours as last written (its ETag): given back in one conditional write; read
    again only when that write finds the lease changed."""
    ours = lease is not None and lease.holder == holder and not lease.body.get("released")
    if ours and lease is not None:
        given = _put(log, _given_back(log, lease.body), {"IfMatch": lease.etag})
        if given is not None:
            return True
    current = read_lease(log)
    if current is None:
        return False
    body, etag = current
    if body.get("holder") != holder or body.get("released"):
        return False
    return _put(log, _given_back(log, body), {"IfMatch": etag}) is not None


def _given_back(log: ReleaseLog, body: schema.Lease) -> schema.Lease:
    """The lease marked released, with the log's head when this command knows it (the
    next holder then needs no listing); never a head it did not keep itself."""
    out = body.copy()
    out.pop("head", None)
    out["released"], out["released_at"] = True, iso(now())
    if log.head is not None:
        out["head"] = log.head.as_json()
    return out
