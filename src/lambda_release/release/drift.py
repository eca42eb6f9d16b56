"""Drift after a rollback, and what the next deploy does about it.

After a rollback of a completed release, CloudFormation still records the newer
version for each alias it moved back (the alias's ``FunctionVersion`` resolves
to the rolled-back ``<Fn>Version<hash>``). CodeDeploy builds the next traffic
shift from that recorded version, not from the live one: AWS either fails the
deployment (the live alias is not on the AppSpec's CurrentVersion) or, worse,
shifts traffic from the rolled-back version. So before ``sam deploy`` runs:

1. **detect**: each alias's recorded version is read from the stack's processed
   template (a literal, or the physical id of the Version resource it names),
   compared with the live alias;
2. **explain**: drift is resolvable only when the live version is where a
   lambda-release rollback (or ``--to-version`` move) put it, the alias is not
   split, and the stack is not updating; anything else (a hand move nobody
   recorded) is refused with the way out;
3. **realign**: one CloudFormation update of the processed template, with each
   drifted alias pinned to its live version literally and its CodeDeploy update
   policy left out for this update only, so CloudFormation updates the alias
   directly: a no-op for Lambda (it is already there), no traffic moves, and
   CloudFormation now records the live version. Every other resource is
   unchanged (parameters: previous values).

The next ``sam deploy`` then shifts each changed function from its live version
to the new one, never from the rolled-back one. A function whose code the
deploy does not change keeps its live version.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import botocore.exceptions

from lambda_release.aws.stack import (
    LiveFunction,
    StackInfo,
    list_resources,
    version_of_arn,
    with_live,
)
from lambda_release.aws.stack import physical_ids as stack_physical_ids
from lambda_release.errors import OperationError
from lambda_release.log.records import Release
from lambda_release.log.schema import DriftNote
from lambda_release.log.store import ReleaseLog
from lambda_release.release.drift_log import drift_history, drift_notes, explanations
from lambda_release.release.rolled_back_code import allowed, rolled_back_code

# The template readers (PyYAML) are imported by the functions that read a template: the
# commands that import this module for its checks (status) never pay for them.

BUILT_TEMPLATE = Path(".aws-sam") / "build" / "template.yaml"
TEMPLATE_BODY_MAX = 51_200  # CloudFormation's limit for an inline TemplateBody, in bytes
TEMPLATE_URL_MAX = 1_048_576  # ...and for a template read from S3 (TemplateURL)
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
REALIGN_TIMEOUT = 1800.0


@dataclass(frozen=True)
class DriftItem:
    """One alias whose live version differs from what CloudFormation records."""

    logical_id: str
    function_name: str
    alias_logical_id: str
    recorded: str
    live: str
    weights: dict[str, float] = field(default_factory=dict)
    explained_by: str | None = None  # the rollback entry that put it there

    @property
    def resolvable(self) -> bool:
        return self.explained_by is not None and not self.weights

    def as_json(self) -> dict[str, Any]:
        return {
            "function": self.logical_id,
            "recorded": self.recorded,
            "live": self.live,
            "explained_by": self.explained_by,
            "resolvable": self.resolvable,
        }

    @property
    def message(self) -> str:
        head = (
            f"drift on {self.logical_id}: CloudFormation records version {self.recorded} "
            f"for the alias but it runs {self.live}"
        )
        if self.weights:
            return head + " (split: a shift is in flight): let it finish, then deploy"
        return head + (
            " and no rollback in the release log put it there (a move by hand): record it "
            f"with `lambda-release rollback --function {self.logical_id} --to-version "
            f"{self.live}` (the next deploy then realigns CloudFormation), or move it back "
            f"to {self.recorded}; then deploy"
        )


# -- reading what CloudFormation records -------------------------------------------


def processed_template(cfn: Any, stack: str) -> dict[str, Any]:
    """The stack's template after transforms (what CloudFormation really deployed)."""
    try:
        resp = cfn.get_template(StackName=stack, TemplateStage="Processed")
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot read the template of stack {stack}: {exc}") from exc
    from lambda_release.template.cfn import parse_template  # noqa: PLC0415 - see the imports

    body = resp.get("TemplateBody")
    template = body if isinstance(body, dict) else parse_template(str(body), "the stack's template")
    if template.get("Transform"):
        raise OperationError(
            f"stack {stack}: CloudFormation returned the template with its transforms "
            "unprocessed although asked for TemplateStage=Processed; the endpoint does not "
            "behave as CloudFormation does"
        )
    return template


def physical_ids(cfn: Any, stack: str) -> dict[str, str]:
    return stack_physical_ids(list_resources(cfn, stack))


