"""A stack's resources as read: those that exist, and reading makes none.

moto's ``Stack.stack_resources`` (behind ListStackResources, DescribeStackResources and
DescribeStackResource) went through the resource map's ``__getitem__``, which creates a
resource the first time it is read. A listing while a change set was executing on its
thread (``cloudformation.StackOperation``) raced the creation: a resource made twice, or
the second CreateAlias answering "Alias already exists" as the listing's own answer (a
Lambda JSON error to CloudFormation's XML client). AWS lists the stack's resources as they
are, with no side effect (ListStackResources: "Returns descriptions of all resources of the
specified stack", https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models


def made_resources(stack: Any) -> list[Any]:
    """The stack's resources made so far: those of the template being applied, then those of
    the template in force that an update has not deleted yet. Snapshots first: the stack's
    operation thread changes these maps while a request reads them."""
    rm = stack.resource_map
    parsed = dict(rm._parsed_resources)
    applying = list(rm._resource_json_map or {})
    in_force = list((getattr(stack, "template_dict", None) or {}).get("Resources") or {})
    made: list[Any] = []
    for lid in dict.fromkeys([*applying, *in_force]):
        resource = parsed.get(lid)
        # Parameters share the map (as strings or lists); a resource is a model object.
        if resource is not None and not isinstance(resource, str | list):
            made.append(resource)
    return made


def install() -> None:
    cfn_models.Stack.stack_resources = property(made_resources)  # type: ignore[assignment,method-assign]
