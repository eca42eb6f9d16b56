"""One release: pre-flight -> lock -> begin (pending) -> sam deploy -> settle -> stable.

The entry is written as ``pending`` before ``sam deploy`` starts, with every
function's version before; it is settled from what the aliases show afterwards,
not from ``sam``'s exit code. A release left pending by a killed job is settled
by the next ``record``, ``deploy`` or ``status`` (:func:`settle_pending`).
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions

from lambda_release import drift as drift_resolution
from lambda_release import lock
from lambda_release.aws import Aws, error_code
from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import OperationError, UsageError
from lambda_release.names import stable_alias_name, validate_alias, validate_stack_name
from lambda_release.output import format_table
from lambda_release.releaselog import (
    FAILED,
    LOG_TAG,
    NO_CHANGE,
    PARTIAL,
    SUCCEEDED,
    LogLocation,
    Release,
    ReleaseLog,
    iso,
    new_id,
    now,
)
from lambda_release.stable import Current, apply_stable, stable_versions
from lambda_release.stack import (
    LAMBDA_RATE,
    LiveFunction,
    RateLimiter,
    StackInfo,
    functions_updated_since,
    parallel_map,
    read_live,
    read_stack,
)

SAM_MANAGED_STACK = "aws-sam-cli-managed-default"
ACTIVE_DEPLOYMENT = ["Created", "Queued", "InProgress", "Baking", "Ready"]
# CodeDeploy's read APIs allow more than Lambda's control plane; stay modest.
CODEDEPLOY_RATE = 25.0


def function_arn_of(arn: str) -> str:
    """Drop a version or alias qualifier: ``arn:aws:lambda:r:a:function:name``."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 else arn


@dataclass
class Engine:
    """The clients and coordinates of one stack and alias."""

    aws: Aws
    stack: str
    alias: str
    rate: float = LAMBDA_RATE
    limiter: RateLimiter = field(init=False)
    _info: StackInfo | None = field(default=None, init=False)
    _read: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        validate_stack_name(self.stack)
        validate_alias(self.alias)
        self.limiter = RateLimiter(self.rate)

    @property
    def stable_name(self) -> str:
        return stable_alias_name(self.alias)

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def info(self, *, refresh: bool = False) -> StackInfo | None:
        if refresh or not self._read:
            self._info = read_stack(self.client("cloudformation"), self.stack, self.alias)
            self._read = True
        return self._info

    def require_alias_functions(self, info: StackInfo | None) -> None:
        """A stack whose functions carry other aliases but not ours: the alias is wrong."""
        if info is not None and not info.functions and info.other_functions:
            has = ", ".join(info.aliases_seen) or "none"
            raise UsageError(
                f"no function of stack {self.stack} carries alias {self.alias!r} (aliases in "
                f"the stack: {has}): check --alias / LAMBDA_RELEASE_ALIAS, and that the "
                "template sets AutoPublishAlias: !Ref AliasName"
            )

    def live(self, info: StackInfo | None) -> list[LiveFunction]:
        if info is None:
            return []
        names = [f.name for f in info.functions]
        return read_live(self.client("lambda"), names, self.alias, self.stable_name, self.limiter)

    # -- where the log is ------------------------------------------------
    def log_location(
        self, explicit: str | None, s3_bucket: str | None = None, *, resolve_s3: bool = False
    ) -> LogLocation:
        if explicit:
            return LogLocation.parse(explicit)
        info = self.info()
        if info is not None and info.tags.get(LOG_TAG):
            return LogLocation.parse(info.tags[LOG_TAG])
        if s3_bucket:
            return LogLocation(s3_bucket)
        if resolve_s3:
            managed = self._sam_managed_bucket()
            if managed:
                return LogLocation(managed)
        raise UsageError(
            f"cannot tell where the release log of stack {self.stack} is: the stack has no "
            f"{LOG_TAG!r} tag yet. Give --log-bucket BUCKET (or --s3-bucket, or s3_bucket in "
            "samconfig.toml)"
        )

    def _sam_managed_bucket(self) -> str | None:
        try:
            resp = self.client("cloudformation").describe_stacks(StackName=SAM_MANAGED_STACK)
        except botocore.exceptions.ClientError:
            return None
        for out in (resp.get("Stacks") or [{}])[0].get("Outputs", []):
            if out.get("OutputKey") == "SourceBucket":
                return str(out["OutputValue"])
        return None

    def log(self, location: LogLocation) -> ReleaseLog:
        return ReleaseLog(self.client("s3"), location, self.stack, self.alias)


