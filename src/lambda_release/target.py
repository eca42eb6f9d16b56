"""From a branch to a release target: environment, alias and stack.

``main`` (or any branch matching a production pattern) releases to the
production alias and stack; every other branch to staging. A pipeline with no
branch (a tag build) must name its target; it is never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase

from lambda_release.errors import UsageError
from lambda_release.names import (
    validate_alias,
    validate_branch,
    validate_branch_pattern,
    validate_stack_name,
)

PROD = "prod"
STAGING = "staging"
DEFAULT_PRODUCTION_BRANCHES = ("main",)
DEFAULT_PROD_ALIAS = "PROD"
DEFAULT_STAGING_ALIAS = "STAGING"


@dataclass(frozen=True)
class Target:
    """Where one release goes."""

    environment: str
    alias: str
    stack: str
    branch: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict())

    def as_env(self) -> str:
        """Lines to append to ``$BASH_ENV``; every value single-quoted, so sourcing runs nothing."""
        return "".join(
            f"export LAMBDA_RELEASE_{key.upper()}={shell_quote(value)}\n"
            for key, value in self.as_dict().items()
        )


def shell_quote(value: str) -> str:
    """Always single-quote: inside '...' bash expands nothing, and ' is written as '\\''."""
    return "'" + value.replace("'", "'\\''") + "'"


def is_production(branch: str, patterns: Sequence[str]) -> bool:
    """Whether ``branch`` matches a production pattern (shell-style; ``*`` also matches ``/``)."""
    return any(fnmatchcase(branch, p) for p in patterns)


def resolve_target(
    branch: str | None,
    *,
    production_branches: Sequence[str] = DEFAULT_PRODUCTION_BRANCHES,
    prod_alias: str = DEFAULT_PROD_ALIAS,
    staging_alias: str = DEFAULT_STAGING_ALIAS,
    stack_prefix: str | None = None,
    prod_stack: str | None = None,
    staging_stack: str | None = None,
    environment: str | None = None,
) -> Target:
    """Work out the target for ``branch``; every name is checked before it is returned.

    ``environment`` (``prod`` or ``staging``) names the target outright, for
    pipelines with no branch; with a branch as well, the two must agree.
    """
    if environment is not None and environment not in (PROD, STAGING):
        raise UsageError(f"environment {environment!r} is neither {PROD!r} nor {STAGING!r}")
    if not branch and environment is None:
        raise UsageError(
            "no branch: this pipeline has none (a tag build?) or CIRCLE_BRANCH is empty. "
            "Give --branch, or name the target with --environment prod|staging"
        )
    if branch:
        validate_branch(branch)
    patterns = [validate_branch_pattern(p) for p in production_branches]
    if not patterns:
        raise UsageError("no production branch given: use --production-branch main")
    validate_alias(prod_alias, what="production alias")
    validate_alias(staging_alias, what="staging alias")
    if prod_alias == staging_alias:
        raise UsageError(
            f"production and staging alias are both {prod_alias!r}: they must differ, or "
            "staging releases would move production traffic"
        )
    if (
        branch
        and environment is not None
        and is_production(branch, patterns) != (environment == PROD)
    ):
        raise UsageError(
            f"branch {branch!r} is not a {environment} branch (production branches: "
            f"{', '.join(patterns)}): drop --environment or fix --production-branch"
        )
    production = environment == PROD if environment else is_production(branch or "", patterns)
    environment = PROD if production else STAGING
    return Target(
        environment=environment,
        alias=prod_alias if production else staging_alias,
        stack=_stack(production, stack_prefix, prod_stack, staging_stack),
        branch=branch or "",
    )


def _stack(
    production: bool, stack_prefix: str | None, prod_stack: str | None, staging_stack: str | None
) -> str:
    """The target's stack: named outright, else ``<prefix>-<environment>``; checked."""
    environment = PROD if production else STAGING
    explicit = prod_stack if production else staging_stack
    if explicit:
        stack = validate_stack_name(explicit, what=f"{environment} stack")
    elif stack_prefix:
        stack = validate_stack_name(
            f"{stack_prefix}-{environment}", what=f"stack from prefix {stack_prefix!r}"
        )
    else:
        flag = "--prod-stack" if production else "--staging-stack"
        raise UsageError(f"no stack for {environment}: give --stack-prefix or {flag}")
    other = staging_stack if production else prod_stack
    if explicit and other == explicit:
        raise UsageError(f"production and staging stack are both {explicit!r}: they must differ")
    return stack
