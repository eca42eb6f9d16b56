"""Per-environment physical names (E9008).

A fixed account-wide name (a bucket's, a queue's, a function's) collides between the
per-environment stacks: it becomes ``!Sub '<name>-${AliasName}'``, unless the name must be
lower case or is written out elsewhere in the template, which is left for a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from lambda_release.check.rules.fixed_name import NAMED_PROPERTIES
from lambda_release.fix.intrinsics import Writer

# Names that must be lower case (an alias such as PROD cannot go into them).
LOWER_CASE_NAMES = ("AWS::S3::Bucket", "AWS::ECR::Repository")


def per_stack(root: Any, parameter: str, write: Writer) -> tuple[list[str], list[str]]:
    """Make each fixed name in ``root`` differ per stack; what changed, and what is left."""
    changes: list[str] = []
    left: list[str] = []
    resources = root["Resources"]
    for name, node in list(resources.items()):
        if not isinstance(node, Mapping):
            continue
        prop = NAMED_PROPERTIES.get(str(node.get("Type")))
        props = node.get("Properties")
        if prop is None or not isinstance(props, MutableMapping):
            continue
        fixed = props.get(prop)
        if not isinstance(fixed, str) or not fixed:
            continue
        renamed = f"{fixed}-${{{parameter}}}"
        if node.get("Type") in LOWER_CASE_NAMES:
            left.append(
                f"{name}.{prop}: {fixed} is fixed, and an alias in it would break "
                "the lower-case rule; drop the name or make it differ per stack"
            )
            continue
        ids = {str(k) for k in resources}
        if sum(fixed in t for t in _strings(root) if t.split(".")[0] not in ids) > 1:
            left.append(
                f"{name}.{prop}: {fixed} is written out elsewhere in the template; "
                f"make it differ per stack, e.g. !Sub '{renamed}', and update those places"
            )
            continue
        props[prop] = write.sub(renamed)
        changes.append(
            f"{name}.{prop}: {fixed} -> !Sub '{renamed}' (one name per environment's stack)"
        )
    return changes, left


def _strings(node: Any) -> Iterator[str]:
    """Every string value in the tree (not keys), tagged scalars' values included."""
    value = getattr(node, "value", None)
    if isinstance(value, str):
        yield value
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def hand_written_alias(root: Any, functions: list[str], alias: str) -> str | None:
    """A place that names ``alias`` of one of ``functions`` by hand (``FnAlias<alias>``, SAM's
    logical id for it, or ``${Fn.Arn}:<alias>``), quoted for a message; else None."""
    patterns = [
        re.compile(rf"(^|[^A-Za-z0-9]){re.escape(fn)}Alias{re.escape(alias)}($|[^A-Za-z0-9])")
        for fn in functions
    ] + [
        re.compile(rf"\$\{{{re.escape(fn)}(\.Arn)?\}}:{re.escape(alias)}($|[^A-Za-z0-9_-])")
        for fn in functions
    ]
    for text in _strings(root):
        for pattern in patterns:
            m = pattern.search(text)
            if m is not None:
                return text if len(text) <= 80 else "..." + m.group(0).strip() + "..."
    return None
