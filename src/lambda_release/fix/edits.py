"""Placing new keys in a mapping, for ruamel's CommentedMap and a plain dict alike."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

# CloudFormation's customary order of top-level sections.
SECTION_ORDER = (
    "AWSTemplateFormatVersion",
    "Transform",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Globals",
    "Resources",
    "Outputs",
)


def put_at(mapping: Any, index: int, key: str, value: Any, *, section: bool = False) -> None:
    """Insert ``key`` at position ``index`` (a new key; order of the others kept).

    ``section``: a top-level section or a resource, which gets the blank lines that set
    its siblings apart (elsewhere, those blank lines end the block and move).
    """
    if hasattr(mapping, "insert"):  # ruamel CommentedMap
        keys = list(mapping)
        # ruamel keeps the blank lines and comments that follow an entry on that entry's
        # last line; they introduce what comes next, so they move to the new entry.
        trailing = (
            _take_trailing(mapping, keys[index - 1], section) if 0 < index <= len(keys) else None
        )
        mapping.insert(index, key, value)
        if trailing is not None:
            _give_trailing(mapping, key, trailing)
        return
    items = list(mapping.items())
    items.insert(index, (key, value))
    mapping.clear()
    mapping.update(items)


def put(mapping: Any, key: str, value: Any, *, section: bool = False) -> None:
    """Set ``key``: in place if it exists, else as a new last entry (``section``: see put_at)."""
    if key in mapping:
        mapping[key] = value
    else:
        put_at(mapping, len(mapping), key, value, section=section)


def _last_slot(mapping: Any, key: Any) -> tuple[Any, Any]:
    """The block collection and key whose comment slot ends the entry ``key``."""
    holder, slot = mapping, key
    node: Any = mapping[key]
    while _is_block(node):
        holder = node
        slot = list(node)[-1] if isinstance(node, Mapping) else len(node) - 1
        node = node[slot]
    return holder, slot


def _is_block(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return (
        isinstance(node, Mapping | list) and bool(node) and fa is not None and not fa.flow_style()
    )


def _position(holder: Any) -> int:
    return 2 if isinstance(holder, Mapping) else 0


def _take_trailing(mapping: Any, key: Any, section: bool) -> Any:
    holder, slot = _last_slot(mapping, key)
    entry = holder.ca.items.get(slot)
    pos = _position(holder)
    if not entry or entry[pos] is None:
        return None
    token = entry[pos]
    if section and not token.value.strip():
        return copy.copy(token)  # blank lines between sections: both sections keep them
    entry[pos] = None
    moved = copy.copy(token)
    if getattr(holder[slot], "style", None) in ("|", ">") or type(holder[slot]).__name__ in (
        "LiteralScalarString",
        "FoldedScalarString",
    ):
        # after a block scalar the line is already ended; elsewhere the token ends it
        moved.value = "\n" + token.value
    return moved


def _give_trailing(mapping: Any, key: Any, token: Any) -> None:
    holder, slot = _last_slot(mapping, key)
    entry = holder.ca.items.setdefault(slot, [None, None, None, None])
    entry[_position(holder)] = token


def put_section(template: Any, key: str, value: Any) -> Any:
    later = set(SECTION_ORDER[SECTION_ORDER.index(key) + 1 :])
    index = next((i for i, k in enumerate(template) if k in later), len(template))
    put_at(template, index, key, value, section=True)
    return template[key]


def put_after(mapping: Any, after: str, key: str, value: Any) -> None:
    keys = list(mapping)
    put_at(mapping, keys.index(after) + 1 if after in keys else len(keys), key, value)


def unique_key(mapping: Any, wanted: str) -> str:
    if wanted not in mapping:
        return wanted
    n = 2
    while f"{wanted}{n}" in mapping:
        n += 1
    return f"{wanted}{n}"
