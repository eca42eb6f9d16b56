"""Reading a stack's resources makes none (docs/sandbox.md, "A stack's resources as read").

moto made a resource the first time it was read: ListStackResources of a stack whose change
set was not executed yet made every resource, and a listing during CREATE_IN_PROGRESS raced
the creation and answered its own Lambda error ("Alias already exists", a JSON answer to
CloudFormation's XML client; CI found it when the product's progress thread listed a stack
sam was creating). AWS lists what exists, with no side effect.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.sandbox.inline_app import inline_template
from tests.support.aws_state import wait_for_stack


def _first_change_set(cfn: Any, stack: str) -> None:
    """A CREATE change set of a SAM app (a function, its role, version, alias PROD, an
    alarm, CodeDeploy's application, group and role): the stack is REVIEW_IN_PROGRESS."""
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateBody=inline_template("1", alias="PROD"),
        Capabilities=["CAPABILITY_IAM"],
    )


def _functions_named(lam: Any, stack: str) -> list[str]:
    names: list[str] = []
    for page in lam.get_paginator("list_functions").paginate():
        names += [f["FunctionName"] for f in page["Functions"] if stack in f["FunctionName"]]
    return names


def test_listing_a_stack_in_review_makes_none_of_its_resources(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("review-read")
    _first_change_set(cfn, stack)
    for _ in range(3):
        assert cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"] == []
        assert cfn.describe_stack_resources(StackName=stack)["StackResources"] == []
    assert _functions_named(lam, stack) == []


def test_listing_a_stack_while_it_is_created_never_fails_and_makes_nothing_twice(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("creating-read")
    _first_change_set(cfn, stack)
    errors: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def list_until_stopped() -> None:
        while not stop.is_set():
            try:
                page = cfn.list_stack_resources(StackName=stack)
            except ClientError as exc:
                errors.append(str(exc))
                return
            seen.update(r["LogicalResourceId"] for r in page["StackResourceSummaries"])

    readers = [threading.Thread(target=list_until_stopped) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        cfn.execute_change_set(StackName=stack, ChangeSetName="first")
        status = wait_for_stack(cfn, stack)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert status == "CREATE_COMPLETE"
    processed = cfn.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
    made = set(
        json.loads(processed)["Resources"] if isinstance(processed, str) else processed["Resources"]
    )
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in listed} == made
    assert seen <= made
    (fn,) = _functions_named(lam, stack)
    aliases = lam.list_aliases(FunctionName=fn)["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in aliases] == [("PROD", "1")]
