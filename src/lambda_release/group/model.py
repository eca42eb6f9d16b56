"""The group file: ordered waves of targets (stack, region), parsed and checked.

Every problem names its path in the file (``waves[1].targets[0].region``); unknown keys
are refused. ``schema.json`` says the same in JSON Schema for editors and ``check
--group``; a unit test runs both over the same files. Four checks only this module makes
(JSON Schema cannot): wave names unique, each target (stack, region) once, a bake of at
most a day, and a version that is the integer 1 (``1.0`` is a float; JSON Schema's
``integer`` takes it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lambda_release.bounds import BAKE
from lambda_release.errors import UsageError
from lambda_release.group.schema_check import read_yaml
from lambda_release.names import (
    ALIAS_MAX,
    STACK_MAX,
    printable,
    validate_alias,
    validate_stack_name,
)

DEFAULT_FILE = "lambda-release.group.yml"
GROUP_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
WAVE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
DURATION = re.compile(r"(0|[1-9][0-9]{0,4}[smh])")
CONFIG_ENV = re.compile(r"[A-Za-z0-9_-]{1,64}")
PARAMETER_KEY = re.compile(r"[A-Za-z0-9]{1,255}")
PREFIX_MAX = STACK_MAX - len("-staging")
MAX_WAVES, MAX_TARGETS, MAX_CONCURRENCY = 20, 50, 50
MAX_VALUE = 4096  # a CloudFormation parameter value's size
ON_FAILURE = ("rollback", "stop")
TOP_KEYS = ("version", "group", "alias", "on_failure", "log", "waves")
WAVE_KEYS = ("name", "bake", "concurrency", "targets")
TARGET_KEYS = (
    "stack_prefix",
    "stack",
    "region",
    "template",
    "config_env",
    "s3_bucket",
    "parameter_overrides",
)
SECONDS = {"s": 1, "m": 60, "h": 3600}
MAX_BAKE = int(BAKE.high) * 60  # `deploy --bake`'s bound: a day outlasts any CI job


@dataclass(frozen=True)
class Target:
    """One stack in one region; its stack named outright or from a prefix and the alias."""

    region: str
    stack: str | None = None
    stack_prefix: str | None = None
    template: str = "template.yaml"
    config_env: str | None = None
    s3_bucket: str | None = None
    parameter_overrides: tuple[tuple[str, str], ...] = ()

    def stack_for(self, alias: str) -> str:
        """``stack``, else ``<prefix>-prod`` for the PROD alias and ``-staging`` for others."""
        if self.stack:
            return self.stack
        suffix = "prod" if alias == "PROD" else "staging"
        return validate_stack_name(f"{self.stack_prefix}-{suffix}")


@dataclass(frozen=True)
class Wave:
    name: str
    bake_seconds: int = 0
    concurrency: int = 1
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class GroupFile:
    """A group file as read: its folder anchors every template path."""

    path: Path
    group: str
    waves: tuple[Wave, ...]
    alias: str | None = None
    on_failure: str = "rollback"
    log_bucket: str | None = None
    log_region: str | None = None
    version: int = 1

    def template_path(self, target: Target) -> Path:
        return (self.path.parent / target.template).resolve()

    def members(self, alias: str) -> list[tuple[int, Target, str]]:
        """(wave number from 1, target, stack) in order; a (stack, region) twice refused."""
        out: list[tuple[int, Target, str]] = []
        seen: dict[tuple[str, str], str] = {}
        for n, wave in enumerate(self.waves, start=1):
            for i, t in enumerate(wave.targets):
                stack, where = t.stack_for(alias), f"waves[{n - 1}].targets[{i}]"
                if (stack, t.region) in seen:
                    raise UsageError(
                        f"{self.path}: {where}: stack {stack} in {t.region} is already "
                        f"{seen[stack, t.region]} (alias {alias}): a target appears once"
                    )
                seen[stack, t.region] = where
                out.append((n, t, stack))
        return out


def load(path: Path) -> GroupFile:
    """Read and check ``path``: every problem at once, each naming its path (exit 2)."""
    data = read_yaml(path)
    found = problems(data)
    if found:
        raise UsageError(
            f"group file {str(path)!r}: " + "; ".join(found) + " (docs/waves.md: the format)"
        )
    gf = build(path, data)
    found = templates_outside(gf)
    if found:
        raise UsageError(
            f"group file {str(path)!r}: " + "; ".join(found) + " (docs/waves.md: the format)"
        )
    return gf


def templates_outside(gf: GroupFile) -> list[str]:
    """Each target whose template resolves out of the group file's folder: a symlink (the
    file, or a folder on its way) pointing out of it escapes as '..' would; the path
    checks in ``problems`` see only the text."""
    folder = gf.path.parent
    out: list[str] = []
    for n, wave in enumerate(gf.waves):
        for i, t in enumerate(wave.targets):
            resolved = gf.template_path(t)
            if not resolved.is_relative_to(folder):
                out.append(
                    f"waves[{n}].targets[{i}].template: {_shown(t.template)} resolves to "
                    f"{_long(resolved)}, outside the group file's folder {_long(folder)} (a "
                    "symlink out of it): give a template inside the folder"
                )
    return out


def build(path: Path, data: Mapping[str, Any]) -> GroupFile:
    """The checked data as a GroupFile (``problems(data)`` must be empty)."""
    log = data.get("log") or {}
    waves = tuple(
        Wave(
            name=w.get("name") or f"wave-{n}",
            bake_seconds=duration_seconds(str(w.get("bake", "0"))),
            concurrency=int(w.get("concurrency", 1)),
            targets=tuple(_target(t) for t in w["targets"]),
        )
        for n, w in enumerate(data["waves"], start=1)
    )
    return GroupFile(
        path=path.resolve(),
        group=data["group"],
        waves=waves,
        alias=data.get("alias"),
        on_failure=data.get("on_failure", "rollback"),
        log_bucket=log.get("bucket"),
        log_region=log.get("region"),
    )


def _target(t: Mapping[str, Any]) -> Target:
    return Target(
        region=t["region"],
        stack=t.get("stack"),
        stack_prefix=t.get("stack_prefix"),
        template=t.get("template", "template.yaml"),
        config_env=t.get("config_env"),
        s3_bucket=t.get("s3_bucket"),
        parameter_overrides=tuple((t.get("parameter_overrides") or {}).items()),
    )


def duration_seconds(text: str) -> int:
    """``90s``, ``10m``, ``2h`` or ``0`` in seconds (checked by ``problems`` first)."""
    return 0 if text == "0" else int(text[:-1]) * SECONDS[text[-1]]


def problems(data: Any) -> list[str]:
    """Every problem of a group file's data, each naming its path; [] when it is good."""
    if not isinstance(data, dict):
        return [f"the file holds {_kind(data)}, not a mapping with version, group and waves"]
    out = _unknown(data, TOP_KEYS, "")
    # Only the integer 1: YAML's 1.0 is a float (equal to 1 in Python), True a bool.
    if type(data.get("version")) is not int or data.get("version") != 1:
        out.append(f"version: {_shown(data.get('version'))} is not 1 (write version: 1)")
    out += _pattern(data, "group", GROUP_NAME, "letters, digits and '-', at most 64", True)
    if "alias" in data:
        out += _alias(data["alias"])
    if "on_failure" in data and data["on_failure"] not in ON_FAILURE:
        out.append(f"on_failure: {_shown(data['on_failure'])} is not rollback or stop")
    if "log" in data:
        out += _log(data["log"])
    waves = data.get("waves")
    if not isinstance(waves, list) or not 1 <= len(waves) <= MAX_WAVES:
        out.append(f"waves: give a list of 1 to {MAX_WAVES} waves, not {_kind(waves)}")
        return out
    names: set[str] = set()
    for n, wave in enumerate(waves):
        out += _wave(wave, f"waves[{n}]", names)
    return out


