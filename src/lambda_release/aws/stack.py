"""A stack's functions, their aliases and versions, read with few calls.

CloudFormation gives, in one paged listing, every function (logical id,
physical name), every alias resource and the Version resource that CloudFormation
last recorded for it (SAM keeps one ``<Fn>Version<hash>`` per function), so
drift needs no Lambda call. Lambda is asked once per function
(``list_aliases``: the alias and its ``_STABLE`` pointer together), concurrently
within Lambda's control-plane budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import Pool, RateLimiter, answered_at, error_code, parallel_map
from lambda_release.errors import OperationError, UsageError

REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"
# The status of a stack not described again after sam deploy succeeded (settle.read_after_sam).
UNREAD_STATUS = ""


def version_of_arn(arn: str | None) -> str | None:
    """``arn:...:function:name:7`` -> ``7``; None when there is no numeric qualifier."""
    if not arn:
        return None
    tail = arn.rsplit(":", 1)[-1]
    return tail if tail.isdigit() else None


def list_resources(cfn: Any, stack: str) -> list[dict[str, Any]]:
    """Every resource summary of the stack, every page (the one listing all readers use)."""
    return list_resources_dated(cfn, stack)[0]


def list_resources_dated(cfn: Any, stack: str) -> tuple[list[dict[str, Any]], datetime | None]:
    """:func:`list_resources`, with when its first page was answered (:func:`answered_at`)."""
    resources: list[dict[str, Any]] = []
    first: datetime | None = None
    try:
        pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack)
        for i, page in enumerate(pages):
            if i == 0:
                first = answered_at(page.get("ResponseMetadata") or {})
            resources.extend(page.get("StackResourceSummaries", []))
    except botocore.exceptions.ClientError as exc:
        if "does not exist" in str(exc):
            raise UsageError(
                f"stack {stack} does not exist (in this account and region): check --stack "
                "and --region"
            ) from exc
        raise OperationError(f"cannot list the resources of stack {stack}: {exc}") from exc
    return resources, first


def physical_ids(resources: list[dict[str, Any]]) -> dict[str, str]:
    """Logical id -> physical id ("" while not created)."""
    return {str(r["LogicalResourceId"]): str(r.get("PhysicalResourceId") or "") for r in resources}


def function_arn_of(arn: str) -> str:
    """Drop a version or alias qualifier: ``arn:aws:lambda:r:a:function:name``."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 else arn


@dataclass
class FunctionRef:
    """One function of the stack that carries the release's alias."""

    logical_id: str
    name: str
    alias_logical_id: str | None = None
    recorded_version: str | None = None  # what CloudFormation believes the alias points at
    last_updated: datetime | None = None
    deployment_group: str | None = None


@dataclass
class StackInfo:
    name: str
    status: str
    stack_id: str = ""
    # When CloudFormation answered (its Date header): whether the read is still current
    # once the release lease is taken (lock.HeldLease.quiet_since). None: not known.
    read_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    last_updated: datetime | None = None
    functions: list[FunctionRef] = field(default_factory=list)
    other_functions: list[str] = field(default_factory=list)
    # Every function of the stack, logical id -> name (those without the alias included).
    function_names: dict[str, str] = field(default_factory=dict)
    # Every resource, logical id -> physical id: the one listing answers drift's reads too.
    physical: dict[str, str] = field(default_factory=dict)
    aliases_seen: list[str] = field(default_factory=list)
    application: str | None = None
    deployment_groups: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def in_progress(self) -> bool:
        """An operation is running and will end by itself. REVIEW_IN_PROGRESS is not one:
        it never ends (see :attr:`never_executed`)."""
        return self.status.endswith("_IN_PROGRESS") and not self.never_executed

    @property
    def never_executed(self) -> bool:
        """Created by a change set of type CREATE that was never executed: the stack holds
        no resource, and ``sam deploy`` treats it as absent (it creates it, with a CREATE
        change set). CloudFormation keeps it REVIEW_IN_PROGRESS until then."""
        return self.status == REVIEW_IN_PROGRESS

    @property
    def failed(self) -> bool:
        return "ROLLBACK" in self.status or self.status.endswith("_FAILED")


@dataclass
class AliasState:
    """One alias as Lambda shows it."""

    name: str
    version: str
    weights: dict[str, float]
    revision_id: str
    arn: str
    description: str = ""