def recorded_versions(template: dict[str, Any], physical: dict[str, str]) -> dict[str, str]:
    """Alias logical id -> the version CloudFormation records for it."""
    out: dict[str, str] = {}
    for lid, res in (template.get("Resources") or {}).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Lambda::Alias":
            continue
        fv = (res.get("Properties") or {}).get("FunctionVersion")
        if isinstance(fv, str | int):
            out[lid] = str(fv)
        elif isinstance(fv, dict) and "Fn::GetAtt" in fv:
            target = fv["Fn::GetAtt"]
            name = target[0] if isinstance(target, list) else str(target).split(".")[0]
            version = version_of_arn(physical.get(str(name)))
            if version is not None:
                out[lid] = version
    return out


# -- finding and explaining drift ---------------------------------------------------


def find_drift(
    info: StackInfo,
    live: Sequence[LiveFunction],
    recorded: dict[str, str],
    releases: Sequence[Release],
) -> list[DriftItem]:
    by_name = {lf.name: lf for lf in live}
    why = explanations(releases)
    items: list[DriftItem] = []
    for f in info.functions:
        lf = by_name.get(f.name)
        rec = recorded.get(f.alias_logical_id or "")
        if lf is None or lf.alias is None or rec is None or f.alias_logical_id is None:
            continue
        if lf.alias.version == rec and not lf.alias.weights:
            continue
        items.append(
            DriftItem(
                logical_id=f.logical_id,
                function_name=f.name,
                alias_logical_id=f.alias_logical_id,
                recorded=rec,
                live=lf.alias.version,
                weights=dict(lf.alias.weights),
                explained_by=why.get((f.logical_id, lf.alias.version)),
            )
        )
    return items


# -- realigning CloudFormation with what runs ---------------------------------------


def realign_template(template: dict[str, Any], items: Sequence[DriftItem]) -> dict[str, Any]:
    """The processed template with each drifted alias pinned to its live version."""
    out: dict[str, Any] = json.loads(json.dumps(template))
    for item in items:
        res = out["Resources"][item.alias_logical_id]
        res.setdefault("Properties", {})["FunctionVersion"] = item.live
        # This update only: CloudFormation moves the alias itself (already there: no-op)
        # instead of asking CodeDeploy to shift traffic from the rolled-back version.
        res.pop("UpdatePolicy", None)
    return out


# Puts a template body where CloudFormation can read it; returns its TemplateURL.
TemplateStore = Callable[[str, str], str]


def s3_template_store(s3: Any, bucket: str, prefix: str) -> TemplateStore:
    """Templates under ``prefix`` in ``bucket``, addressed as ``sam deploy`` addresses them."""

    def store(stack: str, body: str) -> str:
        key = f"{prefix}templates/realign-{stack}-{int(time.time() * 1000)}.json"
        try:
            s3.put_object(
                Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json"
            )
        except botocore.exceptions.ClientError as exc:
            raise OperationError(
                f"stack {stack}: cannot upload the realignment template to s3://{bucket}/{key} "
                f"({exc}); the role needs s3:PutObject there"
            ) from exc
        # Path style on the client's own endpoint, as sam deploy builds its TemplateURL.
        return f"{str(s3.meta.endpoint_url).rstrip('/')}/{bucket}/{key}"

    return store


def realign(
    cfn: Any,
    stack: str,
    template: dict[str, Any],
    items: Sequence[DriftItem],
    *,
    progress: Callable[[str], None],
    timeout: float = REALIGN_TIMEOUT,
    poll: float = 2.0,
    store: TemplateStore | None = None,
) -> str:
    """Run the realignment update and wait for it; the final stack status."""
    names = ", ".join(f"{i.logical_id} -> {i.live}" for i in items)
    progress(f"realigning CloudFormation with the live aliases after a rollback: {names}")
    status = update_template(
        cfn,
        stack,
        realign_template(template, items),
        timeout=timeout,
        poll=poll,
        store=store,
        what="realignment",
    )
    progress(f"stack {stack} realigned ({status})")
    return status


