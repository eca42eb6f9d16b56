"""Placing new keys in a mapping, for ruamel's CommentedMap and a plain dict alike."""

from __future__ import annotations

from collections.abc import Sequence
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


def put_at(mapping: Any, index: int, key: str, value: Any) -> None:
    """Insert ``key`` at position ``index`` (a new key; order of the others kept)."""
    if hasattr(mapping, "insert"):  # ruamel CommentedMap
        mapping.insert(index, key, value)
        return
    items = list(mapping.items())
    items.insert(index, (key, value))
    mapping.clear()
    mapping.update(items)


def put_in_order(mapping: Any, key: str, value: Any, order: Sequence[str]) -> None:
    """Insert ``key`` before the first existing key that ``order`` places after it."""
    later = set(order[order.index(key) + 1 :]) if key in order else set()
    for i, existing in enumerate(mapping):
        if existing in later:
            put_at(mapping, i, key, value)
            return
    put_at(mapping, len(mapping), key, value)


def put_section(template: Any, key: str, value: Any) -> Any:
    put_in_order(template, key, value, SECTION_ORDER)
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
