"""Placing new keys in a mapping, for ruamel's CommentedMap and a plain dict alike."""

from __future__ import annotations

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

    ``section``: a top-level section or a resource. Where it goes in the text, and the
    blank lines around it, are the layout's business (fix/layout.py): the tree only
    says the order.
    """
    if hasattr(mapping, "insert"):  # ruamel CommentedMap
        mapping.insert(index, key, value)
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
