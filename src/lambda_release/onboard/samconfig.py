"""samconfig.toml sections per environment, with the app's bucket settings.

``deploy`` reads the section named after its environment (``prod``, ``staging``) and
passes ``--config-env`` to ``sam``, which then reads that section alone: a setting of the
app's ``[default]`` section is not seen there. So each section ``init`` writes carries the
app's bucket and region settings (``s3_bucket``/``resolve_s3``, ``s3_prefix``, ``region``,
image repositories), and ``resolve_s3 = true`` when the app names no bucket (the release
log then lives in SAM's managed bucket, which the first deploy creates). A section that
exists and names no bucket gets the same line. Every other byte of the file is kept:
lines are inserted as text (the standard library reads TOML but does not write it).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_release.errors import UsageError

# What `sam deploy` reads about where artifacts go, carried from the app's own section.
CARRIED = ("s3_bucket", "s3_prefix", "resolve_s3", "region", "image_repositories", "capabilities")


@dataclass(frozen=True)
class Target:
    env: str  # the samconfig environment: prod, staging
    stack: str
    alias: str


@dataclass(frozen=True)
class Plan:
    text: str | None  # the new file, or None when nothing changes
    added: list[str] = field(default_factory=list)  # environments given a section
    amended: list[str] = field(default_factory=list)  # sections given a bucket setting
    bucket: str = ""  # what artifacts and the log use: a bucket name, or "" for SAM's managed one


def read(existing: str | None) -> dict[str, Any]:
    if not existing:
        return {}
    try:
        return tomllib.loads(existing)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read samconfig.toml: {exc}; fix it or move it away") from exc


def _params(data: Mapping[str, Any], env: str, command: str) -> dict[str, Any]:
    """One environment's settings for ``command`` as SAM merges them (global, then command)."""
    section = data.get(env)
    if not isinstance(section, dict):
        return {}
    merged: dict[str, Any] = {}
    for part in ("global", command):
        body = section.get(part)
        params = body.get("parameters") if isinstance(body, dict) else None
        if isinstance(params, dict):
            merged.update(params)
    return merged


def app_stack_name(data: Mapping[str, Any]) -> str | None:
    """The stack name the app's own ``[default]`` section deploys to (``sam init`` sets it)."""
    name = _params(data, "default", "deploy").get("stack_name")
    return name if isinstance(name, str) and name else None


def prefix_in_use(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """(prefix, where) when a ``prod``/``staging`` section already names ``<prefix>-<env>``."""
    for env in ("prod", "staging"):
        name = _params(data, env, "deploy").get("stack_name")
        if isinstance(name, str) and name.endswith(f"-{env}"):
            return name[: -len(env) - 1], f"samconfig.toml [{env}] stack_name = {name!r}"
    return None


def carried(data: Mapping[str, Any]) -> dict[str, Any]:
    """The app's bucket settings, or ``resolve_s3 = true`` when it names none."""
    own = _params(data, "default", "deploy")
    kept = {key: own[key] for key in CARRIED if key in own}
    if own.get("resolve_image_repos") is True:
        kept["resolve_image_repos"] = True
    if not kept.get("s3_bucket") and not kept.get("resolve_s3"):
        kept["resolve_s3"] = True
    if kept.get("s3_bucket"):
        kept.pop("resolve_s3", None)  # SAM refuses both
    return kept


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string: JSON's escapes are TOML's


def section(target: Target, settings: Mapping[str, Any]) -> str:
    lines = [
        f"[{target.env}.deploy.parameters]",
        f"stack_name = {_toml(target.stack)}",
        f"parameter_overrides = {_toml(f'AliasName={target.alias}')}",
        "confirm_changeset = false",
        "fail_on_empty_changeset = false",
    ]
    if "capabilities" not in settings:
        lines.append('capabilities = "CAPABILITY_IAM"')
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _amend(text: str, env: str, settings: Mapping[str, Any]) -> str:
    """``text`` with the bucket settings inserted under ``[env.deploy.parameters]``."""
    header = re.compile(rf"^\[\s*{re.escape(env)}\s*\.\s*deploy\s*\.\s*parameters\s*\]\s*$", re.M)
    found = header.search(text)
    if found is None:  # the bucket sits in [env.global.parameters] only: nothing to add
        return text
    insert = "".join(f"{key} = {_toml(value)}\n" for key, value in settings.items())
    at = found.end() + 1  # after the header's line break (plan() ends the text with one)
    return text[:at] + insert + text[at:]


def plan(existing: str | None, targets: Sequence[Target]) -> Plan:
    """The new samconfig.toml for ``targets``: missing sections added, bucketless ones amended."""
    data = read(existing)
    settings = carried(data)
    text = existing if existing else "version = 0.1\n"
    if not text.endswith("\n"):
        text += "\n"
    added, amended = [], []
    for target in targets:
        if target.env not in data:
            text += "\n" + section(target, settings)
            added.append(target.env)
            continue
        own = _params(data, target.env, "deploy")
        if not own.get("s3_bucket") and not own.get("resolve_s3"):
            bucket_only = {k: v for k, v in settings.items() if k in ("s3_bucket", "resolve_s3")}
            new = _amend(text, target.env, bucket_only)
            if new != text:
                text = new
                amended.append(target.env)
    bucket = str(settings.get("s3_bucket") or "")
    changed = bool(added or amended)
    return Plan(text if changed else None, added, amended, bucket)
