"""The AWS boundary: one boto3 session, its clients, and the pacing of parallel calls.

Retries are botocore's own ("standard" mode by default: exponential backoff
with jitter, throttling and 5xx errors retried), never a hand-rolled loop.
``--endpoint-url`` (or boto3's own ``AWS_ENDPOINT_URL``) points every client
at an emulator such as ``lambda-release sandbox``; without it the helper talks
to real AWS.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import botocore.exceptions

from lambda_release import __version__
from lambda_release.aws import trace as awstrace
from lambda_release.errors import LambdaReleaseError, OperationError, UsageError

if TYPE_CHECKING:
    import botocore.config

RETRY_MODES = ("standard", "adaptive", "legacy")
# botocore's own rule for a region (a DNS label); checked up front so a typo is bad input.
REGION_SYNTAX = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")
CREDENTIALS_WAY_OUT = (
    "in CircleCI run aws-cli/setup with role_arn (OIDC) before this step; locally set "
    "AWS_PROFILE or the AWS_* variables"
)

T = TypeVar("T")
R = TypeVar("R")

# The AWS call this thread began last ("lambda.UpdateAlias"), so an error can name it. A
# context variable: every thread has its own, so a worker's call never names another's error.
_last_call: contextvars.ContextVar[str] = contextvars.ContextVar("last_aws_call", default="")
# Where an exception raised on a worker thread keeps the call that thread began last.
_CALL_ATTR = "_lambda_release_aws_call"


def last_call() -> str:
    """The AWS call this thread began last ('' if none)."""
    return _last_call.get()


def call_of(exc: BaseException) -> str:
    """The AWS call begun last by the thread that raised ``exc`` ('' if not known)."""
    return str(getattr(exc, _CALL_ATTR, ""))


def naming_call(fn: Callable[..., R]) -> Callable[..., R]:
    """``fn``, whose exception carries the call its thread began last: on another thread
    (where it is raised again) that thread's own last call would name the wrong one."""

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> R:
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:
            if not call_of(exc) and (call := _last_call.get()):
                setattr(exc, _CALL_ATTR, call)
            raise

    return wrapped


class Pool(ThreadPoolExecutor):
    """A thread pool whose tasks' exceptions name the AWS call they failed in."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        return super().submit(naming_call(fn), *args, **kwargs)


# Lambda's API quotas, one bucket each (AWS Lambda Developer Guide, "Lambda quotas",
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
# "Control plane API requests (excludes invocation, GetFunction, and GetPolicy
# requests)": 15 per second per account; "GetFunction API requests": 100 per second.
# LAMBDA_RATE paces the control plane (ListAliases, UpdateAlias, CreateAlias,
# GetFunctionConfiguration, ...); GET_FUNCTION_RATE paces GetFunction, which reads
# that need only a version's configuration use instead (scaled with --lambda-rate).
LAMBDA_RATE = 15.0
GET_FUNCTION_RATE = 100.0
WORKERS = 8


class RateLimiter:
    """Spaces calls at most ``rate`` per second across threads (a start-time schedule)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            t = time.monotonic()
            start = max(t, self._next)
            self._next = start + self.interval
        if start > t:
            time.sleep(start - t)


def parallel_map(
    fn: Callable[[T], R], items: Sequence[T], limiter: RateLimiter | None = None
) -> list[R]:
    """``fn`` over ``items`` on a few threads, each call paced by ``limiter``; order kept."""

    def paced(item: T) -> R:
        if limiter is not None:
            limiter.wait()
        return fn(item)

    if len(items) <= 1:
        return [paced(i) for i in items]
    with Pool(max_workers=min(WORKERS, len(items))) as pool:
        return list(pool.map(paced, items))


@functools.cache
def shared_data_loader() -> Any:
    """botocore's loader of its data files (service models, endpoints, retry rules), one per
    process. Each session would otherwise parse the same JSON again: a program or test that
    makes many `Aws` objects spent most of its time there. The data is read-only."""
    import botocore.loaders  # noqa: PLC0415 - see Aws.session

    return botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))


