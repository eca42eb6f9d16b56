"""How a resource takes SAM's ``Globals``: which of them, and merged how.

A resource takes every global unless its ``IgnoreGlobals`` says not.
SAM's resource attribute ``IgnoreGlobals`` is ``'*'`` (none of the Globals) or a list of
property names (those left out); see samtranslator's ``Globals.get_template_globals``.
Any other form is refused by ``sam build``; it is read here as taking every global, so
the checks do not go quiet on a template SAM will reject anyway.

A property set both in Globals and on the resource is merged as SAM merges it
(samtranslator's ``Globals._do_merge``): two mappings key by key, two lists joined
(the global's first), anything else (a scalar, an intrinsic such as ``!Ref``, or two
kinds) the resource's own. ``Architectures`` is replaced, not joined.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def ignores_global(resource: Mapping[str, Any], prop: str) -> bool:
    """True when ``resource`` leaves the Globals' ``prop`` out (``IgnoreGlobals``)."""
    ignored = resource.get("IgnoreGlobals")
    if isinstance(ignored, str):
        return ignored == "*"
    return isinstance(ignored, list) and prop in ignored


def globals_taken(resource: Mapping[str, Any], section: Any) -> dict[str, Any]:
    """The entries of a Globals ``section`` that ``resource`` takes."""
    if not isinstance(section, Mapping):
        return {}
    return {str(k): v for k, v in section.items() if not ignores_global(resource, str(k))}


# Properties SAM replaces rather than merges (samtranslator's CUSTOM_STRATEGIES).
REPLACED = frozenset({"Architectures"})


def merged_property(prop: str, global_value: Any, own: Any) -> Any:
    """What ``prop`` is after SAM merges the Globals' value with the resource's own."""
    if prop in REPLACED:
        return own
    return _merge(global_value, own)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "scalar" if _is_intrinsic(value) else "mapping"
    return "list" if isinstance(value, list) else "scalar"


def _is_intrinsic(value: Mapping[Any, Any]) -> bool:
    if len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _merge(global_value: Any, own: Any) -> Any:
    kind = _kind(own)
    if kind != _kind(global_value) or kind == "scalar":
        return own
    if kind == "list":
        return [*global_value, *own]
    out = dict(global_value)
    for key, value in own.items():
        # the resource's own key object (with its place in the file) replaces the global's
        taken = out.pop(key) if key in out else None
        out[key] = _merge(taken, value) if taken is not None else value
    return out
