"""CodeDeploy's predefined Lambda deployment configurations, by the names SAM uses.

One list for everything that needs it: the template rules (spotting a mistyped
type) and the local stand-in (shifting traffic on the same schedule as AWS).
"""

from __future__ import annotations

# CodeDeploy's own names carry this prefix; SAM's DeploymentPreference omits it.
CONFIG_PREFIX = "CodeDeployDefault.Lambda"
ALL_AT_ONCE = "AllAtOnce"
# 10% at once, the rest after this many minutes.
CANARY_MINUTES = {f"Canary10Percent{m}Minutes": m for m in (5, 10, 15, 30)}
# 10% more every this many minutes.
LINEAR_MINUTES = {
    "Linear10PercentEvery1Minute": 1,
    "Linear10PercentEvery2Minutes": 2,
    "Linear10PercentEvery3Minutes": 3,
    "Linear10PercentEvery10Minutes": 10,
}
PREDEFINED_TYPES = (*CANARY_MINUTES, *LINEAR_MINUTES, ALL_AT_ONCE)
