"""CloudFormation intrinsics read and written in the file's own spelling.

YAML templates get the short tags (``!Ref X``) that ruamel.yaml keeps as tagged
nodes; JSON templates get the long form (``{"Ref": "X"}``). Reading accepts both
in either file, since templates mix them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SHORT_TAGS = {
    "!Ref": "Ref",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!FindInMap": "Fn::FindInMap",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Base64": "Fn::Base64",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Condition": "Condition",
}
LONG_TO_SHORT = {v: k for k, v in SHORT_TAGS.items()}


def tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) and value.startswith("!") else None


def read(node: Any) -> tuple[str, Any] | None:
    """(long name, argument) when ``node`` is an intrinsic, else None."""
    tag = tag_of(node)
    if tag in SHORT_TAGS:
        inner = getattr(node, "value", None) if not isinstance(node, list | Mapping) else node
        return SHORT_TAGS[tag], inner if inner is not None else node
    if isinstance(node, Mapping) and len(node) == 1:
        (key,) = node.keys()
        if key in LONG_TO_SHORT:
            return str(key), node[key]
    return None


def ref_target(node: Any) -> str | None:
    found = read(node)
    if found and found[0] == "Ref" and isinstance(found[1], str):
        return found[1]
    return None


class Writer:
    """Builds new nodes in the style of one file."""

    def __init__(self, yaml_style: bool) -> None:
        self.yaml = yaml_style

    def mapping(self, *pairs: tuple[str, Any]) -> Any:
        if not self.yaml:
            return dict(pairs)
        from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415 - optional dependency

        return CommentedMap(pairs)

    def flow_list(self, *items: Any) -> Any:
        if not self.yaml:
            return list(items)
        from ruamel.yaml.comments import CommentedSeq  # noqa: PLC0415

        seq = CommentedSeq(items)
        seq.fa.set_flow_style()
        return seq

    def block_list(self, *items: Any) -> Any:
        if not self.yaml:
            return list(items)
        from ruamel.yaml.comments import CommentedSeq  # noqa: PLC0415

        seq = CommentedSeq(items)
        seq.fa.set_block_style()
        return seq

    def _scalar(self, name: str, value: str, style: str | None = None) -> Any:
        if not self.yaml:
            return {name: value}
        from ruamel.yaml.comments import TaggedScalar  # noqa: PLC0415

        return TaggedScalar(value=value, style=style, tag=LONG_TO_SHORT[name])

    def _sequence(self, name: str, *items: Any) -> Any:
        if not self.yaml:
            return {name: list(items)}
        from ruamel.yaml.tag import Tag  # noqa: PLC0415

        seq = self.flow_list(*items)
        seq.yaml_set_ctag(Tag(suffix=LONG_TO_SHORT[name]))
        return seq

    def ref(self, target: str) -> Any:
        return self._scalar("Ref", target)

    def ref_like(self, old: Any, target: str) -> Any:
        """``Ref target`` spelt as ``old`` was: long form stays long, short stays short."""
        if isinstance(old, Mapping) and tag_of(old) is None:
            return self.mapping(("Ref", target))
        return self.ref(target)

    def sub(self, text: str, like: Any = None) -> Any:
        style = getattr(like, "style", None) if like is not None else "'"
        return self._scalar("Fn::Sub", text, style)

    def sub_map(self, text: Any, variables: Any) -> Any:
        """``!Sub [text, {variables}]``: the variable-map form (in YAML a block list: in a
        flow list ruamel writes a one-entry map without its braces, legal but unfamiliar)."""
        node = self._sequence("Fn::Sub", text, variables)
        if self.yaml:
            node.fa.set_block_style()
        return node

    def if_(self, condition: str, then: Any, otherwise: Any) -> Any:
        return self._sequence("Fn::If", condition, then, otherwise)

    def equals(self, left: Any, right: Any) -> Any:
        return self._sequence("Fn::Equals", left, right)