def update_template(
    cfn: Any,
    stack: str,
    template: dict[str, Any],
    *,
    progress: Callable[[str], None] | None = None,
    timeout: float = REALIGN_TIMEOUT,
    poll: float = 2.0,
    store: TemplateStore | None = None,
    what: str = "alias",
) -> str:
    """Update the stack to ``template`` (processed: no transform), every parameter its
    previous value, and wait; the final status (UPDATE_COMPLETE, else OperationError).

    A template over CloudFormation's inline limit goes through ``store`` (S3) as a
    TemplateURL.
    """
    body = json.dumps(template, sort_keys=True)
    size = len(body.encode())
    source: dict[str, str] = {"TemplateBody": body}
    if size > TEMPLATE_URL_MAX or (size > TEMPLATE_BODY_MAX and store is None):
        raise OperationError(
            f"stack {stack}: the {what} template is {size} bytes, over "
            f"CloudFormation's {TEMPLATE_URL_MAX if store else TEMPLATE_BODY_MAX}; update it "
            "by hand: see docs/rollback.md"
        )
    if size > TEMPLATE_BODY_MAX and store is not None:
        source = {"TemplateURL": store(stack, body)}
    params = [
        {"ParameterKey": k, "UsePreviousValue": True} for k in template.get("Parameters") or {}
    ]
    try:
        cfn.update_stack(StackName=stack, Parameters=params, Capabilities=CAPABILITIES, **source)
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"stack {stack}: {what} update refused: {exc}") from exc
    deadline = time.monotonic() + timeout
    while True:
        status = str(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            break
        if time.monotonic() > deadline:
            raise OperationError(f"stack {stack} still {status} after {timeout:g} s of {what}")
        time.sleep(poll)
    if status != "UPDATE_COMPLETE":
        raise OperationError(
            f"stack {stack}: the {what} update ended {status}; nothing was deployed. "
            "See the stack's events, then run the command again"
        )
    if progress is not None:
        progress(f"stack {stack} updated ({status})")
    return status


def resolve_before_deploy(
    cfn: Any,
    info: StackInfo,
    live: Sequence[LiveFunction],
    releases: Sequence[Release],
    *,
    progress: Callable[[str], None],
    dry_run: bool = False,
    poll: float = 2.0,
    guard: Callable[[dict[str, Any], dict[str, str]], list[str]] | None = None,
    store: TemplateStore | None = None,
) -> tuple[list[DriftItem], list[str]]:
    """Detect drift and realign what a rollback explains. (items, problems refusing the deploy).

    Called by ``deploy``'s pre-flight, under the release lock, before ``sam`` runs.
    """
    if info.in_progress:
        return [], []  # the pre-flight refuses a stack mid-update anyway
    template = processed_template(cfn, info.name)
    physical = info.physical or physical_ids(cfn, info.name)  # the stack's one listing
    recorded = recorded_versions(template, physical)
    items = find_drift(info, live, recorded, releases)
    problems = [i.message for i in items if not i.resolvable]
    if guard is not None and not problems:
        problems = guard(template, physical)
    if problems or not items or dry_run:
        return items, problems
    realign(cfn, info.name, template, items, progress=progress, poll=poll, store=store)
    return items, []


@dataclass(frozen=True)
class DeployDrift:
    """The drift refusing the deploy, the log's notes for the entry, whether it realigned."""

    problems: list[str]
    notes: dict[str, DriftNote]
    realigned: bool = False


class _Clients(Protocol):
    def client(self, service: str) -> Any: ...


def deploy_preflight(
    engine: _Clients,
    info: StackInfo | None,
    live: Sequence[LiveFunction],
    log: ReleaseLog,
    *,
    progress: Callable[[str], None],
    dry_run: bool = False,
    built_template: Path | None = None,
    allow_rolled_back_code: str = "",
) -> DeployDrift:
    """What ``deploy``'s pre-flight calls instead of refusing every drift: realign the drift a
    rollback explains (not in a dry run), and return the drift it cannot resolve safely,
    with what the log said of each drifted function (written into the release's entry, so
    the next deploy reads no further back than it: drift_log.py).

    ``built_template``: ``sam build``'s output (default ``.aws-sam/build/template.yaml`` in
    the working directory, where ``sam deploy`` takes it from); when found, a drifted
    function whose built code is its rolled-back version's refuses the deploy, unless
    ``allow_rolled_back_code`` gives the reason to release it again (then only said).
    """
    if info is None:
        return DeployDrift([], {})
    template_path = built_template or Path.cwd() / BUILT_TEMPLATE
    from lambda_release.template.built_code import built_code  # noqa: PLC0415

    built = built_code(template_path) if template_path.is_file() else {}
    drifted = {
        f.logical_id: (lf.alias.version, f.recorded_version)
        for f, lf in with_live(info, live)
        if f.recorded_version is not None
        and lf is not None
        and lf.alias is not None
        and lf.alias.version != f.recorded_version
    }
    releases = drift_history(log.newest_first(), drifted)
    items, problems = resolve_before_deploy(
        engine.client("cloudformation"),
        info,
        live,
        releases,
        progress=progress,
        dry_run=dry_run,
        guard=lambda template, physical: allowed(
            rolled_back_code(engine.client("lambda"), info, template, physical, releases, built),
            allow_rolled_back_code,
            progress,
        ),
        store=s3_template_store(log.s3, log.location.bucket, log.base),
    )
    if dry_run and items and not problems:
        names = ", ".join(f"{i.logical_id} ({i.recorded} -> {i.live})" for i in items)
        progress(f"would realign CloudFormation with the live aliases first: {names}")
    realigned = bool(items) and not problems and not dry_run
    return DeployDrift(problems, drift_notes(releases, drifted), realigned)