@dataclass
class Aws:
    """One boto3 session and its clients, shared by everything a command does."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 8
    # The command this session serves, written into the AWS call trace (aws/trace.py).
    command: str = ""
    _session: Any = field(default=None, init=False, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    # A boto3 session is not thread-safe: clients are made one at a time (then shared).
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.retry_mode not in RETRY_MODES:
            raise UsageError(
                f"retry mode {self.retry_mode!r} is not one of {', '.join(RETRY_MODES)}"
            )
        # AWS_REGION is what most AWS SDKs and CircleCI's aws-cli orb set; botocore reads
        # only AWS_DEFAULT_REGION.
        self.region = self.region or os.environ.get("AWS_REGION") or None
        if self.region is not None and not REGION_SYNTAX.match(self.region):
            raise UsageError(
                f"region {self.region!r} is not a region name (like eu-west-1): fix --region "
                "or AWS_REGION"
            )
        if self.endpoint_url is not None:
            check_endpoint_url(self.endpoint_url)

    @property
    def session(self) -> Any:
        if self._session is None:
            # boto3 and botocore.config take 0.3 s to import: only a command that calls AWS
            # pays it (`target`, `check`, `--help` and bad input never do).
            import boto3.session  # noqa: PLC0415
            import botocore.session  # noqa: PLC0415

            core = botocore.session.get_session()
            core.register_component("data_loader", shared_data_loader())
            try:
                self._session = boto3.session.Session(
                    botocore_session=core, region_name=self.region, profile_name=self.profile
                )
            except botocore.exceptions.ProfileNotFound as exc:
                raise UsageError(f"{exc}: fix --profile or AWS_PROFILE") from exc
        return self._session

    def config(self) -> botocore.config.Config:
        import botocore.config  # noqa: PLC0415 - see session

        retries: Any = {"mode": self.retry_mode, "max_attempts": self.max_attempts}
        return botocore.config.Config(
            retries=retries,
            user_agent_extra=f"lambda-release/{__version__}",
            connect_timeout=10,
            read_timeout=60,
        )

    def client(self, service: str) -> Any:
        """A client for ``service``, created once per session (clients are thread-safe)."""
        with self._lock:
            return self._client(service)

    def _client(self, service: str) -> Any:
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
            client.meta.events.register("before-call", self._note_call)
            if trace := awstrace.trace_path():
                awstrace.install(client, trace, self.command)
            self._clients[service] = client
        return self._clients[service]

    @staticmethod
    def _note_call(model: Any, **_: Any) -> None:
        _last_call.set(f"{model.service_model.service_name}.{model.name}")

    def check_credentials(self) -> None:
        """Fail early, with the fix, when no credentials can be found."""
        if self.session.get_credentials() is None:
            raise OperationError(f"no AWS credentials found: {CREDENTIALS_WAY_OUT}")


def check_endpoint_url(url: str) -> None:
    """An endpoint must be an http(s) URL with a host (and a numeric port, if any)."""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise UsageError(
            f"endpoint URL {url!r} is not an http(s) URL with a host, like "
            "http://127.0.0.1:4566: fix --endpoint-url or AWS_ENDPOINT_URL"
        )


def as_release_error(exc: BaseException, call: str = "") -> LambdaReleaseError | None:
    """An AWS (botocore) failure that escaped, as one line saying what failed and the way
    out (exit 1; a missing region is bad input, exit 2). None for anything else."""
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return UsageError(
            "no AWS region: give --region, set AWS_REGION, or set region in your AWS profile "
            "or samconfig.toml"
        )
    line = _aws_error_line(exc, call)
    return None if line is None else OperationError(line)


def _aws_error_line(exc: BaseException, call: str) -> str | None:
    at = f"{call}: " if call else ""
    if isinstance(
        exc,
        botocore.exceptions.NoCredentialsError
        | botocore.exceptions.PartialCredentialsError
        | botocore.exceptions.CredentialRetrievalError,
    ):
        return f"{at}no usable AWS credentials ({exc}): {CREDENTIALS_WAY_OUT}"
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
        name = call or str(getattr(exc, "operation_name", "")) or "an AWS call"
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"):
            way = "the credentials are expired or invalid: refresh them, then run again"
        elif "AccessDenied" in code or code == "UnauthorizedOperation":
            way = "the role lacks this permission: see `lambda-release iam-policy`"
        else:
            way = "see AWS's message; run again once the cause is fixed"
        return f"{name} failed: {code}: {message}: {way}"
    if isinstance(
        exc,
        botocore.exceptions.EndpointConnectionError
        | botocore.exceptions.ConnectionError
        | botocore.exceptions.HTTPClientError,
    ):
        return (
            f"{at}cannot reach AWS ({exc}): check the network, --region and "
            "--endpoint-url / AWS_ENDPOINT_URL, then run again"
        )
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"{at}the AWS call failed: {exc}: check the AWS settings, then run again"
    return None


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, or '' for anything else."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def answered_at(metadata: dict[str, Any]) -> datetime | None:
    """The Date header of an AWS answer (whole seconds, AWS's clock), None without one."""
    text = (metadata.get("HTTPHeaders") or {}).get("date")
    if not text:
        return None
    try:
        when = parsedate_to_datetime(str(text))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
