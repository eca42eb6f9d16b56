"""Every reason not to release now, each with the way out: ONE pre-flight.

``deploy``, ``begin`` and both their dry runs call :func:`preflight`, so a dry
run refuses exactly where the real run would, with the same words. Drift a
lambda-release rollback explains is not a reason to refuse: the real run
realigns CloudFormation first (:mod:`lambda_release.release.drift`), the dry run says
it would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lambda_release.aws import codedeploy, stuck_rollback
from lambda_release.aws.client import Pool
from lambda_release.aws.stack import LiveFunction, StackInfo, with_live
from lambda_release.log import lock
from lambda_release.log.schema import DriftNote
from lambda_release.log.store import ReleaseLog
from lambda_release.release import drift as realignment
from lambda_release.release.stack_alias import StackAlias


@dataclass(frozen=True)
class Drift:
    """An alias whose live version is not the one CloudFormation records."""

    function: str
    recorded: str
    live: str

    @property
    def message(self) -> str:
        return (
            f"drift on {self.function}: CloudFormation records version {self.recorded} for the "
            f"alias but it runs {self.live} (a manual move or a rollback): a deploy now would "
            "shift traffic from the wrong version; move the alias back to "
            f"{self.recorded} or roll back the stack's release with `lambda-release rollback`, "
            "then deploy"
        )


def alias_drift(info: StackInfo | None, live: Sequence[LiveFunction]) -> list[Drift]:
    """Drift as the stack listing shows it (no template read): cheap, for every status."""
    out: list[Drift] = []
    for f, lf in with_live(info, live):
        if f.recorded_version is None or lf is None or lf.alias is None:
            continue
        if lf.alias.version != f.recorded_version:
            out.append(Drift(f.logical_id, f.recorded_version, lf.alias.version))
    return out


def in_progress_message(info: StackInfo) -> str:
    return (
        f"stack {info.name} is {info.status}: wait until it finishes (lambda-release status "
        "shows it), then deploy again"
    )


def in_flight_message(found: Sequence[tuple[str, str]]) -> str:
    """``found``: (deployment id, deployment group) of each deployment in flight."""
    return (
        f"CodeDeploy deployment in flight: {', '.join(f'{d} ({g})' for d, g in found)}: let it "
        "finish, or stop it with `lambda-release rollback`, then deploy again"
    )


def alarm_message(firing: Sequence[str]) -> str:
    return (
        f"alarm already in ALARM: {', '.join(firing)}: CodeDeploy would stop the "
        "deployment at once; fix the cause (or the alarm) until it returns to OK, then deploy"
    )


def stack_problems(engine: StackAlias, info: StackInfo | None) -> list[str]:
    """The checks that need no Lambda call (they run beside the Lambda reads)."""
    if info is None:
        return []
    problems: list[str] = []
    if info.status == stuck_rollback.STUCK:
        problems.append(stuck_rollback.stuck_message(engine.client("cloudformation"), info.name))
    if info.in_progress:  # REVIEW_IN_PROGRESS is not: sam deploy creates such a stack
        problems.append(in_progress_message(info))
    cd = engine.client("codedeploy")
    with Pool(max_workers=1) as pool:
        in_flight = (
            pool.submit(codedeploy.active_deployment_ids, cd, info)
            if codedeploy.may_have_deployments_in_flight(info)
            else None
        )
        firing = codedeploy.stack_alarms_in_alarm(cd, engine.client("cloudwatch"), info)
        found = in_flight.result() if in_flight else []
    if found:
        problems.append(in_flight_message(found))
    if firing:
        problems.append(alarm_message(firing))
    return problems


@dataclass
class Preflight:
    """What the pre-flight read and found: the stack, its live aliases, the problems."""

    info: StackInfo | None
    live: list[LiveFunction]
    problems: list[str]
    pending: list[str] = field(default_factory=list)
    # What the log said of each drifted function: written into the release's entry.
    drift: dict[str, DriftNote] = field(default_factory=dict)


@dataclass(frozen=True)
class Reads:
    """What the pre-flight reads about a stack already read: its live aliases, and the
    problems CloudFormation, CodeDeploy and CloudWatch show."""

    info: StackInfo | None
    live: list[LiveFunction]
    problems: list[str]


def read_checks(engine: StackAlias, info: StackInfo | None) -> Reads:
    """The pre-flight's reads (the Lambda reads paced, the other checks beside them)."""
    for service in ("lambda", "codedeploy", "cloudwatch"):
        engine.client(service)  # made before the worker starts: its first call waits for no model
    with Pool(max_workers=1) as pool:
        stack_checks = pool.submit(stack_problems, engine, info)
        live = engine.live(info)
        problems = stack_checks.result()
    return Reads(info, live, problems)


def preflight(
    engine: StackAlias,
    log: ReleaseLog,
    *,
    dry_run: bool,
    progress: Callable[[str], None],
    allow_rolled_back_code: str = "",
    refresh: bool = True,
    reads: Reads | None = None,
) -> Preflight:
    """Read the stack and its aliases, then every reason to refuse (empty: go ahead).

    The real run calls this under the lock, after settling what a killed job left;
    a dry run calls it without the lock and adds what the lock would say. ``reads``:
    made beside the taking of the lease, and still current (see release.begin).
    ``refresh``: the stack read held may be stale: described again (and listed again
    only if CloudFormation changed it since: StackAlias.info_current).
    """
    if reads is None:
        reads = read_checks(engine, engine.info_current() if refresh else engine.info())
    info, live, problems = reads.info, reads.live, reads.problems
    # Here, not in read_checks: whether the alias is known takes the log (after a template
    # removed it from every function, a deploy that publishes it again is the way back).
    engine.require_alias_functions(info, log)
    notes: dict[str, DriftNote] = {}
    if not problems and alias_drift(info, live):
        # Drift a rollback explains is realigned (drift.py); the rest refuses.
        found_drift = realignment.deploy_preflight(
            engine,
            info,
            live,
            log,
            progress=progress,
            dry_run=dry_run,
            allow_rolled_back_code=allow_rolled_back_code,
        )
        problems, notes = found_drift.problems, found_drift.notes
        if found_drift.realigned:
            # The realignment changed what an alias records, no resource: its status only.
            info = engine.info_after(True)
    found = Preflight(info, live, problems, drift=notes)
    if dry_run:
        found.problems = lock_problems(log) + found.problems
        # Read as the real run reads them before it settles them: an entry it would refuse
        # (not JSON, the wrong shape, under another release's key) refuses the dry run too.
        found.pending = [str(e["id"]) for e in log.pending_entries()]
    return found


def lock_problems(log: ReleaseLog) -> list[str]:
    """What taking the lock now would refuse with (for dry runs; nothing is taken)."""
    held = lock.read_lease(log)
    if held and not lock.is_free(held[0]):
        return [lock.locked_message(log, held[0])]
    return []
