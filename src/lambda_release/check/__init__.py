"""Template guardrails: lambda-release's rules, run through cfn-lint.

``run_rules(path)`` returns the findings; ``rules/`` holds one cfn-lint rule
class per module (loadable with ``cfn-lint --append-rules``); ``source`` reads
the template as written (SAM properties, line and column); ``environments``
works out which environments the template serves. cfn-lint is imported only
when the rules run, so the core install works without it.
"""

from __future__ import annotations

import importlib.util

from lambda_release.errors import UsageError

INSTALL_HINT = "pip install 'lambda-release[check]'"


def require_cfnlint() -> None:
    """Fail with the fix (exit 2) when cfn-lint, an optional dependency, is missing."""
    if importlib.util.find_spec("cfnlint") is None:
        raise UsageError(
            f"lambda-release check needs cfn-lint, which is not installed: {INSTALL_HINT}"
        )
