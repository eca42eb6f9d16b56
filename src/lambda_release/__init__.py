"""lambda-release: safe AWS Lambda releases with SAM.

The library does the work; ``lambda_release.cli`` only parses arguments and
calls it, so everything the command line does is callable from Python. The
names in ``__all__`` are the public API (README: "Use it from Python"); they
are imported on first use, so ``import lambda_release`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "1.0.0"

# public name -> the module that defines it
_HOMES = {
    "Aws": "lambda_release.aws.client",
    "StackAlias": "lambda_release.release.stack_alias",
    "LogLocation": "lambda_release.log.releaselog",
    "ReleaseLog": "lambda_release.log.releaselog",
    "Release": "lambda_release.log.releaselog",
    "Outcome": "lambda_release.log.schema",
    "Kind": "lambda_release.log.schema",
    "run_preflight": "lambda_release.release.preflight",
    "Preflight": "lambda_release.release.preflight",
    "begin": "lambda_release.release.flow",
    "settle_pending": "lambda_release.release.flow",
    "deploy": "lambda_release.release.flow",
    "DeployPlan": "lambda_release.release.flow",
    "DeployResult": "lambda_release.release.flow",
    "run_rollback": "lambda_release.rollback",
    "RollbackRequest": "lambda_release.rollback",
    "stack_status": "lambda_release.observe.status",
    "resolve_target": "lambda_release.target",
    "Target": "lambda_release.target",
    "LambdaReleaseError": "lambda_release.errors",
    "UsageError": "lambda_release.errors",
    "OperationError": "lambda_release.errors",
}
# names that differ from the defining module's (a package attribute named like a
# submodule, e.g. ``preflight``, would be the module once that is imported)
_RENAMED = {"RollbackRequest": "Request", "run_preflight": "preflight", "run_rollback": "rollback"}

__all__ = [
    "Aws",
    "DeployPlan",
    "DeployResult",
    "Kind",
    "LambdaReleaseError",
    "LogLocation",
    "OperationError",
    "Outcome",
    "Preflight",
    "Release",
    "ReleaseLog",
    "RollbackRequest",
    "StackAlias",
    "Target",
    "UsageError",
    "__version__",
    "begin",
    "deploy",
    "resolve_target",
    "run_preflight",
    "run_rollback",
    "settle_pending",
    "stack_status",
]

if TYPE_CHECKING:
    from lambda_release.aws.client import Aws
    from lambda_release.errors import LambdaReleaseError, OperationError, UsageError
    from lambda_release.log.releaselog import LogLocation, Release, ReleaseLog
    from lambda_release.log.schema import Kind, Outcome
    from lambda_release.observe.status import stack_status
    from lambda_release.release.flow import DeployPlan, DeployResult, begin, deploy, settle_pending
    from lambda_release.release.preflight import Preflight
    from lambda_release.release.preflight import preflight as run_preflight
    from lambda_release.release.stack_alias import StackAlias
    from lambda_release.rollback import Request as RollbackRequest
    from lambda_release.rollback import rollback as run_rollback
    from lambda_release.target import Target, resolve_target


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'lambda_release' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), _RENAMED.get(name, name))
