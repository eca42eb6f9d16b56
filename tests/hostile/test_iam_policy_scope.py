"""Issue 12 item 10: iam-policy grants exactly the stack's own functions; --trust takes the
branch globs `target` takes, and nothing a branch name can forge."""

from __future__ import annotations

import uuid
from fnmatch import fnmatchcase

import pytest

from lambda_release.errors import UsageError
from lambda_release.iam.policy import build_policy
from lambda_release.iam.scope import Scope
from lambda_release.iam.trust import ACTION, build_trust, subject
from lambda_release.log.location import LogLocation
from tests.iam.evaluate import is_allowed
from tests.iam.operations import Call, required

ACCOUNT = "123456789012"
ORG, PROJECT, USER = (str(uuid.uuid4()) for _ in range(3))
STACK = "my-lambda-prod"


def _scope(stack: str = STACK) -> Scope:
    return Scope(ACCOUNT, "eu-west-1", stack, "PROD", LogLocation("artifacts"))


def _function_call(operation: str, function: str) -> Call:
    return Call("deploy", "lambda", operation, {"FunctionName": function, "Name": "PROD"})


@pytest.mark.parametrize("role", ["deploy", "rollback"])
@pytest.mark.parametrize("operation", ["UpdateAlias", "CreateAlias", "ListAliases"])
def test_a_neighbour_stack_whose_name_extends_ours_is_denied(role: str, operation: str) -> None:
    policy = build_policy(role, _scope())
    ours, theirs = f"{STACK}-AFunction-1A2B3C4D5E6F", f"{STACK}-eu-AFunction-9Z8Y7X6W5V4U"
    owners = {ours: STACK, theirs: f"{STACK}-eu"}
    if operation != "ListAliases" and role == "deploy":
        operation = "UpdateAlias"  # deploy moves <ALIAS>_STABLE
    for function, allowed in ((ours, True), (theirs, False)):
        action, resources = required(
            _function_call(operation, function), _scope(), owner=owners.get
        )
        assert all(is_allowed(policy, action, arn, ctx) is allowed for arn, ctx in resources), (
            function,
            resources,
        )


def test_an_untagged_function_with_our_prefix_is_denied() -> None:
    """A function made by hand, not by the stack's CloudFormation, matches the name only."""
    policy = build_policy("rollback", _scope())
    action, resources = required(
        _function_call("UpdateAlias", f"{STACK}-handmade"), _scope(), owner=lambda _n: None
    )
    assert not any(is_allowed(policy, action, arn, ctx) for arn, ctx in resources)


def test_deploy_role_can_realign_drift_on_its_stack_only() -> None:
    policy = build_policy("deploy", _scope())
    for operation in ("GetTemplate", "UpdateStack"):
        call = Call("deploy", "cloudformation", operation, {"StackName": STACK})
        action, resources = required(call, _scope())
        assert all(is_allowed(policy, action, arn, ctx) for arn, ctx in resources)
        other = Call("deploy", "cloudformation", operation, {"StackName": f"{STACK}-eu"})
        action, resources = required(other, _scope())
        assert not any(is_allowed(policy, action, arn, ctx) for arn, ctx in resources)
    assert not any(
        "cloudformation:UpdateStack" in st["Action"]
        for st in build_policy("readonly", _scope())["Statement"]
    )


def _sam_codedeploy_names(stack: str) -> tuple[str, str]:
    """(application, group) as CloudFormation names SAM's for a function AFunction."""
    return (
        f"{stack}-ServerlessDeploymentApplication-1A2B3C4D5E6F",
        f"{stack}-AFunctionDeploymentGroup-9Z8Y7X6W5V4U",
    )


@pytest.mark.parametrize(
    ("role", "operation"),
    [
        ("deploy", "BatchGetDeploymentGroups"),
        ("deploy", "GetDeployment"),
        ("rollback", "GetDeployment"),
    ],
)
def test_a_neighbour_stacks_deployment_groups_are_denied(role: str, operation: str) -> None:
    """`<stack>-*/*` matched `<stack>-eu`'s application too; SAM's application name does not."""
    policy = build_policy(role, _scope())
    for stack, allowed in ((STACK, True), (f"{STACK}-eu", False), (f"{STACK}2", False)):
        app, group = _sam_codedeploy_names(stack)
        params = {"applicationName": app, "deploymentGroupNames": [group], "deploymentId": "d"}
        call = Call(role, "codedeploy", operation, params)
        action, resources = required(call, _scope(), lambda _id, a=app, g=group: (a, g))
        assert all(is_allowed(policy, action, arn, ctx) is allowed for arn, ctx in resources), (
            stack,
            resources,
        )


def _assumes(policy: dict[str, object], ref: str) -> bool:
    issuer = f"oidc.circleci.com/org/{ORG}"
    principal = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"}
    sub = subject(ORG, PROJECT, USER, "github.com/acme/app", ref)
    context = {f"{issuer}:sub": sub, f"{issuer}:aud": ORG}
    return is_allowed(policy, ACTION, None, context, principal)  # type: ignore[arg-type]


@pytest.mark.parametrize("glob", ["release/*", "v[12].?", "hotfix-[a-c]*", "main"])
def test_trust_with_a_target_glob_assumes_exactly_the_branches_target_calls_production(
    glob: str,
) -> None:
    policy = build_trust(account=ACCOUNT, org_id=ORG, project_id=PROJECT, branches=[glob])
    for branch in ("main", "release/1.2", "release/a/b", "v1.x", "v3.x", "hotfix-b1", "hotfix-d"):
        assert _assumes(policy, f"refs/heads/{branch}") is fnmatchcase(branch, glob), branch
    # A branch named to imitate the ref part of the subject never matches.
    assert not _assumes(policy, "refs/heads/x/vcs-ref/refs/heads/release/1")


def test_a_dollar_in_a_branch_is_literal_not_an_iam_variable() -> None:
    policy = build_trust(account=ACCOUNT, org_id=ORG, project_id=PROJECT, branches=["a$b"])
    patterns = policy["Statement"][0]["Condition"]["StringLike"]  # type: ignore[index]
    assert any("a${$}b" in p for v in patterns.values() for p in v)
    assert _assumes(policy, "refs/heads/a$b") and not _assumes(policy, "refs/heads/a${$}b")


@pytest.mark.parametrize(
    ("glob", "message"),
    [
        ("v[!1]", "--branch 'v[!1]' cannot be used: IAM has no form for [!1]"),
        ("a..b", "--branch 'a..b' cannot be used"),
        ("x[0-9][0-9]", "--branch 'x[0-9][0-9]' expands to more than 64 IAM patterns"),
        ("", "production branch pattern '' is empty"),
    ],
)
def test_trust_refuses_globs_iam_cannot_express(glob: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        build_trust(account=ACCOUNT, org_id=ORG, project_id=PROJECT, branches=[glob])
    assert str(raised.value).startswith(message)
