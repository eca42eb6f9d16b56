"""Functions handed to code by name or unqualified ARN, where the code that calls them
cannot be seen: another function's environment (when that function may invoke
functions), an SSM parameter's value, an exported output. Whatever reads the value and
invokes it calls ``$LATEST`` (the SDK's default); the fix is to pass the alias ARN.

Also every explicit ``:$LATEST`` anywhere in the template (``$LATEST`` by name is an
error wherever it is written; docs/rules.md#e9010).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lambda_release.check.invocation_paths import is_custom_resource, path_for
from lambda_release.check.refs import UnqualifiedRef, find_unqualified
from lambda_release.check.source import FUNCTION_TYPES, Resource, SourceTemplate, key_location

# A policy that lets a function invoke others (SAM's template, or an IAM action).
_INVOKES = ("LambdaInvokePolicy", "lambda:Invoke", '"lambda:*"', '"*"')


@dataclass(frozen=True)
class ByName:
    """A function passed by value to code: where (``resource`` None: an output), how."""

    resource: Resource | None
    place: str  # "Environment.Variables.TARGET", "Value", "Outputs.X.Value"
    ref: UnqualifiedRef
    what: str  # for the message: "environment variable TARGET of Worker"


def _may_invoke(fn: Resource, src: SourceTemplate) -> bool:
    """Whether ``fn``'s own policies (or its role's) grant lambda:InvokeFunction."""
    texts = [json.dumps(fn.properties.get("Policies"), default=str)]
    role = fn.properties.get("Role")
    target = None
    if isinstance(role, Mapping):
        att = role.get("Fn::GetAtt")
        target = (att[0] if isinstance(att, list) else str(att).split(".")[0]) if att else None
    if target in src.resources:
        texts.append(json.dumps(src.resources[target].properties, default=str))
    texts.extend(
        json.dumps(r.properties, default=str)
        for r in src.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        if fn.name in json.dumps(r.properties.get("Roles"), default=str)
        or (target is not None and target in json.dumps(r.properties.get("Roles"), default=str))
    )
    return any(word in text for text in texts for word in _INVOKES)


def by_name(src: SourceTemplate) -> list[ByName]:
    """Every function passed by name or unqualified ARN to code that may invoke it."""
    cached: list[ByName] | None = src.memo.get("by_name")
    if cached is not None:
        return cached
    out: list[ByName] = []
    for fn in src.of_type(*FUNCTION_TYPES):
        env = fn.properties.get("Environment")
        variables = env.get("Variables") if isinstance(env, Mapping) else None
        if not isinstance(variables, Mapping) or not _may_invoke(fn, src):
            continue
        for key, value in variables.items():
            for ref in find_unqualified(value, src, literal_names=True):
                if ref.function != fn.name:
                    what = f"environment variable {key} of {fn.name}"
                    out.append(ByName(fn, f"Environment.Variables.{key}", ref, what))
    for res in src.of_type("AWS::SSM::Parameter"):
        for ref in find_unqualified(res.properties.get("Value"), src, literal_names=True):
            out.append(ByName(res, "Value", ref, f"SSM parameter {res.name}"))
    for name, output in _outputs(src):
        if isinstance(output, Mapping) and output.get("Export") is not None:
            for found in find_unqualified(output.get("Value"), src, literal_names=False):
                ref = _placed(found, output)
                out.append(ByName(None, f"Outputs.{name}.Value", ref, f"exported output {name}"))
    src.memo["by_name"] = out
    return out


def _outputs(src: SourceTemplate) -> Iterator[tuple[str, Any]]:
    outputs = src.data.get("Outputs")
    if isinstance(outputs, Mapping):
        for name, output in outputs.items():
            yield str(name), output


def explicit_latest_elsewhere(src: SourceTemplate) -> list[ByName]:
    """``:$LATEST`` written anywhere the invocation paths do not look (they report theirs)."""
    out = [b for b in by_name(src) if b.ref.explicit_latest]
    seen = {(b.resource.name if b.resource else "", b.place.split(".")[0]) for b in out}
    seen |= {("", b.place) for b in out if b.resource is None}
    for res in src.resources.values():
        path = path_for(res.type)
        covered = set(path.properties) if path is not None else set()
        if is_custom_resource(res.type):
            covered.add("ServiceToken")
        for prop, value in res.properties.items():
            if prop in covered or (res.name, prop) in seen or "*" in covered:
                continue
            for ref in find_unqualified(value, src, literal_names=False):
                if ref.explicit_latest:
                    out.append(ByName(res, prop, ref, f"{res.name}.{prop}"))
    for name, output in _outputs(src):
        if ("", f"Outputs.{name}.Value") in seen or not isinstance(output, Mapping):
            continue
        for found in find_unqualified(output.get("Value"), src, literal_names=False):
            if found.explicit_latest:
                ref = _placed(found, output)
                out.append(ByName(None, f"Outputs.{name}.Value", ref, f"output {name}"))
    return out


def _placed(ref: UnqualifiedRef, output: Mapping[str, Any]) -> UnqualifiedRef:
    """An output's reference at its ``Value`` key when the reference has no position."""
    return ref if ref.where is not None else replace(ref, where=key_location(output, "Value"))
