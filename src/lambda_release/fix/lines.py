"""Where a fix's label (``Fn.DeploymentPreference``, ``Parameters.AliasName``) is written.

What the fixer leaves for a person names the key and the line it is on in the file as
read, so that the person can go there: ``Fn.AutoPublishAlias ... (line 12)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_LABEL = re.compile(r"^([A-Za-z0-9_.\-]+)")


class KeyLines:
    """Labels resolved against one template's tree (ruamel's positions; JSON has none)."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def line(self, label: str) -> int | None:
        """The 1-based line of the deepest key ``label`` names, or None."""
        m = _LABEL.match(label)
        if m is None or not isinstance(self.root, Mapping):
            return None
        parts = [p for p in m.group(1).rstrip(":.").split(".") if p]
        resources = self.root.get("Resources")
        node: Any
        if parts and parts[0] in self.root:
            node = self.root
        elif parts and isinstance(resources, Mapping) and parts[0] in resources:
            node = resources
        else:
            return None
        found: int | None = None
        for part in parts:
            if isinstance(node, Mapping) and part not in node and "Properties" in node:
                node = node["Properties"]
            if not isinstance(node, Mapping) or part not in node:
                break
            at = _key_line(node, part)
            found = at if at is not None else found
            node = node[part]
        return found

    def label(self, items: list[str]) -> list[str]:
        """Each item with ``(line N)`` after its label where the label's key is found."""
        out = []
        for item in items:
            n = self.line(item)
            m = _LABEL.match(item)
            if n is None or m is None or f"(line {n})" in item:
                out.append(item)
                continue
            end = m.end()
            out.append(f"{item[:end]} (line {n}){item[end:]}")
        return out


def _key_line(mapping: Any, key: str) -> int | None:
    lc = getattr(mapping, "lc", None)
    if lc is None:
        return None
    try:
        pos = lc.key(key)
    except (KeyError, TypeError):
        return None
    return int(pos[0]) + 1 if pos else None
