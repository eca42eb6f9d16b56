"""Pruning old published versions of a stack's functions, never one still needed.

Per function the N newest published versions are kept, and so is every version that:

- an alias points at, as its version or through a routing weight (``<ALIAS>_STABLE``
  included; Lambda itself refuses to delete these, emulators do not);
- is a stable version (the rollback target) of an alias of the stack;
- a release in effect in the release log names (before or after), or a release still pending;
- the stack's current template references (its ``AWS::Lambda::Version`` resources, or a
  version ARN written into it): a CloudFormation rollback would need it;
- and ``$LATEST``, which is not a published version and is never touched.

Versions are listed page by page (Lambda pages at 50). Nothing is pruned while the stack is
updating or a deployment is in flight. ``--dry-run`` lists what would go and the bytes freed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import LAMBDA_RATE, Aws, RateLimiter, error_code, parallel_map
from lambda_release.aws.codedeploy import active_deployment_ids
from lambda_release.aws.stack import FunctionNow, list_resources, read_live, version_of_arn
from lambda_release.errors import EXIT_FAILED, EXIT_OK, OperationError, UsageError
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.release.stable import stable_versions
from lambda_release.release.stack_alias import StackAlias

LATEST = "$LATEST"
PAGE_SIZE = 50


@dataclass
class Version:
    number: str
    code_size: int = 0
    last_modified: str = ""

    @property
    def key(self) -> int:
        return int(self.number)


@dataclass
class FunctionPrune:
    """One function: what goes, what stays and why, what happened."""

    logical_id: str
    name: str
    versions: list[Version] = field(default_factory=list)
    protected: dict[str, list[str]] = field(default_factory=dict)  # version -> reasons
    delete: list[Version] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # Lambda said it is in use
    failed: dict[str, str] = field(default_factory=dict)

    def protect(self, version: str | None, reason: str) -> None:
        if version and version != LATEST:
            reasons = self.protected.setdefault(str(version), [])
            if reason not in reasons:
                reasons.append(reason)

    @property
    def bytes(self) -> int:
        return sum(v.code_size for v in self.delete)

    def as_json(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "function_name": self.name,
            "published_versions": len(self.versions),
            "delete": [{"version": v.number, "code_size": v.code_size} for v in self.delete],
            "bytes": self.bytes,
            "kept": [
                {"version": v, "reasons": self.protected[v]}
                for v in sorted(self.protected, key=int)
                if any(x.number == v for x in self.versions)
            ],
            "deleted": self.deleted,
            "refused": [{"version": v, "reason": r} for v, r in self.refused.items()],
            "failed": [{"version": v, "error": e} for v, e in self.failed.items()],
        }


@dataclass
class PrunePlan:
    stack: str
    keep: int
    functions: list[FunctionPrune]
    dry_run: bool = False
    logs: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.functions)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if any(f.failed for f in self.functions) else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "keep": self.keep,
            "dry_run": self.dry_run,
            "release_logs": self.logs,
            "bytes": self.bytes,
            "versions": sum(len(f.delete) for f in self.functions),
            "functions": [f.as_json() for f in self.functions],
        }


# -- reading -------------------------------------------------------------------------------


def list_versions(lam: Any, name: str, limiter: RateLimiter | None = None) -> list[Version]:
    """Every published version of ``name`` (``$LATEST`` left out), reading every page."""
    out: list[Version] = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"FunctionName": name, "MaxItems": PAGE_SIZE}
        if marker:
            kwargs["Marker"] = marker
        if limiter is not None:
            limiter.wait()
        try:
            resp = lam.list_versions_by_function(**kwargs)
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot list the versions of function {name}: {exc}") from exc
        for v in resp.get("Versions", []):
            number = str(v.get("Version", ""))
            if number.isdigit():
                out.append(
                    Version(number, int(v.get("CodeSize") or 0), str(v.get("LastModified", "")))
                )
        marker = resp.get("NextMarker")
        if not marker:
            return sorted(out, key=lambda v: v.key)


@dataclass
class StackFunctions:
    """Every function of the stack and the versions its template references."""

    functions: dict[str, str]  # logical id -> function name
    template_versions: dict[str, set[str]]  # function name -> versions


def read_stack_functions(cfn: Any, stack: str) -> StackFunctions:
    resources = list_resources(cfn, stack)
    functions = {
        str(r["LogicalResourceId"]): str(r["PhysicalResourceId"])
        for r in resources
        if r["ResourceType"] == "AWS::Lambda::Function" and r.get("PhysicalResourceId")
    }
    referenced: dict[str, set[str]] = {name: set() for name in functions.values()}
    for r in resources:
        if r["ResourceType"] != "AWS::Lambda::Version":
            continue
        arn = str(r.get("PhysicalResourceId") or "")
        version = version_of_arn(arn)
        owner = arn.rsplit(":", 1)[0].rsplit(":", 1)[-1]
        if version and owner in referenced:
            referenced[owner].add(version)
    try:
        body = str(cfn.get_template(StackName=stack).get("TemplateBody", ""))
    except botocore.exceptions.ClientError:
        body = ""
    for name, versions in referenced.items():
        # Version ARNs written into the template itself (a hand-written alias, say).
        versions.update(re.findall(rf":function:{re.escape(name)}:(\d+)\b", body))
    return StackFunctions(functions, referenced)


def release_log_versions(
    log: ReleaseLog,
) -> tuple[list[tuple[Release, str]], Release | None]:
    """(release, why) for every release in effect or still pending; the latest in effect."""
    named: list[tuple[Release, str]] = []
    latest: Release | None = None
    for rel in log.newest_first():
        if rel.in_effect:
            named.append((rel, "in effect"))
            latest = latest or rel
        elif rel.settlement is None and rel.kind == "release":
            named.append((rel, "pending"))
    return named, latest


# -- planning ------------------------------------------------------------------------------


def _functions_by_name(plans: Iterable[FunctionPrune]) -> dict[str, FunctionPrune]:
    return {p.name: p for p in plans}


def protect_from_log(
    plans: list[FunctionPrune], alias: str, log: ReleaseLog, live_versions: dict[str, str]
) -> None:
    """Versions the log's releases in effect (and pending ones) name, and stable versions."""
    by_name = _functions_by_name(plans)
    named, latest = release_log_versions(log)
    for rel, why in named:
        for row in rel.functions():
            plan = by_name.get(str(row.get("function_name", "")))
            if plan is None:
                continue
            for side, version in (("before", row.get("before")), ("after", row.get("after"))):
                plan.protect(version, f"{alias} release {rel.id} {why} ({side})")
    current = {
        p.logical_id: FunctionNow(p.logical_id, p.name, "", live_versions.get(p.name), None)
        for p in plans
        if p.name in live_versions
    }
    for lid, version in stable_versions(latest, current).items():
        plan = next(p for p in plans if p.logical_id == lid)
        plan.protect(version, f"stable version of {alias}")


