"""AWS's and git's naming rules, checked before anything runs.

The local AWS stand-in accepts names AWS rejects, so the helper enforces the
real rules itself. Each check raises ``UsageError`` naming the bad value and
the rule it breaks.
"""

from __future__ import annotations

import re

from lambda_release.errors import UsageError

# Lambda allows 128 characters for an alias; we keep 7 for the "_STABLE"
# suffix of the stable-version alias that every release maintains.
STABLE_SUFFIX = "_STABLE"
LAMBDA_ALIAS_MAX = 128
ALIAS_MAX = LAMBDA_ALIAS_MAX - len(STABLE_SUFFIX)
STACK_MAX = 128

_ALIAS_CHARS = re.compile(r"[A-Za-z0-9_-]+")
_STACK_CHARS = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
# git check-ref-format forbids these characters anywhere in a ref.
_GIT_FORBIDDEN = set(" ~^:?*[\\")


def printable(value: str) -> str:
    """The value as it should appear in a message: quoted, control characters escaped."""
    return repr(value)


def validate_alias(alias: str, *, what: str = "alias") -> str:
    """Check a Lambda alias name as Lambda accepts it, leaving room for ``_STABLE``."""
    if not alias:
        raise UsageError(f"{what} is empty: give a name such as PROD or STAGING")
    if not _ALIAS_CHARS.fullmatch(alias):
        raise UsageError(
            f"{what} {printable(alias)} is not a valid Lambda alias name: "
            "use only letters, digits, '-' and '_'"
        )
    if alias.isdigit():
        raise UsageError(
            f"{what} {printable(alias)} is all digits, which Lambda reads as a version number: "
            "include at least one letter"
        )
    if len(alias) > ALIAS_MAX:
        raise UsageError(
            f"{what} {printable(alias[:20] + '...')} is {len(alias)} characters long: "
            f"at most {ALIAS_MAX} are allowed so that '<alias>{STABLE_SUFFIX}' "
            f"fits Lambda's {LAMBDA_ALIAS_MAX}"
        )
    return alias


def stable_alias_name(alias: str) -> str:
    """The alias that points at each function's stable version, e.g. ``PROD_STABLE``."""
    return validate_alias(alias) + STABLE_SUFFIX


def validate_stack_name(stack: str, *, what: str = "stack name") -> str:
    """Check a CloudFormation stack name: a letter, then letters, digits and hyphens."""
    if not stack:
        raise UsageError(f"{what} is empty: give --stack or --stack-prefix")
    if len(stack) > STACK_MAX:
        raise UsageError(
            f"{what} {printable(stack[:20] + '...')} is {len(stack)} characters long: "
            f"CloudFormation allows at most {STACK_MAX}"
        )
    if not _STACK_CHARS.fullmatch(stack):
        raise UsageError(
            f"{what} {printable(stack)} is not a valid CloudFormation stack name: it must "
            "start with a letter and contain only letters, digits and hyphens"
        )
    return stack


def git_branch_problem(branch: str) -> str | None:
    """Why ``branch`` is not a branch name git allows, or None if it is one.

    The rules of ``git check-ref-format --branch``: a name that passes them can
    still contain quotes, ``$`` and backticks, so output must always be quoted.
    """
    problem: str | None = None
    if not branch:
        problem = "it is empty"
    elif any(ord(c) < 0o40 or ord(c) == 0o177 for c in branch):
        problem = "it contains a control character (a newline, a tab, ...)"
    elif forbidden := sorted({c for c in branch if c in _GIT_FORBIDDEN}):
        problem = "it contains " + " ".join(repr(c) for c in forbidden)
    elif branch.startswith("-"):
        problem = "it starts with '-'"
    elif ".." in branch or "@{" in branch or "//" in branch:
        problem = "it contains '..', '@{' or '//'"
    elif branch.startswith("/") or branch.endswith("/") or branch.endswith("."):
        problem = "it starts or ends with '/', or ends with '.'"
    elif any(part.startswith(".") or part.endswith(".lock") for part in branch.split("/")):
        problem = "a part of it starts with '.' or ends with '.lock'"
    return problem


def validate_branch(branch: str) -> str:
    """Check a branch name against git's rules (``git check-ref-format --branch``)."""
    problem = git_branch_problem(branch)
    if problem is not None:
        raise UsageError(f"branch {printable(branch)} is not a branch name git allows: {problem}")
    return branch


def validate_branch_pattern(pattern: str) -> str:
    """Check a production-branch pattern: a branch name, or one with glob characters."""
    if not pattern or pattern.strip() != pattern:
        raise UsageError(
            f"production branch pattern {printable(pattern)} is empty or has surrounding "
            "spaces: give a branch name such as main or a glob such as 'release/*'"
        )
    if any(ord(c) < 0o40 or ord(c) == 0o177 for c in pattern):
        raise UsageError(
            f"production branch pattern {printable(pattern)} contains a control character"
        )
    return pattern
