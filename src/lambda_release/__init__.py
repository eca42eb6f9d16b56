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
    "LogLocation": "lambda_release.log.location",
    "ReleaseLog": "lambda_release.log.store",
    "Release": "lambda_release.log.records",
    "Outcome": "lambda_release.log.schema",
    "Kind": "lambda_release.log.schema",
    "run_preflight": "lambda_release.release.preflight",
    "Preflight": "lambda_release.release.preflight",
    "begin": "lambda_release.release.begin",
    "settle_pending": "lambda_release.release.recover",
    "deploy": "lambda_release.release.deploy",
    "DeployPlan": "lambda_release.release.deploy",
    "DeployResult": "lambda_release.release.deploy",
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
    from lambda_release.log.location import LogLocation
    from lambda_release.log.records import Release
    from lambda_release.log.schema import Kind, Outcome
    from lambda_release.log.store import ReleaseLog
    from lambda_release.observe.status import stack_status
    from lambda_release.release.begin import begin
    from lambda_release.release.deploy import DeployPlan, DeployResult, deploy
    from lambda_release.release.preflight import Preflight
    from lambda_release.release.preflight import preflight as run_preflight
    from lambda_release.release.recover import settle_pending
    from lambda_release.release.stack_alias import StackAlias
    from lambda_release.rollback import Request as RollbackRequest
    from lambda_release.rollback import rollback as run_rollback
    from lambda_release.target import Target, resolve_target


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'lambda_release' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), _RENAMED.get(name, name))