def choose(plan: FunctionPrune, keep: int) -> None:
    """Oldest first, everything but the ``keep`` newest and the protected."""
    newest = plan.versions[-keep:] if keep else []
    for v in newest:
        plan.protect(v.number, f"one of the {keep} newest")
    plan.delete = [v for v in plan.versions if v.number not in plan.protected]


def plan_prune(
    aws: Aws,
    stack: str,
    keep: int,
    *,
    log_bucket: str | None = None,
    s3_bucket: str | None = None,
    rate: float = LAMBDA_RATE,
    progress: Callable[[str], None] | None = None,
) -> PrunePlan:
    """Read everything and decide; changes nothing."""
    if keep < 0:
        raise UsageError(f"--keep {keep} must be 0 or more (the newest versions to keep)")
    limiter = RateLimiter(rate)
    cfn, lam = aws.client("cloudformation"), aws.client("lambda")
    probe = StackAlias(aws, stack, "PRUNE", rate=rate)
    info = probe.info()
    if info is None:
        raise UsageError(
            f"stack {stack} does not exist (in this account and region): check --stack and --region"
        )
    if info.in_progress:
        raise OperationError(
            f"stack {stack} is {info.status}: prune once it has finished (a version being "
            "deployed or rolled back to must not go)"
        )
    in_flight = active_deployment_ids(aws.client("codedeploy"), info)
    if in_flight:
        ids = ", ".join(d for d, _ in in_flight)
        raise OperationError(
            f"CodeDeploy deployment in flight for stack {stack} ({ids}): prune once it has ended"
        )
    found = read_stack_functions(cfn, stack)
    plans = [FunctionPrune(lid, name) for lid, name in sorted(found.functions.items())]
    if progress is not None:
        progress(f"reading the versions and aliases of {len(plans)} function(s) of {stack}")
    names = [p.name for p in plans]
    listed = parallel_map(lambda n: list_versions(lam, n, limiter), names)
    for plan, versions in zip(plans, listed, strict=True):
        plan.versions = versions
    live = read_live(lam, names, "", "", limiter)
    for plan, lf in zip(plans, live, strict=True):
        for alias_name, state in lf.aliases.items():
            plan.protect(state.version, f"alias {alias_name}")
            for extra in state.weights:
                plan.protect(extra, f"alias {alias_name} (routing weight)")
        for version in found.template_versions.get(plan.name, set()):
            plan.protect(version, "referenced by the stack's current template")
    result = PrunePlan(stack, keep, plans)
    for alias in info.aliases_seen:
        engine = StackAlias(aws, stack, alias, rate=rate)
        location = _location(engine, log_bucket, s3_bucket)
        log = engine.log(location)
        result.logs.append(f"{alias}: {location.uri}")
        live_versions = {lf.name: lf.aliases[alias].version for lf in live if alias in lf.aliases}
        protect_from_log(plans, alias, log, live_versions)
    for plan in plans:
        choose(plan, keep)
    return result


