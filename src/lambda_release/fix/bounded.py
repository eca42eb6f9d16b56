"""Reading YAML for the fixer with alias expansion bounded as ``check`` bounds it.

ruamel.yaml shares an anchored node between its aliases, so a 1 KB file of nested
aliases loads at once but means billions of nodes: every walk of the tree (the
fixes, comparing meanings) would expand them. cfn-lint's decoder, which ``check``
reads with, refuses a template over 250,000 nodes once aliases are expanded; the
fixer counts the same way (each shared node once, multiplied by its uses) and
refuses the same templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_release.errors import UsageError

MAX_NODES = 250_000  # cfn-lint's decoder's bound (cfnlint.decode.cfn_yaml)


def expanded_size(root: Any) -> int:
    """How many nodes ``root`` holds with every alias expanded (shared nodes counted once
    per use, computed once each); raises UsageError on an alias that contains itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, Mapping | list):
            continue
        key = id(node)
        children = list(node.values()) if isinstance(node, Mapping) else list(node)
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1) if isinstance(child, Mapping | list) else 1
                if total > MAX_NODES:
                    break
            sizes[key] = min(total, MAX_NODES + 1)
            open_.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_:
            raise UsageError("a YAML alias contains itself; write the template without it")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, Mapping | list))
    return sizes.get(id(root), 1)


def bounded_load(yaml: Any, text: str) -> Any:
    """``yaml.load(text)``, refused when aliases expand it past ``MAX_NODES`` nodes."""
    data = yaml.load(text)
    if expanded_size(data) > MAX_NODES:
        raise UsageError(
            f"the template resolves to more than {MAX_NODES} nodes once YAML aliases are "
            "expanded (alias amplification); write the repeated parts out or drop the aliases"
        )
    return data
