"""The CircleCI OIDC trust policy against sample V2 token subjects, through the console script."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from parliament import analyze_policy_string  # type: ignore[import-untyped]

from lambda_release.iam.trust import ACTION, subject
from tests.iam.evaluate import is_allowed
from tests.iam.recorder import ACCOUNT, iam_policy
from tests.support.processes import Cli

ORG = str(uuid.uuid4())
PROJECT = str(uuid.uuid4())
OTHER_PROJECT = str(uuid.uuid4())
USER = str(uuid.uuid4())
ORIGIN = "github.com/acme/app"


def trust(lr: Cli, *branches: str) -> dict[str, Any]:
    flags = [f"--branch={b}" for b in branches]
    p = iam_policy(
        lr, "--trust", "--account", ACCOUNT, "--org-id", ORG, "--project-id", PROJECT, *flags
    )
    assert p.returncode == 0, p.stderr
    policy: dict[str, Any] = json.loads(p.stdout)
    return policy


def assumes(policy: dict[str, Any], sub: str, *, aud: str = ORG, org: str = ORG) -> bool:
    issuer = f"oidc.circleci.com/org/{org}"
    principal = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"}
    context = {f"{issuer}:sub": sub, f"{issuer}:aud": aud}
    return is_allowed(policy, ACTION, None, context, principal)


def sub(ref: str, project: str = PROJECT) -> str:
    return subject(ORG, project, USER, ORIGIN, ref)


def test_production_role_only_from_main(lr: Cli) -> None:
    policy = trust(lr, "main")
    assert assumes(policy, sub("refs/heads/main"))
    assert not assumes(policy, sub("refs/heads/feature/x"))
    assert not assumes(policy, sub("refs/heads/main", OTHER_PROJECT))
    assert not assumes(policy, sub("refs/tags/v1.0.0"))
    assert not assumes(policy, sub("refs/heads/main-hotfix"))
    # A branch whose name imitates the ref part of the subject.
    assert not assumes(policy, sub("refs/heads/x/vcs-ref/refs/heads/main"))
    assert not assumes(policy, sub("refs/heads/main"), aud="someone-else")
    assert not assumes(policy, sub("refs/heads/main"), org=str(uuid.uuid4()))


def test_staging_role_from_any_branch_of_the_project_only(lr: Cli) -> None:
    policy = trust(
        lr,
    )
    assert assumes(policy, sub("refs/heads/main"))
    assert assumes(policy, sub("refs/heads/feature/x"))
    assert not assumes(policy, sub("refs/heads/feature/x", OTHER_PROJECT))


def test_several_branches(lr: Cli) -> None:
    policy = trust(lr, "main", "release")
    assert assumes(policy, sub("refs/heads/release"))
    assert not assumes(policy, sub("refs/heads/feature/x"))


def test_parliament_on_the_trust_policy(lr: Cli) -> None:
    """Parliament reads policies as identity policies: a trust policy has no Resource and a
    federated principal it does not know. Anything beyond those two is a real finding."""
    findings = analyze_policy_string(json.dumps(trust(lr, "main"))).findings
    expected = {"UNKNOWN_FEDERATION_SOURCE", "MALFORMED"}
    assert {f.issue for f in findings} <= expected, [(f.issue, f.detail) for f in findings]
    malformed = [f for f in findings if f.issue == "MALFORMED"]
    assert all("Resource" in str(f.detail) for f in malformed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org-id", "not-a-uuid", "--project-id", PROJECT], "--org-id 'not-a-uuid'"),
        (["--org-id", ORG, "--project-id", "x"], "--project-id 'x'"),
        (["--org-id", ORG], "--trust needs --org-id and --project-id"),
        (["--org-id", ORG, "--project-id", PROJECT, "--branch", "v[!1]"], "--branch 'v[!1]'"),
        (["--org-id", ORG, "--project-id", PROJECT, "--branch", "a..b"], "--branch 'a..b'"),
    ],
)
def test_bad_trust_input_is_refused(lr: Cli, args: list[str], message: str) -> None:
    p = iam_policy(lr, "--trust", "--account", ACCOUNT, *args)
    assert p.returncode == 2 and message in p.stderr, p.stderr
