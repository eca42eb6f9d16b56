"""The template as written: SAM properties kept, every node with its line and column.

cfn-lint may hand rules a template after the SAM transform (older releases
ran it; 1.x merges ``Globals`` only), where ``AutoPublishAlias: !Ref X`` is
gone. The rules therefore read the source file again (once per file, cached),
decoded by cfn-lint's own decoder so that every node carries its position,
and merge SAM ``Globals`` into each serverless resource themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_release.template.sam_globals import globals_taken, merged_property

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)
# SAM Globals section -> resource type it applies to.
GLOBALS_SECTIONS = {
    "Function": SAM_FUNCTION,
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}

Location = tuple[int, int, int, int]  # 0-based start line, column, end line, column


def location(node: Any) -> Location | None:
    """Where a decoded node sits in the file, or None for a value without marks."""
    start = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    if start is None or end is None:
        return None
    return (start.line, start.column, end.line, end.column)


def key_location(mapping: Any, key: str) -> Location | None:
    """Where ``key`` is written inside ``mapping`` (the key itself, not its value)."""
    if isinstance(mapping, Mapping):
        for k in mapping:
            if k == key:
                return location(k) or location(mapping)
    return location(mapping)


@dataclass
class Resource:
    """One resource of the source template, with SAM Globals merged into its properties."""

    name: str
    type: str
    node: Mapping[str, Any]
    properties: dict[str, Any]
    # property name -> the mapping it was written in (the resource's or the Globals')
    written_in: dict[str, Any] = field(default_factory=dict)

    def path(self, *parts: str | int) -> list[str | int]:
        return ["Resources", self.name, "Properties", *parts]


@dataclass
class SourceTemplate:
    """The decoded source: sections as written, resources with their merged properties."""

    filename: str | None
    data: Mapping[str, Any]
    resources: dict[str, Resource] = field(default_factory=dict)
    _name_locations: dict[str, Location | None] = field(default_factory=dict)
    # What several rules work out from the same source (see check/invocations.py).
    memo: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_data(cls, filename: str | None, data: Any) -> SourceTemplate:
        data = data if isinstance(data, Mapping) else {}
        src = cls(filename, data)
        globals_ = data.get("Globals")
        globals_ = globals_ if isinstance(globals_, Mapping) else {}
        resources = data.get("Resources")
        if not isinstance(resources, Mapping):
            return src
        for name, node in resources.items():
            if not isinstance(node, Mapping) or not isinstance(node.get("Type"), str):
                continue
            props = node.get("Properties")
            props = props if isinstance(props, Mapping) else {}
            merged: dict[str, Any] = {}
            written_in: dict[str, Any] = {}
            for section, rtype in GLOBALS_SECTIONS.items():
                g = globals_.get(section)
                if rtype == node["Type"] and isinstance(g, Mapping):
                    for k, v in globals_taken(node, g).items():
                        merged[k] = v
                        written_in[k] = g
            for k, v in props.items():
                key = str(k)
                merged[key] = merged_property(key, merged[key], v) if key in merged else v
                written_in[key] = props
            res = Resource(str(name), node["Type"], node, merged, written_in)
            src._name_locations[str(name)] = location(name)  # the key itself has the marks
            src.resources[str(name)] = res
        return src

    def where(self, resource: Resource, prop: str | None = None) -> Location | None:
        if prop is not None and prop in resource.written_in:
            return key_location(resource.written_in[prop], prop)
        return self._name_locations.get(resource.name)

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources.values() if r.type in types)

    @property
    def functions(self) -> dict[str, Resource]:
        found: dict[str, Resource] | None = self.memo.get("functions")
        if found is None:  # asked once per reference: computed once per template
            found = {n: r for n, r in self.resources.items() if r.type in FUNCTION_TYPES}
            self.memo["functions"] = found
        return found

    @property
    def parameters(self) -> Mapping[str, Any]:
        p = self.data.get("Parameters")
        return p if isinstance(p, Mapping) else {}

    @property
    def metadata(self) -> Mapping[str, Any]:
        m = self.data.get("Metadata")
        return m if isinstance(m, Mapping) else {}


_CACHE: dict[tuple[str, int, int], SourceTemplate] = {}


def _cache_key(filename: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(filename)
    except OSError:
        return None
    return (os.path.abspath(filename), st.st_size, st.st_mtime_ns)


def remember_source(filename: str, data: Any) -> None:
    """Keep a file that the engine has just decoded, so the rules do not decode it again."""
    key = _cache_key(filename)
    if key is not None:
        _CACHE.clear()  # one template at a time: a run over many files keeps no old ones
        _CACHE[key] = SourceTemplate.from_data(filename, data)


def read_source(filename: str) -> SourceTemplate | None:
    """The decoded file, cached by path, size and modification time; None if unreadable."""
    key = _cache_key(filename)
    if key is None:
        return None
    if key not in _CACHE:
        from cfnlint.decode import decode  # noqa: PLC0415 - optional dependency, on use

        data, errors = decode(filename)
        if errors or data is None:
            return None
        _CACHE[key] = SourceTemplate.from_data(filename, data)
    return _CACHE[key]


def source_of(cfn: Any) -> SourceTemplate:
    """The source behind cfn-lint's Template: the file as written, else cfn-lint's own copy."""
    filename = getattr(cfn, "filename", None)
    if filename and filename != "-":
        src = read_source(str(filename))
        if src is not None:
            return src
    cached: SourceTemplate | None = getattr(cfn, "_lambda_release_source", None)
    if cached is None:
        cached = SourceTemplate.from_data(filename, cfn.template)
        cfn._lambda_release_source = cached
    return cached