# -- pre-flight ---------------------------------------------------------------
def preflight(engine: Engine, info: StackInfo | None, live: Sequence[LiveFunction]) -> list[str]:
    """Every reason not to deploy now, each with the way out (empty: go ahead)."""
    return preflight_stack(engine, info) + [d.message for d in drift(info, live)]


def preflight_stack(engine: Engine, info: StackInfo | None) -> list[str]:
    """The checks that need no Lambda call (they run beside the Lambda reads)."""
    if info is None:
        return []
    problems: list[str] = []
    if info.in_progress:
        problems.append(
            f"stack {info.name} is {info.status}: wait until it finishes (lambda-release status "
            "shows it), then deploy again"
        )
    problems += _deployments_in_flight(engine, info)
    problems += _alarms_firing(engine, info)
    return problems


def active_deployments(engine: Engine, info: StackInfo) -> list[dict[str, str]]:
    """CodeDeploy deployments of the stack's groups not yet ended.

    One account-wide listing filtered by status (usually empty), then the few
    found are read in batches to keep those of this stack's application.
    """
    if not info.application or not info.deployment_groups:
        return []
    cd = engine.client("codedeploy")
    ids: list[str] = []
    try:
        for page in cd.get_paginator("list_deployments").paginate(
            includeOnlyStatuses=ACTIVE_DEPLOYMENT
        ):
            ids += page.get("deployments", [])
        found: list[dict[str, str]] = []
        for i in range(0, len(ids), 25):
            resp = cd.batch_get_deployments(deploymentIds=ids[i : i + 25])
            for d in resp.get("deploymentsInfo", []):
                if (
                    d.get("applicationName") == info.application
                    and d.get("deploymentGroupName") in info.deployment_groups
                ):
                    found.append(
                        {
                            "deployment_id": str(d["deploymentId"]),
                            "deployment_group": str(d["deploymentGroupName"]),
                            "status": str(d.get("status", "")),
                        }
                    )
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot list CodeDeploy deployments: {exc}") from exc
    return found


def _deployments_in_flight(engine: Engine, info: StackInfo) -> list[str]:
    found = [
        f"{d['deployment_id']} ({d['deployment_group']})" for d in active_deployments(engine, info)
    ]
    if not found:
        return []
    return [
        f"CodeDeploy deployment in flight: {', '.join(found)}: let it finish, or stop it "
        "with `lambda-release rollback`, then deploy again"
    ]


def deployment_group_alarms(engine: Engine, info: StackInfo) -> list[str]:
    """The stack's alarms and those of its deployment groups (read concurrently)."""
    names = set(info.alarms)
    cd = engine.client("codedeploy")

    def group_alarms(group: str) -> list[str]:
        try:
            resp = cd.get_deployment_group(
                applicationName=info.application, deploymentGroupName=group
            )
        except botocore.exceptions.ClientError:
            return []  # the stack's own alarm resources are still checked
        config = resp.get("deploymentGroupInfo", {}).get("alarmConfiguration") or {}
        if not config.get("enabled", True):
            return []
        return [str(a["name"]) for a in config.get("alarms", [])]

    groups = info.deployment_groups if info.application else []
    for found in parallel_map(group_alarms, groups, RateLimiter(CODEDEPLOY_RATE)):
        names.update(found)
    return sorted(names)


def _alarms_firing(engine: Engine, info: StackInfo) -> list[str]:
    names = deployment_group_alarms(engine, info)
    if not names:
        return []
    firing: list[str] = []
    cw = engine.client("cloudwatch")
    for i in range(0, len(names), 100):
        resp = cw.describe_alarms(AlarmNames=names[i : i + 100])
        firing += [
            str(a["AlarmName"]) for a in resp.get("MetricAlarms", []) if a["StateValue"] == "ALARM"
        ]
    if not firing:
        return []
    return [
        f"alarm already in ALARM: {', '.join(sorted(firing))}: CodeDeploy would stop the "
        "deployment at once; fix the cause (or the alarm) until it returns to OK, then deploy"
    ]


@dataclass(frozen=True)
class Drift:
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


