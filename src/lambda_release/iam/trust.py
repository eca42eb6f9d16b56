"""The trust policy that lets CircleCI jobs assume a role through OIDC, with no stored keys.

CircleCI issues each job a token (``$CIRCLE_OIDC_TOKEN_V2``) from the issuer
``https://oidc.circleci.com/org/<org-id>``, with the audience ``<org-id>`` and
the subject
``org/<org-id>/project/<project-id>/user/<user-id>/vcs-origin/<origin>/vcs-ref/<ref>``
(for example ``.../vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main``).
AWS checks ``aud`` and ``sub`` of a generic OIDC provider, so the project and
the branch are limited through ``sub``.

In ``StringLike`` a ``*`` also matches ``/``: a branch named
``x/vcs-ref/refs/heads/main`` would otherwise match a pattern ending in
``/vcs-ref/refs/heads/main``. The policy therefore also refuses any subject
that carries ``/vcs-ref/`` twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.names import git_branch_problem

ISSUER = "oidc.circleci.com/org/{org}"
ACTION = "sts:AssumeRoleWithWebIdentity"
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
# A subject in which a branch name imitates the ref part (see the module's text).
FORGED_REF = "*/vcs-ref/*/vcs-ref/*"


def _uuid(value: str, flag: str, where: str) -> str:
    if not _UUID.match(value):
        raise UsageError(
            f"{flag} {value!r} is not a CircleCI id (a UUID such as "
            f"0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9): copy it from {where}"
        )
    return value.lower()


def subject(org_id: str, project_id: str, user_id: str, origin: str, ref: str) -> str:
    """A V2 token subject, as CircleCI writes it."""
    return f"org/{org_id}/project/{project_id}/user/{user_id}/vcs-origin/{origin}/vcs-ref/{ref}"


def subject_patterns(org_id: str, project_id: str, branches: Sequence[str] = ()) -> list[str]:
    """``sub`` patterns: the project on any ref, or on exactly the named branches."""
    head = f"org/{org_id}/project/{project_id}/user/*"
    if not branches:
        return [head]
    return [f"{head}/vcs-origin/*/vcs-ref/refs/heads/{b}" for b in branches]


def build_trust(
    *,
    account: str,
    org_id: str,
    project_id: str,
    branches: Sequence[str] = (),
    partition: str = "aws",
) -> dict[str, Any]:
    """The trust policy for a role assumed by ``project_id``'s jobs (on ``branches`` only)."""
    org = _uuid(org_id, "--org-id", "CircleCI's Organization Settings > Overview")
    project = _uuid(project_id, "--project-id", "CircleCI's Project Settings > Overview")
    for b in branches:
        problem = git_branch_problem(b)
        if problem is None and ("*" in b or "?" in b):
            problem = "it contains a wildcard; name each branch exactly"
        if problem:
            raise UsageError(f"--branch {b!r} cannot be used: {problem}")
    issuer = ISSUER.format(org=org)
    condition: dict[str, Any] = {
        "StringEquals": {f"{issuer}:aud": org},
        "StringLike": {f"{issuer}:sub": subject_patterns(org, project, branches)},
    }
    if branches:
        condition["StringNotLike"] = {f"{issuer}:sub": FORGED_REF}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CircleCIOidc",
                "Effect": "Allow",
                "Principal": {
                    "Federated": f"arn:{partition}:iam::{account}:oidc-provider/{issuer}"
                },
                "Action": ACTION,
                "Condition": condition,
            }
        ],
    }
