"""Reading a stack's resources makes none (docs/sandbox.md, Fidelity: "reading a stack's
resources while it is made").

moto made a resource the first time it was read: a listing during CREATE_IN_PROGRESS raced
the creation and answered its own Lambda error ("Alias already exists", a JSON answer to
CloudFormation's XML client; CI found it when the product's progress thread listed a stack
sam was creating). AWS lists what exists, with no side effect. The probes of a stack in
review and of an update guard what the old stand-in already did right; the creation's is
the one it failed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.sandbox.inline_app import create_change_set, create_stack, start_update
from tests.support.aws_state import alias_state, published_versions, wait_for_stack


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
    create_change_set(cfn, stack, alias="PROD")
    for _ in range(3):
        assert cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"] == []
        assert cfn.describe_stack_resources(StackName=stack)["StackResources"] == []
    assert _functions_named(lam, stack) == []


class Readers:
    """Three threads listing a stack's resources until stopped, as the product's progress
    thread does while sam runs; what they saw and the errors they got."""

    def __init__(self, cfn: Any, stack: str) -> None:
        self.errors: list[str] = []
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._list, args=(cfn, stack)) for _ in range(3)]

    def _list(self, cfn: Any, stack: str) -> None:
        while not self._stop.is_set():
            try:
                page = cfn.list_stack_resources(StackName=stack)
            except ClientError as exc:
                self.errors.append(str(exc))
                return
            self.seen.update(r["LogicalResourceId"] for r in page["StackResourceSummaries"])

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def _processed_resources(cfn: Any, stack: str) -> set[str]:
    body = cfn.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
    return set((json.loads(body) if isinstance(body, str) else body)["Resources"])


def test_listing_a_stack_while_it_is_created_never_fails_and_makes_nothing_twice(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("creating-read")
    create_change_set(cfn, stack, alias="PROD")
    with Readers(cfn, stack) as readers:
        cfn.execute_change_set(StackName=stack, ChangeSetName="create")
        status = wait_for_stack(cfn, stack)
    assert readers.errors == []
    assert status == "CREATE_COMPLETE"
    made = _processed_resources(cfn, stack)
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in listed} == made
    assert readers.seen <= made
    (fn,) = _functions_named(lam, stack)
    aliases = lam.list_aliases(FunctionName=fn)["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in aliases] == [("PROD", "1")]


def test_listing_a_stack_while_it_is_updated_publishes_the_new_version_once_after_the_code(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    """An update adds a Version resource: a read that made it would publish the old code,
    before the function's update, as a version of its own."""
    cfn, lam = clients["cloudformation"], clients["lambda"]
    stack = unique("updating-read")
    assert create_stack(cfn, stack, "1", alias="PROD", deployment_type="AllAtOnce") == (
        "CREATE_COMPLETE"
    )
    with Readers(cfn, stack) as readers:
        start_update(cfn, stack, "2", alias="PROD", deployment_type="AllAtOnce")
        status = wait_for_stack(cfn, stack)
    assert readers.errors == []
    assert status == "UPDATE_COMPLETE"
    listed = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in listed} == _processed_resources(cfn, stack)
    (fn,) = _functions_named(lam, stack)
    assert published_versions(lam, fn) == ["1", "2"]
    assert alias_state(lam, fn, "PROD") == ("2", {})
    assert lam.invoke(FunctionName=fn, Qualifier="PROD")["Payload"].read() == b'"2"'
