"""What `aws-cli/setup` (circleci/aws-cli@5) leaves behind, for the local runner.

Read from the orb's own scripts (CircleCI-Public/aws-cli-orb, src/commands/setup.yml,
src/scripts/assume_role_with_web_identity.sh and configure.sh): with `role_arn` it needs
CIRCLE_OIDC_TOKEN(_V2), assumes the role, and (set_aws_env_vars, the default) writes
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN as exports into $BASH_ENV;
then `aws configure set` stores the keys under `profile_name` (default "default") and the
region, whose parameter defaults to ${AWS_DEFAULT_REGION}, as the default region and the
profile's: in ~/.aws/config, never as an AWS_REGION variable. Here no role is assumed:
the job's own AWS_* variables (the sandbox's) stand for what STS would return, and a job
without them fails as the real step does ("Failed to assume role").
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@dataclass
class Outcome:
    status: str
    exit_code: int
    output: str


def subst(text: str, env: Mapping[str, str]) -> str:
    """`circleci env subst`: $NAME and ${NAME} replaced, nothing else."""
    pattern = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"
    return re.sub(pattern, lambda m: env.get(m.group(1) or m.group(2), ""), text)


def aws_cli_setup(args: Mapping[str, Any], env: Mapping[str, str], bash_env: Path) -> Outcome:
    # What earlier steps exported is visible: the real scripts source $BASH_ENV first.
    env = {**env, **_exports(bash_env)}
    region = subst(str(args.get("region", "${AWS_DEFAULT_REGION}")), env)
    profile = subst(str(args.get("profile_name", "default")), env)
    role = subst(str(args.get("role_arn", "")), env)
    keys = {k: env.get(k, "") for k in KEYS}
    lines = []
    if role:
        if not env.get("CIRCLE_OIDC_TOKEN_V2") or not env.get("CIRCLE_OIDC_TOKEN"):
            return Outcome("failed", 1, "no CIRCLE_OIDC_TOKEN(_V2): OIDC is off for this job\n")
        if not all(keys.values()):
            return Outcome("failed", 1, "Failed to assume role\n")
        if str(args.get("set_aws_env_vars", True)).lower() not in ("false", "0"):
            with bash_env.open("a", encoding="utf-8") as out:
                for name, value in keys.items():
                    out.write(f'export {name}="{value}"\n')
            lines.append("AWS keys successfully written to BASH_ENV")
    home = Path(env.get("HOME", "~")).expanduser()
    section = "default" if profile == "default" else f"profile {profile}"
    _set(home / ".aws" / "config", section, {"region": region} if region else {})
    if region:
        _set(home / ".aws" / "config", "default", {"region": region})
    creds = {
        "aws_access_key_id": keys["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": keys["AWS_SECRET_ACCESS_KEY"],
    }
    if role:
        creds["aws_session_token"] = keys["AWS_SESSION_TOKEN"]
    _set(home / ".aws" / "credentials", profile, creds)
    lines.append(f"aws-cli/setup: profile {profile}, region {region or '(none)'}")
    return Outcome("success", 0, "\n".join(lines) + "\n")


def _exports(bash_env: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    if bash_env.exists():
        for line in bash_env.read_text(encoding="utf-8").splitlines():
            match = re.fullmatch(r'export ([A-Za-z_][A-Za-z0-9_]*)="([^"$`\\]*)"', line)
            if match:
                found[match.group(1)] = match.group(2)
    return found


def _set(path: Path, section: str, values: Mapping[str, str]) -> None:
    """`aws configure set`: the section's keys updated, the rest of the file kept."""
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    if not parser.has_section(section):
        parser.add_section(section)
    for key, value in values.items():
        parser.set(section, key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        parser.write(out)
