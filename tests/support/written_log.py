"""A release log written straight into the stand-in's S3 (the objects a deploy writes), for
commands that only read it (report, history) without a SAM app: seconds, not minutes."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from lambda_release.log.ids import iso, new_id
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox

START = datetime(2026, 11, 26, 22, 17, tzinfo=UTC)
CI = {
    "source": "circleci",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "branch": "main",
    "repository": "my-org/my-lambda",
    "pipeline_number": "77",
    "job": "deploy",
    "job_url": "https://app.circleci.com/pipelines/gh/my-org/my-lambda/77/workflows/w/jobs/9",
}


class WrittenLog:
    def __init__(self, sandbox: Sandbox, stack: str = "app-prod", alias: str = "PROD") -> None:
        self.s3 = sandbox.client("s3")
        self.bucket = f"log-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=self.bucket)
        self.stack, self.alias = stack, alias
        self.log = ReleaseLog(self.s3, LogLocation(self.bucket), stack, alias)
        self.put(self.log.origin_key, {})
        self.count = 0
        self.ids: list[str] = []  # oldest first

    def put(self, key: str, body: dict[str, Any]) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(body).encode())

    def args(self) -> list[str]:
        return ["--stack", self.stack, "--alias", self.alias, "--log-bucket", self.bucket]

    def release(
        self,
        outcome: str,
        *,
        before: str = "1",
        after: str = "2",
        settlement: dict[str, Any] | None = None,
        **entry: Any,
    ) -> str:
        """One release (or, with kind="rollback", a rollback), settled ``outcome``."""
        at = START + timedelta(minutes=self.count)
        rid = new_id(at)
        self.count += 1
        moved = outcome in ("succeeded", "partial")
        fn = {"logical_id": "AFunction", "function_name": f"{self.stack}-A", "before": before}
        self.put(
            self.log.entry_key(rid),
            {
                "schema": "lambda-release/entry@1",
                "id": rid,
                "kind": "release",
                "time": iso(at),
                "stack": self.stack,
                "alias": self.alias,
                "environment": "prod",
                "functions": [fn],
                "ci": CI,
                "who": "alice",
                **entry,
            },
        )
        settled = {"logical_id": "AFunction", "after": after if moved else before, "moved": moved}
        self.put(
            self.log.settlement_key(rid),
            {"id": rid, "outcome": outcome, "functions": [settled], **(settlement or {})},
        )
        self.ids.append(rid)
        return rid

    def fill(self, count: int) -> None:
        """``count`` settled no-change releases, written side by side (a long log, fast)."""
        ats = [START + timedelta(minutes=self.count + i) for i in range(count)]
        self.count += count

        def one(at: datetime) -> str:
            rid = new_id(at)
            entry = {"id": rid, "kind": "release", "time": iso(at), "functions": []}
            self.put(self.log.entry_key(rid), {"schema": "lambda-release/entry@1", **entry})
            self.put(
                self.log.settlement_key(rid), {"id": rid, "outcome": "no-change", "functions": []}
            )
            return rid

        with ThreadPoolExecutor(8) as pool:
            self.ids += list(pool.map(one, ats))

    def undo(self, rid: str, by: str) -> None:
        self.put(self.log.undo_key(rid), {"id": rid, "by": by})
