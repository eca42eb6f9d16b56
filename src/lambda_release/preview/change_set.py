"""The stack's changes, from a CloudFormation change set created, described and deleted.

``sam deploy --no-execute-changeset`` makes it exactly as the real deploy would (the same
command: the code packaged and uploaded to the artifacts bucket, content-addressed, as the
real run uploads it; the template transformed the same way); it is described
(``DescribeChangeSet``, every page) and deleted, never executed. A stack that did not
exist is created by CloudFormation in ``REVIEW_IN_PROGRESS`` for the change set: it is
deleted too (it holds no resource).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambda_release.aws.stack import describe_stack
from lambda_release.errors import OperationError
from lambda_release.release.stack_alias import StackAlias
from lambda_release.template.secrets import Value

_ARN = re.compile(r"arn:aws[\w-]*:cloudformation:[^\s]+:changeSet/[^\s]+")
NO_EXECUTE = "--no-execute-changeset"


@dataclass(frozen=True)
class Change:
    """One resource change: Add, Modify, Remove (Delete), and whether it replaces."""

    action: str
    logical_id: str
    resource_type: str
    replacement: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "action": self.action,
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "replacement": self.replacement,
        }


@dataclass
class ChangeSetView:
    """What the change set said (``created``: False when sam found nothing to change)."""

    created: bool
    changes: list[Change] = field(default_factory=list)
    output: str = ""  # sam's own lines (masked), for when it failed


def preview_change_set(
    engine: StackAlias,
    sam_command: Sequence[Value],
    sam_env: Mapping[str, str],
    run_sam: Callable[..., int],
    progress: Callable[[str], None],
) -> ChangeSetView:
    """Create the change set the release would execute, read it, delete it."""
    cfn = engine.client("cloudformation")
    existed = describe_stack(cfn, engine.stack) is not None
    captured = io.StringIO()
    progress("creating a change set (sam deploy --no-execute-changeset); it is never executed")
    code = run_sam([*sam_command, NO_EXECUTE], env=sam_env, out=captured)
    text = captured.getvalue()
    found = _ARN.search(text)
    if code != 0:
        raise OperationError(
            f"sam could not create the change set (exit {code}): "
            + (text.strip().splitlines() or ["no output"])[-1]
        )
    if found is None:
        return ChangeSetView(False, output=text)  # no changes: sam deleted it itself
    arn = found.group(0)
    try:
        changes = _describe(cfn, arn)
    finally:
        left = _delete(cfn, arn, engine.stack, created_stack=not existed)
        if left:
            progress(f"note: {left}")
    return ChangeSetView(True, changes, text)


def _describe(cfn: Any, arn: str) -> list[Change]:
    changes: list[Change] = []
    kwargs: dict[str, str] = {"ChangeSetName": arn}
    while True:
        try:
            page = cfn.describe_change_set(**kwargs)
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot read change set {arn}: {exc}") from exc
        for c in page.get("Changes", []):
            rc = c.get("ResourceChange") or {}
            changes.append(
                Change(
                    str(rc.get("Action", "")),
                    str(rc.get("LogicalResourceId", "")),
                    str(rc.get("ResourceType", "")),
                    str(rc.get("Replacement") or ""),
                )
            )
        if not page.get("NextToken"):
            return changes
        kwargs["NextToken"] = str(page["NextToken"])


def _delete(cfn: Any, arn: str, stack: str, *, created_stack: bool) -> str:
    """Delete the change set; and the empty stack CloudFormation made for it, if it did
    (a note when it may not)."""
    try:
        cfn.delete_change_set(ChangeSetName=arn)
    except botocore.exceptions.ClientError as exc:
        # Gone already (a real deploy executed its own, which removes the others): fine.
        if "ChangeSetNotFound" not in str(exc):
            raise OperationError(f"cannot delete change set {arn}: {exc}") from exc
    if created_stack:
        desc = describe_stack(cfn, stack)
        if desc is not None and desc.get("StackStatus") == "REVIEW_IN_PROGRESS":
            try:
                cfn.delete_stack(StackName=stack)
            except botocore.exceptions.ClientError as exc:
                # Not granted by iam-policy (docs/security.md): the empty stack stays, and
                # the first deploy creates the stack over it.
                return f"the empty stack {stack} made to hold the change set stays ({exc})"
    return ""
