"""lambda-release's rules for cfn-lint, one module each.

Load them into cfn-lint by directory or by module::

    cfn-lint template.yaml --append-rules src/lambda_release/check/rules
    cfn-lint template.yaml --append-rules lambda_release.check.rules --include-checks I

(the template first, or after ``--``: both options take several values.)

(cfn-lint skips this file when it walks the directory: its name starts with ``_``.)
"""

from __future__ import annotations

from lambda_release.check.rules.alias_hash import AliasHashMissesProperties
from lambda_release.check.rules.alias_parameter import AliasParameterMissesAlias
from lambda_release.check.rules.canary_without_alarms import (
    CanaryWithoutAlarms,
    CanaryWithoutAlarmsInProduction,
)
from lambda_release.check.rules.custom_resource import CustomResourceAtLatest
from lambda_release.check.rules.deployment_type import DeploymentTypeTypo
from lambda_release.check.rules.fixed_alias import FixedAliasAcrossEnvironments
from lambda_release.check.rules.fixed_name import FixedNameAcrossStacks
from lambda_release.check.rules.function_without_alias import FunctionWithoutAlias
from lambda_release.check.rules.invoked_by_name import InvokedByName
from lambda_release.check.rules.preference_without_alias import PreferenceWithoutAlias
from lambda_release.check.rules.unqualified_target import UnqualifiedInvocationTarget

RULES = (
    FunctionWithoutAlias,
    FixedAliasAcrossEnvironments,
    AliasParameterMissesAlias,
    PreferenceWithoutAlias,
    CanaryWithoutAlarmsInProduction,
    CanaryWithoutAlarms,
    DeploymentTypeTypo,
    FixedNameAcrossStacks,
    UnqualifiedInvocationTarget,
    InvokedByName,
    CustomResourceAtLatest,
    AliasHashMissesProperties,
)

__all__ = [r.__name__ for r in RULES]
