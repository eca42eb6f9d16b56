"""A function's traffic plan as its template says (pure): deployment type, the steps and
their times, the alarms that guard it and its hooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_release.observe.routing import routing_of
from lambda_release.template.sam_globals import globals_taken, merged_property

SERVERLESS_FUNCTION = "AWS::Serverless::Function"


@dataclass(frozen=True)
class TrafficPlan:
    """How a new version of one function takes traffic."""

    deployment_type: str | None  # None: no DeploymentPreference: all at once, unguarded
    steps: list[tuple[float, float]] = field(default_factory=list)  # (minute, share)
    alarms: list[str] = field(default_factory=list)
    hooks: dict[str, str] = field(default_factory=dict)  # PreTraffic/PostTraffic -> function
    enabled: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "deployment_type": self.deployment_type,
            "enabled": self.enabled,
            "steps": [{"minute": m, "traffic": s} for m, s in self.steps],
            "alarms": list(self.alarms),
            "hooks": dict(self.hooks),
        }

    def text(self) -> str:
        if self.deployment_type is None or not self.enabled:
            return "all at once, no canary (no DeploymentPreference): nothing guards it"
        steps = ", ".join(
            f"{share:.0%} " + ("at once" if minute == 0 else f"after {minute:g} min")
            for minute, share in self.steps
        )
        alarms = ", ".join(self.alarms) or "none (an alarm stops nothing)"
        hooks = ", ".join(f"{k} {v}" for k, v in sorted(self.hooks.items())) or "none"
        return f"{self.deployment_type}: {steps or '?'}; alarms: {alarms}; hooks: {hooks}"


def _name(value: Any, physical: Mapping[str, str]) -> str:
    """An alarm or hook as the template names it: a literal, or a !Ref to a resource (its
    name once created; until then its logical id, marked new)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "Ref" in value:
        ref = str(value["Ref"])
        return physical.get(ref) or f"{ref} (created by this release)"
    return "(computed)"


def traffic_plans(
    template: Mapping[str, Any],
    physical: Mapping[str, str],
    parameters: Mapping[str, str] | None = None,
) -> dict[str, TrafficPlan]:
    """Logical id -> traffic plan of each serverless function (``physical``: the stack's
    resources now, logical id -> name, to name the alarms a template refers to;
    ``parameters``: the template's parameters as the release passes them)."""
    values = dict(_defaults(template))
    values.update(parameters or {})
    resources = template.get("Resources") or {}
    section = (template.get("Globals") or {}).get("Function") or {}
    out: dict[str, TrafficPlan] = {}
    for lid, res in resources.items():
        if not isinstance(res, Mapping) or res.get("Type") != SERVERLESS_FUNCTION:
            continue
        props = res.get("Properties") or {}
        shared = globals_taken(res, section).get("DeploymentPreference")
        own = props.get("DeploymentPreference")
        pref = shared if own is None else own
        if own is not None and shared is not None:
            pref = merged_property("DeploymentPreference", shared, own)
        out[str(lid)] = _plan(pref if isinstance(pref, Mapping) else None, physical, values)
    return out


def _defaults(template: Mapping[str, Any]) -> dict[str, str]:
    params = template.get("Parameters") or {}
    return {
        str(k): str(v["Default"])
        for k, v in params.items()
        if isinstance(v, Mapping) and isinstance(v.get("Default"), str | int)
    }


def _plan(
    pref: Mapping[str, Any] | None, physical: Mapping[str, str], values: Mapping[str, str]
) -> TrafficPlan:
    kind_value = pref.get("Type") if pref else None
    if isinstance(kind_value, Mapping) and "Ref" in kind_value:
        kind_value = values.get(str(kind_value["Ref"]))  # a parameter, as the release sets it
    if not pref or not isinstance(kind_value, str):
        return TrafficPlan(None)
    kind = kind_value
    name = kind if kind.startswith("CodeDeployDefault.") else f"CodeDeployDefault.Lambda{kind}"
    routing = routing_of(name)
    alarms = pref.get("Alarms") or []
    hooks = pref.get("Hooks") or {}
    enabled = pref.get("Enabled", True)
    return TrafficPlan(
        kind,
        routing.steps() if routing is not None else [],
        [_name(a, physical) for a in alarms] if isinstance(alarms, list) else ["(computed)"],
        {str(k): _name(v, physical) for k, v in hooks.items()}
        if isinstance(hooks, Mapping)
        else {},
        enabled is not False and enabled != "false",
    )
