"""A stack whose own rollback failed (``UPDATE_ROLLBACK_FAILED``): what failed, the way out.

CloudFormation leaves such a stack alone until someone continues the rollback, fixing the
cause or skipping the resources it cannot restore (for example an alias whose old version
was deleted). Until then nothing can update it: ``deploy`` and ``rollback`` refuse, and say
exactly what to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import botocore.exceptions

STUCK = "UPDATE_ROLLBACK_FAILED"
EVENTS_READ_MAX = 10  # pages of stack events read looking for the failed rollback's start


@dataclass(frozen=True)
class FailedResource:
    logical_id: str
    reason: str


def failed_resources(cfn: Any, stack: str) -> list[FailedResource]:
    """The resources the latest rollback could not restore (newest events first)."""
    found: dict[str, str] = {}
    try:
        pages = cfn.get_paginator("describe_stack_events").paginate(StackName=stack)
        for number, page in enumerate(pages):
            for event in page.get("StackEvents", []):
                lid = str(event.get("LogicalResourceId", ""))
                status = str(event.get("ResourceStatus", ""))
                if event.get("ResourceType") == "AWS::CloudFormation::Stack" and lid == stack:
                    if status == "UPDATE_ROLLBACK_IN_PROGRESS":
                        return [FailedResource(k, v) for k, v in found.items()]
                    continue
                if status == "UPDATE_FAILED" and lid not in found:
                    found[lid] = str(event.get("ResourceStatusReason") or "")
            if number + 1 >= EVENTS_READ_MAX:
                break
    except botocore.exceptions.ClientError:
        pass  # the message below still gives the way out, without the names
    return [FailedResource(k, v) for k, v in found.items()]


def stuck_message(cfn: Any, stack: str) -> str:
    """One paragraph: the stack is stuck, what failed, the commands that free it."""
    failed = failed_resources(cfn, stack)
    what = "; ".join(f"{f.logical_id} ({f.reason})" if f.reason else f.logical_id for f in failed)
    skip = " ".join(f.logical_id for f in failed) or "<LogicalResourceId> ..."
    return (
        f"stack {stack} is {STUCK}: CloudFormation could not finish rolling back"
        f"{': ' + what if what else ''}. Nothing can deploy to it or roll it back until the "
        "rollback is continued: fix the cause and run `aws cloudformation "
        f"continue-update-rollback --stack-name {stack}`, or skip what cannot be restored "
        f"with `aws cloudformation continue-update-rollback --stack-name {stack} "
        f"--resources-to-skip {skip}` (a skipped alias keeps what it serves now: check it "
        "with `lambda-release status`); then run this again"
    )
