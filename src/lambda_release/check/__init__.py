"""Template guardrails: lambda-release's rules, run through cfn-lint.

``run_rules(path)`` returns the findings; ``rules/`` holds one cfn-lint rule
class per module (loadable with ``cfn-lint --append-rules``); ``source`` reads
the template as written (SAM properties, line and column); ``environments``
works out which environments the template serves. cfn-lint is imported only
when the rules run, so the core install works without it.
"""

from __future__ import annotations

from lambda_release.errors import UsageError

INSTALL_HINT = "pip install 'lambda-release[check]'"


def require_cfnlint() -> None:
    """Fail with the fix (exit 2) when cfn-lint, an optional dependency, is missing."""
    try:
        import cfnlint  # noqa: F401, PLC0415 - optional dependency, looked for on use
    except ImportError as exc:
        raise UsageError(
            f"lambda-release check needs cfn-lint, which is not installed ({exc}): {INSTALL_HINT}"
        ) from exc
