"""A small IAM policy evaluator: enough for the tests to check the policies the package writes.

Statements with ``Effect`` Allow or Deny; ``Action``, ``Resource`` and
``Principal`` with IAM's wildcards (``*`` any run of characters, ``/`` and
``:`` included; ``?`` one character; ``${*}``, ``${?}``, ``${$}`` the characters
themselves; actions case-insensitive); conditions
``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike``
(several values: any one matches; several keys and operators: all must
hold). An explicit Deny wins; no matching Allow is a deny. Anything else
(``NotAction``, ``NotResource``, other operators) is refused rather than
guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

SUPPORTED = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")


@lru_cache(maxsize=4096)
def _glob(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # Not fnmatch: it reads [...] as a character class, and IAM has none. ``${*}``,
    # ``${?}`` and ``${$}`` are IAM's way of writing those characters literally.
    parts = re.split(r"(\$\{[*?$]\})", pattern)
    body = "".join(
        re.escape(part[2])
        if i % 2
        else "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part)
        for i, part in enumerate(parts)
    )
    return re.compile(f"(?s:{body})\\Z", re.IGNORECASE if ignore_case else 0)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard matching of one value against one pattern."""
    return _glob(pattern, ignore_case=ignore_case).match(value) is not None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _condition_holds(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, tests in condition.items():
        if operator not in SUPPORTED:
            raise NotImplementedError(f"condition operator {operator} is not supported")
        for key, wanted in tests.items():
            # Condition keys are case-insensitive; values are compared case-sensitively.
            found = {k.lower(): v for k, v in context.items()}.get(key.lower())
            values = _list(wanted)
            negated = operator.startswith("StringNot")
            if found is None:
                if not negated:
                    return False
                continue
            if operator.endswith("Like"):
                hit = any(matches(v, found) for v in values)
            else:
                hit = found in values
            if hit == negated:
                return False
    return True


def _principal_matches(spec: Any, principal: Mapping[str, str] | None) -> bool:
    if spec is None:
        return principal is None
    if spec == "*":
        return True
    if principal is None:
        return False
    for kind, values in spec.items():
        if kind in principal and any(matches(v, principal[kind]) for v in _list(values)):
            return True
    return False


def _statement_applies(
    st: Mapping[str, Any],
    action: str,
    resource: str | None,
    context: Mapping[str, str],
    principal: Mapping[str, str] | None,
) -> bool:
    for unsupported in ("NotAction", "NotResource", "NotPrincipal"):
        if unsupported in st:
            raise NotImplementedError(f"{unsupported} is not supported")
    if not any(matches(a, action, ignore_case=True) for a in _list(st.get("Action"))):
        return False
    if resource is not None and not any(matches(r, resource) for r in _list(st.get("Resource"))):
        return False
    if not _principal_matches(st.get("Principal"), principal):
        return False
    return _condition_holds(st.get("Condition", {}), context)


def _statements(policy: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    st = policy.get("Statement", [])
    return st if isinstance(st, list) else [st]


def is_allowed(
    policy: Mapping[str, Any],
    action: str,
    resource: str | None = None,
    context: Mapping[str, str] | None = None,
    principal: Mapping[str, str] | None = None,
) -> bool:
    """Whether ``policy`` allows ``action`` on ``resource`` (identity policy), or by
    ``principal`` (trust policy: ``resource`` None), given the request's condition keys."""
    ctx = context or {}
    allowed = False
    for st in _statements(policy):
        if _statement_applies(st, action, resource, ctx, principal):
            if st.get("Effect") == "Deny":
                return False
            allowed = allowed or st.get("Effect") == "Allow"
    return allowed
