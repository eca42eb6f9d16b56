"""The handle every command works through: one stack, one alias, their AWS clients.

It caches the stack read (one paged listing) and knows where the stack's
release log is; it decides nothing about releases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from lambda_release.aws.client import GET_FUNCTION_RATE, LAMBDA_RATE, Aws, Pool, RateLimiter
from lambda_release.aws.stack import (
    LiveFunction,
    StackInfo,
    describe_stack,
    read_live,
    read_stack,
    restated,
)
from lambda_release.errors import UsageError
from lambda_release.log.group_schema import GroupRef
from lambda_release.log.location import LOG_TAG, LogLocation
from lambda_release.names import stable_alias_name, validate_alias, validate_stack_name

if TYPE_CHECKING:
    from lambda_release.log.store import ReleaseLog

SAM_MANAGED_STACK = "aws-sam-cli-managed-default"


def unchanged_since(info: StackInfo, desc: dict[str, Any]) -> bool:
    """Whether a newer description shows the stack as ``info`` read it: the same stack,
    status and last update. CloudFormation changes a stack's resources only through an
    operation on it, which moves its status and LastUpdatedTime: its listing still holds."""
    return (
        str(desc.get("StackId", "")) == info.stack_id
        and str(desc.get("StackStatus", "")) == info.status
        and (desc.get("LastUpdatedTime") or desc.get("CreationTime")) == info.last_updated
        and not info.in_progress
    )


@dataclass
class StackAlias:
    """The clients and coordinates of one stack and one alias."""

    aws: Aws
    stack: str
    alias: str
    rate: float = LAMBDA_RATE
    # A member of a group release (`group deploy`): its entry names the group.
    group: GroupRef | None = None
    limiter: RateLimiter = field(init=False)
    # GetFunction has its own quota (aws.GET_FUNCTION_RATE): reads that can use it do.
    read_limiter: RateLimiter = field(init=False)
    _info: StackInfo | None = field(default=None, init=False)
    _read: bool = field(default=False, init=False)
    _ahead: Future[StackInfo | None] | None = field(default=None, init=False)
    _log_ahead: Future[ReleaseLog] | None = field(default=None, init=False)
    # The threads of one command share this handle: the cached read changes under the lock
    # (held across a read, so two threads asking at once make one read, not two).
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def __post_init__(self) -> None:
        validate_stack_name(self.stack)
        validate_alias(self.alias)
        self.limiter = RateLimiter(self.rate)
        self.read_limiter = RateLimiter(self.rate * GET_FUNCTION_RATE / LAMBDA_RATE)

    @property
    def stable_name(self) -> str:
        return stable_alias_name(self.alias)

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def info(self, *, refresh: bool = False) -> StackInfo | None:
        with self._lock:
            if self._ahead is not None:
                ahead, self._ahead = self._ahead, None
                self._info, self._read = ahead.result(), True  # its error is raised here
            if refresh or not self._read:
                self._info = read_stack(self.client("cloudformation"), self.stack, self.alias)
                self._read = True
            return self._info

    def info_after(self, same_functions: bool) -> StackInfo | None:
        """The stack once sam has run. ``same_functions``: the template publishes the alias
        on exactly the functions read before, so only the stack's status is read again
        (their aliases are read by name); otherwise the stack is read whole."""
        with self._lock:
            before = self.info()
            if not same_functions or before is None:
                return self.info(refresh=True)
            desc = describe_stack(self.client("cloudformation"), self.stack)
            self._info = None if desc is None else restated(before, desc)
            return self._info

    def info_current(self) -> StackInfo | None:
        """The stack as it is now, at the cost of one description when CloudFormation has
        not touched it since the read held (unchanged_since): its resources are
        listed again only when it has."""
        with self._lock:
            if self._ahead is None and not self._read:
                return self.info()  # nothing held: this is the first read
            before = self.info()
            desc = describe_stack(self.client("cloudformation"), self.stack)
            if desc is None:
                self._info = None
            elif before is not None and unchanged_since(before, desc):
                self._info = restated(before, desc)
            else:
                self._info = read_stack(self.client("cloudformation"), self.stack, self.alias, desc)
            return self._info

    def read_ahead(self, services: Sequence[str] = (), log: LogLocation | None = None) -> None:
        """Read the stack on a worker thread while the caller does local work (the next
        ``info()`` waits for it), and create the clients of ``services`` on another while
        it waits on the network: a command's first calls then wait neither for a round
        trip nor for botocore's loading of service models. ``log``: where the release log
        most likely is; its lease is read and its newest entries listed beside the stack
        read (:meth:`prefetch_log`)."""
        cfn = self.client("cloudformation")
        pool = Pool(max_workers=2)
        with self._lock:
            self._ahead = pool.submit(read_stack, cfn, self.stack, self.alias)
        if log is not None:
            # The log's reads next (their client made here, while the stack read's calls
            # wait on the network), then the other clients on a worker.
            self.client("s3")
            self.prefetch_log(log)

        def clients() -> None:
            # Errors are the first real call's to say.
            for service in services:
                try:
                    self.client(service)
                except Exception:
                    break

        pool.submit(clients)
        pool.shutdown(wait=False)

    def read_at(self) -> datetime | None:
        """When AWS answered the stack read this handle holds (None: none held)."""
        with self._lock:
            return self._info.read_at if self._read and self._info is not None else None

    def require_alias_functions(self, info: StackInfo | None, log: ReleaseLog | None) -> None:
        """A stack whose functions carry other aliases but not ours: the alias is wrong.
        Unless ``log`` (this stack's and alias's) holds releases: then the alias was right
        and a template took it off every function, and the commands that lead back (a
        deploy that publishes it again, ``rollback --to-version``, ``status``) go ahead."""
        if info is None or info.functions or not info.other_functions:
            return
        if log is not None and log.newest_id() is not None:
            return  # read only in this rare case: one listing of the log's newest window
        has = ", ".join(info.aliases_seen) or "none"
        unreleased = "" if log is None else " and its release log holds no release of it"
        raise UsageError(
            f"no function of stack {self.stack} carries alias {self.alias!r} (aliases in "
            f"the stack: {has}){unreleased}: check --alias / LAMBDA_RELEASE_ALIAS, and that "
            "the template sets AutoPublishAlias: !Ref AliasName"
        )

    def live(self, info: StackInfo | None) -> list[LiveFunction]:
        if info is None:
            return []
        names = [f.name for f in info.functions]
        return read_live(self.client("lambda"), names, self.alias, self.stable_name, self.limiter)

    # -- where the log is ------------------------------------------------
    def log_location(
        self,
        explicit: str | None,
        s3_bucket: str | None = None,
        *,
        resolve_s3: bool = False,
        create_managed: Callable[[], None] | None = None,
    ) -> LogLocation:
        """Where this stack's log is: ``explicit``, the stack's tag, the artifacts bucket, or
        SAM's managed bucket with ``resolve_s3`` (made by ``create_managed`` when missing)."""
        if explicit:
            return LogLocation.parse(explicit)
        info = self.info()
        if info is not None and info.tags.get(LOG_TAG):
            return LogLocation.parse(info.tags[LOG_TAG])
        if s3_bucket:
            return LogLocation(s3_bucket)
        if resolve_s3:
            managed = self._sam_managed_bucket()
            if managed is None and create_managed is not None:
                create_managed()
                managed = self._sam_managed_bucket()
            if managed:
                return LogLocation(managed)
            raise UsageError(
                f"SAM's managed bucket (stack {SAM_MANAGED_STACK}) does not exist yet in this "
                "account and region, and the release log of stack "
                f"{self.stack} would live there: the first deploy creates it; a dry run or a "
                "read changes nothing, so give --log-bucket BUCKET to use another"
            )
        raise UsageError(
            f"cannot tell where the release log of stack {self.stack} is: the stack has no "
            f"{LOG_TAG!r} tag yet. Give --log-bucket BUCKET (LAMBDA_RELEASE_LOG_BUCKET; the "
            "orb's log_bucket), --s3-bucket (the orb's s3_bucket), or resolve_s3 / s3_bucket "
            "in samconfig.toml"
        )

    def _sam_managed_bucket(self) -> str | None:
        try:
            resp = self.client("cloudformation").describe_stacks(StackName=SAM_MANAGED_STACK)
        except botocore.exceptions.ClientError:
            return None
        for out in (resp.get("Stacks") or [{}])[0].get("Outputs", []):
            if out.get("OutputKey") == "SourceBucket":
                return str(out["OutputValue"])
        return None

    def log(self, location: LogLocation) -> ReleaseLog:
        """The log at ``location``: the one :meth:`prefetch_log` began reading, if it is
        there (once), else a new handle."""
        with self._lock:
            ahead, self._log_ahead = self._log_ahead, None
        if ahead is not None and ahead.exception() is None:  # else: said by the real reads
            prefetched = ahead.result()
            if prefetched.location == location:
                return prefetched
        # Imported here: a command's first AWS call (the stack read) waits for none of it.
        from lambda_release.log.store import ReleaseLog  # noqa: PLC0415

        return ReleaseLog(self.client("s3"), location, self.stack, self.alias)

    def prefetch_log(self, location: LogLocation) -> None:
        """Read the lease of the log at ``location`` and list its newest entries on a worker,
        beside the stack read, for a release about to take the lease (issue 30: one round
        trip less before sam). Used only if the log turns out to be there (the stack's tag
        decides); the lease's conditional write and Head.confirmed_by make reads a moment
        old as good as fresh ones."""
        from lambda_release.log.store import ReleaseLog  # noqa: PLC0415

        def read() -> ReleaseLog:
            log = ReleaseLog(self.client("s3"), location, self.stack, self.alias)
            log.read_ahead()
            return log

        pool = Pool(max_workers=1)
        with self._lock:
            self._log_ahead = pool.submit(read)
        pool.shutdown(wait=False)
