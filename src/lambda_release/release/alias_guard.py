"""Pre-flight: refuse a template that would take the release's alias off a function.

A function that carries the alias now must still publish it after the deploy: the
template's ``AutoPublishAlias`` (or ``Globals.Function.AutoPublishAlias``) must resolve
to the alias, given the parameter overrides sam deploy gets. Otherwise CloudFormation
deletes the alias and production calls nothing; ``--allow-alias-removal`` says it is
meant. A value the helper cannot resolve (``!Sub``, ``!If``) is left to the settlement,
which reports ``failed`` (reason ``alias-removed``) if it happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lambda_release.template.sam_globals import globals_taken

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
UNRESOLVED = object()


def published_alias(
    template: Mapping[str, Any], logical_id: str, overrides: Mapping[str, str]
) -> object:
    """The alias ``logical_id`` publishes: a name, None (none), or UNRESOLVED."""
    resource = (template.get("Resources") or {}).get(logical_id)
    if not isinstance(resource, Mapping) or resource.get("Type") != SERVERLESS_FUNCTION:
        return UNRESOLVED  # not a SAM function (or gone): not this check's business
    props = resource.get("Properties") or {}
    globals_fn = globals_taken(resource, (template.get("Globals") or {}).get("Function"))
    value = props.get("AutoPublishAlias", globals_fn.get("AutoPublishAlias"))
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Ref"}:
        name = str(value["Ref"])
        if name in overrides:
            return overrides[name]
        param = (template.get("Parameters") or {}).get(name)
        if isinstance(param, Mapping) and isinstance(param.get("Default"), str):
            return param["Default"]
    return UNRESOLVED


def alias_removals(
    template: Mapping[str, Any],
    carrying: Iterable[str],
    alias: str,
    overrides: Mapping[str, str],
) -> list[str]:
    """Of the functions ``carrying`` the alias now (logical ids), those the template would
    take it from, each with what it would publish instead."""
    out = []
    for lid in sorted(carrying):
        now = published_alias(template, lid, overrides)
        if now is UNRESOLVED or now == alias:
            continue
        out.append(f"{lid} ({'no AutoPublishAlias' if now is None else f'alias {now}'})")
    return out


# Resources that may hold functions the template does not show, or change which exist.
OPAQUE_TYPES = ("AWS::Serverless::Application", "AWS::CloudFormation::Stack", "AWS::Lambda::Alias")


def functions_publishing(
    template: Mapping[str, Any], alias: str, overrides: Mapping[str, str]
) -> frozenset[str] | None:
    """Logical ids of the functions that publish ``alias`` once the template is deployed,
    or None when the template cannot say for sure (an alias it cannot resolve, a resource
    under a Condition, a nested stack or application, an alias written by hand, a
    transform other than SAM's, a function whose replacement keeps the old one): then the
    stack is read again instead."""
    transform = template.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(t not in (None, "AWS::Serverless-2016-10-31") for t in transforms):
        return None
    out: set[str] = set()
    for lid, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, Mapping):
            return None
        kind = resource.get("Type")
        if kind in OPAQUE_TYPES:
            return None
        if kind != SERVERLESS_FUNCTION:
            continue
        published = published_alias(template, str(lid), overrides)
        if published is UNRESOLVED or "Condition" in resource:
            return None
        if resource.get("UpdateReplacePolicy", "Delete") != "Delete":
            # SAM passes the policy on to the alias: a replaced function (FunctionName
            # changed) leaves the old one behind still carrying the alias, so reading the
            # known functions by name would find the old one and miss the new.
            return None
        if published == alias:
            out.add(str(lid))
    return frozenset(out)


def refusal(stack: str, alias: str, removals: list[str]) -> str:
    return (
        f"the template would remove alias {alias} from {', '.join(removals)} in stack "
        f"{stack}: production would call nothing there. Restore AutoPublishAlias (AliasName "
        f"{alias}), or pass --allow-alias-removal if that is meant"
    )
