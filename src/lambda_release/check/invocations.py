"""The template's functions, how each is published, and every path that invokes it.

Shared by E9001 (a function with no alias), E9010 (a path that reaches
``$LATEST``) and I9011 (a custom resource's service token), so that one root
cause is one finding: a path to a function that has no alias at all is part of
E9001's finding (its fix comes after the alias exists), not an E9010 of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_release.check.invocation_paths import (
    ALL,
    InvocationPath,
    is_custom_resource,
    path_for,
)
from lambda_release.check.preferences import preference
from lambda_release.check.refs import LATEST, UnqualifiedRef, find_unqualified
from lambda_release.check.source import (
    LAMBDA_FUNCTION,
    SAM_FUNCTION,
    Resource,
    SourceTemplate,
    location,
)


@dataclass(frozen=True)
class Invocation:
    """One reference, in one invocation path, that reaches ``$LATEST``."""

    resource: Resource
    prop: str
    ref: UnqualifiedRef
    path: InvocationPath


def _named_function(value: Any) -> str | None:
    """The logical id in ``!Ref Fn`` / ``!GetAtt Fn.Arn`` (a FunctionName), else None."""
    if isinstance(value, Mapping) and len(value) == 1:
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        att = value.get("Fn::GetAtt")
        if att is not None:
            return str(att[0] if isinstance(att, list) else att).split(".")[0]
    return None


def plain_aliases(src: SourceTemplate) -> dict[str, str]:
    """Function logical id -> the logical id of an AWS::Lambda::Alias that names it."""
    out: dict[str, str] = {}
    for r in src.of_type("AWS::Lambda::Alias"):
        fn = _named_function(r.properties.get("FunctionName"))
        if fn is not None:
            out.setdefault(fn, r.name)
    return out


def _versions(src: SourceTemplate) -> dict[str, str]:
    """AWS::Lambda::Version logical id -> the function it publishes."""
    out: dict[str, str] = {}
    for r in src.of_type("AWS::Lambda::Version"):
        fn = _named_function(r.properties.get("FunctionName"))
        if fn is not None:
            out[r.name] = fn
    return out


def edge_functions(src: SourceTemplate) -> set[str]:
    """Functions whose published version a CloudFront distribution runs (Lambda@Edge)."""
    versions = _versions(src)
    out: set[str] = set()
    for dist in src.of_type("AWS::CloudFront::Distribution"):
        for ref in _refs_in(dist.properties.get("DistributionConfig")):
            if ref in versions:
                out.add(versions[ref])
            elif ref.endswith(".Version"):
                out.add(ref.removesuffix(".Version"))
    return out


def _refs_in(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if len(value) == 1 and isinstance(value.get("Ref"), str):
            yield str(value["Ref"])
            return
        for v in value.values():
            yield from _refs_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs_in(v)


def functions_without_alias(src: SourceTemplate) -> dict[str, Resource]:
    """Functions that publish no alias (and no Lambda@Edge version): only $LATEST exists."""
    aliased = plain_aliases(src)
    edge = edge_functions(src)
    out: dict[str, Resource] = {}
    for fn in src.of_type(SAM_FUNCTION):
        if fn.properties.get("AutoPublishAlias") in (None, "") and fn.name not in edge:
            out[fn.name] = fn
    for fn in src.of_type(LAMBDA_FUNCTION):
        if fn.name not in aliased and fn.name not in edge:
            out[fn.name] = fn
    return out


def provisioning_only(src: SourceTemplate) -> set[str]:
    """Functions that only custom resources (a ServiceToken) or CodeDeploy (a
    DeploymentPreference hook) call, with no Events and no invocation path: they run on
    stack operations or between traffic shifts, never on release traffic."""
    tokens = {i.ref.function for i in service_tokens(src)} | deployment_hooks(src)
    invoked = {i.ref.function for i in invocations(src)}
    return {
        name
        for name in tokens - invoked
        if name in src.resources and not src.resources[name].properties.get("Events")
    }


def deployment_hooks(src: SourceTemplate) -> set[str]:
    """Functions named as PreTraffic/PostTraffic hooks. CodeDeploy invokes a hook by name,
    unqualified, by design: a hook has no alias of its own to shift."""
    out: set[str] = set()
    for fn in src.of_type(SAM_FUNCTION):
        pref = preference(fn.properties)
        hooks = pref.get("Hooks") if pref is not None else None
        if not isinstance(hooks, Mapping):
            continue
        for value in hooks.values():
            name = value.get("Ref") if isinstance(value, Mapping) else value
            if isinstance(name, str):
                out.add(name)
    return out


def unqualified_call(src: SourceTemplate, function: str) -> str:
    """What an unqualified call to ``function`` does in production, by its kind.

    A durable function (``DurableConfig``) refuses it ("You cannot invoke a durable
    function using an unqualified ARN"); a Lambda Managed Instances function
    (``CapacityProviderConfig``) runs ``$LATEST.PUBLISHED``, the last version
    published, which no release shifted to; any other runs ``$LATEST``. See
    docs/rules.md#e9001 for AWS's pages.
    """
    fn = src.resources.get(function)
    props = fn.properties if fn is not None else {}
    if props.get("DurableConfig") is not None:
        return "Lambda refuses the call (a durable function cannot be invoked unqualified)"
    if props.get("CapacityProviderConfig") is not None:
        return "it runs $LATEST.PUBLISHED (the last version published, not a released alias)"
    return "it invokes $LATEST"


def alias_reference(src: SourceTemplate, function: str) -> str:
    """How to name ``function``'s alias in the template (the fix for a path)."""
    fn = src.resources.get(function)
    if fn is not None and fn.type == SAM_FUNCTION:
        return f"!Ref {function}.Alias"
    alias = plain_aliases(src).get(function)
    if alias is not None:
        return f"!Ref {alias}"
    return f"!Sub '${{{function}.Arn}}:${{AliasName}}'"


def version_reference(src: SourceTemplate, function: str) -> str:
    fn = src.resources.get(function)
    if fn is not None and fn.type == SAM_FUNCTION:
        return f"!Ref {function}.Version"
    return f"!Ref {function}Version (an AWS::Lambda::Version of {function})"


def invocations(src: SourceTemplate) -> list[Invocation]:
    """Every reference in an invocation path that reaches ``$LATEST``, in file order."""
    cached: list[Invocation] | None = src.memo.get("invocations")
    if cached is not None:
        return cached
    out: list[Invocation] = []
    for res in src.resources.values():
        path = path_for(res.type)
        if path is None:
            continue
        props = list(res.properties) if path.properties == ALL else path.properties
        for prop in props:
            out.extend(Invocation(res, prop, ref, path) for ref in _prop_refs(res, prop, src))
    src.memo["invocations"] = out
    return out


def _prop_refs(res: Resource, prop: str, src: SourceTemplate) -> Iterator[UnqualifiedRef]:
    value = res.properties.get(prop)
    if value is None:
        return
    refs = find_unqualified(value, src, literal_names=prop == "FunctionName")
    if res.type == "AWS::Lambda::Url":
        qualifier = res.properties.get("Qualifier")
        if qualifier == LATEST:
            where = location(qualifier)
            for ref in refs:
                yield UnqualifiedRef(ref.function, "Qualifier: $LATEST", where, True)
            return
        if qualifier not in (None, ""):
            yield from (r for r in refs if r.explicit_latest)
            return
    yield from refs


def service_tokens(src: SourceTemplate) -> list[Invocation]:
    """Custom resources whose ServiceToken is a function at ``$LATEST``."""
    path = InvocationPath("custom resource", ("ServiceToken",))
    out: list[Invocation] = []
    for res in src.resources.values():
        if is_custom_resource(res.type):
            out.extend(
                Invocation(res, "ServiceToken", ref, path)
                for ref in _prop_refs(res, "ServiceToken", src)
            )
    return out
