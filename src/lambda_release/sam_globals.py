"""Which of SAM's ``Globals`` a resource takes: all, unless its ``IgnoreGlobals`` says not.

SAM's resource attribute ``IgnoreGlobals`` is ``'*'`` (none of the Globals) or a list of
property names (those left out); see samtranslator's ``Globals.get_template_globals``.
Any other form is refused by ``sam build``; it is read here as taking every global, so
the checks do not go quiet on a template SAM will reject anyway.
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
