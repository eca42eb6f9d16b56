"""Template values as a template author writes them, for messages: never Python reprs.

``{"Ref": "AliasName"}`` -> ``!Ref AliasName``; ``{"Fn::If": ["IsProd", "A", "B"]}``
-> ``!If [IsProd, A, B]``; ``{"Fn::GetAtt": ["Fn", "Arn"]}`` -> ``!GetAtt Fn.Arn``;
a string is single-quoted when YAML would read it otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
LIMIT = 160


def as_template(value: Any, limit: int = LIMIT) -> str:
    """``value`` in YAML short form, cut to ``limit`` characters."""
    text = _render(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and text.strip() == text:
        return text
    return quoted(text)


def _render(value: Any) -> str:
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key,) = value.keys()
            key = str(key)
            inner = value[key]
            if key == "Ref":
                return f"!Ref {_scalar(inner)}"
            if key == "Fn::GetAtt":
                dotted = ".".join(map(str, inner)) if isinstance(inner, list) else str(inner)
                return f"!GetAtt {dotted}"
            if key.startswith("Fn::") or key == "Condition":
                short = key.removeprefix("Fn::")
                return f"!{short} {_render(inner)}"
        items = ", ".join(f"{_scalar(k)}: {_render(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return _scalar(value)
