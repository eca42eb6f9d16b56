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
from lambda_release.names import git_branch_problem, validate_branch_pattern

ISSUER = "oidc.circleci.com/org/{org}"
ACTION = "sts:AssumeRoleWithWebIdentity"
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
# A subject in which a branch name imitates the ref part (see the module's text).
FORGED_REF = "*/vcs-ref/*/vcs-ref/*"
# A glob class such as [abc] or [0-9].
_CLASS = re.compile(r"\[([^\]]*)\]")
MAX_PATTERNS = 64


def _uuid(value: str, flag: str, where: str) -> str:
    if not _UUID.match(value):
        raise UsageError(
            f"{flag} {value!r} is not a CircleCI id (a UUID such as "
            f"0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9): copy it from {where}"
        )
    return value.lower()


def branch_patterns(branch: str) -> list[str]:
    """``branch`` (a name, or a glob as ``target --production-branch`` takes) as IAM patterns.

    ``*`` and ``?`` mean in IAM what they mean to ``target`` (fnmatch: ``*`` also matches
    ``/``); ``[abc]`` and ``[a-c]`` become one pattern per character; ``[!...]`` has no IAM
    form and is refused. ``$`` is written ``${$}``: IAM reads ``${...}`` as a variable.
    """
    validate_branch_pattern(branch)
    fixed = re.sub(r"\[[^\]]*\]|[*?]", "x", branch)
    problem = git_branch_problem(fixed)
    if problem is not None:
        raise UsageError(f"--branch {branch!r} cannot be used: {problem}")
    patterns = [""]
    rest = branch
    while rest:
        m = _CLASS.match(rest)
        if rest[0] == "[" and m is None:
            raise UsageError(f"--branch {branch!r} cannot be used: '[' without a closing ']'")
        if m is None:
            chars = ["${$}" if rest[0] == "$" else rest[0]]
            rest = rest[1:]
        else:
            chars = _class_chars(branch, m.group(1))
            rest = rest[m.end() :]
        patterns = [p + c for p in patterns for c in chars]
        if len(patterns) > MAX_PATTERNS:
            raise UsageError(
                f"--branch {branch!r} expands to more than {MAX_PATTERNS} IAM patterns: "
                "use * or ? instead of [...]"
            )
    return patterns


def _class_chars(branch: str, body: str) -> list[str]:
    """The characters of a glob class body (``abc``, ``a-c``); ``!`` (negation) is refused."""
    if not body or body.startswith(("!", "^")):
        raise UsageError(
            f"--branch {branch!r} cannot be used: IAM has no form for [{body}]; "
            "list the branches, or use * and ?"
        )
    chars: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            chars += [chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1)]
            i += 3
        else:
            chars.append(body[i])
            i += 1
    return ["${$}" if c == "$" else c for c in dict.fromkeys(chars)]


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
    patterns = [p for b in branches for p in branch_patterns(b)]
    issuer = ISSUER.format(org=org)
    condition: dict[str, Any] = {
        "StringEquals": {f"{issuer}:aud": org},
        "StringLike": {f"{issuer}:sub": subject_patterns(org, project, patterns)},
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