def _wave(wave: Any, where: str, names: set[str]) -> list[str]:
    if not isinstance(wave, dict):
        return [f"{where}: {_kind(wave)} is not a mapping with targets"]
    out = _unknown(wave, WAVE_KEYS, where)
    out += _pattern(wave, "name", WAVE_NAME, "letters, digits, '.', '_' and '-'", False, where)
    if isinstance(wave.get("name"), str):
        if wave["name"] in names:
            out.append(f"{where}.name: {_shown(wave['name'])} names two waves: make it unique")
        names.add(wave["name"])
    if "bake" in wave and not (
        isinstance(wave["bake"], str | int)
        and not isinstance(wave["bake"], bool)
        and DURATION.fullmatch(str(wave["bake"]))
    ):
        out.append(
            f"{where}.bake: {_shown(wave['bake'])} is not a duration such as 30s, 10m, 1h or 0"
        )
    elif "bake" in wave and duration_seconds(str(wave["bake"])) > MAX_BAKE:
        out.append(f"{where}.bake: {_shown(wave['bake'])} is longer than a day (at most 24h)")
    c = wave.get("concurrency", 1)
    if not isinstance(c, int) or isinstance(c, bool) or not 1 <= c <= MAX_CONCURRENCY:
        out.append(f"{where}.concurrency: {_shown(c)} is not a whole number 1..{MAX_CONCURRENCY}")
    targets = wave.get("targets")
    if not isinstance(targets, list) or not 1 <= len(targets) <= MAX_TARGETS:
        out.append(
            f"{where}.targets: give a list of 1 to {MAX_TARGETS} targets, not {_kind(targets)}"
        )
        return out
    for i, t in enumerate(targets):
        out += _target_problems(t, f"{where}.targets[{i}]")
    return out


