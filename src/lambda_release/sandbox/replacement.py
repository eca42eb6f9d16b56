"""Which property changes CloudFormation makes by replacing a Lambda resource.

AWS documents, per property, "Update requires: Replacement": a new physical resource is
created, the resources that refer to it are updated to the new one, and the old one is
deleted in the cleanup phase (kept, should the update roll back). moto updates in place,
so a function renamed kept its old name. The sandbox models the Lambda cases a release
meets; docs/sandbox.md cites each.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation.parsing import clean_json


def function_name(name_or_arn: object) -> str:
    """A function's name from its name, its ARN, or a qualified ARN (``...:function:f:PROD``)."""
    text = str(name_or_arn)
    if text.startswith("arn:"):
        return text.split(":")[6]
    return text.split(":", maxsplit=1)[0]


def resolved_property(body: dict[str, Any], name: str, resource_map: Any) -> Any:
    """One property of a template resource with Ref/GetAtt/Sub resolved against the stack."""
    props = body.get("Properties") or {}
    if name not in props:
        return None
    return clean_json(copy.deepcopy(props[name]), resource_map)


def generated_name_prefix(resource_map: Any, logical_id: str) -> str:
    """How a name CloudFormation generates for the stack's resource begins (moto adds a
    random suffix, as CloudFormation does: ``<stack>-<logical id>-<suffix>``)."""
    return f"{resource_map['AWS::StackName']}-{logical_id}-"


def replaces(current: Any, body: dict[str, Any], resource_map: Any, logical_id: str) -> bool:
    """Updating ``current`` to ``body`` creates a new physical resource (AWS's "Update
    requires: Replacement"): a function's ``FunctionName`` changed, set or removed (a removed
    name is replaced by a generated one, unless the name was generated already); an alias's
    ``FunctionName`` or ``Name``; a version's ``FunctionName``.
    """
    if current is None:
        return False
    kind = body.get("Type")
    named = resolved_property(body, "FunctionName", resource_map)
    if kind == "AWS::Lambda::Function":
        if named is None:
            prefix = generated_name_prefix(resource_map, logical_id)
            return not str(current.function_name).startswith(prefix)
        return str(named) != str(current.function_name)
    if kind == "AWS::Lambda::Alias":
        name = resolved_property(body, "Name", resource_map)
        return (function_name(named), str(name)) != (str(current.function_name), str(current.name))
    if kind == "AWS::Lambda::Version":
        return function_name(named) != str(current.function_name)
    return False
