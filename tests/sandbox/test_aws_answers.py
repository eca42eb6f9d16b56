"""Where the stand-in answered what AWS does not (issue 28): each probe asserts AWS's answer.

Each test names the AWS source it follows in docs/sandbox.md ("Fidelity"); where the product
handles the answer, a test drives the product's code path through the stand-in too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambda_release.stable import Current, apply_stable
from tests.sandbox.conftest import zipped


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    response: Any = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


# a. CreateAlias of an existing alias


def test_create_alias_of_an_existing_name_is_a_resource_conflict(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(2)
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="2")
    assert _error(exc) == (409, "ResourceConflictException")
    assert lam.get_alias(FunctionName=fn, Name="PROD")["FunctionVersion"] == "1"


def test_stable_pointer_created_meanwhile_is_updated_instead(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    """apply_stable: CreateAlias finds the pointer made meanwhile (a re-run) and updates it."""
    lam = clients["lambda"]
    fn = function_with_versions(2)
    lam.create_alias(FunctionName=fn, Name="PROD_STABLE", FunctionVersion="1")
    current = {"Fn": Current("Fn", fn, "", version="2", stable_now=None)}  # read before it was made
    warnings = apply_stable(lam, "PROD", "r1", current, {"Fn": "2"})
    assert warnings == []
    assert lam.get_alias(FunctionName=fn, Name="PROD_STABLE")["FunctionVersion"] == "2"


# d. PublishVersion with a CodeSha256 that is not $LATEST's


def test_publish_version_with_another_code_sha256_publishes_nothing(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    lam.update_function_code(FunctionName=fn, ZipFile=zipped("V = 'new'\n"))
    sha = lam.get_function_configuration(FunctionName=fn)["CodeSha256"]
    wrong = "A" * 43 + "="
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName=fn, CodeSha256=wrong)
    assert _error(exc) == (400, "InvalidParameterValueException")
    assert "CodeSHA256" in exc.value.response["Error"]["Message"]
    versions = lam.list_versions_by_function(FunctionName=fn)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert lam.publish_version(FunctionName=fn, CodeSha256=sha)["Version"] == "2"


# b. DeleteFunction of $LATEST


def test_delete_function_of_latest_is_refused_and_the_function_stays(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=fn, Qualifier="$LATEST")
    assert _error(exc) == (400, "InvalidParameterValueException")
    assert lam.get_function(FunctionName=fn)["Configuration"]["Version"] == "$LATEST"
    versions = lam.list_versions_by_function(FunctionName=fn)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    lam.delete_function(FunctionName=fn, Qualifier="1")  # a published version still goes
    lam.delete_function(FunctionName=fn)  # and so does the whole function


# e. ListChangeSets of one stack

_EMPTY_TEMPLATE = """
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
"""


def test_list_change_sets_names_only_the_stacks_own(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stacks = [unique("changesets"), unique("changesets")]
    ids = {}
    for stack in stacks:
        made = cfn.create_change_set(
            StackName=stack,
            ChangeSetName=f"cs-{stack}",
            ChangeSetType="CREATE",
            TemplateBody=_EMPTY_TEMPLATE,
        )
        ids[stack] = made["StackId"]
    for stack in stacks:
        for name_or_id in (stack, ids[stack]):
            summaries = cfn.list_change_sets(StackName=name_or_id)["Summaries"]
            assert [s["ChangeSetName"] for s in summaries] == [f"cs-{stack}"]
            assert {s["StackName"] for s in summaries} == {stack}