@dataclass
class LiveFunction:
    """A function's aliases: the release's alias and its stable pointer."""

    name: str
    function_arn: str
    alias: AliasState | None
    stable: AliasState | None
    aliases: dict[str, AliasState] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionNow:
    """One function as it stands now: where its release alias and ``<ALIAS>_STABLE``
    point. The one type for it: a rollback plans from it, the stable pointers move
    from it (a LiveFunction is the listing of a function's aliases it is read from)."""

    logical_id: str
    name: str
    function_arn: str
    version: str | None  # where the release alias points (None: it does not exist)
    stable: str | None = None  # where <ALIAS>_STABLE points
    weights: dict[str, float] = field(default_factory=dict)
    revision_id: str = ""

    @classmethod
    def of(cls, logical_id: str, live: LiveFunction) -> FunctionNow:
        a = live.alias
        return cls(
            logical_id=logical_id,
            name=live.name,
            function_arn=live.function_arn,
            version=a.version if a else None,
            stable=live.stable.version if live.stable else None,
            weights=dict(a.weights) if a else {},
            revision_id=a.revision_id if a else "",
        )


def with_live(
    info: StackInfo | None, live: Sequence[LiveFunction]
) -> list[tuple[FunctionRef, LiveFunction | None]]:
    """Each function of the stack beside what Lambda showed for it (None: not read)."""
    if info is None:
        return []
    by_name = {lf.name: lf for lf in live}
    return [(f, by_name.get(f.name)) for f in info.functions]


def describe_stack(cfn: Any, stack: str) -> dict[str, Any] | None:
    """The stack's description (with ``ResponseMetadata``), or None when it does not exist."""
    try:
        resp = cfn.describe_stacks(StackName=stack)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "ValidationError" and "does not exist" in str(exc):
            return None
        raise OperationError(f"cannot read stack {stack}: {exc}") from exc
    stacks = resp.get("Stacks", [])
    if not stacks:
        return None
    return dict(stacks[0], ResponseMetadata=resp.get("ResponseMetadata") or {})


def _alias_name_of(resource: dict[str, Any], function_ids: Iterable[str]) -> tuple[str, str]:
    """(function logical id, alias name) for an AWS::Lambda::Alias resource."""
    lid = str(resource["LogicalResourceId"])
    physical = str(resource.get("PhysicalResourceId") or "")
    name = physical.rsplit(":", 1)[-1] if physical else ""
    owner = ""
    for fid in sorted(function_ids, key=len, reverse=True):
        if lid.startswith(f"{fid}Alias"):
            owner = fid
            name = name or lid[len(fid) + len("Alias") :]
            break
    return owner, name


def _recorded_versions(
    resources: list[dict[str, Any]], functions: Iterable[str]
) -> dict[str, str | None]:
    """Function logical id -> the version CloudFormation recorded (``<Fn>Version<hash>``)."""
    ids = sorted(functions, key=len, reverse=True)
    versions: dict[str, str | None] = {}
    for r in resources:
        lid = str(r["LogicalResourceId"])
        for fid in ids:
            if lid.startswith(f"{fid}Version"):
                versions[fid] = version_of_arn(str(r.get("PhysicalResourceId") or ""))
                break
    return versions


def read_stack(
    cfn: Any, stack: str, alias: str, desc: dict[str, Any] | None = None
) -> StackInfo | None:
    """The stack's functions carrying ``alias``, or None when the stack does not exist.
    ``desc``: its description, just read (then only its resources are listed)."""
    if desc is not None:
        resources, listed_at = list_resources_dated(cfn, stack)
    else:
        # Side by side; the listing of a stack that does not exist fails, and is not looked at.
        with Pool(max_workers=1) as pool:
            listing = pool.submit(list_resources_dated, cfn, stack)
            desc = describe_stack(cfn, stack)
            if desc is None:
                listing.exception()
                return None
            resources, listed_at = listing.result()
    info = restated(StackInfo(stack, "", str(desc.get("StackId", ""))), desc)
    described_at = info.read_at
    info.read_at = (
        None if described_at is None or listed_at is None else min(described_at, listed_at)
    )
    _pair_resources(info, resources, alias)
    return info


