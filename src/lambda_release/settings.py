"""Settings in one place: flag > ``LAMBDA_RELEASE_<NAME>`` environment > SAM config file.

A flag always wins. The environment variable for option ``--stack-prefix`` is
``LAMBDA_RELEASE_STACK_PREFIX``. The SAM config file (``samconfig.toml``, or
``.yaml``/``.yml``) is read the way the SAM CLI reads it: one config
environment (``[prod.deploy.parameters]``, ``[prod.global.parameters]``), with
no fall-back to another. Only SAM's own keys come from the file; the target's
options (branch, aliases, stacks) never do, so nothing is circular: the file's
section is chosen once the target's environment is known.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from lambda_release.errors import UsageError
from lambda_release.text import check_text

# Every option a command or the CLI registers (its argparse dest), so that reading one
# by a misspelt name is a type error, not a silent None (a test keeps this in step with
# the parser).
Name = Literal[
    "account",
    "alias",
    "allow_alias_removal",
    "allow_rolled_back_code",
    "bake",
    "bake_alarm",
    "bake_missing_data",
    "before",
    "block_on_alarm",
    "branch",
    "build_dir",
    "cached",
    "capabilities",
    "config_env",
    "config_file",
    "debug",
    "deploy_window",
    "deployment_timeout",
    "drift_model",
    "dry_run",
    "endpoint_url",
    "environment",
    "environments",
    "fix",
    "function",
    "function_prefix",
    "github_api_url",
    "github_ref",
    "github_repository",
    "group",
    "group_action",
    "group_file",
    "group_release",
    "heartbeat",
    "ignore_checks",
    "ignore_window",
    "image_repositories",
    "keep",
    "lambda_rate",
    "limit",
    "lock_timeout",
    "lock_ttl",
    "log_bucket",
    "max_attempts",
    "minute",
    "org_id",
    "output",
    "output_file",
    "parallel",
    "parameter",
    "parameter_overrides",
    "pipeline_id",
    "poll_interval",
    "port",
    "post",
    "prod_alias",
    "prod_stack",
    "production_alias",
    "production_branch",
    "profile",
    "progress",
    "project_id",
    "pull_request",
    "reason",
    "record_file",
    "region",
    "release",
    "resolve_image_repos",
    "resolve_s3",
    "retry_mode",
    "role",
    "s3_bucket",
    "s3_prefix",
    "sam_arg",
    "sam_exit_code",
    "sam_habit",
    "sam_path",
    "secret_parameter",
    "settle",
    "since",
    "stack",
    "stack_name",
    "stack_prefix",
    "staging_alias",
    "staging_stack",
    "start_timeout",
    "tags",
    "template",
    "template_file",
    "timeline_file",
    "to_version",
    "trust",
    "use_container",
    "workdir",
]


# Options renamed for one name per idea: their former environment variables still work.
FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "start_timeout": ("wait",),
    "deployment_timeout": ("timeout", "wait_timeout"),
}

# Options whose values go to the template, not to people: see Settings.check_text.
VALUES_FOR_THE_TEMPLATE = frozenset({"parameter", "parameter_overrides"})


class Source(StrEnum):
    """Where a setting's value came from (as click's ParameterSource tells it)."""

    FLAG = "flag"
    ENV = "env"
    FILE = "file"


ENV_PREFIX = "LAMBDA_RELEASE_"
DEFAULT_CONFIG_ENV = "default"
SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")

# Keys that SAM users already keep in samconfig and that mean the same to us.
FILE_KEYS = frozenset(
    {
        "region",
        "profile",
        "s3_bucket",
        "s3_prefix",
        "resolve_s3",
        "capabilities",
        "parameter_overrides",
        "image_repositories",
        "image_repository",
        "resolve_image_repos",
        "tags",
        "template_file",
        "signing_profiles",
        "notification_arns",
        "role_arn",
        "kms_key_id",
    }
)

# Options where an empty flag means something (or is checked by the command itself);
# for every other option `--release=` is bad input, never "use the default".
EMPTY_ALLOWED = frozenset({"reason", "parameter_overrides", "s3_prefix", "branch"})

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_var(name: str) -> str:
    """The environment variable that carries option ``name`` (``stack_prefix``)."""
    return ENV_PREFIX + name.upper().replace("-", "_")


def flag_of(name: str) -> str:
    """The flag that carries option ``name`` (``--stack-prefix``)."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class SamConfig:
    """A SAM config file: ``{config_env: {command: {key: value}}}``."""

    path: Path | None
    data: Mapping[str, Any]

    @classmethod
    def empty(cls) -> SamConfig:
        return cls(None, {})

    @classmethod
    def load(cls, path: Path) -> SamConfig:
        """Read ``path``; a missing file is an empty config, a broken one a usage error."""
        if not path.is_file():
            return cls.empty()
        if path.suffix != ".toml":
            return cls._load_yaml(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"cannot read SAM config file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise UsageError(f"SAM config file {path} is not a table of config environments")
        return cls(path, data)

    @classmethod
    def _load_yaml(cls, path: Path) -> SamConfig:
        # PyYAML takes 40 ms to import: only a samconfig.yaml pays it, not every command.
        import yaml  # noqa: PLC0415

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise UsageError(f"cannot read SAM config file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise UsageError(f"SAM config file {path} is not a table of config environments")
        return cls(path, data)

    @classmethod
    def find(cls, explicit: str | None, directory: Path) -> SamConfig:
        """The named file (which must exist) or the first of SAM's default names."""
        if explicit:
            path = Path(explicit)
            if not path.is_file():
                raise UsageError(
                    f"SAM config file {explicit!r} does not exist: fix --config-file "
                    f"or {env_var('config_file')}"
                )
            return cls.load(path)
        for name in SAMCONFIG_NAMES:
            if (directory / name).is_file():
                return cls.load(directory / name)
        return cls.empty()

    def environments(self) -> list[str]:
        return [k for k, v in self.data.items() if isinstance(v, dict)]

    def section(self, config_env: str, command: str) -> dict[str, Any]:
        """``[env.global.parameters]`` overlaid by ``[env.<command>.parameters]``."""
        env = self.data.get(config_env)
        merged: dict[str, Any] = {}
        if not isinstance(env, dict):
            return merged
        for part in ("global", command):
            table = env.get(part)
            params = table.get("parameters") if isinstance(table, dict) else None
            if isinstance(params, dict):
                merged.update(params)
        return {k: v for k, v in merged.items() if k in FILE_KEYS}


class Settings:
    """Looks an option up in the flags given, then the environment, then the file.

    The file layer is read lazily: a command that never consults it (``target``)
    is not affected by a broken or missing ``samconfig.toml``.
    """

    def __init__(
        self,
        flags: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        file: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
        file_label: str = "",
    ) -> None:
        self.flags = flags
        self.environ = dict(os.environ) if environ is None else environ
        self._file = file if file is not None else {}
        self.file_label = file_label

    @property
    def file(self) -> Mapping[str, Any]:
        if callable(self._file):
            self._file = self._file()
        return self._file

    def with_file(
        self, config: SamConfig | Callable[[], SamConfig], config_env: str, command: str
    ) -> Settings:
        """These settings with a SAM config's section for ``config_env`` as the last layer."""

        def load() -> Mapping[str, Any]:
            cfg = config() if callable(config) else config
            self_copy.file_label = f"{cfg.path} [{config_env}]" if cfg.path else ""
            return cfg.section(config_env, command)

        self_copy = Settings(self.flags, self.environ, load)
        return self_copy

    def env_key(self, name: Name) -> str | None:
        """The variable that carries ``name``: its own, else a former name's, else None."""
        for key in (name, *FORMER_NAMES.get(name, ())):
            if env_var(key) in self.environ:
                return env_var(key)
        return None

    def source(self, name: Name) -> Source | None:
        """Where ``name`` comes from, or None when unset."""
        if self.flags.get(name) is not None:
            return Source.FLAG
        if self.env_key(name) is not None:
            return Source.ENV
        if name in FILE_KEYS and name in self.file:
            return Source.FILE
        return None

    def raw(self, name: Name) -> Any:
        src = self.source(name)
        if src == Source.FLAG:
            value = self.flags[name]
            if name not in EMPTY_ALLOWED and _has_empty(value):
                flag = flag_of(name)
                raise UsageError(f"{flag} is empty: give a value, or leave {flag} out")
            return value
        if src == Source.ENV:
            return self.environ[self.env_key(name) or env_var(name)]
        if src == Source.FILE:
            return self.file[name]
        return None

    def check_text(self, labels: Mapping[str, str] | None = None) -> None:
        """Refuse a control character in any option, as given by flag or environment.

        Run once, before a command does anything; each option is checked where its value
        comes from (a flag hides its variable). ``labels`` names options whose flag is not
        ``--<name>`` (a positional argument). The SAM config file is SAM's own: unchecked,
        and not read here (a command that never needs it must not fail on it).

        A parameter override's value is not free text but a value for the template (a
        password may hold a tab): it is checked where it is made an argument for sam
        (template.overrides: what CloudFormation's XML answers cannot hold), and every
        line that shows it escapes it (template.sam.quoted).
        """
        for name, given in self.flags.items():
            if name in VALUES_FOR_THE_TEMPLATE:
                continue
            key = self.env_key(name)  # type: ignore[arg-type]  # flags' keys are Names
            if given is not None:
                what, value = (labels or {}).get(name) or flag_of(name), given
            elif key is not None:
                what, value = key, self.environ[key]
            else:
                continue
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, str):
                    check_text(item, what)

    def get(self, name: Name, default: str | None = None) -> str | None:
        """A single string value; an empty environment variable counts as unset."""
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_list(self, name: Name, default: Sequence[str] = ()) -> list[str]:
        """A list: repeated flags, or words separated by spaces or commas elsewhere."""
        value = self.raw(name)
        if value is None:
            return list(default)
        if isinstance(value, list | tuple):
            items = [str(v) for v in value]
        else:
            items = str(value).replace(",", " ").split()
        return items or list(default)

    def get_bool(self, name: Name, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        where = (self.env_key(name) or name) if self.source(name) == Source.ENV else name
        raise UsageError(f"{where}={value!r} is not a yes/no value: use true or false")


def _has_empty(value: Any) -> bool:
    """An empty string, or a repeated flag with an empty item."""
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple):
        return any(isinstance(v, str) and v.strip() == "" for v in value)
    return False
