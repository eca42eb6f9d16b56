"""Where the stand-in answered what AWS does not (issue 28): each probe asserts AWS's answer.

Each test names the AWS source it follows in docs/sandbox.md ("Fidelity"); where the product
handles the answer, a test drives the product's code path through the stand-in too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from lambda_release.aws.stack import FunctionNow, read_live
from lambda_release.observe.audit import Auditor, AuditReport
from lambda_release.release.stable import apply_stable
from lambda_release.sandbox.lambda_paging import DEFAULT_PAGE
from tests.support.zips import app_zip


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
    # Read before the pointer was made: no stable version known.
    current = {"Fn": FunctionNow("Fn", fn, "", version="2", stable=None)}
    warnings = apply_stable(lam, "PROD", "r1", current, {"Fn": "2"})
    assert warnings == []
    assert lam.get_alias(FunctionName=fn, Name="PROD_STABLE")["FunctionVersion"] == "2"


# d. PublishVersion with a CodeSha256 that is not $LATEST's


def test_publish_version_with_another_code_sha256_publishes_nothing(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    lam.update_function_code(FunctionName=fn, ZipFile=app_zip("V = 'new'\n"))
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


def test_a_create_change_set_on_a_stack_in_review_in_progress_creates_that_stack(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    """A first change set never executed leaves the stack REVIEW_IN_PROGRESS; a second
    CREATE change set is made on that stack (sam deploy's has_stack counts on it) and
    executing it creates it: one stack of that name, its id kept."""
    cfn = clients["cloudformation"]
    stack = unique("review")
    first = cfn.create_change_set(
        StackName=stack, ChangeSetName="never", ChangeSetType="CREATE", TemplateBody=_EMPTY_TEMPLATE
    )
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == (
        "REVIEW_IN_PROGRESS"
    )
    second = cfn.create_change_set(
        StackName=stack, ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=_EMPTY_TEMPLATE
    )
    assert second["StackId"] == first["StackId"]
    cfn.execute_change_set(StackName=stack, ChangeSetName="again")
    for _ in range(100):
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
        time.sleep(0.05)
    assert status == "CREATE_COMPLETE"
    listed = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == stack]
    assert [s["StackId"] for s in listed] == [first["StackId"]]


def test_a_create_change_set_on_an_existing_stack_is_refused(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stack = unique("exists")
    cfn.create_stack(StackName=stack, TemplateBody=_EMPTY_TEMPLATE)
    with pytest.raises(ClientError) as exc:
        cfn.create_change_set(
            StackName=stack, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=_EMPTY_TEMPLATE
        )
    assert _error(exc) == (400, "ValidationError")
    assert f"Stack [{stack}] already exists" in str(exc.value)


# f. A change set whose SAM transform fails

# The translator refuses DeploymentPreference without AutoPublishAlias.
_BAD_SAM_TEMPLATE = json.dumps(
    {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "app.handler",
                    "InlineCode": "def handler(e, c): return 1",
                    "DeploymentPreference": {"Type": "AllAtOnce"},
                },
            }
        },
    }
)


@pytest.mark.parametrize("change_set_type", ["CREATE", "UPDATE"])
def test_a_change_set_whose_transform_fails_is_failed_with_the_transforms_reason(
    clients: dict[str, Any], unique: Callable[[str], str], change_set_type: str
) -> None:
    """CloudFormation makes the change set and fails it: FAILED, not executable, the reason
    "Transform AWS::Serverless-2016-10-31 failed with: ..." (moto answered an HTML 500)."""
    cfn = clients["cloudformation"]
    stack = unique("badsam")
    if change_set_type == "UPDATE":
        cfn.create_stack(StackName=stack, TemplateBody=_EMPTY_TEMPLATE)
    made = cfn.create_change_set(
        StackName=stack,
        ChangeSetName="bad",
        ChangeSetType=change_set_type,
        TemplateBody=_BAD_SAM_TEMPLATE,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    found = cfn.describe_change_set(ChangeSetName=made["Id"])
    assert (found["Status"], found["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert found["StatusReason"].startswith(
        "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application "
        "Specification document."
    )
    assert "AutoPublishAlias" in found["StatusReason"]
    assert found["Changes"] == []
    with pytest.raises(ClientError) as exc:
        cfn.execute_change_set(ChangeSetName=made["Id"])
    assert _error(exc)[1] == "ValidationError"
    expected = "REVIEW_IN_PROGRESS" if change_set_type == "CREATE" else "CREATE_COMPLETE"
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == expected


# g. A resource CreateStack cannot create (found by strict mode: moto answered the resource's
# own Lambda JSON error to CreateStack, which botocore could not read)

_FUNCTION_WITHOUT_ITS_ROLE = """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/no-such-role
      Code: {ZipFile: "def handler(e, c): return 1"}
"""


def test_a_resource_create_stack_cannot_create_fails_the_stack_not_the_call(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stack = unique("nocreate")
    made = cfn.create_stack(StackName=stack, TemplateBody=_FUNCTION_WITHOUT_ITS_ROLE)
    for _ in range(100):
        status = cfn.describe_stacks(StackName=made["StackId"])["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
        time.sleep(0.05)
    assert status == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    (failed,) = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["LogicalResourceId"] == "Fn"
    assert "role" in failed["ResourceStatusReason"]
    (rollback,) = [e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"]
    assert rollback["ResourceStatusReason"] == "The following resource(s) failed to create: [Fn]. "


def _settled(cfn: Any, stack: str) -> str:
    for _ in range(200):
        status = str(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.05)
    return status


def test_a_change_set_whose_resource_cannot_be_created_fails_as_create_stack_does(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    """sam deploys through a change set: its failure shows as CreateStack's (the resource
    CREATE_FAILED with why, the stack's reason naming it), and the stack rolled back lists
    no resource (moto made them again when listed, and answered the failed one's error)."""
    cfn = clients["cloudformation"]
    stack = unique("nocreate-cs")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateBody=_FUNCTION_WITHOUT_ITS_ROLE,
    )
    for _ in range(200):
        cs = cfn.describe_change_set(StackName=stack, ChangeSetName="first")
        if cs["Status"] == "CREATE_COMPLETE":
            break
        time.sleep(0.05)
    cfn.execute_change_set(StackName=stack, ChangeSetName="first")
    assert _settled(cfn, stack) == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    (failed,) = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["LogicalResourceId"] == "Fn" and "role" in failed["ResourceStatusReason"]
    (rollback,) = [e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"]
    assert rollback["ResourceStatusReason"] == "The following resource(s) failed to create: [Fn]. "
    assert cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"] == []


# c. ListAliases (and ListVersionsByFunction) page by MaxItems and Marker


def _all_pages(call: Callable[..., Any], key: str, **kwargs: Any) -> tuple[list[str], int]:
    names: list[str] = []
    pages = 0
    marker = None
    while True:
        resp = call(**kwargs, **({"Marker": marker} if marker else {}))
        pages += 1
        names.extend(str(x.get("Name", x.get("Version"))) for x in resp[key])
        marker = resp.get("NextMarker")
        if not marker:
            return names, pages


def test_list_aliases_pages_by_max_items_and_marker(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    made = [f"A{i:02d}" for i in range(5)]
    for name in made:
        lam.create_alias(FunctionName=fn, Name=name, FunctionVersion="1")
    first = lam.list_aliases(FunctionName=fn, MaxItems=2)
    assert len(first["Aliases"]) == 2
    assert first["NextMarker"]
    names, pages = _all_pages(lam.list_aliases, "Aliases", FunctionName=fn, MaxItems=2)
    assert sorted(names) == made
    assert pages == 3
    whole = lam.list_aliases(FunctionName=fn)
    assert sorted(a["Name"] for a in whole["Aliases"]) == made
    assert "NextMarker" not in whole


def test_list_versions_by_function_pages_by_max_items_and_marker(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(4)
    versions, pages = _all_pages(
        lam.list_versions_by_function, "Versions", FunctionName=fn, MaxItems=2
    )
    assert versions == ["$LATEST", "1", "2", "3", "4"]
    assert pages == 3


def test_the_products_alias_reads_page_past_the_first_page(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    """stack.read_live (release, rollback, status) follows NextMarker past a page of 50 aliases."""
    lam = clients["lambda"]
    fn = function_with_versions(2)
    others = [f"X{i:02d}" for i in range(DEFAULT_PAGE)]  # a full first page before the two
    for name in others:
        lam.create_alias(FunctionName=fn, Name=name, FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="2")
    lam.create_alias(FunctionName=fn, Name="PROD_STABLE", FunctionVersion="1")
    assert "NextMarker" in lam.list_aliases(FunctionName=fn)  # the reads below need a 2nd page
    (live,) = read_live(lam, [fn], "PROD", "PROD_STABLE")
    assert live.alias is not None and live.alias.version == "2"
    assert live.stable is not None and live.stable.version == "1"
    assert sorted(live.aliases) == sorted([*others, "PROD", "PROD_STABLE"])


def test_audit_reads_aliases_past_the_first_page(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    """audit's alias check (botocore's paginator) sees an alias on $LATEST on the second page."""
    lam = clients["lambda"]
    fn = function_with_versions(1)
    for i in range(DEFAULT_PAGE):
        lam.create_alias(FunctionName=fn, Name=f"X{i:02d}", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="EDGE", FunctionVersion="$LATEST")
    assert "NextMarker" in lam.list_aliases(FunctionName=fn)

    class OneClient:
        def client(self, service: str) -> Any:
            return clients[service]

    report = AuditReport(stack="s", alias="PROD", since="now")
    Auditor(cast(Any, OneClient()), report).aliases(fn)
    assert report.without_alias == []
    assert [(p.kind, p.source) for p in report.paths] == [("alias", "EDGE")]