def _pair_resources(info: StackInfo, resources: list[dict[str, Any]], alias: str) -> None:
    """Fill ``info`` from the stack's resource listing: one pass pairs functions, aliases,
    versions, deployment groups and alarms by logical id (the listing is the only call)."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_type.setdefault(str(r["ResourceType"]), []).append(r)
    functions = {
        str(r["LogicalResourceId"]): r
        for r in by_type.get("AWS::Lambda::Function", [])
        if r.get("PhysicalResourceId")
    }
    carrying: dict[str, str] = {}
    seen: set[str] = set()
    for r in by_type.get("AWS::Lambda::Alias", []):
        owner, name = _alias_name_of(r, functions)
        if name:
            seen.add(name)
        if owner and name == alias:
            carrying[owner] = str(r["LogicalResourceId"])
    info.aliases_seen = sorted(seen)
    versions = _recorded_versions(by_type.get("AWS::Lambda::Version", []), functions)
    groups = {
        str(r["LogicalResourceId"]): r for r in by_type.get("AWS::CodeDeploy::DeploymentGroup", [])
    }
    apps = by_type.get("AWS::CodeDeploy::Application", [])
    if apps:
        info.application = str(apps[0].get("PhysicalResourceId") or "") or None
    info.deployment_groups = [
        str(g["PhysicalResourceId"]) for g in groups.values() if g.get("PhysicalResourceId")
    ]
    info.alarms = [
        str(r["PhysicalResourceId"])
        for r in by_type.get("AWS::CloudWatch::Alarm", [])
        if r.get("PhysicalResourceId")
    ]
    info.function_names = {fid: str(r["PhysicalResourceId"]) for fid, r in functions.items()}
    info.physical = physical_ids(resources)
    for fid, r in sorted(functions.items()):
        if fid not in carrying:
            info.other_functions.append(fid)
            continue
        group = groups.get(f"{fid}DeploymentGroup")
        info.functions.append(
            FunctionRef(
                logical_id=fid,
                name=str(r["PhysicalResourceId"]),
                alias_logical_id=carrying[fid],
                recorded_version=versions.get(fid),
                last_updated=r.get("LastUpdatedTimestamp"),
                deployment_group=str(group.get("PhysicalResourceId")) if group else None,
            )
        )


def restated(info: StackInfo, desc: dict[str, Any]) -> StackInfo:
    """``info`` with the status, times and tags of a newer ``describe_stack`` answer (its
    resources as they were: for when they are known not to have changed)."""
    return replace(
        info,
        status=str(desc.get("StackStatus", "")),
        read_at=answered_at(desc.get("ResponseMetadata") or {}),
        tags={t["Key"]: t["Value"] for t in desc.get("Tags", [])},
        last_updated=desc.get("LastUpdatedTime") or desc.get("CreationTime"),
    )


def _alias_state(raw: dict[str, Any]) -> AliasState:
    weights = (raw.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return AliasState(
        name=str(raw["Name"]),
        version=str(raw["FunctionVersion"]),
        weights={str(k): float(v) for k, v in weights.items()},
        revision_id=str(raw.get("RevisionId", "")),
        arn=str(raw.get("AliasArn", "")),
        description=str(raw.get("Description", "")),
    )


def read_live(
    lam: Any, names: Sequence[str], alias: str, stable: str, limiter: RateLimiter | None = None
) -> list[LiveFunction]:
    """Each function's alias and stable alias: one ``list_aliases`` call per function."""

    def one(name: str) -> LiveFunction:
        aliases: list[dict[str, Any]] = []
        marker: str | None = None
        while True:  # paging, not retrying: a function may carry many aliases
            kwargs: dict[str, Any] = {"FunctionName": name}
            if marker:
                kwargs["Marker"] = marker
            try:
                resp = lam.list_aliases(**kwargs)
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) == "ResourceNotFoundException":
                    return LiveFunction(name, "", None, None)
                raise OperationError(f"cannot read the aliases of function {name}: {exc}") from exc
            aliases.extend(resp.get("Aliases", []))
            marker = resp.get("NextMarker")
            if not marker:
                break
            if limiter is not None:
                limiter.wait()
        found = {str(a["Name"]): a for a in aliases}
        a = found.get(alias)
        s = found.get(stable)
        arn = ""
        for raw in aliases:
            arn = str(raw.get("AliasArn", "")).rsplit(":", 1)[0]
            break
        return LiveFunction(
            name=name,
            function_arn=arn,
            alias=_alias_state(a) if a else None,
            stable=_alias_state(s) if s else None,
            aliases={n: _alias_state(raw) for n, raw in sorted(found.items())},
        )

    return parallel_map(one, list(names), limiter)


def functions_updated_since(cfn: Any, stack: str, since: datetime) -> set[str]:
    """Logical ids of functions CloudFormation updated since ``since`` (stack events,
    newest first, read until older than ``since``)."""
    updated: set[str] = set()
    try:
        for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
            for event in page.get("StackEvents", []):
                stamp = event.get("Timestamp")
                if isinstance(stamp, datetime) and stamp < since:
                    return updated
                if (
                    event.get("ResourceType") == "AWS::Lambda::Function"
                    and event.get("ResourceStatus") == "UPDATE_COMPLETE"
                ):
                    updated.add(str(event["LogicalResourceId"]))
    except botocore.exceptions.ClientError:
        return updated  # a warning only: never fail a release over it
    return updated