def _target_problems(t: Any, where: str) -> list[str]:
    if not isinstance(t, dict):
        return [f"{where}: {_kind(t)} is not a mapping with region and stack or stack_prefix"]
    out = _unknown(t, TARGET_KEYS, where)
    if ("stack" in t) == ("stack_prefix" in t):
        out.append(f"{where}: give exactly one of stack and stack_prefix")
    for key, most in (("stack", STACK_MAX), ("stack_prefix", PREFIX_MAX)):
        if key in t:
            out += _stack(t[key], f"{where}.{key}", most)
    out += _pattern(t, "region", REGION, "an AWS region such as us-east-1", True, where)
    out += _pattern(t, "config_env", CONFIG_ENV, "a samconfig environment", False, where)
    out += _pattern(t, "s3_bucket", BUCKET, "an S3 bucket name", False, where)
    if "template" in t and not (
        isinstance(t["template"], str)
        and 0 < len(t["template"]) <= 1024
        and "\0" not in t["template"]
    ):
        out.append(f"{where}.template: {_shown(t['template'])} is not a path (1..1024 characters)")
    elif "template" in t and _escapes(t["template"]):
        out.append(
            f"{where}.template: {_shown(t['template'])} is not inside the group file's folder "
            "(give a relative path without '..')"
        )
    if "parameter_overrides" in t:
        out += _overrides(t["parameter_overrides"], f"{where}.parameter_overrides")
    return out


def _escapes(template: str) -> bool:
    """Absolute, or climbing out with ``..``: a template is relative to the group file's
    folder, so a group file never builds or reads a file outside its repository."""
    path = PurePosixPath(template)
    return path.is_absolute() or ".." in path.parts


def _overrides(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f'{where}: {_kind(value)} is not a mapping of Key: "value"']
    out: list[str] = []
    for key, v in value.items():
        if not isinstance(key, str) or not PARAMETER_KEY.fullmatch(key):
            out.append(f"{where}: key {_shown(key)} is not a template parameter name")
        elif not isinstance(v, str) or len(v) > MAX_VALUE or "\0" in v:
            # Never the value itself: a parameter may be NoEcho (a password as a number).
            what = "the value" if isinstance(v, str) else _kind(v)
            out.append(
                f"{where}.{key}: {what} is not a string of at most {MAX_VALUE} characters "
                'without NUL (quote it: "8080"; the value is not shown: it may be secret)'
            )
    return out


def _stack(value: Any, where: str, most: int) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {_shown(value)} is not a stack name"]
    if len(value) > most:
        return [f"{where}: {_shown(value)} is {len(value)} characters long: at most {most}"]
    try:
        validate_stack_name(value, what="name")
    except UsageError as exc:
        return [f"{where}: {exc}"]
    return []


def _alias(value: Any) -> list[str]:
    if not isinstance(value, str):
        return [f"alias: {_shown(value)} is not an alias name such as PROD"]
    try:
        validate_alias(value)
    except UsageError as exc:
        return [f"alias: {exc} (at most {ALIAS_MAX} characters)"]
    return []


def _log(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return [f"log: {_kind(value)} is not a mapping with bucket and region"]
    out = _unknown(value, ("bucket", "region"), "log")
    out += _pattern(value, "bucket", BUCKET, "an S3 bucket name", False, "log")
    out += _pattern(value, "region", REGION, "an AWS region such as us-east-1", False, "log")
    return out


def _pattern(
    data: Mapping[str, Any],
    key: str,
    pattern: re.Pattern[str],
    what: str,
    required: bool,
    where: str = "",
) -> list[str]:
    path = f"{where}.{key}" if where else key
    if key not in data:
        return [f"{path}: required ({what})"] if required else []
    value = data[key]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        return [f"{path}: {_shown(value)} is not {what}"]
    return []


def _unknown(data: Mapping[Any, Any], known: Sequence[str], where: str) -> list[str]:
    return [
        f"{f'{where}.' if where else ''}{_key(k)}: unknown key (known: {', '.join(known)})"
        for k in data
        if k not in known
    ]


def _shown(value: Any) -> str:
    text = printable(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _long(path: Path) -> str:
    """A path as shown: escaped, at most 200 characters (its end kept: the file's name)."""
    text = str(path)
    return printable(text if len(text) <= 200 else "..." + text[-197:])


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def _key(key: Any) -> str:
    return (
        key if isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", key) else _shown(key)
    )
