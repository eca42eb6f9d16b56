"""Reading and writing YAML the way the orb tools need it.

Reading uses a loader that keeps every scalar CircleCI would see as text
(``on``/``off`` stay strings: YAML 1.2, as CircleCI reads it) and rejects
duplicate keys, which CircleCI also rejects. Writing keeps key order and
writes multi-line strings (scripts) as literal blocks so packed output reads
like the source.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class OrbLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and an error on duplicate keys."""


def _construct_mapping(loader: OrbLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


OrbLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# YAML 1.2 booleans only: CircleCI does not read yes/no/on/off as booleans.
OrbLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
OrbLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load(text: str) -> Any:
    return yaml.load(text, Loader=OrbLoader)  # noqa: S506 - OrbLoader is a SafeLoader


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=200,
        default_flow_style=False,
    )
