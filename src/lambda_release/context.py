"""What a command gets: its parsed flags, the settings layers and one AWS session."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

from lambda_release import bounds
from lambda_release.aws.client import Aws
from lambda_release.errors import UsageError
from lambda_release.output import FORMATS
from lambda_release.settings import DEFAULT_CONFIG_ENV, SamConfig, Settings


@dataclass
class Context:
    """Everything a command needs; built once by the CLI, or by hand from Python."""

    args: argparse.Namespace
    settings: Settings
    outputs: tuple[str, ...] = FORMATS
    default_output: str = "table"
    # The command being run (the CLI's word for it), which the AWS call trace names.
    command: str = ""
    _aws: Aws | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_args(
        cls,
        args: argparse.Namespace,
        *,
        outputs: tuple[str, ...] = FORMATS,
        default_output: str = "table",
        environ: dict[str, str] | None = None,
    ) -> Context:
        flags = {k: v for k, v in vars(args).items() if not k.startswith("_")}
        settings = Settings(flags=flags, environ=dict(os.environ if environ is None else environ))
        # Before anything runs: no option may carry text that could forge output.
        settings.check_text(getattr(args, "_labels", None))
        ctx = cls(
            args=args,
            settings=settings,
            outputs=outputs,
            default_output=default_output,
            command=str(getattr(args, "_command", "") or ""),
        )
        return ctx.with_config_env(settings.get("config_env", DEFAULT_CONFIG_ENV) or "")

    def with_config_env(self, config_env: str, command: str = "deploy") -> Context:
        """Use the SAM config file's section for ``config_env`` as the last settings layer."""
        explicit = self.settings.get("config_file")
        self.settings = self.settings.with_file(
            lambda: SamConfig.find(explicit, Path.cwd()), config_env, command
        )
        self._aws = None
        return self

    @property
    def output(self) -> str:
        value = self.settings.get("output", self.default_output) or self.default_output
        if value not in self.outputs:
            raise UsageError(
                f"--output {value!r} is not supported here: choose one of {', '.join(self.outputs)}"
            )
        return value

    @property
    def has_aws(self) -> bool:
        """Whether the AWS session was made (an error report must not make one)."""
        return self._aws is not None

    @property
    def aws(self) -> Aws:
        if self._aws is None:
            s = self.settings
            attempts = bounds.MAX_ATTEMPTS.whole(s, 8)
            self._aws = Aws(
                region=s.get("region"),
                profile=s.get("profile"),
                endpoint_url=s.get("endpoint_url"),
                retry_mode=s.get("retry_mode", "standard") or "standard",
                max_attempts=attempts,
                command=self.command,
            )
        return self._aws
