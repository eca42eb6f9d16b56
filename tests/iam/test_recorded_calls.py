"""The policies `iam-policy` prints allow every AWS call the helper made, and little else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from parliament import analyze_policy_string  # type: ignore[import-untyped]

from lambda_release.iam.permissions import PERMISSIONS
from lambda_release.iam.policy import role_commands, role_sometimes
from lambda_release.iam.scope import Scope
from lambda_release.log.location import LogLocation
from tests.iam.evaluate import is_allowed
from tests.iam.operations import ROLES, Call, required
from tests.iam.recorder import (
    ACCOUNT,
    ALIAS,
    DUMMY_KEY,
    DUMMY_SECRET,
    DUMMY_TOKEN,
    Story,
    role_scope_args,
)

# Resource kinds named after the stack or its log: another stack's must be refused.
STACK_KINDS = {
    "StackRead",
    "Stack",
    "StackFunctions",
    "StackDeploymentGroups",
    "ReleaseLogObjects",
    "ReleaseLogListing",
}


def printed_policy(story: Story, role: str) -> dict[str, Any]:
    p = story.cli()("iam-policy", "--role", role, *role_scope_args(story), cwd=Path.cwd())
    assert p.returncode == 0, p.stderr
    policy: dict[str, Any] = json.loads(p.stdout)
    return policy


def scope_of(story: Story) -> Scope:
    return Scope(ACCOUNT, story.region, story.stack, ALIAS, LogLocation(story.bucket))


def granted_actions(policy: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for st in policy["Statement"]:
        actions = st["Action"]
        out.update([actions] if isinstance(actions, str) else actions)
    return out


def denied_calls(story: Story, role: str, policy: dict[str, Any]) -> list[str]:
    scope = scope_of(story)
    denied = []
    for call in story.calls(role):
        action, resources = required(call, scope, story.deployment_group, story.function_owner)
        for arn, context in resources:
            if not is_allowed(policy, action, arn, context):
                denied.append(
                    f"{call.command}: {call.service} {call.operation} -> {action} "
                    f"on {arn} {context}"
                )
    return denied


def test_every_role_ran_only_its_commands_and_made_calls(story: Story) -> None:
    for role in ROLES:
        calls = story.calls(role)
        assert calls, f"the story made no AWS call as {role}"
        assert {c.command for c in calls} <= set(role_commands(role)), role
        assert {args[0] for args in story.ran[role]} <= set(role_commands(role))


@pytest.mark.parametrize("role", ROLES)
def test_the_printed_policy_allows_every_recorded_call(story: Story, role: str) -> None:
    policy = printed_policy(story, role)
    assert denied_calls(story, role, policy) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_policy_grants_nothing_unneeded_without_a_reason(story: Story, role: str) -> None:
    policy = printed_policy(story, role)
    needed = {required(c, scope_of(story), story.deployment_group)[0] for c in story.calls(role)}
    if role == "deploy":  # a deploy after a rollback realigned the drift
        assert {"cloudformation:GetTemplate", "cloudformation:UpdateStack"} <= needed
    extra = granted_actions(policy) - needed
    unexplained = sorted(extra - set(role_sometimes(role)))
    assert unexplained == [], f"{role} grants actions no command needed: {unexplained}"
    assert needed <= granted_actions(policy)


@pytest.mark.parametrize("role", ROLES)
def test_another_stack_or_log_is_denied(story: Story, role: str) -> None:
    """The same calls against a neighbouring stack and another log prefix are refused."""
    policy = printed_policy(story, role)
    other = Scope(ACCOUNT, story.region, story.stack, ALIAS, LogLocation(story.bucket))
    scoped = 0
    for call in story.calls(role):
        params = {
            k: (str(v).replace(story.stack, "other-stack") if isinstance(v, str) else v)
            for k, v in call.params.items()
        }
        if params == dict(call.params):
            continue  # an account-wide read (audit): nothing stack-specific to swap
        moved = Call(call.command, call.service, call.operation, params)
        action, resources = required(
            moved,
            other,
            lambda _id: ("other-stack-App", "other-stack-G"),
            lambda _name: "other-stack",  # CloudFormation tagged them with their own stack
        )
        if PERMISSIONS[action].kind not in STACK_KINDS:
            continue  # granted account-wide by necessity (the reason is in PERMISSIONS)
        for arn, context in resources:
            scoped += 1
            assert not is_allowed(policy, action, arn, context), (action, arn, context)
    assert scoped > 0


@pytest.mark.parametrize("role", ROLES)
def test_parliament_finds_nothing(story: Story, role: str) -> None:
    policy = printed_policy(story, role)
    findings = analyze_policy_string(json.dumps(policy)).findings
    assert [(f.issue, f.detail) for f in findings] == []


def test_nothing_printed_or_recorded_carries_the_credentials(story: Story) -> None:
    recorded = [p.read_text() for p in story.traces.values()]
    everything = "\n".join([*story.outputs, *recorded, story.log_objects_text()])
    assert story.stack in everything  # the outputs are there to search
    for secret in (DUMMY_KEY, DUMMY_SECRET, DUMMY_TOKEN):
        assert secret not in everything
