"""One release: pre-flight -> lock -> begin (pending) -> sam deploy -> settle -> stable.

The entry is written as ``pending`` before ``sam deploy`` starts, with every
function's version before; it is settled from what the aliases show afterwards,
not from ``sam``'s exit code. A release left pending by a killed job is settled
by the next ``record``, ``deploy`` or ``status`` (:func:`settle_pending`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.location import LogLocation
from lambda_release.log.records import NO_CHANGE, SUCCEEDED, Release
from lambda_release.log.store import ReleaseLog
from lambda_release.log.timeline_schema import Timeline
from lambda_release.release.begin import begin, new_entry
from lambda_release.release.inputs import ReleaseInputs, check_inputs
from lambda_release.release.preflight import preflight
from lambda_release.release.settle import settle
from lambda_release.release.stack_alias import StackAlias
from lambda_release.template import sam
from lambda_release.template.secrets import Value, shown


@dataclass
class DeployPlan:
    """Everything ``deploy`` needs besides the engine: built by the command from settings.

    ``inputs``: the template, the overrides (secrets carried as ``Secret``) and the record
    file, checked by :func:`~lambda_release.release.inputs.check_inputs` on every path.
    ``sam_command`` may hold ``Secret`` arguments: only ``sam`` sees their plaintext."""

    environment: str
    sam_command: list[Value]
    sam_env: dict[str, str]
    log_location: LogLocation
    lock_ttl: float = lock.DEPLOY_LEASE_SECONDS
    lock_timeout: float = 0.0
    heartbeat: float = 60.0
    dry_run: bool = False
    allow_rolled_back_code: str = ""
    inputs: ReleaseInputs = field(default_factory=ReleaseInputs)
    # What following the canary saw while sam ran, for the settlement (issue 32).
    timeline: Callable[[], Timeline | None] = lambda: None


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

    def __init__(self, lease: lock.HeldLease, ttl: float, progress: Callable[[str], None]) -> None:
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
    """The real run's checks and pre-flight, writing nothing: what deploy would do."""
    check_inputs(engine, plan.inputs, plan.sam_command)
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
        command=shown(plan.sam_command),
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
    ignored = check_inputs(engine, plan.inputs, plan.sam_command)
    entry, lease, problems = begin(
        engine,
        log,
        environment=plan.environment,
        mode="deploy",
        lock_ttl=plan.lock_ttl,
        lock_timeout=plan.lock_timeout,
        command=shown(plan.sam_command),
        progress=progress,
        allow_rolled_back_code=plan.allow_rolled_back_code,
        ignore_window=ignored,
    )
    if problems or entry is None:
        return DeployResult(1, problems=problems)
    progress(f"release {entry['id']} begun (pending) in {log.location.uri}")
    keeper = LeaseKeeper(lease, plan.lock_ttl, progress)
    try:
        progress("running: " + sam.quoted(plan.sam_command))
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
            # The functions the template publishes the alias on: when they are the ones
            # read before, the stack's resources are not listed again after sam.
            functions_after=plan.inputs.functions_after(engine.alias),
            lease_lost=keeper.lost or not lock.still_ours(lease, plan.lock_ttl),
            timeline=plan.timeline(),
        )
    finally:
        lock.release(log, entry["id"], lease)
    ok = release.outcome in (SUCCEEDED, NO_CHANGE)
    return DeployResult(0 if ok else 1, release, stable, log, [], warnings)
