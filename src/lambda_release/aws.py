"""boto3 sessions and clients, configured once.

Retries are botocore's own ("standard" mode by default: exponential backoff
with jitter, throttling and 5xx errors retried), never a hand-rolled loop.
``--endpoint-url`` (or boto3's own ``AWS_ENDPOINT_URL``) points every client
at an emulator such as ``lambda-release sandbox``; without it the helper talks
to real AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from lambda_release import __version__, awstrace
from lambda_release.errors import OperationError, UsageError

RETRY_MODES = ("standard", "adaptive", "legacy")


@dataclass
class Aws:
    """One boto3 session and its clients, shared by everything a command does."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 8
    _session: Any = field(default=None, init=False, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.retry_mode not in RETRY_MODES:
            raise UsageError(
                f"retry mode {self.retry_mode!r} is not one of {', '.join(RETRY_MODES)}"
            )

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                self._session = boto3.session.Session(
                    region_name=self.region, profile_name=self.profile
                )
            except botocore.exceptions.ProfileNotFound as exc:
                raise UsageError(f"{exc}: fix --profile or AWS_PROFILE") from exc
        return self._session

    def config(self) -> botocore.config.Config:
        retries: Any = {"mode": self.retry_mode, "max_attempts": self.max_attempts}
        return botocore.config.Config(
            retries=retries,
            user_agent_extra=f"lambda-release/{__version__}",
            connect_timeout=10,
            read_timeout=60,
        )

    def client(self, service: str) -> Any:
        """A client for ``service``, created once per session."""
        if service not in self._clients:
            if not self.session.region_name:
                raise UsageError(
                    "no AWS region: give --region, set AWS_REGION, or set region in "
                    "your AWS profile or samconfig.toml"
                )
            kwargs: dict[str, Any] = {"config": self.config()}
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            client = self.session.client(service, **kwargs)
            if trace := awstrace.trace_path():
                awstrace.install(client, trace)
            self._clients[service] = client
        return self._clients[service]

    def check_credentials(self) -> None:
        """Fail early, with the fix, when no credentials can be found."""
        if self.session.get_credentials() is None:
            raise OperationError(
                "no AWS credentials found: in CircleCI run aws-cli/setup with role_arn "
                "(OIDC) before this step; locally set AWS_PROFILE or the AWS_* variables"
            )


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, or '' for anything else."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""