def drift(info: StackInfo | None, live: Sequence[LiveFunction]) -> list[Drift]:
    if info is None:
        return []
    by_name = {lf.name: lf for lf in live}
    out: list[Drift] = []
    for f in info.functions:
        lf = by_name.get(f.name)
        if f.recorded_version is None or lf is None or lf.alias is None:
            continue
        if lf.alias.version != f.recorded_version:
            out.append(Drift(f.logical_id, f.recorded_version, lf.alias.version))
    return out


# -- begin ---------------------------------------------------------------------
def snapshot_functions(
    info: StackInfo | None, live: Sequence[LiveFunction]
) -> list[dict[str, Any]]:
    if info is None:
        return []
    by_name = {lf.name: lf for lf in live}
    out = []
    for f in info.functions:
        lf = by_name.get(f.name)
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
    engine: Engine,
    info: StackInfo | None,
    live: Sequence[LiveFunction],
    *,
    environment: str,
    kind: str = "release",
    command: Sequence[str] = (),
    release_id: str | None = None,
) -> dict[str, Any]:
    t = now()
    ci = ci_metadata()
    return {
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


def begin(
    engine: Engine,
    log: ReleaseLog,
    *,
    environment: str,
    mode: str,
    lock_ttl: float,
    lock_timeout: float,
    command: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], lock.Lease, list[str]]:
    """Lock, settle what a killed job left, check, and write the pending entry.

    Returns (entry, lease, pre-flight problems); with problems the entry is not
    written and the lease already given back.
    """
    ci = ci_metadata()
    lease = lock.acquire(
        log,
        new_id,  # a fresh id per attempt: ids then sort in the order releases held the lock
        mode=mode,
        ttl=lock_ttl,
        timeout=lock_timeout,
        who=ci.get("triggered_by", ""),
        job_url=ci.get("job_url", ""),
        progress=progress,
    )
    holder = lease.holder

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    try:
        settle_pending(engine, log, settled_by=mode, own_lock=True, progress=progress)
        info = engine.info(refresh=True)
        engine.require_alias_functions(info)
        # The CodeDeploy and CloudWatch checks overlap the paced Lambda reads.
        for service in ("lambda", "codedeploy", "cloudwatch"):
            engine.client(service)  # clients are created here: a session is not thread-safe
        with ThreadPoolExecutor(max_workers=1) as pool:
            stack_checks = pool.submit(preflight_stack, engine, info)
            live = engine.live(info)
            problems = stack_checks.result()
        if not problems and drift(info, live):
            # Drift a rollback explains is realigned (drift.py); the rest refuses.
            problems = drift_resolution.deploy_preflight(engine, info, live, log, progress=say)
            info = engine.info(refresh=True)
        if problems:
            lock.release(log, holder)
            return {}, lease, problems
        entry = new_entry(
            engine, info, live, environment=environment, command=command, release_id=holder
        )
        log.write_entry(entry)
    except BaseException:
        lock.release(log, holder)
        raise
    return entry, lease, []


# -- settle --------------------------------------------------------------------
def _after(engine: Engine, names: Sequence[str]) -> dict[str, dict[str, str] | None]:
    """Each function's alias as it stands: version, code SHA-256, ARN (one call each)."""
    lam = engine.client("lambda")

    def one(name: str) -> dict[str, str] | None:
        try:
            c = lam.get_function_configuration(FunctionName=name, Qualifier=engine.alias)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise OperationError(f"cannot read {name}:{engine.alias}: {exc}") from exc
        return {
            "version": str(c.get("Version", "")),
            "code_sha256": str(c.get("CodeSha256", "")),
            "function_arn": function_arn_of(str(c.get("FunctionArn", ""))),
        }

    return dict(zip(names, parallel_map(one, list(names), engine.limiter), strict=True))


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=now().tzinfo)
    except ValueError:
        return None


def outcome_of(any_moved: bool, *, failed: bool) -> str:
    """From what the aliases show: moved or not, and whether the deploy failed."""
    if any_moved:
        return PARTIAL if failed else SUCCEEDED
    return FAILED if failed else NO_CHANGE