def _location(engine: StackAlias, log_bucket: str | None, s3_bucket: str | None) -> LogLocation:
    try:
        return engine.log_location(log_bucket, s3_bucket)
    except UsageError as exc:
        raise UsageError(
            f"{exc}. prune reads the release log to keep the versions releases in effect name"
        ) from exc


# -- deleting ------------------------------------------------------------------------------


def apply(aws: Aws, plan: PrunePlan, *, rate: float = LAMBDA_RATE) -> PrunePlan:
    """Delete the planned versions, oldest first, within Lambda's control-plane budget."""
    lam = aws.client("lambda")
    limiter = RateLimiter(rate)
    todo = [(f, v) for f in plan.functions for v in f.delete]

    def one(item: tuple[FunctionPrune, Version]) -> tuple[FunctionPrune, str, str, str]:
        f, v = item
        if v.number in f.protected or v.number == LATEST:  # never, whatever the plan says
            return f, v.number, "refused", "protected"
        try:
            lam.delete_function(FunctionName=f.name, Qualifier=v.number)
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if code == "ResourceConflictException":
                return f, v.number, "refused", str(exc)
            if code == "ResourceNotFoundException":
                return f, v.number, "deleted", ""
            return f, v.number, "failed", str(exc)
        return f, v.number, "deleted", ""

    for f, number, what, detail in parallel_map(one, todo, limiter):
        if what == "deleted":
            f.deleted.append(number)
        elif what == "refused":
            f.refused[number] = detail
        else:
            f.failed[number] = detail
    return plan


# -- text ----------------------------------------------------------------------------------


def ranges(numbers: Iterable[str]) -> str:
    """``1-4, 7, 9-10``."""
    nums = sorted(int(n) for n in numbers)
    parts: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ", ".join(parts) or "-"


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def summary_text(plan: PrunePlan) -> str:
    verb = "would delete" if plan.dry_run else "deleted"
    lines = [
        f"{'dry run: ' if plan.dry_run else ''}prune of stack {plan.stack}, keeping the "
        f"{plan.keep} newest"
    ]
    for f in plan.functions:
        gone = [v.number for v in f.delete] if plan.dry_run else f.deleted
        lines.append(
            f"{f.logical_id} ({f.name}): {len(f.versions)} published; {verb} {len(gone)} "
            f"({size(f.bytes)}): {ranges(gone)}"
        )
        reasons: dict[str, list[str]] = {}
        present = {v.number for v in f.versions}
        for version, why in f.protected.items():
            if version in present:
                for reason in why:
                    reasons.setdefault(reason, []).append(version)
        for reason, versions in sorted(reasons.items()):
            lines.append(f"  kept {ranges(versions)}: {reason}")
        for version, answer in f.refused.items():
            lines.append(f"  not deleted {version}: Lambda says it is in use ({answer})")
        for version, err in f.failed.items():
            lines.append(f"  FAILED to delete {version}: {err}")
    total = sum(len(f.delete) for f in plan.functions)
    lines.append(f"{verb} {total} version(s), {size(plan.bytes)} of code storage")
    return "\n".join(lines)
