"""Reading a SAM DeploymentPreference: its type, whether it shifts gradually, its alarms."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from lambda_release.aws.deployment_types import PREDEFINED_TYPES

_LOWER = {t.lower(): t for t in PREDEFINED_TYPES}


def preference(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    p = props.get("DeploymentPreference")
    return p if isinstance(p, Mapping) else None


def is_gradual(type_value: Any) -> bool:
    """Canary or Linear (a literal type, or a parameter: assumed gradual)."""
    if isinstance(type_value, str):
        return type_value.startswith(("Canary", "Linear"))
    return type_value is not None


def is_enabled(pref: Mapping[str, Any]) -> bool:
    enabled = pref.get("Enabled", True)
    return not (enabled is False or str(enabled).lower() == "false")


def has_alarms(pref: Mapping[str, Any]) -> bool:
    alarms = pref.get("Alarms")
    if isinstance(alarms, list):
        return len(alarms) > 0
    return alarms is not None  # an intrinsic (!If, !Ref a list parameter) counts


def likely_intended(type_value: str) -> str | None:
    """The predefined type that ``type_value`` looks like a mistyping of, else None.

    Custom CodeDeploy configuration names are legal; only names close to a
    predefined one (same letters in another case, or a near spelling of a
    Canary/Linear/AllAtOnce name) are suspected.
    """
    if type_value in PREDEFINED_TYPES:
        return None
    if type_value.lower() in _LOWER:
        return _LOWER[type_value.lower()]
    close = difflib.get_close_matches(type_value, PREDEFINED_TYPES, n=1, cutoff=0.85)
    if close:
        return close[0]
    if type_value.lower().startswith(("canary", "linear")):
        close = difflib.get_close_matches(type_value, PREDEFINED_TYPES, n=1, cutoff=0.6)
        return close[0] if close else PREDEFINED_TYPES[0]
    return None
