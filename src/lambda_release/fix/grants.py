"""IAM grants that must follow an invocation target to the alias.

A Step Functions role (or any identity policy) that allows ``lambda:InvokeFunction``
on ``!GetAtt Fn.Arn`` allows the unqualified function only: once its state machine
calls ``Fn``'s alias, the call is denied. For each function whose targets were moved
to the alias, such a statement also gets ``!Sub '${Fn.Arn}:*'`` (Fn's versions and
aliases, nothing else). Resource-based ``AWS::Lambda::Permission`` resources are
retargeted instead (targets.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from lambda_release.fix.intrinsics import Writer, read

_INVOKE = re.compile(r"^(\*|lambda:\*|lambda:Invoke\*|lambda:InvokeFunction)$", re.IGNORECASE)


def _invokes(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return any(isinstance(a, str) and _INVOKE.match(a) for a in actions)


def _unqualified(item: Any, fn: str) -> bool:
    found = read(item)
    if found is None:
        return False
    name, arg = found
    if name == "Fn::GetAtt":
        return arg in (f"{fn}.Arn",) or (isinstance(arg, list) and list(arg) == [fn, "Arn"])
    if name == "Fn::Sub" and isinstance(arg, str):
        return arg.strip() in (f"${{{fn}.Arn}}",)
    return False


def _qualified(item: Any, fn: str) -> bool:
    found = read(item)
    text = found[1] if found and found[0] == "Fn::Sub" else None
    return isinstance(text, str) and text.startswith(f"${{{fn}.Arn}}:")


def _statements(node: Any) -> Iterator[Any]:
    if isinstance(node, Mapping):
        if "Action" in node and "Resource" in node and node.get("Effect", "Allow") == "Allow":
            yield node
        for value in node.values():
            yield from _statements(value)
    elif isinstance(node, list):
        for value in node:
            yield from _statements(value)


def widen(resources: Mapping[str, Any], moved: set[str], write: Writer) -> Iterator[str]:
    """Add ``${Fn.Arn}:*`` where a statement invokes a moved function unqualified only."""
    for name, res in resources.items():
        for statement in _statements(res):
            if not _invokes(statement["Action"]):
                continue
            current = statement["Resource"]
            items = list(current) if isinstance(current, list) and read(current) is None else None
            for fn in sorted(moved):
                listed = items if items is not None else [current]
                if not any(_unqualified(i, fn) for i in listed) or any(
                    _qualified(i, fn) for i in listed
                ):
                    continue
                grant = write.sub(f"${{{fn}.Arn}}:*")
                if items is None:
                    statement["Resource"] = write.flow_list(current, grant)
                    current = statement["Resource"]
                    items = list(current)
                else:
                    current.append(grant)
                    items.append(grant)
                yield f"{name}: lambda:InvokeFunction also on !Sub '${{{fn}.Arn}}:*' (its alias)"