def settlement_for(
    engine: Engine,
    entry: dict[str, Any],
    info: StackInfo | None,
    *,
    sam_exit_code: int | None,
    settled_by: str,
) -> dict[str, Any]:
    """Outcome and after-versions, from what the aliases show now."""
    started = _parse_time(str(entry.get("time", "")))
    functions_now = {f.logical_id: f for f in (info.functions if info else [])}
    before = {f["logical_id"]: f for f in entry.get("functions", [])}
    names = [f.name for f in functions_now.values()]
    after = _after(engine, names) if names else {}
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    stack_failed = bool(
        info is not None
        and info.failed
        and (
            started is None
            or info.last_updated is None
            or info.last_updated >= started - timedelta(seconds=5)
        )
    )
    failed = (sam_exit_code not in (None, 0)) or (sam_exit_code is None and stack_failed)
    cache: dict[str, set[str]] = {}

    def updated_since() -> set[str]:
        # Read the stack's events once, and only if some function did not move.
        if "ids" not in cache:
            cache["ids"] = (
                functions_updated_since(engine.client("cloudformation"), engine.stack, started)
                if started is not None and info is not None
                else set()
            )
        return cache["ids"]

    for lid in sorted(set(before) | set(functions_now)):
        b = before.get(lid, {})
        ref = functions_now.get(lid)
        a = after.get(ref.name) if ref else None
        version_before = b.get("before")
        version_after = a["version"] if a else None
        arn_before = b.get("function_arn") or ""
        arn_after = a["function_arn"] if a else arn_before
        replaced = bool(arn_before and a and arn_after and arn_before != arn_after)
        moved = version_after is not None and (version_after != version_before or replaced)
        row: dict[str, Any] = {
            "logical_id": lid,
            "function_name": ref.name if ref else b.get("function_name", ""),
            "function_arn": arn_after,
            "before": version_before,
            "after": version_after,
            "code_sha256": a["code_sha256"] if a else None,
            "moved": moved,
        }
        if version_before is None and version_after is not None:
            row["created"] = True
        if replaced:
            row["replaced"] = True
        if ref is None:
            row["removed"] = True
        rows.append(row)
        if ref is not None and not moved and not failed and lid in updated_since():
            warnings.append(
                f"{lid}: the function's configuration changed on $LATEST but no new version "
                f"was published, so {engine.alias} still runs the old configuration (SAM "
                "hashes only Code, Environment, MemorySize and SnapStart): set "
                "AutoPublishAliasAllProperties: true, or change one of those"
            )
    outcome = outcome_of(any(r["moved"] for r in rows), failed=failed)
    return {
        "outcome": outcome,
        "settled_at": iso(now()),
        "settled_by": settled_by,
        "sam_exit_code": sam_exit_code,
        "stack_status": info.status if info else "NONE",
        "functions": rows,
        "warnings": warnings,
    }


def settle(
    engine: Engine,
    log: ReleaseLog,
    entry: dict[str, Any],
    *,
    sam_exit_code: int | None,
    settled_by: str,
    update_stable: bool = True,
) -> tuple[Release, dict[str, str | None], list[str]]:
    """Settle ``entry`` (once; a concurrent settler's result stands), then the stable pointers.

    Returns (release, stable versions by logical id, warnings).
    """
    info = engine.info(refresh=True)
    if info is not None and info.in_progress:
        raise OperationError(
            f"stack {engine.stack} is {info.status}: release {entry['id']} is still in "
            "flight; once the stack has finished, `lambda-release record` settles it"
        )
    body = settlement_for(engine, entry, info, sam_exit_code=sam_exit_code, settled_by=settled_by)
    stored = log.write_settlement(entry["id"], body)
    release = Release(entry, stored)
    stable, warnings = update_stable_pointers(engine, log, release, dry_run=not update_stable)
    return release, stable, list(stored.get("warnings", [])) + warnings


