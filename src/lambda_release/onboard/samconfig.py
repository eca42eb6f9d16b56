"""samconfig.toml sections per environment, added only where missing.

``sam deploy --config-env prod`` and the helper's ``--config-env prod`` then name the
right stack and alias. No bucket setting: the orb's deploy job passes --s3-bucket
when one is given and SAM refuses it next to resolve_s3 (by hand, add --resolve-s3
or --s3-bucket). Existing sections and every other byte of the file are kept:
new sections are appended as text (the standard library reads TOML but does not write it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence

from lambda_release.errors import UsageError


def section(env: str, stack: str, alias: str) -> str:
    return (
        f"[{env}.deploy.parameters]\n"
        f'stack_name = "{stack}"\n'
        f'parameter_overrides = "AliasName={alias}"\n'
        'capabilities = "CAPABILITY_IAM"\n'
        "confirm_changeset = false\n"
        "fail_on_empty_changeset = false\n"
    )


def plan(
    existing: str | None, targets: Sequence[tuple[str, str, str]]
) -> tuple[str | None, list[str]]:
    """(new text or None when nothing changes, environments added) for (env, stack, alias)."""
    data = {}
    if existing:
        try:
            data = tomllib.loads(existing)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"cannot read samconfig.toml: {exc}; fix it or move it away") from exc
    missing = [(env, stack, alias) for env, stack, alias in targets if env not in data]
    if not missing:
        return None, []
    text = existing if existing else "version = 0.1\n"
    if not text.endswith("\n"):
        text += "\n"
    for env, stack, alias in missing:
        text += "\n" + section(env, stack, alias)
    return text, [env for env, _, _ in missing]
