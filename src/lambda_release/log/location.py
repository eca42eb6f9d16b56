"""Where a log lives: a bucket and an optional key prefix, and each log's base key."""

from __future__ import annotations

from dataclasses import dataclass

from lambda_release.errors import UsageError

ROOT = "lambda-release"
# The stack tag naming where its log is (here, not in store.py: reading it needs no more).
LOG_TAG = "lambda-release:log"


@dataclass(frozen=True)
class LogLocation:
    """Where a log lives: a bucket and an optional key prefix."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, value: str) -> LogLocation:
        """``s3://bucket/prefix``, ``s3://bucket`` or a bare bucket name."""
        text = value.strip()
        if text.startswith("s3://"):
            text = text[len("s3://") :]
        elif "://" in text:
            raise UsageError(
                f"release log location {value!r} is not an S3 location: give a bucket "
                "name or s3://bucket/prefix"
            )
        bucket, _, prefix = text.partition("/")
        if not bucket or len(bucket) < 3:
            raise UsageError(
                f"release log location {value!r} names no bucket: give --log-bucket BUCKET "
                "or s3://bucket/prefix"
            )
        return cls(bucket, prefix.strip("/"))

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def base(self, stack: str, alias: str) -> str:
        head = f"{self.prefix}/" if self.prefix else ""
        return f"{head}{ROOT}/{stack}/{alias}/"