def update_stable_pointers(
    engine: Engine, log: ReleaseLog, latest: Release, *, dry_run: bool = False
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
    engine: Engine,
    log: ReleaseLog,
    *,
    settled_by: str,
    own_lock: bool = False,
    include_begun: bool = False,
    sam_exit_code: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[tuple[Release, dict[str, str | None]]], list[str]]:
    """Settle releases a killed job left pending.

    Returns ((release, stable versions) for each settled, ids still in flight).

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
    for rid in pending:
        live_lease = lease.get("holder") == rid and not lock.is_free(lease)
        if live_lease and not own_lock and not (include_begun and lease.get("mode") == "begin"):
            in_flight.append(rid)
            continue
        info = engine.info(refresh=True)
        if info is not None and info.in_progress:
            in_flight.append(rid)
            continue
        entry = log.load(rid, settled=False, undone=False).entry
        if progress is not None:
            progress(f"settling release {rid}, left pending by an earlier job")
        release, stable, _ = settle(
            engine, log, entry, sam_exit_code=sam_exit_code, settled_by=settled_by
        )
        settled.append((release, stable))
        if live_lease or lease.get("holder") == rid:
            lock.release(log, rid)
    return settled, in_flight


# -- record file and summary ---------------------------------------------------
def record_json(release: Release, stable: dict[str, str | None], log: ReleaseLog) -> dict[str, Any]:
    data = release.as_json()
    for f in data["functions"]:
        f["stable"] = stable.get(f["logical_id"])
    data["stable_alias"] = stable_alias_name(release.entry["alias"])
    data["log"] = {
        "location": log.location.uri,
        "entry": f"s3://{log.location.bucket}/{log.entry_key(release.id)}",
    }
    return data


def write_record_file(path: str, data: dict[str, Any]) -> None:
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        tmp.replace(p)
    except OSError as exc:
        raise OperationError(f"cannot write the record file {path}: {exc}") from exc


def summary(data: dict[str, Any]) -> str:
    rows = [
        (
            f["logical_id"],
            f.get("before") or "-",
            f.get("after") or "-",
            f.get("stable") or "-",
            "moved" if f.get("moved") else "",
        )
        for f in data["functions"]
    ]
    head = f"release {data['id']} of {data['stack']} alias {data['alias']}: {data['outcome']}"
    table = (
        format_table(("function", "before", "after", "stable", ""), rows)
        if rows
        else "(no functions)"
    )
    return head + "\n" + table


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


@dataclass
class DeployResult:
    exit_code: int
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def deploy(
    engine: Engine,
    plan: DeployPlan,
    *,
    run_sam: Callable[..., int],
    progress: Callable[[str], None],
) -> DeployResult:
    """Run one release end to end. ``run_sam(cmd, env=, heartbeat=, on_heartbeat=)``."""
    log = engine.log(plan.log_location)
    if plan.dry_run:
        info = engine.info()
        engine.require_alias_functions(info)
        live = engine.live(info)
        problems = preflight_stack(engine, info)
        if drift(info, live):
            problems += drift_resolution.deploy_preflight(
                engine, info, live, log, progress=progress, dry_run=True
            )
        held = lock.read_lease(log)
        if held and not lock.is_free(held[0]):
            problems.append(f"locked by {lock.holder_label(held[0])}")
        pending = log.pending_ids()
        entry = new_entry(
            engine, info, live, environment=plan.environment, command=plan.sam_command
        )
        entry["outcome"] = "dry-run"
        return DeployResult(
            1 if problems else 0,
            {"dry_run": True, "entry": entry, "pending": pending, "problems": problems},
            problems,
        )
    entry, lease, problems = begin(
        engine,
        log,
        environment=plan.environment,
        mode="deploy",
        lock_ttl=plan.lock_ttl,
        lock_timeout=plan.lock_timeout,
        command=plan.sam_command,
        progress=progress,
    )
    if problems:
        return DeployResult(1, {"refused": True, "problems": problems}, problems)
    progress(f"release {entry['id']} begun (pending) in {log.location.uri}")
    last_renew = [time.monotonic()]
    lost = [False]

    def keep_lease(_elapsed: float) -> None:
        # Renew at a third of the lease so one missed renewal never lets it lapse.
        if time.monotonic() - last_renew[0] >= plan.lock_ttl / 3 and not lost[0]:
            try:
                if not lock.renew(lease, plan.lock_ttl):
                    lost[0] = True
                    progress("warning: the lock was taken over while sam ran")
            except OperationError as exc:
                progress(f"warning: could not renew the lock: {exc}")
            last_renew[0] = time.monotonic()

    try:
        progress("running: " + " ".join(_shell_quote(plan.sam_command)))
        code = run_sam(
            plan.sam_command, env=plan.sam_env, heartbeat=plan.heartbeat, on_heartbeat=keep_lease
        )
        progress(f"sam deploy exited with {code}; settling from what the aliases show")
        release, stable, warnings = settle(
            engine, log, entry, sam_exit_code=code, settled_by="deploy"
        )
    finally:
        lock.release(log, entry["id"])
    data = record_json(release, stable, log)
    ok = release.outcome in (SUCCEEDED, NO_CHANGE)
    return DeployResult(0 if ok else 1, data, [], warnings)


def _shell_quote(cmd: Sequence[str]) -> list[str]:
    return [shlex.quote(c) for c in cmd]
